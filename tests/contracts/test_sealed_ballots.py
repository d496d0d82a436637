"""Sealed proposals (GovernorSealedBallots, SealedBallots): members commit while the proposal runs, nobody
sees a tally, votes are revealed after the reveal start and counted with the rules of open votes. The
attacks on it (copying, replaying, front-running, another domain) are in
tests/security/test_sealed_ballot_attacks.py."""

import pytest
from brownie import accounts

from tests.governance import ABSTAIN, AGAINST, FOR, error, reverts

NO_COMMITMENT, ALREADY_COMMITTED, REVEAL_MISMATCH = 5, 6, 7
INVALID_SIGNATURE, NOT_ELIGIBLE, ALREADY_VOTED, RECUSED = 1, 2, 3, 4
SALT = bytes(range(32))


def salt(n: int) -> bytes:
    return n.to_bytes(32, "big")


@pytest.fixture
def sealed(gov, roster):
    """An Active sealed ordinary proposal."""
    p = gov.propose([gov.ordinary()], "a sealed budget #sealed", roster["founding"][0])
    gov.wait_snapshot(p)
    return p


def tally(votes) -> tuple:
    return tuple(int(v) for v in votes)


def rejections(tx):
    return [(e["voter"], e["reason"]) for e in tx.events["BallotRejected"]] if "BallotRejected" in tx.events else []


def test_the_description_seals_a_proposal_and_the_last_third_is_for_reveals(gov, governor, roster):
    tx = governor.propose(*[list(x) for x in zip(gov.ordinary(), strict=True)], "budget #sealed",
                          {"from": roster["founding"][0]})
    pid = tx.events["ProposalCreated"]["proposalId"]
    reveal_start = governor.proposalDeadline(pid) - 3600 // 3
    assert tx.events["ProposalSealed"].values() == [pid, reveal_start]
    assert governor.proposalRevealStart(pid) == reveal_start
    proposers = [roster["founding"][1], *roster["regular"]]
    for description, proposer in zip(("budget", "budget #sealed ", "budget #Sealed", "#sealed budget", "sealed"),
                                     proposers, strict=True):
        p = gov.propose([gov.ordinary(2)], description, proposer)
        assert governor.proposalRevealStart(p.id) == 0, description


def test_a_sealed_proposal_can_be_reserved_to_its_proposer(gov, governor, roster):
    """`#sealed` before OpenZeppelin's `#proposer=0x…` seals the proposal and reserves it: another member cannot
    make the same proposal first (to cancel it while Pending and so kill its id: the red team's censorship)."""
    f1, f2 = roster["founding"]
    description = f"budget #sealed#proposer={f1.address.lower()}"
    target, value, calldata = gov.ordinary()
    with reverts(error("GovernorRestrictedProposer", f2.address)):
        governor.propose([target], [value], [calldata], description, {"from": f2})
    p = gov.propose([gov.ordinary()], description, f1)
    assert governor.proposalRevealStart(p.id) == governor.proposalDeadline(p.id) - 3600 // 3
    for other, proposer in [(f"budget #sealed #proposer={f1.address.lower()}", f1),
                            (f"budget #proposer={f1.address.lower()}", f1)]:
        q = gov.propose([gov.ordinary(3 + len(other))], other, proposer)
        assert governor.proposalRevealStart(q.id) == 0, other


def test_an_open_vote_on_a_sealed_proposal_is_refused_in_both_paths(gov, governor, roster, sealed):
    with reverts(error("GovernorProposalSealed", sealed.id)):
        gov.vote(sealed, roster["founding"][0], FOR)
    ballot = gov.member_ballot(roster["regular"][0].private_key, sealed.id, FOR)
    with reverts(error("GovernorProposalSealed", sealed.id)):
        gov.cast_batch(sealed.id, [ballot], accounts[0])


def test_commitments_and_reveals_are_refused_on_an_open_proposal(gov, governor, roster):
    p = gov.propose([gov.ordinary()], "an open budget", roster["founding"][0])
    gov.wait_snapshot(p)
    f1 = roster["founding"][0]
    with reverts(error("GovernorProposalNotSealed", p.id)):
        gov.own_commit(p.id, f1, FOR, SALT)
    with reverts(error("GovernorProposalNotSealed", p.id)):
        gov.reveal(p.id, [(f1.address, FOR, SALT)], f1)


