"""Counting what ABI-decoding would produce before decoding: every canonical encoding (what eth_abi and
Solidity write) passes at its own size, and offsets that point many times at the same bytes are refused at
the limit, having walked no more than the limit allows."""

import eth_abi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.chain.decoded_size import TooLarge, check

BASIC = [("uint256", st.integers(0, 2**256 - 1)), ("uint8", st.integers(0, 255)), ("bool", st.booleans()),
         ("address", st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())),
         ("bytes32", st.binary(min_size=32, max_size=32)), ("bytes", st.binary(max_size=80)),
         ("string", st.text(max_size=40))]


@st.composite
def typed(draw, depth=0):
    """An ABI type and a value of it: basic types, T[], T[2] and tuples, nested."""
    kind = draw(st.sampled_from(["basic"] if depth >= 3 else ["basic", "basic", "list", "fixed", "tuple"]))
    if kind == "basic":
        name, values = draw(st.sampled_from(BASIC))
        return name, draw(values)
    if kind == "tuple":
        parts = draw(st.lists(typed(depth + 1), min_size=1, max_size=3))
        return "(" + ",".join(t for t, _ in parts) + ")", tuple(v for _, v in parts)
    item, _ = draw(typed(depth + 1))
    values = st.deferred(lambda: _values_of(item))
    if kind == "list":
        return f"{item}[]", draw(st.lists(values, max_size=3))
    return f"{item}[2]", draw(st.lists(values, min_size=2, max_size=2))


def _values_of(type_str):
    """Values of an already drawn type (for the items of an array)."""
    for name, values in BASIC:
        if type_str == name:
            return values
    if type_str.endswith("[]"):
        return st.lists(_values_of(type_str[:-2]), max_size=3)
    if type_str.endswith("[2]"):
        return st.lists(_values_of(type_str[:-3]), min_size=2, max_size=2)
    return st.tuples(*map(_values_of, _components(type_str)))


def produced(type_str: str, value) -> int:
    """What decoding `value` produces, counted from the value itself (the oracle): 32 for a static word, 32
    and the length for bytes and strings, 32 more for each dynamic item's offset."""
    if type_str in ("bytes", "string"):
        return 32 + len(value.encode() if isinstance(value, str) else value)
    if type_str.endswith("]"):
        item = type_str[:type_str.rindex("[")]
        return sum(produced(item, v) + 32 * _dynamic(item) for v in value)
    if type_str.startswith("("):
        return sum(produced(t, v) + 32 * _dynamic(t) for t, v in zip(_components(type_str), value, strict=True))
    return 32


def _dynamic(type_str: str) -> bool:
    return eth_abi.grammar.parse(type_str).is_dynamic


def _components(type_str: str) -> list[str]:
    return [c.to_type_str() for c in eth_abi.grammar.parse(type_str).components]


@settings(max_examples=300, deadline=None)
@given(st.lists(typed(), min_size=1, max_size=4))
def test_every_canonical_encoding_counts_what_it_decodes_to_within_its_size(arguments):
    types, values = [t for t, _ in arguments], [v for _, v in arguments]
    data = eth_abi.encode(types, values)
    assert check(types, data, len(data)) == produced(f"({','.join(types)})", tuple(values)) <= len(data)


def aliased(count: int, size: int) -> bytes:
    """bootstrapAdmit's arguments, `(address,uint8,string,bytes32)[]`: `count` offsets to one tuple whose
    string holds `size` bytes."""
    word = lambda n: n.to_bytes(32, "big")  # noqa: E731
    return (word(0x20) + word(count) + word(count * 32) * count + word(0x11) + word(1) + word(4 * 32) + word(0)
            + word(size) + b"a" * size + b"\0" * (-size % 32))


def test_offsets_to_the_same_bytes_are_refused_at_the_limit():
    types = ["(address,uint8,string,bytes32)[]"]
    data = aliased(2_000, 50_000)  # 114 KB that eth_abi decodes to 2,000 copies of the string: 100 MB
    with pytest.raises(TooLarge, match="^the arguments decode to more than the limit$"):
        check(types, data, 2 * len(data))
    check(types, aliased(2, 50_000), 2 * len(aliased(2, 50_000)))  # two copies are within twice the size


@pytest.mark.parametrize("types, data", [
    (["uint256[]"], (32).to_bytes(32, "big") + (2**255).to_bytes(32, "big")),  # 2^255 items claimed
    (["string[]"], (32).to_bytes(32, "big") + (2**255).to_bytes(32, "big")),
    (["bytes"], (32).to_bytes(32, "big") + (2**200).to_bytes(32, "big")),
])
def test_a_claimed_length_past_the_data_is_refused_without_a_loop(types, data):
    with pytest.raises(TooLarge):
        check(types, data, 10_000)


def test_offsets_past_the_data_count_nothing_and_are_left_to_the_decoder():
    check(["string", "bytes[]"], (2**200).to_bytes(32, "big") + (2**64).to_bytes(32, "big"), 10_000)
