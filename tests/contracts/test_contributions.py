"""Contribution-weighted votes: the ContributionLedger's rule (concave, checkpointed, decaying, capped), the
registry reading it (weight = tier weight + contribution part, total = tiers' total + total part), the
treasury reporting sponsorships, the deployment's [contributions] section, and every refusal by name.

Most of it runs on a registry and a ledger of their own, with externally owned accounts standing in for
governance and the treasury; the suite deployed with `[contributions] enabled` checks the wiring."""

import warnings
from math import isqrt

import pytest
from brownie import ContributionLedger, MemberRegistry, accounts, chain, web3
from brownie.exceptions import BrownieTestWarning
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator.chain.electors import unpack
from orchestrator.errors import ConfigError
from orchestrator.operations.config import parse
from tests.contracts.conftest import deploy_suite
from tests.governance import CONSTITUTIONAL, FOR, MEMBER_CASE, latest_timestamp, mine_at, reverts, sleep

SCALE, PART_SCALE, HALF_SQRT2 = 10**18, 10**27, 707106781186547524
UNIT = 10**14  # 0.0001 ETH is worth one weight unit: 1 ETH, 100; 100 ETH, 1,000
PERIOD = 30 * 86400
TIERS = [("founding", 1000, True, True), ("regular", 300, True, True), ("observer", 0, False, False)]
SPONSORSHIP, ATTRIBUTION = 0, 1
ETH = "0x" + "00" * 20
HASH = b"\x11" * 32


# ───── the rule, as the ledger's NatSpec states it, for exact comparisons ─────

