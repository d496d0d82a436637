"""Who may vote, with which weight, in which tier: eligibility, the cap, concurrent majorities, recusal,
seat rotation and resignation in the middle of a vote."""

import pytest
from brownie import accounts

from tests.contracts.conftest import deploy_suite
from tests.governance import ABSTAIN, AGAINST, FOR, reverts

HASH = b"\x44" * 32
FOUNDING, REGULAR = 0, 1


def suspend_proposal(gov, proposer, description="vote"):
    """A member's case about the observer (who has no vote): nobody who votes is recused."""
    return gov.propose([gov.call(gov.registry, "suspend", 7, "")], description, proposer)


def constitutional_proposal(gov, proposer, description="constitutional vote"):
    return gov.propose([gov.call(gov.registry, "setTier", 2, "observer", 0, False, False)], description, proposer)


@pytest.fixture
def active(gov, roster):
    p = suspend_proposal(gov, roster["founding"][0])
    gov.wait_snapshot(p)
    return p


def test_tallies_are_kept_per_tier(gov, roster, active):
    f1, f2 = roster["founding"]
    r1, r2, r3, _ = roster["regular"]
    tx = gov.vote(active, f1, FOR, "in favour")
    assert tx.events["VoteCast"] == {"voter": f1, "proposalId": active.id, "support": FOR, "weight": 3,
                                     "reason": "in favour"}
    gov.vote(active, f2, ABSTAIN)
    gov.vote(active, r1, AGAINST)
    gov.vote(active, r2, FOR)
    gov.vote(active, r3, AGAINST)
    g = gov.governor
    assert tuple(g.proposalTierVotes(active.id, FOUNDING)) == (0, 3, 3)
    assert tuple(g.proposalTierVotes(active.id, REGULAR)) == (2, 1, 0)
    assert tuple(g.proposalVotes(active.id)) == (2, 4, 3)
    assert g.hasVoted(active.id, f1)
    assert tuple(g.memberMarks(active.id, gov.registry.memberIdOf(r1))) == (True, False)
    assert not g.hasVoted(active.id, roster["regular"][3])


def test_non_voters_are_rejected(gov, roster, active):
    with reverts("GovernorIneligibleVoter"):
        gov.vote(active, roster["observer"][0], FOR)
    with reverts("GovernorIneligibleVoter"):
        gov.vote(active, roster["outsider"], FOR)


def test_double_votes_bad_support_and_params_are_rejected(gov, roster, active):
    f1 = roster["founding"][0]
    gov.vote(active, f1, FOR)
    with reverts("GovernorAlreadyCastVote"):
        gov.vote(active, f1, AGAINST)
    with reverts("GovernorInvalidVoteType"):
        gov.vote(active, roster["founding"][1], 3)
    for params in (b"\x01", b""):  # the governor counts no params: both entry points that take them refuse
        with reverts("GovernorInvalidVoteParams"):
            gov.governor.castVoteWithReasonAndParams(active.id, FOR, "", params, {"from": roster["founding"][1]})
        with reverts("GovernorInvalidVoteParams"):
            gov.governor.castVoteWithReasonAndParamsBySig(active.id, FOR, roster["founding"][1], "", params, b"",
                                                          {"from": roster["founding"][1]})


def test_votes_outside_the_voting_period_are_rejected(gov, roster):
    p = suspend_proposal(gov, roster["founding"][0])
    with reverts("GovernorUnexpectedProposalState"):
        gov.vote(p, roster["founding"][0], FOR)
    gov.wait_snapshot(p)
    gov.wait_deadline(p)
    with reverts("GovernorUnexpectedProposalState"):
        gov.vote(p, roster["founding"][0], FOR)


def test_member_admitted_after_the_snapshot_cannot_vote(gov, roster):
    """Admission A executes after proposal B's snapshot: the newcomer has no weight on B."""
    newcomer = accounts[9]
    voters = [*roster["founding"], *roster["regular"]]
    admission = gov.propose([gov.call(gov.registry, "admit", (newcomer, 0, "", HASH))], "admit", voters[0])
    gov.wait_snapshot(admission)
    for v in voters:
        gov.vote(admission, v, FOR)
    gov.wait_deadline(admission)
    gov.queue(admission, voters[0])
    later = suspend_proposal(gov, voters[0], "after the admission was queued")
    gov.wait_snapshot(later)
    gov.execute(admission, voters[0])
    assert gov.registry.getVotes(newcomer) == 3
    with reverts("GovernorIneligibleVoter"):
        gov.vote(later, newcomer, FOR)


def test_weight_cap_limits_any_single_member(roster):
    capped = deploy_suite(roster, weight_cap_bps=2000)  # 20% of 10 = 2
    p = suspend_proposal(capped, roster["founding"][0])
    capped.wait_snapshot(p)
    tx = capped.vote(p, roster["founding"][0], FOR)
    assert tx.events["VoteCast"]["weight"] == 2
    capped.vote(p, roster["regular"][0], AGAINST)
    assert capped.governor.proposalWeightCap(p.id) == 2
    assert tuple(capped.governor.proposalTierVotes(p.id, FOUNDING)) == (0, 2, 0)
    assert tuple(capped.governor.proposalVotes(p.id)) == (1, 2, 0)


def test_weight_cap_rounds_up_so_nobody_counts_zero(roster):
    capped = deploy_suite(roster, weight_cap_bps=1)  # 0.01% of 10, rounded up to 1
    p = suspend_proposal(capped, roster["founding"][0])
    capped.wait_snapshot(p)
    assert capped.vote(p, roster["founding"][0], FOR).events["VoteCast"]["weight"] == 1


