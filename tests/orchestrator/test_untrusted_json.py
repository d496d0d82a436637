"""JSON from outside is parsed only when it nests at most MAX_DEPTH levels: the level count agrees with the
parser on every document, strings and escapes included, and too deep a document is a ValueError, never the
RecursionError that Python's parser raises past about 1,000 levels."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator import untrusted_json
from orchestrator.untrusted_json import MAX_DEPTH, depth, loads

# Strings full of what the counter must not mistake for structure: brackets, quotes, backslashes.
TRICKY_TEXT = st.text(alphabet=st.sampled_from('[]{}"\\ab\n\u00e9'), max_size=12)
DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY_TEXT, inner, max_size=4),
    max_leaves=40)


def nesting(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(nesting, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(nesting, value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)  # a loaded host stalls an example past 200 ms
@given(DOCUMENTS, st.booleans(), st.booleans())
def test_the_count_is_the_documents_nesting_whatever_its_strings_hold(document, as_bytes, ascii_only):
    text = json.dumps(document, ensure_ascii=ascii_only)
    assert depth(text.encode() if as_bytes else text) == nesting(document)
    assert loads(text) == document


@pytest.mark.parametrize("text, expected", [
    ("", 0), ("1", 0), ("[]", 1), ("[[],{}]", 2), ('"[[["', 0), ('["\\"[["]', 1), ('["\\\\", [[]]]', 3),
    ('{"a": "\\\\\\"]]"}', 1), ("]]]]", 0), ('"unterminated [[[[', 0),
])
def test_the_count_of_hand_picked_texts(text, expected):
    assert depth(text) == expected == depth(text.encode())


def test_a_document_at_the_limit_is_read_and_one_level_more_is_a_value_error():
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) == json.loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    with pytest.raises(ValueError, match=f"^nested deeper than {MAX_DEPTH} levels: line 1 column 1"):
        loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


@pytest.mark.parametrize("levels", [1_000, 30_000])
def test_what_would_exhaust_the_parsers_recursion_is_a_json_error(levels):
    with pytest.raises(json.JSONDecodeError, match="nested deeper than"):
        loads(b"[" * levels + b"]" * levels)
    with pytest.raises(json.JSONDecodeError, match="nested deeper than"):
        untrusted_json.loads('{"a": ' * levels + "1" + "}" * levels)


@pytest.mark.parametrize("text, escape, at", [
    ('"\\ud800"', "\\ud800", 1), ('{"reason": "ok \\uDFFF"}', "\\udfff", 15), ('{"\\udc00": 1}', "\\udc00", 2),
    ('["\\ude00\\ud83d"]', "\\ude00", 2),  # a pair in the wrong order is two lone halves
])
def test_a_lone_surrogate_escape_is_not_text_and_is_a_json_error(text, escape, at):
    """JSON may escape half of a UTF-16 pair alone; Python then holds a str that no encoder takes, and the
    first `.encode()` (a hash, a signature digest, a database) raises UnicodeEncodeError far from here."""
    message = (f"a string holds {escape}, half of a UTF-16 surrogate pair alone: not text: line 1 column {at + 1} "
               f"(char {at})")
    for form in (text, text.encode()):
        with pytest.raises(untrusted_json.NotText) as refused:
            loads(form)
        assert str(refused.value) == message


def test_escaped_text_and_a_whole_surrogate_pair_are_read():
    assert loads('["\\ud83d\\ude00", "\\u00e9", "\\\\ud800"]') == ["\U0001f600", "\u00e9", "\\ud800"]


@pytest.mark.parametrize("data", [
    ('["\u2200", ' + "[" * 5_000 + "]" * 5_001).encode("utf-16-be"),  # 22 00: a '"' to a byte count
    "[]".encode("utf-16"), "[]".encode("utf-32"), b'["\x00"]',
])
def test_bytes_python_would_read_as_utf16_or_32_are_refused_before_counting(data):
    with pytest.raises(json.JSONDecodeError, match=r"^JSON text is UTF-8 \(RFC 8259\): line 1 column 1"):
        loads(data)
    assert loads(b'["\\u0000", "\xc3\xa9"]') == ["\x00", "\u00e9"]  # NUL escaped, and UTF-8, are text
