"""Bodies: created and staffed by governance, acting k of n inside a mandate and a budget, without a
member vote; everything outside is rejected by name."""

import pytest
from brownie import Body, accounts

from tests.governance import error as custom_error
from tests.governance import reverts

ETH = ZERO = "0x" + "00" * 20
SECRETARIAT, TECHNICAL_COMMITTEE = 3, 1




def create(gov, roster, kind, name, threshold, members, mandate):
    calls = [gov.call(gov.bodies, "create", kind, name, threshold, [gov.member_id(m) for m in members], mandate)]
    _, tx = gov.by_founders(roster, calls, f"Create the {name}")
    return Body.at(tx.events["BodyCreated"]["body"])


@pytest.fixture
def secretariat(gov, roster):
    """2-of-3 secretariat allowed to pay from its treasury budget (1 ether of the 3 held)."""
    t = gov.treasury
    t.contribute(1, ETH, 3 * 10**18, "seed", {"from": accounts[0], "value": 3 * 10**18})
    body = create(gov, roster, SECRETARIAT, "Secretariat", 2, roster["regular"][:3],
                  [(t.address, t.spendBudget.signature)])
    gov.by_founders(roster, [gov.call(t, "setBudget", body, ETH, 10**18)], "Secretariat budget")
    return body


def test_governance_creates_a_body_with_members_threshold_and_mandate(gov, roster, secretariat):
    b = secretariat
    assert gov.bodies.bodies() == [b.address]
    assert gov.bodies.isBody(b)
    assert (b.name(), b.kind(), b.threshold(), b.governance()) == ("Secretariat", SECRETARIAT, 2, gov.timelock)
    assert list(b.members()) == [gov.member_id(m) for m in roster["regular"][:3]]
    assert b.inMandate(gov.treasury, gov.treasury.spendBudget.signature)


def test_only_the_timelock_creates_bodies(gov, roster):
    with reverts("BodyFactoryUnauthorized"):
        gov.bodies.create(0, "Council", 1, [1], [], {"from": roster["founding"][0]})


def test_an_action_within_the_mandate_and_budget_executes_on_the_kth_approval(gov, roster, secretariat):
    r1, r2 = roster["regular"][:2]
    t, payee = gov.treasury, accounts[6]
    before = payee.balance()
    data = t.spendBudget.encode_input(ETH, payee, 4 * 10**17, "venue for the plenary")
    tx = secretariat.propose(t, data, "Pay the venue", {"from": r1})
    action_id = tx.return_value
    assert tx.events["ActionApproved"]["approvals"] == 1
    assert "ActionExecuted" not in tx.events
    assert payee.balance() == before
    tx = secretariat.approve(action_id, {"from": r2})
    assert "ActionExecuted" in tx.events
    assert tx.events["BudgetSpent"]["memo"] == "venue for the plenary"
    assert payee.balance() == before + 4 * 10**17
    assert t.budgetOf(secretariat, ETH) == 6 * 10**17
    action = secretariat.action(action_id)
    assert (action[0], action[3], action[4]) == (t.address, 2, True)
    with reverts("BodyActionExecuted"):
        secretariat.approve(action_id, {"from": roster["regular"][2]})


def test_an_action_outside_the_mandate_reverts(gov, roster, secretariat):
    t, r, member = gov.treasury, gov.registry, {"from": roster["regular"][0]}
    with reverts("BodyOutsideMandate"):
        secretariat.propose(t, t.spend.encode_input(ETH, accounts[6], 1, "x"), "Spend directly", member)
    with reverts("BodyOutsideMandate"):
        secretariat.propose(r, r.suspend.encode_input(1, "x"), "Suspend", member)
    with reverts("BodyOutsideMandate"):
        secretariat.propose(t, b"", "No selector", member)


def test_an_action_over_the_budget_reverts(gov, roster, secretariat):
    t = gov.treasury
    data = t.spendBudget.encode_input(ETH, accounts[6], 10**18 + 1, "too much")
    action_id = secretariat.propose(t, data, "Overspend", {"from": roster["regular"][0]}).return_value
    with reverts("TreasuryBudgetExceeded"):
        secretariat.approve(action_id, {"from": roster["regular"][1]})
    assert not secretariat.action(action_id)[4]


