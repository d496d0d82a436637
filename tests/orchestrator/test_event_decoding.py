"""The indexer's planned decoder reads every event exactly as eth-abi (the lenient codec) does: the same
values for anything encoded, and for arbitrary bytes either the same values or Unplanned (then eth-abi
decides), never a different reading."""

import json

import pytest
from eth_abi import encode
from eth_abi.exceptions import InvalidPointer
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.chain import artifacts
from orchestrator.observers.indexer.decoding import Decoder, Unplanned, _components
from orchestrator.observers.indexer.reader import BODY, CONTRACTS, LENIENT, _hashed, _Shape

TYPES = ["uint8", "uint32", "uint48", "uint64", "uint256", "bool", "address", "bytes4", "bytes32", "bytes",
         "string", "address[]", "uint256[]", "bytes[]", "string[]", "(uint8,uint8)[]", "(address,bool)",
         "(uint8,(uint32,bool))[]"]


def values(abi_type: str):
    if abi_type.endswith("[]"):
        return st.lists(values(abi_type[:-2]), max_size=4)
    if abi_type.startswith("("):
        return st.tuples(*(values(t) for t in _components(abi_type)))
    if abi_type.startswith("uint"):
        return st.integers(0, 2 ** int(abi_type[4:]) - 1)
    if abi_type.startswith("bytes") and abi_type != "bytes":
        return st.binary(min_size=int(abi_type[5:]), max_size=int(abi_type[5:]))
    return {"bool": st.booleans(), "address": st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex()),
            "bytes": st.binary(max_size=70), "string": st.text(max_size=40)}[abi_type]


@st.composite
def typed_values(draw):
    types = draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=5))
    return tuple(types), tuple(draw(values(t)) for t in types)


@settings(max_examples=300, deadline=None)
@given(typed_values())
def test_what_is_encoded_decodes_as_eth_abi_decodes_it(case):
    types, given_values = case
    data = encode(list(types), list(given_values))
    assert Decoder(types)(data) == LENIENT.decode(list(types), data)


@settings(max_examples=400, deadline=None)
@given(typed_values(), st.data())
def test_damaged_data_is_read_as_eth_abi_reads_it_or_left_to_it(case, data):
    """Bytes flipped, cut or added (a padding byte set, an offset past the end, a length too long): the
    planned decoder gives eth-abi's answer or steps aside."""
    types, given_values = case
    raw = bytearray(encode(list(types), list(given_values)))
    for _ in range(data.draw(st.integers(1, 3))):
        if raw and data.draw(st.booleans()):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
        else:
            raw = raw[:data.draw(st.integers(0, len(raw)))] + bytes(data.draw(st.binary(max_size=40)))
    try:
        planned = Decoder(types)(bytes(raw))
    except Unplanned:
        return
    assert planned == LENIENT.decode(list(types), bytes(raw))


def test_an_offset_into_the_heads_is_left_to_eth_abi():
    """An element of a bytes[] whose offset points back into the array's own heads: Solidity could read it,
    eth-abi refuses it (InvalidPointer), so the planned decoder steps aside. Found by the test above."""
    def word(n: int) -> bytes:
        return n.to_bytes(32, "big")
    data = word(32) + word(2) + word(0) + word(64) + word(0)  # element 0's tail is element 0's own head
    with pytest.raises(InvalidPointer):
        LENIENT.decode(["bytes[]"], data)
    with pytest.raises(Unplanned, match="an offset into the heads"):
        Decoder(("bytes[]",))(data)


def test_invalid_utf8_is_replaced_as_the_lenient_codec_does():
    data = (32).to_bytes(32, "big") + (3).to_bytes(32, "big") + b"a\xffb".ljust(32, b"\0")
    assert Decoder(("string",))(data) == LENIENT.decode(["string"], data) == ("a\ufffdb",)


def test_a_type_without_a_plan_is_left_to_eth_abi():
    with pytest.raises(Unplanned, match=r"no plan for a dynamic tuple \(uint256,string\)"):
        Decoder(("(uint256,string)",))
    with pytest.raises(Unplanned, match=r"no plan for uint256\[2\]"):
        Decoder(("uint256[2]",))


SHAPES = [_Shape.of(item) for name in (*CONTRACTS, BODY) for item in artifacts.load(name).abi
          if item.get("type") == "event" and not item.get("anonymous")]


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_every_event_of_the_suite_has_a_plan(shape):
    assert shape._planned is not None, shape.data_types


def _reference_json(value, abi_type: str):
    """The JSON form as the indexer stored it before its per-type forms: eth-abi's values, addresses
    checksummed, then bytes as hex and integers from 2^53 as strings, recursively."""
    if abi_type.endswith("[]"):
        return [_reference_json(v, abi_type[:-2]) for v in value]
    if abi_type == "address":
        return to_checksum_address(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return str(value)
    return value


@settings(max_examples=60, deadline=None)
@given(st.data())
@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_every_event_is_stored_as_before(shape, data):
    """Each event of the suite, with random arguments: the stored JSON and the values handed to the derived
    tables are exactly what eth-abi's decoding gave, in the form the index has always stored."""
    topics, expected = [bytes(32)], {}
    for name, abi_type in shape.indexed:
        if _hashed(abi_type):
            topic = data.draw(st.binary(min_size=32, max_size=32))
            expected[name] = "0x" + topic.hex()
        else:
            topic = encode([abi_type], [data.draw(values(abi_type))])
            expected[name] = _reference_json(LENIENT.decode([abi_type], topic)[0], abi_type)
        topics.append(topic)
    given_values = [data.draw(values(t)) for t in shape.data_types]
    raw = encode(list(shape.data_types), given_values)
    for name, abi_type, value in zip(shape.data_names, shape.data_types, LENIENT.decode(list(shape.data_types), raw),
                                     strict=True):
        expected[name] = _reference_json(value, abi_type)
    decoded = shape.decode(topics, raw)
    assert decoded == expected
    assert json.dumps(decoded) == json.dumps(expected, sort_keys=True)
