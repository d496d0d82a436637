"""How many bytes ABI-decoding arguments would produce, counted before decoding them.

Why: ABI offsets may point anywhere, several at the same place. A proposal's call is whatever bytes its
proposer chose after a known selector, and eth_abi decodes each offset as its own copy: 2,000 offsets to one
50 KB string are 114 KB of calldata that decode to 100 MB, and the page that lists them to more. A canonical
encoding decodes to at most its own size. Counting first, by walking the offsets without copying anything,
and stopping at a limit, keeps the cost of a hostile encoding to the limit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from eth_abi.grammar import ABIType, TupleType, parse

WORD = 32


class TooLarge(ValueError):
    """The arguments would decode to more than the limit."""


def check(types: Sequence[str], data: bytes, limit: int) -> int:
    """What decoding `data` as the tuple of `types` would produce, at most `limit` bytes (TooLarge beyond):
    every static word counts 32, every bytes or string its length and 32, every offset 32 and what it points
    to, each time. Offsets past the data count nothing more: the decoder refuses them itself."""
    walk = _Walk(data, limit)
    walk.value(parse(f"({','.join(types)})"), 0)
    return limit - walk.left


class _Walk:
    def __init__(self, data: bytes, limit: int):
        self.data, self.left = data, limit

    def charge(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise TooLarge("the arguments decode to more than the limit")

    def word(self, at: int) -> int | None:
        return int.from_bytes(self.data[at:at + WORD], "big") if 0 <= at <= len(self.data) - WORD else None

    def value(self, t: ABIType, at: int) -> None:
        """The value of type `t` whose encoding starts at `at`."""
        if not t.is_dynamic:
            self.charge(_static_size(t))
        elif t.is_array:  # T[]: a length, then a tuple of that many T; T[k] of a dynamic T: a tuple of k T
            count = self.word(at) if not t.arrlist[-1] else t.arrlist[-1][0]
            if count is None:
                return
            if not t.item_type.is_dynamic:  # in place, in one charge (a claimed 2^255 items stop here)
                self.charge(count * _static_size(t.item_type))
            else:
                self.items(at + WORD if not t.arrlist[-1] else at, (t.item_type for _ in range(count)))
        elif isinstance(t, TupleType):
            self.items(at, iter(t.components))
        else:  # bytes, string
            self.charge(WORD + (self.word(at) or 0))

    def items(self, at: int, types: Iterable[ABIType]) -> None:
        """A tuple at `at`. Heads in order: a static item in place, a dynamic one as an offset from `at`."""
        head = at
        for t in types:
            if t.is_dynamic:
                self.charge(WORD)  # its head: even offsets past the data cost, so a claimed 2^255 items stop
                offset = self.word(head)
                if offset is not None:
                    self.value(t, at + offset)
                head += WORD
            else:
                self.value(t, head)  # charged at least a word
                head += _static_size(t)


def _static_size(t: ABIType) -> int:
    if t.is_array:
        return t.arrlist[-1][0] * _static_size(t.item_type)
    if isinstance(t, TupleType):
        return sum(_static_size(c) for c in t.components)
    return WORD
