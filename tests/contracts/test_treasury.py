"""Treasury: dues per tier (ETH and ERC-20), lapse and restore, sponsorships and grants, spending and
budgets only through the timelock, and every bad input rejected by name."""

import pytest
from brownie import TestToken, accounts
from brownie.exceptions import VirtualMachineError

from tests.contracts.conftest import DUES_PERIOD, GRACE_PERIOD, deploy_suite
from tests.governance import FOR, reverts, sleep

ETH = "0x" + "00" * 20
FOUNDING_DUES, REGULAR_DUES = 2 * 10**18, 10**18
SPONSORSHIP, GRANT = 0, 1
LAPSED = 5


@pytest.fixture(scope="module")
def token():
    return TestToken.deploy({"from": accounts[0]})


@pytest.fixture(scope="module")
def token_gov(roster, token):
    return deploy_suite(roster, treasury={"dues_token": token.address})


@pytest.fixture(scope="module")
def short_gov(roster):
    """Dues lapse 100 s after a member joins or its paid period ends, well inside a voting period."""
    return deploy_suite(roster, treasury={"dues_period": 2000, "grace_period": 100})



def fund(gov, amount):
    gov.treasury.contribute(GRANT, ETH, amount, "seed grant", {"from": accounts[0], "value": amount})



# ───── dues ─────

def test_anyone_pays_a_members_dues_and_extends_its_paid_until_date(gov, roster):
    t, member = gov.treasury, roster["regular"][0]
    mid = gov.member_id(member)
    joined = gov.registry.member(mid)[3]
    assert t.paidUntil(mid) == joined
    tx = t.payDues(mid, 1, {"from": accounts[9], "value": REGULAR_DUES})
    assert t.paidUntil(mid) == joined + DUES_PERIOD
    event = tx.events["DuesPaid"]
    assert (event["memberId"], event["payer"], event["amount"], event["periods"]) == (mid, accounts[9], REGULAR_DUES, 1)
    assert event["paidUntil"] == joined + DUES_PERIOD
    assert t.balance() == REGULAR_DUES


def test_dues_are_per_tier(gov, roster):
    t = gov.treasury
    assert (t.duesOf(0), t.duesOf(1), t.duesOf(2)) == (FOUNDING_DUES, REGULAR_DUES, 0)
    mid = gov.member_id(roster["founding"][0])
    with reverts("TreasuryWrongValue"):
        t.payDues(mid, 1, {"from": accounts[9], "value": REGULAR_DUES})
    t.payDues(mid, 1, {"from": accounts[9], "value": FOUNDING_DUES})


def test_bad_dues_payments_are_rejected_by_name(gov, roster):
    t = gov.treasury
    mid = gov.member_id(roster["regular"][0])
    with reverts("TreasuryZeroAmount"):
        t.payDues(mid, 0, {"from": accounts[9]})
    with reverts("TreasuryWrongValue"):
        t.payDues(mid, 1, {"from": accounts[9], "value": REGULAR_DUES + 1})
    with reverts("TreasuryNoDues"):
        t.payDues(gov.member_id(roster["observer"][0]), 1, {"from": accounts[9]})
    with reverts("RegistryUnknownMember"):
        t.payDues(99, 1, {"from": accounts[9], "value": REGULAR_DUES})


def test_a_double_payment_is_refused_not_banked(gov, roster):
    t = gov.treasury
    mid = gov.member_id(roster["regular"][1])
    t.payDues(mid, 2, {"from": accounts[9], "value": 2 * REGULAR_DUES})  # this period and the next
    with reverts("TreasuryDuesPaidAhead"):
        t.payDues(mid, 1, {"from": accounts[8], "value": REGULAR_DUES})
    with reverts("TreasuryDuesPaidAhead"):
        t.payDues(gov.member_id(roster["regular"][2]), 3, {"from": accounts[8], "value": 3 * REGULAR_DUES})


