"""The governor hands its ballot libraries its own calldata (contracts/utils/CallArguments.sol) instead of
re-encoded arrays, so the checks its dispatcher makes on that calldata are what stand between a crafted
call and the libraries. Each batch entry point, sent array offsets or lengths that point past the calldata,
reverts without counting or recording anything; a well-formed call with the same ballots counts."""

import brownie
import pytest
from brownie import accounts

from tests.governance import FOR

WORD = 32


def word(n: int) -> bytes:
    return n.to_bytes(WORD, "big")


@pytest.fixture
def open_and_sealed(gov, roster):
    f1, f2 = roster["founding"]
    open_ = gov.propose([gov.ordinary()], "open", f1)
    sealed = gov.propose([gov.ordinary(2)], "sealed #sealed", f2)
    gov.wait_snapshot(sealed)
    return open_, sealed


def crafted(selector: str, proposal_id: int, heads: list[int], tail: bytes = b"") -> str:
    return selector + (word(proposal_id) + b"".join(word(h) for h in heads) + tail).hex()


def cases(arrays: int):
    """(name, heads, tail) for a call with `arrays` array arguments, each malformed one way."""
    first = WORD * (1 + arrays)  # where the first array would start, after the proposal id and the heads
    empty = [first] * arrays  # every array at one empty array
    return [
        ("an offset past the end", [10**6] + empty[1:], word(0)),
        ("an offset near 2**256", [2**256 - WORD] + empty[1:], word(0)),
        ("a length past the end", empty, word(2**64)),
        ("a length that overflows", empty, word(2**256 - 1)),
    ]


@pytest.mark.parametrize("entry", ["castVoteBatch", "commitVotes", "revealVotes"])
def test_crafted_array_offsets_and_lengths_revert(gov, governor, roster, open_and_sealed, entry):
    open_, sealed = open_and_sealed
    fn = getattr(governor, entry)
    pid = open_.id if entry == "castVoteBatch" else sealed.id
    arrays = 2 if entry == "castVoteBatch" else 1
    for _case, heads, tail in cases(arrays):  # each named in cases()
        with brownie.reverts():
            accounts[0].transfer(governor.address, 0, data=crafted(fn.signature, pid, heads, tail))
    assert tuple(int(v) for v in governor.proposalVotes(open_.id)) == (0, 0, 0)


def test_a_ballot_whose_signature_offset_points_past_the_calldata_reverts(gov, governor, roster, open_and_sealed):
    """A full-layout ballot's own `signature` offset is checked when the library reads it."""
    open_, _ = open_and_sealed
    voter, support, reason, signature = gov.member_ballot(roster["regular"][0].private_key, open_.id, FOR)
    good = governor.castVoteBatch.encode_input(open_.id, [], [(voter, support, reason, signature)])
    data = bytes.fromhex(good[10:])
    # heads: proposal id, compact offset, full offset; the full array: length, element offset, then the
    # element: voter, support, reason offset, signature offset (the element's fourth word)
    full = int.from_bytes(data[2 * WORD:3 * WORD], "big")
    element = full + WORD + int.from_bytes(data[full + WORD:full + 2 * WORD], "big")
    signature_head = element + 3 * WORD
    bad = data[:signature_head] + word(10**6) + data[signature_head + WORD:]
    with brownie.reverts():
        accounts[0].transfer(governor.address, 0, data=good[:10] + bad.hex())
    assert governor.castVoteBatch(open_.id, [], [(voter, support, reason, signature)],
                                  {"from": accounts[0]}).return_value == 1


@pytest.fixture
def election_ballot(gov, roster):
    """An election's ballot proposal, Active, with one candidate."""
    f1, r1 = roster["founding"][0], roster["regular"][0]
    eid = gov.open_election(gov.elected_body([f1]))
    return gov.election_ballot(eid, [r1], f1)


def test_crafted_approval_ballot_arrays_revert(gov, governor, election_ballot):
    p = election_ballot
    for _case, heads, tail in cases(1):  # each named in cases()
        with brownie.reverts():
            accounts[0].transfer(governor.address, 0, data=crafted(governor.castApprovals.signature, p.id, heads, tail))
    assert tuple(int(v) for v in governor.proposalVotes(p.id)) == (0, 0, 0)
    assert governor.proposalApprovals(p.id, 0, 1) == 0


def test_an_approval_ballot_whose_signature_offset_points_past_the_calldata_reverts(gov, governor, roster,
                                                                                   election_ballot):
    p = election_ballot
    ballot = gov.approval_ballot(roster["regular"][1].private_key, p.id, 1)
    good = governor.castApprovals.encode_input(p.id, [ballot])
    data = bytes.fromhex(good[10:])
    # heads: proposal id, ballots offset; the array: length, element offset, then the element: voter,
    # approvals, signature offset (the element's third word)
    array = int.from_bytes(data[WORD:2 * WORD], "big")
    element = array + WORD + int.from_bytes(data[array + WORD:array + 2 * WORD], "big")
    signature_head = element + 2 * WORD
    def crafted_call(offset: int) -> str:
        return good[:10] + (data[:signature_head] + word(offset) + data[signature_head + WORD:]).hex()

    with brownie.reverts():
        accounts[0].transfer(governor.address, 0, data=crafted_call(10**6))
    # An offset of -32 still points inside the calldata (Solidity compares calldata offsets signed): the ballot's
    # "signature" is then other words of the call, which sign nothing, and the ballot is refused.
    tx = accounts[0].transfer(governor.address, 0, data=crafted_call(2**256 - WORD))
    assert [(e["voter"], e["reason"]) for e in tx.events["BallotRejected"]] == [(ballot[0], 1)]  # InvalidSignature
    assert governor.proposalApprovals(p.id, 0, 1) == 0
    assert governor.castApprovals(p.id, [ballot], {"from": accounts[0]}).return_value == 1
    assert governor.proposalApprovals(p.id, 0, 1) == 1
