"""Attacks on contribution-weighted votes, on the suite deployed with `[contributions] enabled` (tier weights
1000 and 300 so that parts are fine-grained; 0.0001 ETH is worth one weight unit): a flash contribution, buying
the consortium, recording from outside, giving oneself weight, a ledger swap rewriting a vote, a suspended or
departed member's money still weighing."""

import pytest
from brownie import ContributionLedger, accounts

from tests.contracts.conftest import deploy_suite
from tests.governance import AGAINST, FOR, latest_timestamp, reverts, sleep

ETH = "0x" + "00" * 20
SPONSORSHIP = 0
UNIT, PERIOD = 10**14, 30 * 86400
CONTRIBUTIONS = {"enabled": True, "unit": UNIT, "period": PERIOD}
TIERS = [
    {"name": "founding", "weight": 1000, "can_propose": True, "can_vote": True, "dues": "2 ether"},
    {"name": "regular", "weight": 300, "can_propose": True, "can_vote": True, "dues": "1 ether"},
    {"name": "observer", "weight": 0, "can_propose": False, "can_vote": False},
]
TIER_TOTAL = 2 * 1000 + 4 * 300


@pytest.fixture(scope="module")
def suite(roster):
    for account in (*roster["regular"], roster["outsider"]):
        accounts[0].transfer(account, "150 ether")
    return deploy_suite(roster, contributions=CONTRIBUTIONS, tiers=TIERS)


@pytest.fixture(scope="module")
def capped(roster):
    """The same, with the governor's per-member cap at 25% of the total weight."""
    return deploy_suite(roster, contributions=CONTRIBUTIONS, tiers=TIERS, weight_cap_bps=2500)


def sponsor(g, seat, ether: float):
    wei = int(ether * 10**18)
    return g.treasury.contribute(SPONSORSHIP, ETH, wei, "sponsor", {"from": seat, "value": wei})


def test_a_flash_contribution_after_the_snapshot_counts_for_nothing_on_that_vote(suite, roster):
    g, whale, f1 = suite, roster["regular"][0], roster["founding"][0]
    p = g.propose([g.ordinary()], "a contested budget", f1)
    g.wait_snapshot(p)
    quorum = g.governor.quorum(g.governor.proposalSnapshot(p.id))
    tx = sponsor(g, whale, 100)  # part 1,000: more than a founding member's weight
    assert tx.events["ContributionRecorded"]["newScore"] > 0
    sleep(1)  # the vote in a later block, with the sponsorship in the past
    vote = g.vote(p, whale, AGAINST)
    assert vote.events["VoteCast"]["weight"] == 300
    assert g.governor.quorum(g.governor.proposalSnapshot(p.id)) == quorum
    # It counts, at 1,300, on proposals snapshotted afterwards.
    later = g.propose([g.ordinary(2)], "the next budget", f1)
    g.wait_snapshot(later)
    assert g.vote(later, whale, AGAINST).events["VoteCast"]["weight"] == 1300


def test_paying_100_times_as_much_buys_10_times_the_part_not_100(suite, roster):
    g, rich, modest = suite, roster["regular"][0], roster["regular"][1]
    sponsor(g, modest, 1)
    tx = sponsor(g, rich, 100)
    sleep(1)
    t = tx.timestamp
    rich_part = g.registry.memberWeightAt(g.member_id(rich), t) - 300
    modest_part = g.registry.memberWeightAt(g.member_id(modest), t) - 300
    assert (rich_part, modest_part) == (1000, 100)
    # Linear weighting would have given the rich member 1,000,000 / 10,000 = 100 times the modest one's part.


def test_the_governors_per_member_cap_bounds_a_bought_weight(capped, roster):
    g, rich, f1 = capped, roster["regular"][0], roster["founding"][0]
    tx = sponsor(g, rich, 100)  # weight 1,300 of a total of 4,200
    sleep(1)
    assert g.registry.memberWeightAt(g.member_id(rich), tx.timestamp) == 1300
    p = g.propose([g.ordinary()], "a budget", f1)
    g.wait_snapshot(p)
    cap = g.governor.proposalWeightCap(p.id)
    assert cap == (TIER_TOTAL + 1000) // 4 == 1050
    assert g.vote(p, rich, AGAINST).events["VoteCast"]["weight"] == cap