def test_dues_of_a_former_member_are_refused(gov, roster):
    leaver = roster["regular"][3]
    mid = gov.member_id(leaver)
    gov.registry.resign({"from": leaver})
    with reverts("TreasuryNotMember"):
        gov.treasury.payDues(mid, 1, {"from": accounts[9], "value": REGULAR_DUES})


def test_plain_transfers_are_refused_so_nothing_is_stranded(gov):
    balance = gov.treasury.balance()
    with pytest.raises(VirtualMachineError):  # no receive function: a bare revert
        accounts[9].transfer(gov.treasury, 10**18)
    assert gov.treasury.balance() == balance


# ───── lapse ─────

def test_unpaid_dues_lapse_after_the_grace_period_and_paying_restores(gov, roster):
    r, t = gov.registry, gov.treasury
    member = roster["regular"][0]
    mid = gov.member_id(member)
    assert not t.duesLapsed(mid)
    with reverts("RegistryDuesCurrent"):
        r.lapse(mid, {"from": accounts[9]})
    sleep(GRACE_PERIOD + 10)
    assert t.duesLapsed(mid)
    assert mid in t.lapsable(1, 10)
    tx = r.lapse(mid, {"from": accounts[9]})  # anyone pokes; the registry checks the oracle itself
    assert tx.events["MemberLapsed"]["memberId"] == mid
    assert r.member(mid)[2] == LAPSED
    assert r.getVotes(member) == 0
    assert not r.canPropose(member)
    with reverts("RegistryInvalidStatus"):
        r.lapse(mid, {"from": accounts[9]})
    with reverts("RegistryDuesOutstanding"):
        r.restore(mid, {"from": accounts[9]})

    tx = t.payDues(mid, 1, {"from": accounts[9], "value": REGULAR_DUES})
    assert "MemberRestored" in tx.events  # the payment made its dues current: restored at once
    assert r.member(mid)[2] == 1
    assert r.getVotes(member) == 1


def test_a_lapsed_member_has_no_vote_on_proposals_snapshotted_after_the_lapse(short_gov, roster):
    gov = short_gov
    r, g = gov.registry, gov.governor
    f1, member = roster["founding"][0], roster["regular"][0]
    mid = gov.member_id(member)
    before = gov.propose([gov.call(r, "reinstate", 1)], "snapshot before the lapse", f1)
    gov.wait_snapshot(before)
    sleep(200)
    r.lapse(mid, {"from": accounts[9]})
    after = gov.propose([gov.call(r, "reinstate", 2)], "snapshot after the lapse", f1)
    gov.wait_snapshot(after)
    gov.vote(before, member, FOR)  # its snapshot predates the lapse: the vote counts
    assert g.proposalVotes(before.id)[1] == 1
    with reverts("GovernorIneligibleVoter"):
        gov.vote(after, member, FOR)
    gov.treasury.payDues(mid, 1, {"from": accounts[9], "value": REGULAR_DUES})
    later = gov.propose([gov.call(r, "reinstate", 3)], "snapshot after the payment", f1)
    gov.wait_snapshot(later)
    gov.vote(later, member, FOR)
    assert g.proposalVotes(later.id)[1] == 1


def test_tiers_without_dues_never_lapse(gov, roster):
    sleep(10 * DUES_PERIOD)
    mid = gov.member_id(roster["observer"][0])
    assert not gov.treasury.duesLapsed(mid)
    assert mid not in gov.treasury.lapsable(1, 10)


def test_lapsable_lists_exactly_the_active_members_whose_dues_lapsed(gov, roster):
    sleep(GRACE_PERIOD + 10)
    t = gov.treasury
    payer = gov.member_id(roster["regular"][1])
    t.payDues(payer, 1, {"from": accounts[9], "value": REGULAR_DUES})
    voting = [gov.member_id(a) for a in (*roster["founding"], *roster["regular"])]
    assert list(t.lapsable(1, 100)) == [m for m in voting if m != payer]
    assert list(t.lapsable(3, 2)) == [m for m in voting if 3 <= m < 5 and m != payer]
    assert list(t.lapsable(50, 10)) == []


