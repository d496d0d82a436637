"""Event data decoded without eth-abi's machinery, for the types the suite's events carry.

eth-abi builds a decoder object tree and a stream per call, which made decoding most of a backfill's time
(34.5 of 44.9 s in the performance issue's profile). The events' data is a handful of types in the standard
head/tail layout (structs of static members included: an election's reserved seats); a plan per event (one small
function per input) reads them straight from the bytes.

The result is exactly eth-abi's (the lenient codec's: a string that is not UTF-8 decodes with U+FFFD): ints,
bools, lowercase addresses, bytes, strings, tuples for arrays. Anything it does not read as eth-abi's
strict decoder would — a type outside the plan, padding that is not zero, an offset or length that runs
past the data — raises Unplanned, and the caller decodes that event with eth-abi instead (which then decodes
it or raises its own error), so no input is read differently by the two paths."""

from __future__ import annotations

import re
from collections.abc import Callable

WORD = 32
_UINT = re.compile(r"uint(\d+)")
_BYTES_N = re.compile(r"bytes(\d+)")


class Unplanned(ValueError):
    """Data this decoder does not read exactly as eth-abi would: decode it with eth-abi."""


Read = Callable[[bytes, int], object]  # (data, offset of the value's head word) -> value


def _word(data: bytes, at: int) -> bytes:
    if at < 0 or at + WORD > len(data):
        raise Unplanned("a word past the end of the data")
    return data[at:at + WORD]


def _uint(bits: int) -> Read:
    limit = 1 << bits

    def read(data: bytes, at: int) -> int:
        value = int.from_bytes(_word(data, at), "big")
        if value >= limit:
            raise Unplanned("an integer wider than its type")
        return value
    return read


def _bool(data: bytes, at: int) -> bool:
    value = int.from_bytes(_word(data, at), "big")
    if value > 1:
        raise Unplanned("a bool that is neither 0 nor 1")
    return value == 1


def _address(data: bytes, at: int) -> str:
    word = _word(data, at)
    if any(word[:12]):
        raise Unplanned("an address with non-zero padding")
    return "0x" + word[12:].hex()


def _fixed_bytes(size: int) -> Read:
    def read(data: bytes, at: int) -> bytes:
        word = _word(data, at)
        if any(word[size:]):
            raise Unplanned("fixed bytes with non-zero padding")
        return word[:size]
    return read


def _tail(data: bytes, at: int, base: int, head_end: int) -> int:
    """Where a dynamic value's tail starts: its head word holds the offset from `base`. A tail inside the
    heads it follows (`base` to `head_end`) or at the end of the data is refused by eth-abi
    (InvalidPointer), so it is not read here either."""
    tail = base + int.from_bytes(_word(data, at), "big")
    if tail < head_end or tail >= len(data):
        raise Unplanned("an offset into the heads or past the end of the data")
    return tail


def _byte_string(data: bytes, start: int) -> bytes:
    length = int.from_bytes(_word(data, start), "big")
    end = start + WORD + length
    padded = start + WORD + -(-length // WORD) * WORD
    if padded > len(data) or any(data[end:padded]):
        raise Unplanned("a byte string past the data or with non-zero padding")
    return data[start + WORD:end]


def _components(abi_type: str) -> list[str]:
    """The component types of a tuple type "(uint8,(uint8,bool)[])", split at its top-level commas."""
    parts, depth, start = [], 0, 1
    for i, ch in enumerate(abi_type[1:-1], start=1):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(abi_type[start:i])
            start = i + 1
    parts.append(abi_type[start:-1])
    return parts


def _size(abi_type: str) -> int:
    """How many bytes a static value of `abi_type` takes in place: a word, or a static tuple's words."""
    if abi_type.startswith("(") and abi_type.endswith(")"):
        return sum(_size(t) for t in _components(abi_type))
    return WORD


def _plan(abi_type: str) -> tuple[Read, bool]:
    """How to read one value of `abi_type`, and whether it is dynamic (its head word is an offset)."""
    if abi_type.endswith("[]"):
        element, dynamic_element = _plan(abi_type[:-2])
        size = WORD if dynamic_element else _size(abi_type[:-2])

        def array(data: bytes, start: int) -> tuple:
            length = int.from_bytes(_word(data, start), "big")
            body = start + WORD
            if body + length * size > len(data):
                raise Unplanned("an array longer than the data")
            if dynamic_element:
                heads_end = body + length * WORD
                return tuple(element(data, _tail(data, body + i * WORD, body, heads_end)) for i in range(length))
            return tuple(element(data, body + i * size) for i in range(length))
        return array, True
    if abi_type.startswith("(") and abi_type.endswith(")"):
        # A struct of static members only (an election's reserved seats): its members in place, one after another.
        reads = [_plan(t) for t in _components(abi_type)]
        if any(dynamic for _, dynamic in reads):
            raise Unplanned(f"no plan for a dynamic tuple {abi_type}")
        offsets = [sum(_size(t) for t in _components(abi_type)[:i]) for i in range(len(reads))]
        return (lambda data, at: tuple(read(data, at + offset) for (read, _), offset in zip(reads, offsets,
                                                                                              strict=True))), False
    if abi_type == "string":
        return (lambda data, start: _byte_string(data, start).decode("utf-8", errors="replace")), True
    if abi_type == "bytes":
        return _byte_string, True
    if abi_type == "address":
        return _address, False
    if abi_type == "bool":
        return _bool, False
    if (m := _UINT.fullmatch(abi_type)) and 8 <= int(m[1]) <= 256 and int(m[1]) % 8 == 0:
        return _uint(int(m[1])), False
    if (m := _BYTES_N.fullmatch(abi_type)) and 1 <= int(m[1]) <= 32:
        return _fixed_bytes(int(m[1])), False
    raise Unplanned(f"no plan for {abi_type}")


class Decoder:
    """Decodes data of the types `types` (a tuple, in the ABI's order); raises Unplanned as said above."""

    def __init__(self, types: tuple[str, ...]):
        self.reads = [_plan(t) for t in types]  # Unplanned here: the whole event goes to eth-abi
        # where each value's head is: a word for a dynamic value (its offset), a static one's own size in place
        sizes = [WORD if dynamic else _size(t) for t, (_, dynamic) in zip(types, self.reads, strict=True)]
        self.heads = [sum(sizes[:i]) for i in range(len(sizes))]
        self.head_size = sum(sizes)

    def __call__(self, data: bytes) -> tuple:
        if len(data) < self.head_size:
            raise Unplanned("shorter than its head")
        values = []
        for at, (read, dynamic) in zip(self.heads, self.reads, strict=True):
            values.append(read(data, _tail(data, at, 0, self.head_size)) if dynamic else read(data, at))
        return tuple(values)
