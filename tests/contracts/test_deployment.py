"""The deployment routine leaves a self-governing suite: no externally owned account keeps any power."""

import brownie
from brownie import ConsortiumGovernor, accounts

from orchestrator.operations.deploy import GOVERNOR_LIBRARIES
from tests.governance import reverts

ZERO = "0x" + "00" * 20


def test_timelock_roles_belong_to_the_system(gov):
    t, governor = gov.timelock, gov.governor
    assert not t.hasRole(t.DEFAULT_ADMIN_ROLE(), accounts[0])
    assert t.hasRole(t.DEFAULT_ADMIN_ROLE(), t.address)
    assert t.hasRole(t.PROPOSER_ROLE(), governor.address)
    assert t.hasRole(t.CANCELLER_ROLE(), governor.address)
    assert t.hasRole(t.EXECUTOR_ROLE(), governor.address)  # execution only through the governor
    assert not t.hasRole(t.EXECUTOR_ROLE(), ZERO)  # not open: nobody runs a queued operation directly
    assert not t.hasRole(t.PROPOSER_ROLE(), accounts[0])
    assert not t.hasRole(t.CANCELLER_ROLE(), accounts[0])
    assert t.getMinDelay() == 60


def test_registry_answers_only_to_the_timelock(gov):
    assert gov.registry.governance() == gov.timelock.address
    assert gov.registry.bootstrapper() == ZERO


def test_governor_is_wired_to_registry_and_timelock(gov, roster):
    g = gov.governor
    assert g.token() == gov.registry.address
    assert g.timelock() == gov.timelock.address
    assert g.votingDelay() == 60
    assert g.votingPeriod() == 3600
    assert g.lateQuorumVoteExtension() == 600
    assert g.quorumNumerator() == 10
    assert g.constitutionalQuorumNumerator() == 30
    assert g.weightCap() == 10_000
    assert g.proposalThreshold() == 0
    assert g.CLOCK_MODE() == "mode=timestamp"
    assert g.COUNTING_MODE() == "support=bravo&quorum=for,abstain&tiers=true&cap=bps"


def test_founding_roll_is_admitted(gov, roster):
    r = gov.registry
    assert r.memberCount() == 7
    assert r.totalWeight() == 10
    assert r.getVotes(roster["founding"][0]) == 3
    assert r.getVotes(roster["regular"][0]) == 1
    assert r.getVotes(roster["observer"][0]) == 0


def test_registry_lifecycle_calls_are_constitutional_or_a_member_case(gov):
    g, r = gov.governor, gov.registry
    for fn, kind in [("setTier", 1), ("admit", 1), ("changeTier", 2), ("expel", 2), ("rotateSeatOf", 2),
                     ("suspend", 2), ("reinstate", 0)]:
        assert g.classify([r.address], [getattr(r, fn).signature])[0] == kind, fn


def test_governor_constructor_rejects_an_invalid_cap_or_quorum(gov):
    for name in GOVERNOR_LIBRARIES:  # brownie links the latest deployments
        getattr(brownie, name).deploy({"from": accounts[0]})
    for settings, error in [((60, 3600, 600, 10, 30, 0), "GovernorInvalidWeightCap"),
                            ((60, 3600, 600, 10, 30, 10_001), "GovernorInvalidWeightCap"),
                            ((60, 3600, 600, 10, 101, 10_000), "GovernorInvalidConstitutionalQuorum"),
                            ((60, 3600, 600, 101, 30, 10_000), "GovernorInvalidQuorumFraction"),
                            ((60, 3600, 3601, 10, 30, 10_000), "GovernorPreventLateQuorumVoteExtensionTooLarge")]:
        with reverts(error):
            ConsortiumGovernor.deploy("bad", gov.registry, gov.timelock, settings, [], {"from": accounts[0]})
    # Late-quorum protection as long as the voting period, no longer: the setter's event from the constructor.
    edge = ConsortiumGovernor.deploy("edge", gov.registry, gov.timelock, (60, 3600, 3600, 10, 30, 10_000), [],
                                     {"from": accounts[0]})
    assert edge.tx.events["LateQuorumVoteExtensionSet"] == {"oldVoteExtension": 0, "newVoteExtension": 3600}