def test_dues_in_an_erc20(token_gov, token, roster):
    t = token_gov.treasury
    mid = token_gov.member_id(roster["regular"][0])
    assert t.duesToken() == token.address
    token.mint(accounts[9], 5 * REGULAR_DUES, {"from": accounts[9]})
    with reverts("ERC20InsufficientAllowance"):
        t.payDues(mid, 1, {"from": accounts[9]})
    token.approve(t, REGULAR_DUES, {"from": accounts[9]})
    with reverts("TreasuryWrongValue"):
        t.payDues(mid, 1, {"from": accounts[9], "value": 1})
    t.payDues(mid, 1, {"from": accounts[9]})
    assert token.balanceOf(t) == REGULAR_DUES


# ───── sponsorships, grants, spending ─────

def test_sponsorships_and_grants_are_received_with_a_memo(gov, roster, token):
    t = gov.treasury
    gov.by_founders(roster, [gov.call(t, "setAcceptedToken", token, True)], "Accept grants in the token")
    tx = t.contribute(SPONSORSHIP, ETH, 10**18, "Gold sponsor 2026", {"from": accounts[9], "value": 10**18})
    e = tx.events["Contributed"]
    assert (e["kind"], e["from"], e["token"], e["amount"], e["memo"]) == (SPONSORSHIP, accounts[9], ETH, 10**18,
                                                                         "Gold sponsor 2026")
    token.mint(accounts[9], 500, {"from": accounts[9]})
    token.approve(t, 500, {"from": accounts[9]})
    t.contribute(GRANT, token, 500, "research grant", {"from": accounts[9]})
    assert token.balanceOf(t) == 500


def test_bad_contributions_are_rejected_by_name(gov, roster, token):
    t = gov.treasury
    with reverts("TreasuryZeroAmount"):
        t.contribute(GRANT, ETH, 0, "nothing", {"from": accounts[9]})
    with reverts("TreasuryWrongValue"):
        t.contribute(GRANT, ETH, 10, "short", {"from": accounts[9], "value": 9})
    with reverts("TreasuryTokenNotAccepted"):
        t.contribute(GRANT, token, 10, "a token governance has not listed", {"from": accounts[9]})
    tx = gov.by_founders(roster, [gov.call(t, "setAcceptedToken", token, True)], "Accept the token")[1]
    assert tx.events["AcceptedTokenSet"] == {"token": token, "oldAccepted": False, "accepted": True}
    with reverts("TreasuryWrongValue"):
        t.contribute(GRANT, token, 10, "ETH with a token", {"from": accounts[9], "value": 10})


def test_spending_happens_only_through_the_timelock(gov, roster):
    t = gov.treasury
    fund(gov, 5 * 10**18)
    recipient = accounts[6]
    before = recipient.balance()
    for caller in (accounts[0], roster["founding"][0]):
        with reverts("TreasuryUnauthorized"):
            t.spend(ETH, recipient, 1, "direct", {"from": caller})
    _, tx = gov.by_founders(roster, [gov.call(t, "spend", ETH, recipient, 10**18, "audit fee")], "Pay the audit")
    e = tx.events["Spent"]
    assert (e["recipient"], e["amount"], e["memo"]) == (recipient, 10**18, "audit fee")
    assert recipient.balance() == before + 10**18


def test_spending_more_than_the_treasury_holds_or_to_nobody_fails_by_name(gov, roster):
    t = gov.treasury
    fund(gov, 10**18)
    for args, error in [((ETH, accounts[6], 2 * 10**18, "too much"), "TreasuryInsufficientFunds"),
                        ((ETH, ETH, 1, "burn"), "TreasuryInvalidRecipient"),
                        ((ETH, accounts[6], 0, "zero"), "TreasuryZeroAmount")]:
        p = gov.queued_by_founders(roster, [gov.call(t, "spend", *args)], f"spend {args[3]}")
        with reverts(error):
            gov.execute_now(p, roster["founding"][0])