def run_constitutional(gov, founding, regular, founding_votes, regular_votes, description="constitutional vote"):
    p = constitutional_proposal(gov, founding[0], description)
    gov.wait_snapshot(p)
    votes = [*zip(founding, founding_votes, strict=True), *zip(regular, regular_votes, strict=True)]
    for voter, support in votes:
        if support is not None:
            gov.vote(p, voter, support)
    gov.wait_deadline(p)
    return gov.state(p)


@pytest.fixture(scope="module")
def crowd(roster):
    """Two founding members (3 each) and fifteen regular ones: total weight 21."""
    extra = [accounts.add() for _ in range(11)]
    for account in extra:
        accounts[0].transfer(account, "1 ether")
    suite = deploy_suite(roster, extra_members=[(a.address, "regular") for a in extra])
    return suite, roster["founding"], [*roster["regular"], *extra]


def test_constitutional_passes_at_exactly_two_thirds_and_more_than_half_of_all_weight(crowd):
    gov, founding, regular = crowd
    # for 6 + 8 = 14 (two thirds of 21 cast, and above half of all 21), against 7; regular tier 8-7.
    assert run_constitutional(gov, founding, regular, [FOR, FOR], [FOR] * 8 + [AGAINST] * 7) == "Succeeded"


def test_constitutional_needs_more_than_half_of_all_weight_whoever_stays_home(gov, roster):
    # 4 for, nobody against: unanimous among those voting, above the 30% quorum, but 4 of 10 is not half.
    assert run_constitutional(gov, roster["founding"], roster["regular"], [None, None], [FOR] * 4) == "Defeated"
    # 3 + 3 = 6 for: more than half.
    assert run_constitutional(gov, roster["founding"], roster["regular"], [FOR, FOR], [None] * 4,
                              "again") == "Succeeded"


def test_constitutional_fails_below_two_thirds(gov, roster):
    # founding 3-3 and regular 1-1: for 4 against 4, 50% overall.
    assert run_constitutional(gov, roster["founding"], roster["regular"], [FOR, AGAINST],
                              [FOR, AGAINST, None, None]) == "Defeated"


def test_constitutional_fails_when_one_tier_is_outvoted(gov, roster):
    # 6 + 1 = 7 for against 2: 78% overall and 7 of 10, but the regular tier says no 1-2.
    assert run_constitutional(gov, roster["founding"], roster["regular"], [FOR, FOR],
                              [FOR, AGAINST, AGAINST, None]) == "Defeated"


def test_constitutional_fails_on_a_tied_tier(gov, roster):
    # 6 + 1 = 7 for against 1: 87% overall, but the regular tier ties 1-1.
    assert run_constitutional(gov, roster["founding"], roster["regular"], [FOR, FOR],
                              [FOR, AGAINST, None, None]) == "Defeated"


def test_constitutional_needs_some_support(gov, roster):
    assert run_constitutional(gov, roster["founding"], roster["regular"], [ABSTAIN, ABSTAIN],
                              [ABSTAIN, None, None, None]) == "Defeated"


def test_recusal_is_public_and_final(gov, roster):
    f1, f2 = roster["founding"]
    p = suspend_proposal(gov, f1)
    member_id = gov.registry.memberIdOf(f2)
    tx = gov.governor.recuse(p.id, "advises the member concerned", {"from": f2})  # allowed while Pending
    assert tx.events["VoterRecused"] == {"proposalId": p.id, "memberId": member_id, "seat": f2,
                                         "reason": "advises the member concerned"}
    assert tuple(gov.governor.memberMarks(p.id, member_id)) == (False, True)
    with reverts("GovernorAlreadyRecused"):
        gov.governor.recuse(p.id, "again", {"from": f2})
    gov.wait_snapshot(p)
    with reverts("GovernorVoterRecused"):
        gov.vote(p, f2, FOR)
    gov.vote(p, f1, FOR)
    with reverts("GovernorAlreadyCastVote"):
        gov.governor.recuse(p.id, "too late", {"from": f1})
    with reverts("GovernorNotMember"):
        gov.governor.recuse(p.id, "", {"from": roster["outsider"]})
    gov.wait_deadline(p)
    with reverts("GovernorUnexpectedProposalState"):
        gov.governor.recuse(p.id, "", {"from": roster["regular"][0]})


def test_rotating_a_seat_mid_vote_moves_the_vote_not_a_second_one(gov, roster, active):
    f1, f2 = roster["founding"]
    gov.vote(active, f1, FOR)
    gov.registry.rotateSeat(accounts[9], {"from": f1})
    with reverts("GovernorAlreadyCastVote"):
        gov.vote(active, accounts[9], FOR)
    gov.registry.rotateSeat(accounts[0], {"from": f2})
    with reverts("GovernorIneligibleVoter"):
        gov.vote(active, f2, FOR)  # the retired key has no voice
    tx = gov.vote(active, accounts[0], AGAINST)  # the new seat carries the snapshot weight
    assert tx.events["VoteCast"]["weight"] == 3


def test_resigning_mid_vote_keeps_cast_votes_and_ends_the_voice(gov, roster, active):
    r1, r2 = roster["regular"][:2]
    gov.vote(active, r1, FOR)
    gov.registry.resign({"from": r1})
    gov.registry.resign({"from": r2})
    with reverts("GovernorIneligibleVoter"):
        gov.vote(active, r2, FOR)
    assert tuple(gov.governor.proposalVotes(active.id)) == (0, 1, 0)


def test_suspended_member_cannot_propose(gov, roster):
    f1 = roster["founding"][0]
    voters = {v: FOR for v in [*roster["founding"], *roster["regular"]]}
    gov.pass_proposal([gov.call(gov.registry, "suspend", 1, "")], "suspend founder 1", f1, voters)
    with reverts("GovernorProposerWithoutRight"):
        suspend_proposal(gov, f1, "from a suspended seat")
