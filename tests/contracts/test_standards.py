"""StandardsRegistry: drafts from publishers, adoption and deprecation by constitutional vote,
supersession, and attestations of compliance by members only."""

import pytest
from brownie import accounts

from tests.governance import reverts

DRAFT, ADOPTED, SUPERSEDED, DEPRECATED = 1, 2, 3, 4
HASH = "0x" + "cd" * 32




@pytest.fixture
def publisher(gov, roster):
    gov.by_founders(roster, [gov.call(gov.standards, "setPublisher", accounts[5], True)], "Publisher")
    return accounts[5]


@pytest.fixture
def adopted(gov, roster, publisher):
    s = gov.standards
    s.publishDraft("Proof of reserves", "1.0", HASH, "ipfs://por-1.0", 0, {"from": publisher})
    gov.by_founders(roster, [gov.call(s, "adopt", 1)], "Adopt proof of reserves 1.0")
    return 1


def test_a_publisher_publishes_drafts(gov, publisher):
    s = gov.standards
    tx = s.publishDraft("Proof of reserves", "1.0", HASH, "ipfs://por-1.0", 0, {"from": publisher})
    e = tx.events["StandardDrafted"]
    assert (e["standardId"], e["title"], e["version"], e["uri"]) == (1, "Proof of reserves", "1.0", "ipfs://por-1.0")
    st = s.standard(1)
    assert (st[0], st[1], st[2], st[4], st[6]) == ("Proof of reserves", "1.0", HASH, DRAFT, publisher)
    assert s.standardCount() == 1


def test_bad_drafts_are_rejected_by_name(gov, publisher):
    s = gov.standards
    with reverts("StandardsUnauthorized"):
        s.publishDraft("T", "1", HASH, "u", 0, {"from": accounts[0]})
    for title, version, content in [("", "1", HASH), ("T", "", HASH), ("T", "1", "0x" + "00" * 32)]:
        with reverts("StandardsInvalidDraft"):
            s.publishDraft(title, version, content, "u", 0, {"from": publisher})
    with reverts("StandardsUnknown"):
        s.publishDraft("T", "2", HASH, "u", 7, {"from": publisher})
    s.publishDraft("T", "1", HASH, "u", 0, {"from": publisher})
    with reverts("StandardsInvalidStatus"):  # only an adopted standard can be superseded
        s.publishDraft("T", "2", HASH, "u", 1, {"from": publisher})


def test_adoption_and_deprecation_are_constitutional(gov):
    s, g = gov.standards, gov.governor
    assert g.classify([s.address], [s.adopt.encode_input(1)])[0] == 1
    assert g.classify([s.address], [s.deprecate.encode_input(1)])[0] == 1
    assert g.classify([s.address], [s.setPublisher.encode_input(accounts[0], True)])[0] == 0
    with reverts("StandardsUnauthorized"):
        s.adopt(1, {"from": accounts[0]})
    with reverts("StandardsUnauthorized"):
        s.deprecate(1, {"from": accounts[0]})
    with reverts("StandardsUnauthorized"):
        s.setPublisher(accounts[0], True, {"from": accounts[0]})


def test_a_standard_is_adopted_then_superseded_by_its_next_version(gov, roster, publisher, adopted):
    s = gov.standards
    assert s.standard(adopted)[4] == ADOPTED
    s.publishDraft("Proof of reserves", "2.0", HASH, "ipfs://por-2.0", adopted, {"from": publisher})
    _, tx = gov.by_founders(roster, [gov.call(s, "adopt", 2)], "Adopt proof of reserves 2.0")
    assert [e["status"] for e in tx.events["StandardStatusChanged"]] == [ADOPTED, SUPERSEDED]
    assert (s.standard(1)[4], s.standard(2)[4]) == (SUPERSEDED, ADOPTED)


def test_deprecation_and_invalid_transitions(gov, roster, adopted):
    s = gov.standards
    gov.by_founders(roster, [gov.call(s, "deprecate", adopted)], "Deprecate")
    assert s.standard(adopted)[4] == DEPRECATED
    for fn, sid, error in [("adopt", adopted, "StandardsInvalidStatus"),
                           ("deprecate", adopted, "StandardsInvalidStatus"), ("adopt", 9, "StandardsUnknown")]:
        p = gov.queued_by_founders(roster, [gov.call(s, fn, sid)], f"{fn} {sid} again")
        with reverts(error):
            gov.execute_now(p, roster["founding"][0])


def test_members_attest_compliance_and_withdraw(gov, roster, adopted):
    s = gov.standards
    a, b = roster["regular"][:2]
    tx = s.attest(adopted, "https://a.example/por-report", {"from": a})
    assert tx.events["ComplianceAttested"]["evidenceURI"] == "https://a.example/por-report"
    s.attest(adopted, "https://b.example/por", {"from": b})
    assert list(s.attesters(adopted)) == [gov.member_id(a), gov.member_id(b)]
    assert list(s.attestedBy(gov.member_id(a))) == [adopted]
    assert s.attestation(adopted, gov.member_id(a))[1] == "https://a.example/por-report"
    tx = s.withdraw(adopted, {"from": a})
    assert tx.events["ComplianceWithdrawn"]["memberId"] == gov.member_id(a)
    assert list(s.attesters(adopted)) == [gov.member_id(b)]
    assert list(s.attestedBy(gov.member_id(a))) == []


def test_bad_attestations_are_rejected_by_name(gov, roster, publisher, adopted):
    s = gov.standards
    member = roster["regular"][0]
    with reverts("StandardsNotMember"):
        s.attest(adopted, "e", {"from": accounts[9]})
    with reverts("StandardsUnknown"):
        s.attest(5, "e", {"from": member})
    s.publishDraft("Draft only", "0.1", HASH, "u", 0, {"from": publisher})
    with reverts("StandardsInvalidStatus"):
        s.attest(2, "e", {"from": member})
    s.attest(adopted, "e", {"from": member})
    with reverts("StandardsAlreadyAttested"):
        s.attest(adopted, "e", {"from": member})
    with reverts("StandardsNotAttested"):
        s.withdraw(adopted, {"from": roster["regular"][1]})
    with reverts("StandardsNotMember"):
        s.withdraw(adopted, {"from": accounts[9]})


def test_a_suspended_member_cannot_attest(gov, roster, adopted):
    member = roster["regular"][0]
    gov.by_founders(roster, [gov.call(gov.registry, "suspend", gov.member_id(member), "x")], "Suspend")
    with reverts("StandardsNotMember"):
        gov.standards.attest(adopted, "e", {"from": member})
