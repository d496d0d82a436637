"""Propose → vote → queue → execute through the timelock, for both kinds, and governance of the settings."""

from brownie import accounts

from tests.governance import (
    ABSTAIN,
    AGAINST,
    CONSTITUTIONAL,
    FOR,
    MEMBER_CASE,
    ORDINARY,
    next_block_at,
    reverts,
)

HASH = b"\x33" * 32


def test_ordinary_lifecycle_sets_a_budget(gov, roster):
    f1, f2 = roster["founding"]
    p = gov.propose([gov.ordinary(5)], "A budget", f1)
    assert tuple(gov.governor.proposalKind(p.id)) == (ORDINARY, 0)
    assert gov.state(p) == "Pending"
    gov.wait_snapshot(p)
    assert gov.state(p) == "Active"
    gov.vote(p, f1, FOR)
    gov.vote(p, f2, AGAINST)
    gov.vote(p, roster["regular"][0], FOR)
    gov.wait_deadline(p)
    assert gov.state(p) == "Succeeded"  # 4 for, 3 against
    gov.queue(p, f1)
    tx = gov.execute(p, accounts[8])  # anyone may execute once the delay has passed
    assert "ProposalExecuted" in tx.events and tx.events["BudgetSet"]["amount"] == 5


def test_member_case_lifecycle_suspends_a_member(gov, roster):
    f1, f2 = roster["founding"]
    target = roster["regular"][3]
    subject = gov.registry.memberIdOf(target)
    call = gov.call(gov.registry, "suspend", subject, "missed three meetings")
    p = gov.propose([call], "Suspend member 6", f1)
    assert tuple(gov.governor.proposalKind(p.id)) == (MEMBER_CASE, subject)
    assert gov.state(p) == "Pending"
    gov.wait_snapshot(p)
    assert gov.state(p) == "Active"
    with reverts("GovernorVoterRecused"):
        gov.vote(p, target, AGAINST)
    for voter in (f1, f2, roster["regular"][0]):
        gov.vote(p, voter, FOR)
    gov.wait_deadline(p)
    assert gov.state(p) == "Succeeded"
    tx = gov.queue(p, f1)
    assert "ProposalQueued" in tx.events
    assert gov.state(p) == "Queued"
    tx = gov.execute(p, accounts[8])  # anyone may execute once the delay has passed
    assert "ProposalExecuted" in tx.events
    assert tx.events["MemberSuspended"]["reason"] == "missed three meetings"
    assert gov.state(p) == "Executed"
    assert gov.registry.getVotes(target) == 0


def test_constitutional_lifecycle_admits_a_member(gov, roster):
    newcomer = accounts[9]
    call = gov.call(gov.registry, "admit", (newcomer, 1, "ipfs://newcomer", HASH))
    p = gov.propose([call], "Admit Newcomer Analytics", roster["founding"][0])
    assert tuple(gov.governor.proposalKind(p.id)) == (CONSTITUTIONAL, 0)
    gov.wait_snapshot(p)
    for voter in [*roster["founding"], *roster["regular"][:2]]:
        gov.vote(p, voter, FOR)
    gov.wait_deadline(p)
    assert gov.state(p) == "Succeeded"
    gov.queue(p, roster["founding"][0])
    gov.execute(p, roster["founding"][0])
    assert gov.registry.getVotes(newcomer) == 1


def test_propose_emits_classification(gov, roster):
    call = gov.call(gov.registry, "suspend", 7, "")
    tx = gov.governor.propose(*[[c] for c in call], "classify me", {"from": roster["founding"][0]})
    assert tx.events["ProposalClassified"]["kind"] == MEMBER_CASE
    assert tx.events["SubjectRecused"]["memberId"] == 7
    assert tx.events["ProposalCreated"]["proposer"] == roster["founding"][0]
    tx = gov.governor.propose(*[[c] for c in gov.ordinary()], "me too", {"from": roster["founding"][0]})
    assert tx.events["ProposalClassified"]["kind"] == ORDINARY and "SubjectRecused" not in tx.events