def test_budgets_are_set_by_governance_and_spent_by_their_holder_up_to_the_allowance(gov, roster):
    t, holder = gov.treasury, accounts[5]
    fund(gov, 3 * 10**18)
    with reverts("TreasuryUnauthorized"):
        t.setBudget(holder, ETH, 10**18, {"from": accounts[0]})
    gov.by_founders(roster, [gov.call(t, "setBudget", holder, ETH, 10**18)], "Budget for the holder")
    assert t.budgetOf(holder, ETH) == 10**18
    with reverts("TreasuryBudgetExceeded"):
        t.spendBudget(ETH, accounts[6], 10**18 + 1, "over", {"from": holder})
    with reverts("TreasuryBudgetExceeded"):
        t.spendBudget(ETH, accounts[6], 1, "not a holder", {"from": accounts[4]})
    tx = t.spendBudget(ETH, accounts[6], 4 * 10**17, "hosting", {"from": holder})
    assert tx.events["BudgetSpent"]["memo"] == "hosting"
    assert t.budgetOf(holder, ETH) == 6 * 10**17


def test_dues_settings_change_only_by_constitutional_vote(gov, roster):
    t, g = gov.treasury, gov.governor
    with reverts("TreasuryUnauthorized"):
        t.setDues(1, 5, {"from": accounts[0]})
    with reverts("TreasuryUnauthorized"):
        t.setDuesTerms(10, 10, {"from": accounts[0]})
    assert g.classify([t.address], [t.setDues.encode_input(1, 5)])[0] == 1
    assert g.classify([t.address], [t.setDuesTerms.encode_input(10, 10)])[0] == 1
    gov.by_founders(roster, [gov.call(t, "setDues", 1, 5), gov.call(t, "setDuesTerms", 100, 50)], "New dues")
    assert (t.duesOf(1), t.duesPeriod(), t.gracePeriod()) == (5, 100, 50)
    p = gov.queued_by_founders(roster, [gov.call(t, "setDuesTerms", 0, 1)], "No period")
    with reverts("TreasuryInvalidTerms"):
        gov.execute_now(p, roster["founding"][0])


def test_the_treasury_is_the_registrys_dues_oracle_and_only_governance_changes_it(gov):
    r = gov.registry
    assert r.duesOracle() == gov.treasury.address
    with reverts("RegistryBootstrapOver"):
        r.setDuesOracle(accounts[0], {"from": accounts[0]})
    assert gov.governor.classify([r.address], [r.setDuesOracle.encode_input(accounts[0])])[0] == 1



def test_one_payment_covers_many_members(gov, roster):
    t = gov.treasury
    ids = [gov.member_id(a) for a in (roster["founding"][0], *roster["regular"][:2])]
    owed = FOUNDING_DUES + 2 * REGULAR_DUES
    with reverts("TreasuryWrongValue"):
        t.payDuesMany(ids, 1, {"from": accounts[9], "value": owed - 1})
    with reverts("TreasuryNoDues"):
        t.payDuesMany([*ids, gov.member_id(roster["observer"][0])], 1, {"from": accounts[9], "value": owed})
    tx = t.payDuesMany(ids, 1, {"from": accounts[9], "value": owed})
    assert [e["memberId"] for e in tx.events["DuesPaid"]] == ids
    assert t.balance() == owed


def test_a_batch_payment_restores_the_lapsed_members_in_it(short_gov, roster):
    gov = short_gov
    r, t = gov.registry, gov.treasury
    ids = [gov.member_id(a) for a in roster["regular"][:2]]
    sleep(200)
    for mid in ids:
        r.lapse(mid, {"from": accounts[9]})
    tx = t.payDuesMany(ids, 1, {"from": accounts[9], "value": 2 * REGULAR_DUES})
    assert [e["memberId"] for e in tx.events["MemberRestored"]] == ids