def decay(p: int) -> int:
    return (SCALE if p % 2 == 0 else HALF_SQRT2) >> (p // 2)


def score(units: int, p: int, unit: int = UNIT, max_part: int = 0) -> int:
    s = isqrt(units * SCALE // unit)
    return min(s, max_part * PART_SCALE // decay(p)) if max_part else s


def part(s: int, p: int) -> int:
    return s * decay(p) // PART_SCALE


# ───── a registry and a ledger of their own ─────

@pytest.fixture(scope="module")
def governance():
    return accounts[9]


@pytest.fixture(scope="module")
def treasury():
    return accounts[8]


@pytest.fixture(scope="module")
def reg(governance):
    return MemberRegistry.deploy(governance, TIERS, {"from": accounts[0]})


def new_ledger(reg, governance, treasury, unit=UNIT, period=PERIOD, max_part=0, sponsorships=True,
               attributions=True):
    return ContributionLedger.deploy(reg, governance, treasury, (unit, period, max_part, sponsorships, attributions),
                                     {"from": accounts[0]})


@pytest.fixture(scope="module")
def ledger(reg, governance, treasury):
    ledger = new_ledger(reg, governance, treasury)
    reg.setContributionsLedger(ledger, {"from": accounts[0]})  # the bootstrapper, as the deployment does
    return ledger


@pytest.fixture(scope="module")
def members(reg, ledger, governance):
    """Member 1 founding (accounts[1]), 2-4 regular (accounts[2-4]), 5 observer (accounts[5])."""
    for seat, tier in ((accounts[1], 0), (accounts[2], 1), (accounts[3], 1), (accounts[4], 1), (accounts[5], 2)):
        reg.admit((seat, tier, "ipfs://m", HASH), {"from": governance})
    return {i: accounts[i] for i in range(1, 6)}


def sponsor(ledger, treasury, seat, amount):
    return ledger.recordSponsorship(seat, amount, {"from": treasury})


def period_now(ledger) -> int:
    return (latest_timestamp() - ledger.origin()) // PERIOD


def test_parameters_and_wiring_are_readable(reg, ledger, governance, treasury):
    assert (ledger.governance(), ledger.registry(), ledger.treasury()) == (governance, reg, treasury)
    assert tuple(ledger.parameters()) == (UNIT, PERIOD, 0, True, True)
    assert ledger.MAX_PERIODS() == 64
    assert reg.contributionsLedger() == ledger


def test_a_sponsorship_adds_the_square_root_of_its_value_from_the_next_snapshot_on(reg, ledger, members, treasury):
    sleep(1)  # past the admissions
    tx = sponsor(ledger, treasury, members[2], 4 * 10**18)  # 40,000 units: part 200
    before = tx.timestamp - 1
    s = score(4 * 10**18 << period_now(ledger), period_now(ledger))
    assert tx.events["ContributionRecorded"] == {"memberId": 2, "source": SPONSORSHIP, "amount": 4 * 10**18,
                                                 "oldScore": 0, "newScore": s, "memo": ""}
    sleep(1)
    t = tx.timestamp
    assert ledger.partAt(2, t) == part(s, period_now(ledger)) == 200
    assert ledger.partAt(2, before) == 0
    assert reg.memberWeightAt(2, t) == reg.getPastVotes(members[2], t) == 300 + 200
    assert reg.memberWeightAt(2, before) == 300
    assert unpack(reg.electorAt(members[2], t)) == (2, 1, 500)
    assert reg.getVotes(members[2]) == 500
    assert reg.getPastTotalSupply(t) == 1000 + 3 * 300 + 200 == reg.totalWeight()
    assert reg.getPastTotalSupply(before) == 1900


def test_the_part_is_concave_in_the_money(reg, ledger, members, treasury):
    sponsor(ledger, treasury, members[2], 10**16)  # part 10
    tx = sponsor(ledger, treasury, members[3], 100 * 10**16)  # 100 times the money: part 100
    sleep(1)
    assert ledger.partAt(2, tx.timestamp) == 10
    assert ledger.partAt(3, tx.timestamp) == 100
    assert reg.memberWeightAt(3, tx.timestamp) - 300 == 10 * (reg.memberWeightAt(2, tx.timestamp) - 300)


def test_contributions_accumulate_before_the_root(ledger, members, treasury):
    sponsor(ledger, treasury, members[2], 10**16)
    tx = sponsor(ledger, treasury, members[2], 3 * 10**16)  # 4e16 in all: part 20, not 10 + 17
    sleep(1)
    assert ledger.partAt(2, tx.timestamp) == 20
    assert ledger.contributionOf(2) == 4 * 10**16


def test_after_one_period_a_part_is_worth_one_over_root_two_exactly_as_the_formula(reg, ledger, members, treasury):
    amount = 7 * 10**18 + 12345
    p0 = period_now(ledger)
    tx = sponsor(ledger, treasury, members[2], amount)
    s = score(amount << p0, p0)
    sleep(1)
    first = ledger.partAt(2, tx.timestamp)
    assert first == part(s, p0) == 264  # sqrt(70,000.0000000000012345)
    boundary = ledger.origin() + (p0 + 1) * PERIOD
    mine_at(boundary + 10)
    later = ledger.partAt(2, boundary)
    assert later == part(s, p0 + 1)
    assert abs(later - first / 2**0.5) <= 1
    assert reg.memberWeightAt(2, boundary) == 300 + later
    assert ledger.totalPartAt(boundary) == later
    assert ledger.contributionOf(2) == (amount << p0) >> (p0 + 1)
    # Two periods: exactly half.
    mine_at(boundary + PERIOD + 10)
    assert ledger.partAt(2, boundary + PERIOD) == part(s, p0 + 2)
    assert abs(ledger.partAt(2, boundary + PERIOD) - first / 2) <= 1


def test_contributions_in_different_periods_decay_each_from_its_own_date(ledger, members, treasury):
    p0 = period_now(ledger)
    sponsor(ledger, treasury, members[2], 10**18)
    mine_at(ledger.origin() + (p0 + 1) * PERIOD + 5)
    tx = sponsor(ledger, treasury, members[2], 10**18)
    units = (10**18 << p0) + (10**18 << (p0 + 1))
    sleep(1)
    # Worth 0.5 + 1 = 1.5 ether now: sqrt(15,000) = 122.47
    assert ledger.partAt(2, tx.timestamp) == part(score(units, p0 + 1), p0 + 1) == 122
    assert ledger.contributionOf(2) == 15 * 10**17


def test_max_part_caps_a_members_part_and_keeps_the_total_exact(reg, governance, treasury, members):
    capped = new_ledger(reg, governance, treasury, max_part=150)
    reg.setContributionsLedger(capped, {"from": accounts[0]})
    sponsor(capped, treasury, members[2], 100 * 10**18)  # uncapped part 1,000
    tx = sponsor(capped, treasury, members[3], 10**18)  # part 100, under the cap
    sleep(1)
    t = tx.timestamp
    assert capped.partAt(2, t) == 150
    assert capped.partAt(3, t) == 100
    assert capped.totalPartAt(t) == 250
    assert reg.getPastTotalSupply(t) == 1900 + 250
    # Later periods: the capped member decays from the cap, never above it.
    mine_at(capped.origin() + PERIOD + 1)
    assert capped.partAt(2, capped.origin() + PERIOD) <= 150 * HALF_SQRT2 // SCALE + 1


def test_observers_and_outsiders_record_nothing(ledger, members, treasury):
    for seat in (members[5], accounts[6]):  # an observer's seat (no vote), an outsider
        tx = sponsor(ledger, treasury, seat, 10**18)
        assert "ContributionRecorded" not in tx.events
    assert ledger.contributionOf(5) == 0


def test_a_suspended_member_has_no_part_and_leaves_the_total_until_reinstated(reg, ledger, members, treasury,
                                                                             governance):
    tx = sponsor(ledger, treasury, members[2], 10**18)  # part 100
    sleep(1)
    assert ledger.totalPartAt(tx.timestamp) == 100
    tx = reg.suspend(2, "test", {"from": governance})
    assert tx.events["CountingChanged"] == {"memberId": 2, "counted": False, "oldScore": score(10**18, 0),
                                            "newScore": 0}
    suspended = tx.timestamp
    # A sponsorship from a suspended member's seat records nothing.
    assert "ContributionRecorded" not in sponsor(ledger, treasury, members[2], 10**18).events
    sleep(1)
    assert reg.memberWeightAt(2, suspended) == 0
    assert ledger.partAt(2, suspended) == 0
    assert ledger.totalPartAt(suspended) == 0
    assert reg.getPastTotalSupply(suspended) == 1000 + 2 * 300
    assert not ledger.isCounted(2)
    tx = reg.reinstate(2, {"from": governance})
    sleep(1)
    assert reg.memberWeightAt(2, tx.timestamp) == 400
    assert reg.getPastTotalSupply(tx.timestamp) == 1900 + 100
    assert ledger.isCounted(2)


def test_a_member_leaving_a_voting_tier_stops_counting(reg, ledger, members, treasury, governance):
    sponsor(ledger, treasury, members[2], 10**18)
    tx = reg.changeTier(2, 2, {"from": governance})  # to observer
    assert tx.events["CountingChanged"]["counted"] is False
    sleep(1)
    assert reg.memberWeightAt(2, tx.timestamp) == 0
    assert reg.getPastTotalSupply(tx.timestamp) == 1000 + 2 * 300


def test_attributions_record_for_any_standing_and_count_only_while_active(reg, ledger, members, governance):
    reg.suspend(3, "test", {"from": governance})
    tx = ledger.attribute(3, 10**18, "chaired the standards committee", {"from": governance})
    assert tx.events["ContributionRecorded"] == {"memberId": 3, "source": ATTRIBUTION, "amount": 10**18,
                                                 "oldScore": 0, "newScore": 0,
                                                 "memo": "chaired the standards committee"}
    sleep(1)
    assert ledger.totalPartAt(tx.timestamp) == 0
    tx = reg.reinstate(3, {"from": governance})
    assert tx.events["CountingChanged"]["newScore"] == score(10**18, 0)
    sleep(1)
    assert reg.memberWeightAt(3, tx.timestamp) == 400


def test_electorate_adds_each_voters_part_as_electorAt_does(reg, ledger, members, treasury):
    sponsor(ledger, treasury, members[1], 9 * 10**18)
    sponsor(ledger, treasury, members[3], 10**16)
    tx = sponsor(ledger, treasury, members[5], 10**18)  # an observer: nothing
    sleep(1)
    seats = [members[i] for i in range(1, 6)] + [accounts[6]]
    words = reg.electorate(seats, tx.timestamp)
    for seat, word in zip(seats, words, strict=True):
        assert word == reg.electorAt(seat, tx.timestamp)
    assert [(w >> 40) & 0xFFFFFFFF for w in words] == [1300, 300, 310, 300, 0, 0]


def test_a_ledger_swap_changes_weights_from_then_on_only(reg, ledger, members, treasury, governance):
    tx = sponsor(ledger, treasury, members[2], 10**18)
    sleep(1)
    before = tx.timestamp
    other = new_ledger(reg, governance, treasury)
    swap = reg.setContributionsLedger(other, {"from": accounts[0]})
    assert swap.events["ContributionsLedgerSet"] == {"oldLedger": ledger, "newLedger": other}
    sleep(1)
    assert reg.memberWeightAt(2, before) == 400
    assert reg.getPastTotalSupply(before) == 2000
    assert reg.contributionsLedgerAt(before) == ledger
    assert reg.memberWeightAt(2, swap.timestamp) == 300
    assert reg.getPastTotalSupply(swap.timestamp) == 1900
    # And none at all: weight is the tier's alone again, history still kept.
    off = reg.setContributionsLedger(ETH, {"from": accounts[0]})
    sleep(1)
    assert reg.contributionsLedger() == ETH
    assert reg.memberWeightAt(2, off.timestamp) == 300
    assert reg.memberWeightAt(2, before) == 400


def test_parts_saturate_the_uint32_weight(reg, governance, treasury, members):
    huge = new_ledger(reg, governance, treasury, unit=1)
    reg.setContributionsLedger(huge, {"from": accounts[0]})
    tx = huge.attribute(2, 2**127, "", {"from": governance})  # part sqrt(2^127) ≈ 1.3e19
    sleep(1)
    assert reg.memberWeightAt(2, tx.timestamp) == 2**32 - 1
    assert (reg.electorate([members[2]], tx.timestamp)[0] >> 40) == 2**32 - 1
    assert reg.getPastTotalSupply(tx.timestamp) >= 2**32 - 1 + 1000 + 600


with warnings.catch_warnings():  # hypothesis directly (as tests/security/test_hostile_proposals.py): each
    warnings.simplefilter("ignore", BrownieTestWarning)  # example reverts to the test's snapshot itself
    contributions = given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 10**22)), min_size=1, max_size=6))


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@contributions
def test_the_total_part_is_at_least_the_sum_of_the_parts(reg, ledger, members, treasury, amounts):
    chain.revert()  # each example from the test's starting state (fn_isolation's snapshot)
    for member, amount in amounts:
        sponsor(ledger, treasury, members[member], amount)
    sleep(1)
    t = latest_timestamp() - 1
    parts = [ledger.partAt(m, t) for m in range(1, 5)]
    total = ledger.totalPartAt(t)
    contributors = len({m for m, _ in amounts})
    assert sum(parts) <= total < sum(parts) + contributors
    assert reg.getPastTotalSupply(t) == 1900 + total
    assert sum(reg.memberWeightAt(m, t) for m in range(1, 6)) <= reg.getPastTotalSupply(t)


