"""The registry's answer about a seat at a timepoint (`electorAt`, and each word of `electorate`): the member seated
there now, its tier and its weight at that timepoint, packed in one word as contracts/utils/VoterWord.sol lays it
out (member id in bits 0-31, tier in bits 32-39, weight in bits 40-71; bit 72, the seat is a contract wallet,
orders a governor's signature checks and is not read here). A governor decodes one word per vote instead of a
struct; this is the same layout read back, tested against the registry's own answers
(tests/contracts/test_member_registry.py)."""

from __future__ import annotations


def unpack(word: int) -> tuple[int, int, int]:
    """(member id, tier, weight); a member id of zero: the seat is no member now."""
    return word & 0xFFFFFFFF, (word >> 32) & 0xFF, (word >> 40) & 0xFFFFFFFF


def pack(member_id: int, tier: int, weight: int) -> int:
    """The word the registry answers for (member id, tier, weight): what a test's fake registry returns."""
    return member_id | tier << 32 | weight << 40
