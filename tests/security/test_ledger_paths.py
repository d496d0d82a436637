"""Every counting rule on every vote path. A direct vote (castVote), a relayed batch (castVoteBatch) and a
sealed vote's reveal (revealVotes, after its commitment) count through the one ledger function; each test
runs once per path, so a rule that one path skipped would fail here by name: the weight cap, quorum (and the
success it allows), late-quorum extension, one vote per member across paths, recusal, eligibility. (Tests
whose timing a sealed vote cannot follow, a vote cast seconds before the deadline, run on the open paths.)
An election's approval ballots (castApprovals, from the member's seat or relayed) count through it too: the
cap, one ballot per member, recusal and eligibility run on those paths as well (an approval ballot is For
when it approves somebody, an abstention otherwise; there is no Against)."""

import pytest
from brownie import accounts

from tests.contracts.conftest import deploy_suite
from tests.governance import ABSTAIN, AGAINST, FOR, latest_timestamp, next_block_at, reverts, sleep

PATHS = ["direct", "batch"]
ALL_PATHS = [*PATHS, "sealed"]
APPROVAL_PATHS = ["approval", "approval-relayed"]
APPROVALS = {FOR: 0b1, ABSTAIN: 0}  # the one candidate approved, or nobody
INVALID_SUPPORT, INVALID_SIGNATURE, NOT_ELIGIBLE, ALREADY_VOTED, RECUSED = range(5)
SALT = b"\x07" * 32


def propose(gov, calls, description: str, proposer, path: str):
    """A proposal for `path`: sealed (its description ends with #sealed) for the sealed path; for an approval
    path, the ballot of an election (of a body of `proposer`) whose one candidate is `proposer` (no calls)."""
    if path in APPROVAL_PATHS:
        eid = gov.open_election(gov.elected_body([proposer]), title=description)
        gov.elections.nominate(eid, {"from": proposer})
        gov.close_nominations(eid)
        return gov.propose_ballot(eid, proposer)
    return gov.propose(calls, f"{description} #sealed" if path == "sealed" else description, proposer)


def cast(gov, p, path: str, votes: list, sender=None):
    """Cast `votes` [(account, support)] on `p` by `path` (a batch needs the voters' local keys; a sealed vote is
    committed from each voter's seat, then all are revealed in one batch at the reveal start). Returns the
    transactions that count."""
    if path == "direct":
        return [gov.vote(p, voter, support) for voter, support in votes]
    if path == "approval":
        return [gov.approve(p.id, voter, APPROVALS[support]) for voter, support in votes]
    if path == "approval-relayed":
        ballots = [gov.approval_ballot(voter.private_key, p.id, APPROVALS[support]) for voter, support in votes]
        return [gov.governor.castApprovals(p.id, ballots, {"from": sender or accounts[0]})]
    if path == "sealed":
        for voter, support in votes:
            gov.own_commit(p.id, voter, support, SALT)
        gov.wait_reveal(p)
        return [gov.reveal(p.id, [(voter.address, support, SALT) for voter, support in votes], sender or accounts[0])]
    ballots = [gov.member_ballot(voter.private_key, p.id, support) for voter, support in votes]
    return [gov.cast_batch(p.id, [], sender or accounts[0], compact=[gov.compact(b) for b in ballots])]


def refused(gov, p, path: str, voter, support, error: str, rejection: int):
    """`voter`'s vote is refused: with `error` directly, as `rejection` in a batch or an approval ballot (which still
    succeeds); a sealed vote at its commitment when the ledger can tell then (no weight, recused), else at its
    reveal."""
    if path == "sealed":
        tx = gov.own_commit(p.id, voter, support, SALT)
        if "VoteCommitted" in tx.events:
            gov.wait_reveal(p)
            tx = gov.reveal(p.id, [(voter.address, support, SALT)], accounts[0])
        assert [(e["voter"], e["reason"]) for e in tx.events["BallotRejected"]] == [(voter, rejection)]
        assert "VoteCast" not in tx.events
        return
    if path == "direct":
        with reverts(error):
            gov.vote(p, voter, support)
    else:
        (tx,) = cast(gov, p, path, [(voter, support)])
        assert [(e["voter"], e["reason"]) for e in tx.events["BallotRejected"]] == [(voter, rejection)]
        assert "VoteCast" not in tx.events and "VoteCastWithParams" not in tx.events


@pytest.fixture(scope="module")
def capped(roster):
    """A founding member with a local key (it signs batch ballots) and a cap of 15% of the total of 13,
    rounded up to 2: its weight of 3 counts as 2."""
    heavy = accounts.add()
    accounts[0].transfer(heavy, "1 ether")
    return deploy_suite(roster, extra_members=[(heavy.address, "founding")], weight_cap_bps=1500), heavy