def test_commitments_are_taken_while_active_before_the_reveal_start_and_reveals_after(gov, governor, roster):
    f1 = roster["founding"][0]
    p = gov.propose([gov.ordinary()], "timing #sealed", f1)
    with reverts("GovernorUnexpectedProposalState"):  # Pending: the snapshot is not past
        gov.own_commit(p.id, f1, FOR, SALT)
    gov.wait_snapshot(p)
    reveal_start = governor.proposalRevealStart(p.id)
    with reverts(error("GovernorRevealsNotOpen", p.id, reveal_start)):
        gov.reveal(p.id, [(f1.address, FOR, SALT)], f1)
    gov.own_commit(p.id, f1, FOR, SALT)
    gov.wait_reveal(p)
    with reverts(error("GovernorCommitsClosed", p.id, reveal_start)):
        gov.own_commit(p.id, roster["founding"][1], FOR, SALT)
    gov.wait_deadline(p)
    with reverts("GovernorUnexpectedProposalState"):  # Defeated: reveals end with the vote
        gov.reveal(p.id, [(f1.address, FOR, SALT)], f1)


def test_nothing_is_counted_until_reveals_then_the_same_rules_count_them(gov, governor, registry, roster, sealed):
    f1, f2 = roster["founding"]
    r0, r1, r2 = roster["regular"][:3]
    tx = gov.own_commit(sealed.id, f1, FOR, salt(1))
    assert tx.return_value == 1
    assert tx.events["VoteCommitted"].values() == [sealed.id, f1.address, gov.member_id(f1),
                                                   "0x" + gov.commitment(sealed.id, f1, FOR, salt(1)).hex()]
    relayed = [gov.sealed_commit(r.private_key, sealed.id, support, salt(10 + i))
               for i, (r, support) in enumerate([(r0, FOR), (r1, AGAINST), (r2, ABSTAIN)])]
    assert governor.commitVotes(sealed.id, relayed, {"from": accounts[0]}).return_value == 3
    gov.own_commit(sealed.id, f2, AGAINST, salt(2))
    # While the proposal runs no tally exists, and nobody has voted.
    assert tally(governor.proposalVotes(sealed.id)) == (0, 0, 0)
    assert not any(governor.hasVoted(sealed.id, a) for a in (f1, f2, r0, r1, r2))

    gov.wait_reveal(sealed)
    reveals = [(f1.address, FOR, salt(1)), (r0.address, FOR, salt(10)), (r1.address, AGAINST, salt(11)),
               (r2.address, ABSTAIN, salt(12))]
    tx = gov.reveal(sealed.id, reveals, roster["outsider"])  # anyone may reveal
    assert tx.return_value == 4 and rejections(tx) == []
    assert [(e["voter"], e["support"], e["weight"]) for e in tx.events["VoteCast"]] == \
        [(f1.address, FOR, 3), (r0.address, FOR, 1), (r1.address, AGAINST, 1), (r2.address, ABSTAIN, 1)]
    assert tally(governor.proposalVotes(sealed.id)) == (1, 4, 1)
    assert tally(governor.proposalTierVotes(sealed.id, 0)) == (0, 3, 0)
    assert tally(governor.proposalTierVotes(sealed.id, 1)) == (1, 1, 1)
    # f2 never reveals: its commitment counts toward nothing.
    gov.wait_deadline(sealed)
    assert gov.state(sealed) == "Succeeded"
    assert not governor.hasVoted(sealed.id, f2)
    gov.queue(sealed, f1)
    assert gov.execute(sealed, f1).status == 1


def test_an_unrevealed_vote_counts_toward_nothing_not_even_quorum(gov, governor, roster, sealed):
    f1 = roster["founding"][0]
    gov.own_commit(sealed.id, f1, FOR, SALT)
    gov.wait_deadline(sealed)
    assert gov.state(sealed) == "Defeated"
    assert tally(governor.proposalVotes(sealed.id)) == (0, 0, 0)


def test_each_refused_commitment_is_skipped_with_its_reason(gov, governor, registry, roster, sealed):
    f1, f2 = roster["founding"]
    r0, r1 = roster["regular"][:2]
    observer, outsider = roster["observer"][0], roster["outsider"]
    gov.own_commit(sealed.id, f2, FOR, SALT)
    governor.recuse(sealed.id, "conflict", {"from": r1})
    commits = [
        gov.sealed_commit(r0.private_key, sealed.id, FOR, SALT, voter=f1.address),  # not f1's signature
        (observer.address, gov.commitment(sealed.id, observer, FOR, SALT), b""),  # sent by accounts[0]: unsigned
        (f2.address, gov.commitment(sealed.id, f2, AGAINST, salt(9)), b""),  # unsigned too
        gov.sealed_commit(r1.private_key, sealed.id, FOR, SALT),  # recused
        gov.sealed_commit(r0.private_key, sealed.id, FOR, SALT, commitment=bytes(32)),  # empty commitment
    ]
    tx = governor.commitVotes(sealed.id, commits, {"from": accounts[0]})
    assert tx.return_value == 0 and "VoteCommitted" not in tx.events
    assert rejections(tx) == [(f1.address, INVALID_SIGNATURE), (observer.address, INVALID_SIGNATURE),
                              (f2.address, INVALID_SIGNATURE), (r1.address, RECUSED), (r0.address, NO_COMMITMENT)]
    # From their own seats: the observer has no weight, the outsider is no member, f2 committed already.
    for account, reason in [(observer, NOT_ELIGIBLE), (outsider, NOT_ELIGIBLE), (f2, ALREADY_COMMITTED)]:
        tx = gov.own_commit(sealed.id, account, AGAINST, salt(5))
        assert rejections(tx) == [(account.address, reason)] and tx.return_value == 0