# ───── who may record ─────

def test_only_the_treasury_records_sponsorships_and_only_governance_attributes(ledger, members, governance, treasury):
    with reverts("LedgerUnauthorized"):
        ledger.recordSponsorship(members[2], 10**18, {"from": members[2]})
    with reverts("LedgerUnauthorized"):
        ledger.recordSponsorship(members[2], 10**18, {"from": governance})
    with reverts("LedgerUnauthorized"):
        ledger.attribute(2, 10**18, "", {"from": treasury})
    with reverts("LedgerUnauthorized"):
        ledger.attribute(2, 10**18, "", {"from": members[2]})
    with reverts("LedgerUnauthorized"):
        ledger.setCounted(2, False, {"from": governance})


def test_bad_recordings_are_refused_by_name(reg, ledger, members, governance, treasury):
    with reverts("LedgerZeroAmount"):
        ledger.attribute(2, 0, "", {"from": governance})
    with reverts("LedgerZeroAmount"):
        sponsor(ledger, treasury, members[2], 0)
    with reverts("LedgerAmountTooLarge"):
        ledger.attribute(2, 2**128, "", {"from": governance})
    for member_id in (0, 6):
        with reverts("LedgerUnknownMember"):
            ledger.attribute(member_id, 1, "", {"from": governance})