def test_a_mandate_withdrawn_while_an_action_waits_stops_it(gov, roster, secretariat):
    t = gov.treasury
    data = t.spendBudget.encode_input(ETH, accounts[6], 1, "fee")
    action_id = secretariat.propose(t, data, "Fee", {"from": roster["regular"][0]}).return_value
    gov.by_founders(roster, [gov.call(secretariat, "setMandate", t, t.spendBudget.signature, False)], "Revoke")
    with reverts("BodyOutsideMandate"):
        secretariat.approve(action_id, {"from": roster["regular"][1]})


def test_body_member_checks(gov, roster, secretariat):
    r1, r2 = roster["regular"][:2]
    t = gov.treasury
    data = t.spendBudget.encode_input(ETH, accounts[6], 1, "fee")
    with reverts("BodyNotBodyMember"):
        secretariat.propose(t, data, "outsider", {"from": roster["founding"][0]})
    with reverts("BodyNotBodyMember"):
        secretariat.propose(t, data, "not a member at all", {"from": accounts[9]})
    action_id = secretariat.propose(t, data, "Fee", {"from": r1}).return_value
    with reverts("BodyAlreadyApproved"):
        secretariat.approve(action_id, {"from": r1})
    with reverts("BodyUnknownAction"):
        secretariat.approve(action_id + 1, {"from": r2})
    with reverts("BodyUnknownAction"):
        secretariat.action(action_id + 1)
    gov.registry.resign({"from": r2})  # no longer a consortium member: its seat no longer speaks
    with reverts("BodyNotBodyMember"):
        secretariat.approve(action_id, {"from": r2})


def test_a_suspended_body_member_cannot_act(gov, roster, secretariat):
    r1 = roster["regular"][0]
    gov.by_founders(roster, [gov.call(gov.registry, "suspend", gov.member_id(r1), "misconduct")], "Suspend r1")
    with reverts("BodyNotConsortiumMember"):
        secretariat.propose(gov.treasury, gov.treasury.spendBudget.encode_input(ETH, accounts[6], 1, "x"), "x",
                            {"from": r1})


def test_governance_appoints_and_removes_members_and_sets_the_threshold(gov, roster, secretariat):
    b, r4, observer = secretariat, roster["regular"][3], roster["observer"][0]
    gov.by_founders(roster, [gov.call(b, "appoint", gov.member_id(r4)), gov.call(b, "setThreshold", 3),
                                gov.call(b, "remove", gov.member_id(roster["regular"][0]))], "Reshape")
    # Removal moves the last member into the freed place (OZ EnumerableSet).
    assert list(b.members()) == [gov.member_id(m) for m in (r4, roster["regular"][1], roster["regular"][2])]
    assert b.threshold() == 3
    gov.by_founders(roster, [gov.call(b, "appoint", gov.member_id(observer))], "Observers may sit on bodies")
    assert b.isMember(gov.member_id(observer))


def test_bad_appointments_and_thresholds_are_rejected_by_name(gov, roster, secretariat):
    b = secretariat
    for call, error in [(("appoint", gov.member_id(roster["regular"][0])), "BodyAlreadyMember"),
                        (("appoint", 99), "RegistryUnknownMember"),
                        (("remove", gov.member_id(roster["founding"][0])), "BodyNotMember"),
                        (("setThreshold", 4), "BodyInvalidThreshold"),
                        (("setThreshold", 0), "BodyInvalidThreshold")]:
        p = gov.queued_by_founders(roster, [gov.call(b, *call)], f"bad {call}")
        with reverts(error):
            gov.execute_now(p, roster["founding"][0])


def test_a_removal_that_makes_the_threshold_unreachable_is_refused(gov, roster):
    t = gov.treasury
    b = create(gov, roster, SECRETARIAT, "Pair", 2, roster["regular"][:2], [(t.address, t.spendBudget.signature)])
    p = gov.queued_by_founders(roster, [gov.call(b, "remove", gov.member_id(roster["regular"][0]))], "Leave one")
    with reverts("BodyInvalidThreshold"):
        gov.execute_now(p, roster["founding"][0])


def test_a_body_of_non_members_cannot_be_created(gov, roster):
    suspended = roster["regular"][3]
    gov.by_founders(roster, [gov.call(gov.registry, "suspend", gov.member_id(suspended), "x")], "Suspend")
    calls = [gov.call(gov.bodies, "create", 0, "Council", 1, [gov.member_id(suspended)], [])]
    p = gov.queued_by_founders(roster, calls, "Council of the suspended")
    with reverts("BodyNotConsortiumMember"):
        gov.execute_now(p, roster["founding"][0])