def test_outsiders_observers_and_former_members_record_nothing(suite, roster):
    g = suite
    resigned = roster["regular"][3]
    g.registry.resign({"from": resigned})
    for seat in (roster["outsider"], roster["observer"][0], resigned):
        accounts[0].transfer(seat, "2 ether")
        tx = sponsor(g, seat, 1)
        assert "Contributed" in tx.events and "ContributionRecorded" not in tx.events
    sleep(1)
    assert g.ledger.totalPartAt(latest_timestamp() - 1) == 0


def test_nobody_but_the_treasury_and_the_timelock_records(suite, roster):
    g, member = suite, roster["regular"][0]
    mid = g.member_id(member)
    for caller in (member, roster["founding"][0], roster["outsider"]):
        with reverts("LedgerUnauthorized"):
            g.ledger.recordSponsorship(member, 10**20, {"from": caller})
        with reverts("LedgerUnauthorized"):
            g.ledger.attribute(mid, 10**20, "self-credit", {"from": caller})
        with reverts("LedgerUnauthorized"):
            g.ledger.setCounted(mid, True, {"from": caller})


def test_a_member_cannot_vote_itself_weight(suite, roster):
    """Attributing work to a member is that member's case: it is recused, and it needs half of all weight."""
    g, member = suite, roster["founding"][0]
    mid = g.member_id(member)
    p = g.propose([g.call(g.ledger, "attribute", mid, 10**22, "my own work")], "credit me", member)
    g.wait_snapshot(p)
    with reverts("GovernorVoterRecused"):
        g.vote(p, member, FOR)


def test_naming_a_ledger_of_another_registry_fails_in_execution(suite, roster):
    g = suite
    foreign = deploy_suite(roster, contributions=CONTRIBUTIONS, tiers=TIERS)
    p = g.queued_by_founders(roster, [g.call(g.registry, "setContributionsLedger", foreign.ledger)], "a stray ledger")
    with reverts("RegistryInvalidLedger"):
        g.execute_now(p, roster["founding"][0])


def test_a_ledger_swap_does_not_change_a_running_votes_weights(suite, roster):
    g, member, f1 = suite, roster["regular"][0], roster["founding"][0]
    sponsor(g, member, 1)  # part 100
    fresh = ContributionLedger.deploy(g.registry, g.timelock, g.treasury, (UNIT, PERIOD, 0, True, True),
                                      {"from": accounts[0]})
    swap = g.propose([g.call(g.registry, "setContributionsLedger", fresh)], "a fresh ledger", f1)
    g.wait_snapshot(swap)
    sleep(1000)  # so that the running vote is still open when the swap is executed
    running = g.propose([g.ordinary()], "a budget", f1)
    g.wait_snapshot(running)
    quorum = g.governor.quorum(g.governor.proposalSnapshot(running.id))
    for voter in roster["founding"]:
        g.vote(swap, voter, FOR)
    g.wait_deadline(swap)
    g.queue(swap, f1)
    g.execute(swap, f1)
    assert g.registry.contributionsLedger() == fresh
    assert g.governor.state(running.id) == 1  # still Active
    assert g.vote(running, member, FOR).events["VoteCast"]["weight"] == 400
    assert g.governor.quorum(g.governor.proposalSnapshot(running.id)) == quorum
    # From the swap on, the fresh ledger (empty) counts.
    sleep(1)
    assert g.registry.memberWeightAt(g.member_id(member), latest_timestamp() - 1) == 300


def test_a_suspended_members_money_neither_votes_nor_inflates_the_quorum(suite, roster):
    g, member = suite, roster["regular"][0]
    mid = g.member_id(member)
    sponsor(g, member, 25)  # part 500
    p, tx = g.by_founders(roster, [g.call(g.registry, "suspend", mid, "conduct")], "suspend")
    assert tx.events["CountingChanged"]["counted"] is False
    sleep(1)
    t = tx.timestamp
    assert g.registry.memberWeightAt(mid, t) == 0
    assert g.registry.getPastTotalSupply(t) == TIER_TOTAL - 300
    later = g.propose([g.ordinary()], "a budget", roster["founding"][0])
    g.wait_snapshot(later)
    with reverts("GovernorIneligibleVoter"):
        g.vote(later, member, FOR)


def test_a_departed_members_money_leaves_the_total(suite, roster):
    g, member = suite, roster["regular"][0]
    sponsor(g, member, 100)
    sleep(1)
    assert g.registry.getPastTotalSupply(latest_timestamp() - 1) == TIER_TOTAL + 1000
    tx = g.registry.resign({"from": member})
    sleep(1)
    assert g.registry.getPastTotalSupply(tx.timestamp) == TIER_TOTAL - 300