@pytest.fixture(scope="module")
def strict(roster):
    return deploy_suite(roster, quorum_percent=30)  # an ordinary proposal needs 3 of 10


@pytest.mark.parametrize("path", ALL_PATHS)
def test_a_capped_founder_counts_the_cap_and_no_more(capped, roster, path):
    capped, heavy = capped
    p = propose(capped, [capped.ordinary()], "capped", heavy, path)
    capped.wait_snapshot(p)
    assert capped.governor.proposalWeightCap(p.id) == 2
    txs = cast(capped, p, path, [(heavy, FOR), (roster["regular"][0], AGAINST)])
    weights = [e["weight"] for tx in txs for e in tx.events["VoteCast"]]
    assert weights == [2, 1]
    assert tuple(capped.governor.proposalTierVotes(p.id, 0)) == (0, 2, 0)
    assert tuple(capped.governor.proposalVotes(p.id)) == (1, 2, 0)


@pytest.mark.parametrize("path", PATHS)
def test_votes_reaching_quorum_let_a_proposal_succeed(strict, roster, path):
    r1, r2, r3, _ = roster["regular"]
    below = strict.propose([strict.ordinary(1)], "two of the three needed", r1)
    reached = strict.propose([strict.ordinary(2)], "the three needed", r1)
    strict.wait_snapshot(reached)
    cast(strict, below, path, [(r1, FOR), (r2, ABSTAIN)])
    cast(strict, reached, path, [(r1, FOR), (r2, ABSTAIN), (r3, ABSTAIN)])  # abstentions count toward quorum
    strict.wait_deadline(reached)
    assert strict.state(below) == "Defeated"
    assert strict.state(reached) == "Succeeded"


@pytest.mark.parametrize("path", ALL_PATHS)
def test_against_votes_do_not_count_toward_quorum(strict, roster, path):
    r1, r2, r3, r4 = roster["regular"]
    p = propose(strict, [strict.ordinary()], "against only", r1, path)
    strict.wait_snapshot(p)
    cast(strict, p, path, [(r1, FOR), (r2, AGAINST), (r3, AGAINST), (r4, AGAINST)])
    strict.wait_deadline(p)
    assert strict.state(p) == "Defeated"


@pytest.mark.parametrize("path", PATHS)
def test_quorum_reached_late_extends_the_deadline_once(strict, roster, path):
    r1, r2, r3, r4 = roster["regular"]
    p = strict.propose([strict.ordinary()], "late", r1)
    strict.wait_snapshot(p)
    cast(strict, p, path, [(r1, FOR), (r2, FOR)])
    next_block_at(strict.governor.proposalDeadline(p.id) - 5)
    (tx,) = cast(strict, p, path, [(r3, FOR)])  # the quorum, 5 s before the deadline
    assert tx.events["ProposalExtended"]["extendedDeadline"] == tx.timestamp + 600
    assert strict.governor.proposalDeadline(p.id) == tx.timestamp + 600
    # Once: a later ballot neither extends it again nor loses it (the deadline shares the counters' word).
    sleep(500)
    (later,) = cast(strict, p, path, [(r4, FOR)])
    assert "ProposalExtended" not in later.events
    assert strict.governor.proposalDeadline(p.id) == tx.timestamp + 600


def test_sealed_votes_revealed_late_extend_the_deadline_once(strict, roster):
    """A bloc that reveals the quorum in the last seconds of a sealed vote gives the others the extension too,
    and a reveal after the original deadline still counts."""
    r1, r2, r3, r4 = roster["regular"]
    p = propose(strict, [strict.ordinary()], "late reveal", r1, "sealed")
    strict.wait_snapshot(p)
    for voter in (r1, r2, r3, r4):
        strict.own_commit(p.id, voter, FOR, SALT)
    deadline = strict.governor.proposalDeadline(p.id)
    next_block_at(deadline - 5)
    tx = strict.reveal(p.id, [(v.address, FOR, SALT) for v in (r1, r2, r3)], accounts[0])  # the quorum, late
    assert tx.events["ProposalExtended"]["extendedDeadline"] == tx.timestamp + 600
    sleep(300)  # past the original deadline
    assert latest_timestamp() > deadline
    later = strict.reveal(p.id, [(r4.address, FOR, SALT)], accounts[0])
    assert [e["voter"] for e in later.events["VoteCast"]] == [r4.address]
    assert "ProposalExtended" not in later.events
    assert strict.governor.proposalDeadline(p.id) == tx.timestamp + 600


@pytest.mark.parametrize("first, second", [("direct", "batch"), ("batch", "direct"), ("batch", "batch")])
def test_a_member_votes_once_whichever_paths_it_uses(gov, roster, first, second):
    r1 = roster["regular"][0]
    p = gov.propose([gov.ordinary()], "once", roster["founding"][0])
    gov.wait_snapshot(p)
    cast(gov, p, first, [(r1, FOR)])
    refused(gov, p, second, r1, AGAINST, "GovernorAlreadyCastVote", ALREADY_VOTED)
    assert tuple(gov.governor.proposalVotes(p.id)) == (0, 1, 0)