def test_what_counts_is_the_deployments_choice(reg, governance, treasury, members):
    neither = new_ledger(reg, governance, treasury, sponsorships=False, attributions=False)
    reg.setContributionsLedger(neither, {"from": accounts[0]})
    assert "ContributionRecorded" not in sponsor(neither, treasury, members[2], 10**18).events
    with reverts("LedgerNotCounted"):
        neither.attribute(2, 10**18, "", {"from": governance})


def test_a_ledger_needs_a_unit_and_a_period(reg, governance, treasury):
    for unit, period in ((0, PERIOD), (UNIT, 0)):
        with reverts("LedgerInvalidParameters"):
            new_ledger(reg, governance, treasury, unit=unit, period=period)


def test_the_ledger_records_for_64_periods_then_refuses(reg, governance, treasury, members):
    short = new_ledger(reg, governance, treasury, period=100)
    reg.setContributionsLedger(short, {"from": accounts[0]})
    mine_at(short.origin() + 63 * 100 + 1)
    short.attribute(2, 10**18, "", {"from": governance})
    # The largest amount at the last period, three times: the units would pass 2^192.
    short.attribute(3, 2**128 - 1, "", {"from": governance})
    short.attribute(3, 2**128 - 1, "", {"from": governance})
    with reverts("LedgerOverflow"):
        short.attribute(3, 2**128 - 1, "", {"from": governance})
    mine_at(short.origin() + 64 * 100 + 1)
    with reverts("LedgerExpired"):
        short.attribute(2, 10**18, "", {"from": governance})
    # A sponsorship is still taken by the treasury: the ledger records nothing rather than refusing it.
    assert "ContributionRecorded" not in sponsor(short, treasury, members[2], 10**18).events