def test_a_dissolved_body_can_do_nothing(gov, roster, secretariat):
    gov.by_founders(roster, [gov.call(secretariat, "dissolve")], "Dissolve the secretariat")
    assert secretariat.dissolved()
    with reverts("BodyDissolved"):
        secretariat.propose(gov.treasury, gov.treasury.spendBudget.encode_input(ETH, accounts[6], 1, "x"), "x",
                            {"from": roster["regular"][0]})


def test_only_the_timelock_governs_a_body(gov, roster, secretariat):
    for caller in (accounts[0], roster["regular"][0]):
        for fn, args in [("appoint", (1,)), ("remove", (1,)), ("setThreshold", (1,)),
                         ("setMandate", (accounts[0], "0x12345678", True)), ("dissolve", ())]:
            with reverts("BodyUnauthorized"):
                getattr(secretariat, fn)(*args, {"from": caller})


def test_a_technical_committee_publishes_a_draft_within_its_mandate(gov, roster):
    s = gov.standards
    tc = create(gov, roster, TECHNICAL_COMMITTEE, "Technical Committee", 1, roster["regular"][:2],
                [(s.address, s.publishDraft.signature)])
    gov.by_founders(roster, [gov.call(s, "setPublisher", tc, True)], "The TC publishes drafts")
    data = s.publishDraft.encode_input("Travel Rule messaging", "1.0", "0x" + "ab" * 32, "ipfs://tr-1.0", 0)
    tx = tc.propose(s, data, "Publish the Travel Rule draft", {"from": roster["regular"][0]})
    assert tx.events["StandardDrafted"]["publisher"] == tc.address
    assert s.standard(1)[0] == "Travel Rule messaging"


# ───────────────────────── the elector (the election registry, or whoever governance names) ─────────────────────────

def test_only_governance_names_the_elector(gov, roster, secretariat):
    b, stand_in = secretariat, accounts[5]
    for caller in (accounts[0], roster["regular"][0], stand_in):
        with reverts(custom_error("BodyUnauthorized", caller)):
            b.setElector(stand_in, {"from": caller})
    _, tx = gov.by_founders(roster, [gov.call(b, "setElector", stand_in)], "Name an elector")
    assert [(e["oldElector"], e["newElector"]) for e in tx.events["ElectorSet"]] == [(ZERO, stand_in.address)]
    assert b.elector() == stand_in
    tx = b.setElector(gov.elections, {"from": gov.as_governance()})
    assert (tx.events["ElectorSet"]["oldElector"], tx.events["ElectorSet"]["newElector"]) == (
        stand_in.address, gov.elections.address)
    with reverts(custom_error("BodyUnauthorized", stand_in)):  # the former elector
        b.appoint(gov.member_id(roster["regular"][3]), {"from": stand_in})


def test_the_elector_appoints_and_vacates_seats_and_nobody_else_does(gov, roster, secretariat):
    b, elector, g = secretariat, accounts[5], gov.as_governance()
    r1, r2, r3, r4 = (gov.member_id(r) for r in roster["regular"])
    b.setElector(elector, {"from": g})
    b.setThreshold(3, {"from": g})
    tx = b.appoint(r4, {"from": elector})
    assert tx.events["BodyMemberAppointed"]["memberId"] == r4
    tx = b.vacate(r1, {"from": elector})
    assert tx.events["BodyMemberRemoved"]["memberId"] == r1
    with reverts(custom_error("BodyNotMember", r1)):
        b.vacate(r1, {"from": elector})
    tx = b.vacate(r4, {"from": elector})  # two members left under a threshold of three: it stays
    assert b.threshold() == 3 and sorted(b.members()) == [r2, r3]
    for caller in (accounts[0], roster["regular"][1], roster["founding"][0], g):
        with reverts(custom_error("BodyUnauthorized", caller)):
            b.vacate(r2, {"from": caller})
    for caller in (accounts[0], roster["regular"][1]):
        with reverts(custom_error("BodyUnauthorized", caller)):
            b.appoint(r4, {"from": caller})
    b.appoint(r4, {"from": g})  # governance still staffs the body itself
    gov.registry.suspend(r1, "x", {"from": g})
    with reverts(custom_error("BodyNotConsortiumMember", r1)):
        b.appoint(r1, {"from": elector})
    b.dissolve({"from": g})
    with reverts("BodyDissolved"):
        b.appoint(gov.member_id(roster["founding"][0]), {"from": elector})
    with reverts("BodyDissolved"):
        b.vacate(r2, {"from": elector})
    with reverts("BodyDissolved"):
        b.setElector(elector, {"from": g})