@pytest.mark.parametrize("path", ALL_PATHS)
def test_a_recused_member_cannot_vote(gov, roster, path):
    subject = roster["regular"][3]
    declared = roster["regular"][2]
    p = propose(gov, [gov.call(gov.registry, "suspend", gov.member_id(subject), "x")], "a case",
                roster["founding"][0], path)
    gov.governor.recuse(p.id, "advises the member", {"from": declared})
    gov.wait_snapshot(p)
    refused(gov, p, path, subject, FOR, "GovernorVoterRecused", RECUSED)
    refused(gov, p, path, declared, FOR, "GovernorVoterRecused", RECUSED)


@pytest.mark.parametrize("path", ALL_PATHS)
def test_a_voter_without_weight_at_the_snapshot_or_a_bad_support_is_refused(gov, roster, path):
    p = propose(gov, [gov.ordinary()], "eligibility", roster["founding"][0], path)
    gov.wait_snapshot(p)
    outsider = accounts.add()  # no seat, so no weight at the snapshot
    accounts[0].transfer(outsider, "1 ether")
    refused(gov, p, path, outsider, FOR, "GovernorIneligibleVoter", NOT_ELIGIBLE)
    refused(gov, p, path, roster["regular"][0], 3, "GovernorInvalidVoteType", INVALID_SUPPORT)


@pytest.mark.parametrize("path", APPROVAL_PATHS)
def test_a_capped_founder_approves_with_the_cap_and_no_more(capped, roster, path):
    capped, heavy = capped
    p = propose(capped, [], "capped", heavy, path)
    capped.wait_snapshot(p)
    txs = cast(capped, p, path, [(heavy, FOR), (roster["regular"][0], FOR)])
    assert [e["weight"] for tx in txs for e in tx.events["VoteCastWithParams"]] == [2, 1]
    assert [capped.governor.proposalApprovals(p.id, 0, t) for t in range(3)] == [2, 1, 0]
    assert tuple(capped.governor.proposalVotes(p.id)) == (0, 3, 0)


@pytest.mark.parametrize("first, second", [("approval", "approval-relayed"), ("approval-relayed", "approval"),
                                           ("approval-relayed", "approval-relayed")])
def test_a_member_approves_once_whichever_paths_it_uses(gov, roster, first, second):
    r1 = roster["regular"][0]
    p = propose(gov, [], "once", roster["founding"][0], first)
    gov.wait_snapshot(p)
    cast(gov, p, first, [(r1, FOR)])
    refused(gov, p, second, r1, ABSTAIN, "", ALREADY_VOTED)
    assert tuple(gov.governor.proposalVotes(p.id)) == (0, 1, 0)
    assert gov.governor.proposalApprovals(p.id, 0, 1) == 1


@pytest.mark.parametrize("path", APPROVAL_PATHS)
def test_a_recused_member_cannot_approve(gov, roster, path):
    declared = roster["regular"][2]
    p = propose(gov, [], "a ballot", roster["founding"][0], path)
    gov.governor.recuse(p.id, "the candidate is my partner", {"from": declared})
    gov.wait_snapshot(p)
    refused(gov, p, path, declared, FOR, "", RECUSED)
    assert gov.governor.proposalApprovals(p.id, 0, 1) == 0


@pytest.mark.parametrize("path", APPROVAL_PATHS)
def test_an_approver_without_weight_at_the_snapshot_is_refused(gov, roster, path):
    p = propose(gov, [], "eligibility", roster["founding"][0], path)
    gov.wait_snapshot(p)
    outsider = accounts.add()  # no seat, so no weight at the snapshot
    accounts[0].transfer(outsider, "1 ether")
    refused(gov, p, path, outsider, FOR, "", NOT_ELIGIBLE)
    assert tuple(gov.governor.proposalVotes(p.id)) == (0, 0, 0)


@pytest.mark.parametrize("path", APPROVAL_PATHS)
def test_approvals_reaching_quorum_late_extend_the_deadline(strict, roster, path):
    r1, r2, r3, _ = roster["regular"]
    p = propose(strict, [], "late", r1, path)
    strict.wait_snapshot(p)
    cast(strict, p, path, [(r1, FOR), (r2, ABSTAIN)])
    next_block_at(strict.governor.proposalDeadline(p.id) - 5)
    (tx,) = cast(strict, p, path, [(r3, FOR)])  # the quorum, 5 s before the deadline
    assert tx.events["ProposalExtended"]["extendedDeadline"] == tx.timestamp + 600
    assert strict.governor.proposalDeadline(p.id) == tx.timestamp + 600