def test_classification_comes_from_the_calls(gov):
    g, r, t = gov.governor, gov.registry, gov.timelock
    suspend = gov.call(r, "suspend", 1, "")
    censure = gov.call(gov.conduct, "censure", 1, "", 0)
    admit = gov.call(r, "admit", (accounts[9], 1, "", HASH))
    setting = gov.call(g, "setVotingPeriod", 7200)
    timelock = gov.call(t, "updateDelay", 10)
    transfer = (accounts[9].address, 1, b"")
    for calls, kind in [([suspend], (MEMBER_CASE, 1)), ([suspend, censure], (MEMBER_CASE, 1)),
                        ([transfer], (ORDINARY, 0)), ([admit], (CONSTITUTIONAL, 0)),
                        ([setting], (CONSTITUTIONAL, 0)), ([timelock], (CONSTITUTIONAL, 0)),
                        ([transfer, setting], (CONSTITUTIONAL, 0))]:
        assert tuple(g.classify([c[0] for c in calls], [c[2] for c in calls])) == kind
    for calls in ([suspend, admit], [transfer, suspend], [suspend, gov.call(r, "suspend", 2, "")]):
        with reverts("GovernorMemberCaseBundled"):
            g.classify([c[0] for c in calls], [c[2] for c in calls])


def test_ordinary_proposal_fails_without_a_majority(gov, roster):
    p = gov.propose([gov.ordinary()], "tie", roster["founding"][0])
    gov.wait_snapshot(p)
    gov.vote(p, roster["founding"][0], FOR)
    gov.vote(p, roster["founding"][1], AGAINST)
    gov.wait_deadline(p)
    assert gov.state(p) == "Defeated"
    with reverts("GovernorUnexpectedProposalState"):
        gov.queue(p, roster["founding"][0])


def test_ordinary_proposal_fails_without_quorum(gov, roster):
    p = gov.propose([gov.ordinary()], "nobody came", roster["founding"][0])
    gov.wait_snapshot(p)
    gov.wait_deadline(p)
    assert gov.state(p) == "Defeated"


def test_constitutional_quorum_is_separate_and_higher(gov, roster):
    """Weight 1 of 10 meets the 10% ordinary quorum, not the 30% constitutional one."""
    r1 = roster["regular"][0]
    ordinary = gov.propose([gov.ordinary()], "small ordinary", r1)
    constitutional = gov.propose([gov.call(gov.registry, "setTier", 2, "observer", 0, False, False)],
                                 "small constitutional", r1)
    gov.wait_snapshot(constitutional)
    assert gov.governor.proposalQuorum(ordinary.id) == 1
    assert gov.governor.proposalQuorum(constitutional.id) == 3
    gov.vote(ordinary, r1, FOR)
    gov.vote(constitutional, r1, FOR)
    gov.wait_deadline(constitutional)
    assert gov.state(ordinary) == "Succeeded"
    assert gov.state(constitutional) == "Defeated"


def test_settings_change_only_through_governance(gov, roster):
    g = gov.governor
    for fn, args in [("setVotingPeriod", (7200,)), ("setWeightCap", (5000,)), ("setConstitutionalQuorum", (50,)),
                     ("setCallRule", (accounts[9], "0x12345678", True, False)), ("updateQuorumNumerator", (5,))]:
        with reverts("GovernorOnlyExecutor"):
            getattr(g, fn)(*args, {"from": roster["founding"][0]})
    calls = [gov.call(g, "setWeightCap", 5000), gov.call(g, "setConstitutionalQuorum", 50),
             gov.call(g, "setCallRule", gov.registry.address, gov.registry.suspend.signature, True, False)]
    voters = {v: FOR for v in [*roster["founding"], *roster["regular"]]}
    p, tx = gov.pass_proposal(calls, "retune", roster["founding"][0], voters)
    p7 = gov.propose([gov.call(gov.registry, "suspend", 7, "x")], "not about the member now", roster["founding"][0])
    assert g.memberMarks(p7.id, 7) == (False, False)  # the rule's aboutMember flag is off now
    assert tuple(g.proposalKind(p7.id)) == (CONSTITUTIONAL, 0)
    assert tx.events["WeightCapSet"] == {"oldCapBps": 10_000, "newCapBps": 5000}
    assert tx.events["ConstitutionalQuorumSet"] == {"oldNumerator": 30, "newNumerator": 50}
    assert (tx.events["CallRuleSet"]["constitutional"], tx.events["CallRuleSet"]["aboutMember"]) == (True, False)
    assert g.weightCap() == 5000
    assert g.constitutionalQuorumNumerator() == 50
    assert g.classify([gov.registry.address], [gov.registry.suspend.signature])[0] == CONSTITUTIONAL