def test_only_a_ledger_of_this_registry_is_named_and_only_by_the_bootstrapper_or_governance(reg, governance,
                                                                                           treasury):
    foreign = MemberRegistry.deploy(governance, TIERS, {"from": accounts[0]})
    stray = new_ledger(foreign, governance, treasury)
    with reverts("RegistryInvalidLedger"):
        reg.setContributionsLedger(stray, {"from": governance})
    mine = new_ledger(reg, governance, treasury)
    with reverts("RegistryUnauthorized"):
        reg.setContributionsLedger(mine, {"from": accounts[3]})
    reg.endBootstrap({"from": accounts[0]})
    with reverts("RegistryBootstrapOver"):
        reg.setContributionsLedger(mine, {"from": accounts[0]})
    reg.setContributionsLedger(mine, {"from": governance})
    assert reg.contributionsLedger() == mine


def test_tiers_created_after_a_ledger_was_named_carry_contribution_parts(reg, ledger, members, governance, treasury):
    reg.setTier(3, "associate", 50, False, True, {"from": governance})
    reg.admit((accounts[6], 3, "ipfs://m", HASH), {"from": governance})
    tx = sponsor(ledger, treasury, accounts[6], 10**18)
    sleep(1)
    assert reg.memberWeightAt(6, tx.timestamp) == 150


# ───── the suite: deployment and the treasury ─────

CONTRIBUTIONS = {"enabled": True, "unit": "0.0001 ether", "period": PERIOD, "max_part": 0}
FINE_TIERS = [
    {"name": "founding", "weight": 1000, "can_propose": True, "can_vote": True, "dues": "2 ether"},
    {"name": "regular", "weight": 300, "can_propose": True, "can_vote": True, "dues": "1 ether"},
    {"name": "observer", "weight": 0, "can_propose": False, "can_vote": False},
]


@pytest.fixture(scope="module")
def weighed(roster):
    return deploy_suite(roster, contributions=CONTRIBUTIONS, tiers=FINE_TIERS)


@pytest.fixture
def funded(roster):
    """The roster's regular members hold 10 ETH each at the start of the session, which earlier modules' fixtures
    may have spent (dues and contributions they kept): topped up for this test alone (the isolation reverts it)."""
    for member in roster["regular"]:
        accounts[0].transfer(member, "10 ether")


def test_off_by_default_no_ledger_is_deployed_or_named(gov, roster, funded):
    assert gov.ledger is None
    assert gov.registry.contributionsLedger() == ETH
    tx = gov.treasury.contribute(SPONSORSHIP, ETH, 10**18, "gold", {"from": roster["regular"][0], "value": 10**18})
    assert list(tx.events.keys()) == ["Contributed"]


