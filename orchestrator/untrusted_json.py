"""JSON that comes from outside: request bodies, files members send, metadata URIs any member writes on the
chain. Parsed only when it nests at most MAX_DEPTH levels, and read only when its strings are text ({NotText}).

Why: Python's json parser recurses once per level, and past about 1,000 levels it raises RecursionError, which
no `except ValueError` catches. A member's 2 KB metadata URI of nested arrays would then break every listing
of the roll for everyone. In a server thread, the parser's recursion near the interpreter's limit can also
make a finalizer that the garbage collector runs meanwhile fail. Counting the levels first, without
recursion, keeps the parser far from the limit: no document we read nests deeper than 4."""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

MAX_DEPTH = 64
UTF8_ONLY = "JSON text is UTF-8 (RFC 8259)"
# What changes the nesting or whether we are inside a string; everything else is skipped in C.
_STRUCTURE_TEXT, _STRUCTURE_BYTES = re.compile(r'[\[\]{}"\\]'), re.compile(rb'[\[\]{}"\\]')
_OPENERS = ("[", "{", b"[", b"{")


def depth(text: str | bytes | bytearray) -> int:
    """How deep `text` nests: the most brackets open at once outside strings (1 for `[]`, 0 for `"[["`).
    Linear in the text, never recursive; text that is not JSON gets a number too, and the parser refuses it."""
    deepest = level = 0
    in_string = False
    escaped_at = -1  # the index of the character a backslash inside a string escapes
    structure, quote, backslash = (_STRUCTURE_TEXT, '"', "\\") if isinstance(text, str) else \
        (_STRUCTURE_BYTES, b'"', b"\\")
    for found in structure.finditer(text):
        at, char = found.start(), found.group()
        if at == escaped_at:
            continue
        if char == backslash:
            if in_string:
                escaped_at = at + 1
        elif char == quote:
            in_string = not in_string
        elif in_string:
            continue
        elif char in _OPENERS:
            level += 1
            deepest = max(deepest, level)
        else:
            level -= 1
    return deepest


def utf16_or_32(data: bytes | bytearray) -> bool:
    """Whether bytes would be parsed as UTF-16 or UTF-32, which `json.loads` also reads from bytes: a byte order
    mark, or a NUL (JSON in UTF-8 holds none; in UTF-16 every ASCII character brings one). Refused, because
    {depth} counts bytes: in UTF-16, U+2200 is the bytes 22 00, a '"' that would hide the brackets after it."""
    return b"\x00" in data or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


class NotText(json.JSONDecodeError):
    """A JSON string escapes half of a UTF-16 surrogate pair alone (`"\\ud800"`). JSON allows it, and Python
    parses it to a str that no encoder takes: the first `.encode()` (a hash, a signature digest, a database
    write) would raise UnicodeEncodeError far from where the text came in."""


def loads(text: str | bytes) -> Any:
    """`json.loads`, refusing text nested deeper than MAX_DEPTH and strings that are not text ({NotText}), with
    the `json.JSONDecodeError` (a ValueError) that malformed JSON raises."""
    if not isinstance(text, str) and utf16_or_32(text):
        raise json.JSONDecodeError(UTF8_ONLY, _document(text), 0)
    if depth(text) > MAX_DEPTH:
        raise json.JSONDecodeError(f"nested deeper than {MAX_DEPTH} levels", _document(text), 0)
    value = json.loads(text)
    # In bytes a surrogate can only come escaped (UTF-8 has no encoding for one); a str may hold it raw.
    if ("\\u" in text or not text.isascii()) if isinstance(text, str) else b"\\u" in text:
        try:
            json.dumps(value, ensure_ascii=False).encode()  # in C; nesting is bounded above
        except UnicodeEncodeError as exc:
            escape = f"\\u{ord(exc.object[exc.start]):04x}"
            document = _document(text)
            found = re.search(re.escape(escape), document, re.IGNORECASE)
            raise NotText(f"a string holds {escape}, half of a UTF-16 surrogate pair alone: not text", document,
                          found.start() if found else 0) from None
    return value


def _document(text: str | bytes) -> str:
    return text if isinstance(text, str) else text.decode("utf-8", "replace")