def test_invalid_settings_revert_at_execution(gov, roster):
    voters = {v: FOR for v in [*roster["founding"], *roster["regular"]]}
    for i, (call, error) in enumerate([(gov.call(gov.governor, "setWeightCap", 0), "GovernorInvalidWeightCap"),
                        (gov.call(gov.governor, "setWeightCap", 10_001), "GovernorInvalidWeightCap"),
                        (gov.call(gov.governor, "setConstitutionalQuorum", 101),
                         "GovernorInvalidConstitutionalQuorum"),
                        (gov.call(gov.governor, "updateQuorumNumerator", 101), "GovernorInvalidQuorumFraction")]):
        p = gov.propose([call], f"bad setting {i}", roster["founding"][0])
        gov.wait_snapshot(p)
        for voter, support in voters.items():
            gov.vote(p, voter, support)
        gov.wait_deadline(p)
        gov.queue(p, roster["founding"][0])
        with reverts(error):
            gov.execute(p, roster["founding"][0])


def test_tier_table_changes_by_constitutional_vote(gov, roster):
    voters = {v: FOR for v in [*roster["founding"], *roster["regular"]]}
    call = gov.call(gov.registry, "setTier", 1, "regular", 2, True, True)
    p, tx = gov.pass_proposal([call], "double regular weight", roster["founding"][0], voters)
    assert tuple(gov.governor.proposalKind(p.id)) == (CONSTITUTIONAL, 0)
    assert tx.events["TierSet"]["weight"] == 2
    assert gov.registry.totalWeight() == 6 + 8


def test_proposer_may_cancel_only_while_pending(gov, roster):
    f1, f2 = roster["founding"]
    p = gov.propose([gov.ordinary()], "changed my mind", f1)
    args = (p.targets, p.values, p.calldatas, p.description_hash)
    with reverts("GovernorUnableToCancel"):
        gov.governor.cancel(*args, {"from": f2})
    tx = gov.governor.cancel(*args, {"from": f1})
    assert tx.events["ProposalCanceled"]["proposalId"] == p.id
    assert gov.state(p) == "Canceled"
    p2 = gov.propose([gov.ordinary()], "too late to cancel", f1)
    gov.wait_snapshot(p2)
    with reverts("GovernorUnableToCancel"):
        gov.governor.cancel(p2.targets, p2.values, p2.calldatas, p2.description_hash, {"from": f1})


def test_proposer_suffix_stops_front_running(gov, roster):
    f1, f2 = roster["founding"]
    description = f"Fund the audit#proposer={f1.address}"
    call = gov.call(gov.registry, "suspend", 7, "")
    with reverts("GovernorRestrictedProposer"):
        gov.propose([call], description, f2)
    p = gov.propose([call], description, f1)
    assert gov.governor.proposalProposer(p.id) == f1


def test_only_members_with_the_right_may_propose(gov, roster):
    call = gov.call(gov.registry, "suspend", 7, "")
    with reverts("GovernorProposerWithoutRight"):
        gov.propose([call], "observer proposal", roster["observer"][0])
    with reverts("GovernorProposerWithoutRight"):
        gov.propose([call], "outsider proposal", roster["outsider"])


def test_late_quorum_extends_the_deadline(gov, roster):
    p = gov.propose([gov.ordinary()], "late", roster["founding"][0])
    gov.wait_snapshot(p)
    deadline = gov.governor.proposalDeadline(p.id)
    next_block_at(deadline - 10)
    tx = gov.vote(p, roster["founding"][0], FOR)
    assert tx.events["ProposalExtended"]["extendedDeadline"] == tx.timestamp + 600
    assert gov.governor.proposalDeadline(p.id) == tx.timestamp + 600


def test_abstain_counts_for_quorum_only(gov, roster):
    p = gov.propose([gov.ordinary()], "abstain", roster["founding"][0])
    gov.wait_snapshot(p)
    gov.vote(p, roster["founding"][0], ABSTAIN)
    gov.vote(p, roster["regular"][0], FOR)
    gov.wait_deadline(p)
    assert tuple(gov.governor.proposalVotes(p.id)) == (0, 1, 3)
    assert gov.state(p) == "Succeeded"