def test_the_deployment_wires_the_ledger_to_the_registry_treasury_and_timelock(weighed):
    g = weighed
    assert g.registry.contributionsLedger() == g.ledger
    assert (g.ledger.registry(), g.ledger.treasury(), g.ledger.governance()) == (g.registry, g.treasury, g.timelock)
    assert tuple(g.ledger.parameters()) == (UNIT, PERIOD, 0, True, True)
    assert g.registry.bootstrapper() == ETH
    # The call rules: attributing is that member's case; naming a ledger is constitutional.
    target, _, data = g.call(g.ledger, "attribute", 4, 1, "")
    assert tuple(g.governor.classify([target], [data])) == (MEMBER_CASE, 4)
    target, _, data = g.call(g.registry, "setContributionsLedger", ETH)
    assert tuple(g.governor.classify([target], [data])) == (CONSTITUTIONAL, 0)


def test_a_sponsorship_in_the_dues_token_from_an_active_members_seat_counts(weighed, roster, funded):
    g, member = weighed, roster["regular"][0]
    mid = g.member_id(member)
    tx = g.treasury.contribute(SPONSORSHIP, ETH, 10**18, "gold", {"from": member, "value": 10**18})
    assert tx.events["ContributionRecorded"]["memberId"] == mid
    sleep(1)
    assert g.registry.memberWeightAt(mid, tx.timestamp) == 400
    # A grant is not a sponsorship, and an outsider's sponsorship is welcome but counts for nobody.
    tx = g.treasury.contribute(1, ETH, 10**18, "grant", {"from": member, "value": 10**18})
    assert "ContributionRecorded" not in tx.events
    tx = g.treasury.contribute(SPONSORSHIP, ETH, 10**18, "", {"from": roster["outsider"], "value": 10**18})
    assert "ContributionRecorded" not in tx.events and "Contributed" in tx.events


def test_governance_attributes_work_by_a_constitutional_member_case(weighed, roster):
    g, member = weighed, roster["regular"][1]
    mid = g.member_id(member)
    call = g.call(g.ledger, "attribute", mid, 4 * 10**18, "authored standard 7")
    f1, f2 = roster["founding"]
    p = g.propose([call], "credit member for standard 7", f1)
    assert g.governor.proposalKind(p.id)[0] == MEMBER_CASE
    g.wait_snapshot(p)
    g.vote(p, f1, FOR)
    g.vote(p, f2, FOR)
    g.wait_deadline(p)
    g.queue(p, f1)
    tx = g.execute(p, f1)
    assert tx.events["ContributionRecorded"]["amount"] == 4 * 10**18
    sleep(1)
    assert g.registry.memberWeightAt(mid, tx.timestamp) == 500



def test_a_saturated_weight_counts_whole_once_the_counters_are_stored(weighed, roster):
    """The proposal's counters word keeps the cap in 32 bits: a cap above any uint32 weight is stored clamped,
    not truncated, so the largest weight still counts whole in a session after the first."""
    g, member = weighed, roster["regular"][1]
    mid = g.member_id(member)
    f1, f2 = roster["founding"]
    p = g.propose([g.call(g.ledger, "attribute", mid, 10**34, "a lifetime's work")], "credit member", f1)
    g.wait_snapshot(p)
    g.vote(p, f1, FOR)
    g.vote(p, f2, FOR)
    g.wait_deadline(p)
    g.queue(p, f1)
    g.execute(p, f1)
    sleep(1)
    p = g.propose([g.ordinary()], "after the credit", f1)
    g.wait_snapshot(p)
    assert g.governor.proposalWeightCap(p.id) > 2**32  # no cap: the whole total, above any one weight
    g.vote(p, f1, FOR)  # the first counted ballot stores the counters
    assert g.vote(p, member, FOR).events["VoteCast"]["weight"] == 2**32 - 1


