"""The timelock, and nothing else, holds each institution's powers: every governance-only function
refuses the deployer, a founding member and an outsider with its contract's named error."""

import pytest
from brownie import Body, accounts

from tests.governance import reverts

ETH = "0x" + "00" * 20


def test_every_institution_answers_to_the_timelock(gov):
    for contract in (gov.treasury, gov.bodies, gov.standards, gov.conduct):
        assert contract.governance() == gov.timelock.address
    assert gov.registry.duesOracle() == gov.treasury.address


def governance_calls(gov):
    t, s, c, f = gov.treasury, gov.standards, gov.conduct, gov.bodies
    return [
        (t, "spend", (ETH, accounts[6], 1, "m"), "TreasuryUnauthorized"),
        (t, "setBudget", (accounts[6], ETH, 1), "TreasuryUnauthorized"),
        (t, "setDues", (1, 1), "TreasuryUnauthorized"),
        (t, "setDuesTerms", (1, 1), "TreasuryUnauthorized"),
        (t, "setAcceptedToken", (accounts[6], True), "TreasuryUnauthorized"),
        (f, "create", (0, "Council", 1, [1], []), "BodyFactoryUnauthorized"),
        (s, "setPublisher", (accounts[6], True), "StandardsUnauthorized"),
        (s, "adopt", (1,), "StandardsUnauthorized"),
        (s, "deprecate", (1,), "StandardsUnauthorized"),
        (c, "censure", (1, "r", 0), "ConductUnauthorized"),
        (gov.registry, "setDuesOracle", (accounts[6],), "RegistryBootstrapOver"),
    ]


@pytest.mark.parametrize("who", ["deployer", "founding member", "outsider"])
def test_no_other_caller_holds_a_governance_power(gov, roster, who):
    caller = {"deployer": accounts[0], "founding member": roster["founding"][0], "outsider": accounts[9]}[who]
    for contract, fn, args, error in governance_calls(gov):
        with reverts(error):
            getattr(contract, fn)(*args, {"from": caller})


def test_a_body_answers_only_to_the_timelock(gov, roster):
    calls = [gov.call(gov.bodies, "create", 3, "Secretariat", 1, [gov.member_id(roster["regular"][0])], [])]
    _, tx = gov.by_founders(roster, calls, "Create a secretariat")
    body = Body.at(tx.events["BodyCreated"]["body"])
    assert body.governance() == gov.timelock.address
    for caller in (accounts[0], roster["founding"][0], roster["regular"][0]):
        for fn, args in [("appoint", (1,)), ("remove", (1,)), ("setThreshold", (1,)),
                         ("setMandate", (accounts[0], "0x12345678", True)), ("dissolve", ())]:
            with reverts("BodyUnauthorized"):
                getattr(body, fn)(*args, {"from": caller})


def test_the_timelock_exercises_each_power(gov, roster):
    """A passed proposal calls every institution's governance functions: the timelock can. A censure is a
    member's case, so it passes on its own."""
    t, s, c = gov.treasury, gov.standards, gov.conduct
    calls = [gov.call(t, "setBudget", accounts[6], ETH, 5), gov.call(t, "setDues", 2, 0),
             gov.call(t, "setAcceptedToken", accounts[6], True), gov.call(s, "setPublisher", accounts[6], True),
             gov.call(gov.bodies, "create", 0, "Council", 1, [1], [])]
    _, tx = gov.by_founders(roster, calls, "Exercise the powers")
    for event in ("BudgetSet", "DuesSet", "AcceptedTokenSet", "PublisherSet", "BodyCreated"):
        assert event in tx.events
    _, tx = gov.by_founders(roster, [gov.call(c, "censure", 7, "record", 0)], "Censure the observer")
    assert "MemberCensured" in tx.events