def test_each_refused_reveal_is_skipped_with_its_reason_and_the_rest_count(gov, governor, roster, sealed):
    f1, f2 = roster["founding"]
    r0, r1 = roster["regular"][:2]
    for account, support in [(f1, FOR), (f2, AGAINST), (r0, FOR)]:
        gov.own_commit(sealed.id, account, support, SALT)
    gov.wait_reveal(sealed)
    tx = gov.reveal(sealed.id, [
        (r1.address, FOR, SALT),  # never committed
        (f2.address, FOR, SALT),  # committed AGAINST
        (f1.address, FOR, salt(3)),  # wrong salt
        (f1.address, FOR, SALT),  # counted
        (f1.address, FOR, SALT),  # counted already
        (roster["outsider"].address, FOR, SALT),  # no member
    ], accounts[0])
    assert tx.return_value == 1
    assert rejections(tx) == [(r1.address, NO_COMMITMENT), (f2.address, REVEAL_MISMATCH), (f1.address, REVEAL_MISMATCH),
                              (f1.address, ALREADY_VOTED), (roster["outsider"].address, NO_COMMITMENT)]
    assert tally(governor.proposalVotes(sealed.id)) == (0, 3, 0)


def test_a_member_recused_after_committing_cannot_reveal(gov, governor, roster, sealed):
    r0 = roster["regular"][0]
    gov.own_commit(sealed.id, r0, FOR, SALT)
    governor.recuse(sealed.id, "conflict found", {"from": r0})
    gov.wait_reveal(sealed)
    tx = gov.reveal(sealed.id, [(r0.address, FOR, SALT)], r0)
    assert tx.return_value == 0 and rejections(tx) == [(r0.address, RECUSED)]


def test_a_sealed_member_case_is_decided_by_the_constitutional_rule_without_its_member(gov, governor, registry,
                                                                                         roster):
    """Sealing changes when votes are seen, not how they count: the suspended member is recused, and the
    founders' 6 of 10 for is above half of all weight, but the regular tier's majority against defeats it."""
    f1, f2 = roster["founding"]
    r0, r1, r2, r3 = roster["regular"]
    p = gov.propose([gov.call(registry, "suspend", gov.member_id(r3), "")], "suspend #sealed", f1)
    gov.wait_snapshot(p)
    tx = gov.own_commit(p.id, r3, AGAINST, SALT)
    assert rejections(tx) == [(r3.address, RECUSED)]
    votes = {f1: FOR, f2: FOR, r0: AGAINST, r1: AGAINST, r2: FOR}
    for account, support in votes.items():
        gov.own_commit(p.id, account, support, SALT)
    gov.wait_reveal(p)
    assert gov.reveal(p.id, [(a.address, s, SALT) for a, s in votes.items()], f1).return_value == 5
    assert tally(governor.proposalTierVotes(p.id, 1)) == (2, 1, 0)
    gov.wait_deadline(p)
    assert gov.state(p) == "Defeated"


def test_a_member_that_rotates_its_seat_after_committing_reveals_from_the_new_seat(gov, governor, registry, roster,
                                                                                   sealed):
    r0 = roster["regular"][0]
    gov.own_commit(sealed.id, r0, FOR, SALT)
    new_seat = accounts.add()
    accounts[0].transfer(new_seat, "1 ether")
    member = gov.member_id(r0)
    registry.rotateSeat(new_seat, {"from": r0})
    assert gov.member_id(new_seat) == member
    gov.wait_reveal(sealed)
    tx = gov.reveal(sealed.id, [(new_seat.address, FOR, SALT)], new_seat)
    assert tx.return_value == 1 and tally(governor.proposalVotes(sealed.id)) == (0, 1, 0)
    # and the new seat cannot commit again for the member
    assert governor.hasVoted(sealed.id, r0) and governor.hasVoted(sealed.id, new_seat)