def test_a_quorum_beyond_64_bits_is_stored_unreachable_not_wrapped(roster):
    """The counters word keeps the quorum in 64 bits. A contribution part can lift the total, and so the quorum,
    past that: the attack is a quorum of 2^64 + 5, which, wrapped to 64 bits, the two founding members' 6 would
    reach. Stored clamped, it stays unreachable, as the true quorum is: no member weighs more than 2^32."""
    g = deploy_suite(roster, contributions={"enabled": True, "unit": 1, "period": PERIOD, "max_part": 0},
                     quorum_percent=100)
    f1, f2 = roster["founding"]
    quorum = 2**64 + 5
    # The total that makes it: the tiers' 10 plus a part. At period 0, with a unit of 1 wei, a part is
    # isqrt(units × 1e18) / 1e9, so units = part² (below the 2^128 one attribution may record).
    part = quorum - g.registry.totalWeight()
    member = g.member_id(roster["regular"][0])
    g.pass_proposal([g.call(g.ledger, "attribute", member, part**2, "an era's work")], "credit", f1, {f1: FOR, f2: FOR})
    sleep(1)
    p = g.propose([g.ordinary()], "after the credit", f1)
    g.wait_snapshot(p)
    assert g.governor.proposalQuorum(p.id) == quorum
    g.vote(p, f1, FOR)  # the first counted ballot stores the counters
    g.vote(p, f2, FOR)
    g.wait_deadline(p)
    assert g.governor.proposalVotes(p.id)[1] == 6
    assert g.state(p) == "Defeated"


# ───── the config ─────

def test_the_contributions_section_is_read_and_checked():
    config = parse({"contributions": {"enabled": True, "unit": "1 ether", "period": 86400, "max_part": 5,
                                      "sponsorships": False}})
    c = config.contributions
    assert (c.enabled, c.unit, c.period, c.max_part, c.sponsorships, c.attributions) == (True, 10**18, 86400, 5,
                                                                                          False, True)
    assert parse({}).contributions.enabled is False
    assert parse({"contributions": {"unit": 10**14}}).contributions.unit == 10**14  # a bare number: wei
    for raw, message in (
        ({"enabled": "yes"}, "config: [contributions]: enabled must be true or false, not 'yes'"),
        ({"unit": 0}, "config: [contributions]: unit and period must be positive"),
        ({"period": 0}, "config: [contributions]: unit and period must be positive"),
        ({"max_part": 2**32}, "config: [contributions]: max_part and period must fit the contract (max_part below "
                              "2^32)"),
        ({"unit": True}, "config: [contributions]: unit must be an amount (\"2 ether\", or wei), not True"),
        ({"unit": -1}, "config: [contributions]: unit must be an amount (\"2 ether\", or wei), not -1"),
        ({"unit": "2 bananas"}, "config: [contributions]: unit: amount '2 bananas': unknown unit 'bananas'; write it "
                                "in ether (or ETH), gwei or wei"),
        ({"perod": 1}, "config: [contributions]: unknown setting 'perod' (did you mean 'period'?)"),
    ):
        with pytest.raises(ConfigError) as exc:
            parse({"contributions": raw})
        assert str(exc.value) == message


def test_web3_reads_the_same_weights(weighed, roster, funded):
    """The orchestrator reads weights with web3 from the same registry: contribution parts included."""
    g, member = weighed, roster["regular"][2]
    tx = g.treasury.contribute(SPONSORSHIP, ETH, 10**16, "", {"from": member, "value": 10**16})
    sleep(1)
    registry = web3.eth.contract(address=g.registry.address, abi=g.registry.abi)
    assert registry.functions.getPastVotes(member.address, tx.timestamp).call() == 310


def test_a_tier_that_stops_voting_gives_its_members_no_part(reg, ledger, members, treasury, governance):
    """Re-weighing a whole tier does not visit its members, so the ledger still counts their scores: the total
    then errs high (a higher quorum), never a member's weight (the registry gives a part only in a voting tier)."""
    tx = sponsor(ledger, treasury, members[2], 10**18)  # part 100
    tx = reg.setTier(1, "regular", 0, True, False, {"from": governance})
    sleep(1)
    assert reg.memberWeightAt(2, tx.timestamp) == 0
    assert unpack(reg.electorAt(members[2], tx.timestamp)) == (2, 1, 0)
    assert reg.getPastTotalSupply(tx.timestamp) == 1000 + 100
