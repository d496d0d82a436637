"""AdvisoryRegistry: industry advisories about any party, filed by active members at a limited rate,
published, dismissed, updated and retracted only by a confirmer (a mandated body acting k of n, or
governance by vote), answered by their subject; nothing leaves the record."""

import pytest
from brownie import Body, accounts, web3

from tests.governance import error, latest_timestamp, mine_at, reverts

SCAM, EXPLOIT, OTHER = 0, 1, 5
LOW, MEDIUM, HIGH, CRITICAL = 0, 1, 2, 3
NONE, PENDING, PUBLISHED, DISMISSED, WITHDRAWN, RETRACTED = range(6)
HASH, OTHER_HASH, ZERO_HASH = "0x" + "ee" * 32, "0x" + "dd" * 32, "0x" + "00" * 32
ZERO = "0x" + "00" * 20
TOKEN = "eip155:1:0x1111111111111111111111111111111111111111"
WORKING_GROUP = 2
LIMIT, WINDOW = 3, 7 * 86400  # the deployment's defaults


def file(gov, member, subject=TOKEN, account=ZERO, kind=SCAM, severity=HIGH, summary="drains approvals",
         uri="ipfs://evidence", evidence=HASH):
    tx = gov.advisories.file(kind, severity, subject, account, summary, uri, evidence, {"from": member})
    return tx.events["AdvisoryFiled"]["advisoryId"]


@pytest.fixture(scope="module")
def confirmer(gov, roster):
    """An address governance named confirmer (an EOA, so that tests can act as one directly)."""
    account = accounts[6]
    gov.by_founders(roster, [gov.call(gov.advisories, "setConfirmer", account, True)], "Name a confirmer")
    return account


def test_an_active_member_files_an_advisory_about_a_party_outside_the_consortium(gov, roster):
    a, member = gov.advisories, roster["regular"][0]
    tx = a.file(EXPLOIT, CRITICAL, TOKEN, ZERO, "drains approvals", "ipfs://evidence", HASH, {"from": member})
    e = tx.events["AdvisoryFiled"]
    assert dict(e) == {"advisoryId": 1, "filer": gov.member_id(member),
                       "subjectHash": web3.to_hex(web3.keccak(text=TOKEN)), "kind": EXPLOIT, "severity": CRITICAL,
                       "subject": TOKEN, "subjectAccount": ZERO,
                       "summary": "drains approvals", "evidenceURI": "ipfs://evidence", "evidenceHash": HASH}
    record = a.advisory(1)
    assert tuple(record) == (EXPLOIT, CRITICAL, PENDING, 0, latest_timestamp(), 0, gov.member_id(member), ZERO, TOKEN,
                             "drains approvals", "ipfs://evidence", HASH)
    assert a.advisoryCount() == 1
    assert a.replies(1) == []
    observer_filed = file(gov, roster["observer"][0], subject="Thin Markets Ltd")  # any tier files, even without a vote
    assert a.advisory(observer_filed)[8] == "Thin Markets Ltd"


def test_outsiders_and_members_not_in_good_standing_cannot_file(gov, roster):
    outsider, leaver, suspended = roster["outsider"], roster["regular"][3], roster["regular"][2]
    with reverts(error("AdvisoryNotActiveMember", outsider)):
        file(gov, outsider)
    gov.registry.resign({"from": leaver})
    with reverts(error("AdvisoryNotActiveMember", leaver)):
        file(gov, leaver)
    sid = gov.member_id(suspended)
    gov.by_founders(roster, [gov.call(gov.registry, "suspend", sid, "pending inquiry")], "Suspend")
    with reverts(error("AdvisoryNotActiveMember", suspended)):
        file(gov, suspended)


def test_malformed_filings_are_refused_by_name(gov, roster):
    member = roster["regular"][0]
    with reverts("AdvisoryInvalidSubject"):
        file(gov, member, subject="")
    with reverts(error("AdvisoryTextTooLong", 257, 256)):
        file(gov, member, subject="x" * 257)
    with reverts(error("AdvisoryTextTooLong", 1025, 1024)):
        file(gov, member, summary="x" * 1025)
    with reverts("AdvisoryInvalidEvidence"):
        file(gov, member, uri="")
    with reverts("AdvisoryInvalidEvidence"):
        file(gov, member, evidence=ZERO_HASH)
    with reverts(error("AdvisoryTextTooLong", 1025, 1024)):
        file(gov, member, uri="x" * 1025)
    assert gov.advisories.advisoryCount() == 0
    file(gov, member, subject="x" * 256, summary="y" * 1024)  # the limits themselves are allowed


def test_filing_is_rate_limited_per_member_and_the_limit_resets_with_the_window(gov, roster):
    a, member, other = gov.advisories, roster["regular"][0], roster["regular"][1]
    mid = gov.member_id(member)
    assert tuple(a.filingLimit()) == (LIMIT, WINDOW)
    for _ in range(LIMIT):
        file(gov, member)
    remaining, resets_at = a.filingAllowance(mid)
    assert remaining == 0
    assert resets_at == (latest_timestamp() // WINDOW + 1) * WINDOW
    with reverts(error("AdvisoryRateLimited", mid, LIMIT, resets_at)):
        file(gov, member)
    file(gov, other)  # the limit is per member
    mine_at(resets_at)
    assert tuple(a.filingAllowance(mid)) == (LIMIT, resets_at + WINDOW)
    file(gov, member)
    assert a.filingAllowance(mid)[0] == LIMIT - 1


def test_a_new_seat_does_not_reset_the_members_limit(gov, roster):
    a, member, new_seat = gov.advisories, roster["regular"][0], accounts.add()
    for _ in range(LIMIT):
        file(gov, member)
    gov.registry.rotateSeat(new_seat, {"from": member})
    accounts[0].transfer(new_seat, "1 ether")
    with reverts("AdvisoryRateLimited"):
        file(gov, new_seat)
    assert a.filingAllowance(gov.member_id(new_seat))[0] == 0


def test_only_governance_sets_the_limit_and_the_confirmers_and_each_setter_reports_old_and_new(gov, roster):
    a, member = gov.advisories, roster["founding"][0]
    with reverts(error("AdvisoryUnauthorized", member)):
        a.setFilingLimit(100, 1, {"from": member})
    with reverts(error("AdvisoryUnauthorized", member)):
        a.setConfirmer(member, True, {"from": member})
    _, tx = gov.by_founders(roster, [gov.call(a, "setFilingLimit", 0, 86400),
                                     gov.call(a, "setConfirmer", accounts[6], True)], "Close filing")
    assert dict(tx.events["FilingLimitSet"]) == {"oldLimit": LIMIT, "oldWindow": WINDOW, "newLimit": 0,
                                                 "newWindow": 86400}
    assert dict(tx.events["ConfirmerSet"]) == {"confirmer": accounts[6], "oldAllowed": False, "newAllowed": True}
    assert a.isConfirmer(accounts[6]) and a.isConfirmer(gov.timelock) and not a.isConfirmer(member)
    with reverts("AdvisoryRateLimited"):  # a limit of zero closes filing
        file(gov, roster["regular"][0])


def test_a_zero_window_is_refused(gov, roster):
    p = gov.queued_by_founders(roster, [gov.call(gov.advisories, "setFilingLimit", 5, 0)], "Bad window")
    with reverts(error("AdvisoryInvalidFilingLimit", 5, 0)):
        gov.execute_now(p, roster["founding"][0])


def test_only_a_confirmer_decides_and_never_twice(gov, roster, confirmer):
    a, filer = gov.advisories, roster["regular"][0]
    first, second = file(gov, filer), file(gov, filer)
    for caller in (filer, roster["founding"][0], roster["outsider"]):  # the filer, a heavy member, an outsider
        with reverts(error("AdvisoryUnauthorized", caller)):
            a.publish(first, {"from": caller})
        with reverts(error("AdvisoryUnauthorized", caller)):
            a.dismiss(first, "no", {"from": caller})
    tx = a.publish(first, {"from": confirmer})
    assert dict(tx.events["AdvisoryStatusChanged"]) == {"advisoryId": first, "oldStatus": PENDING,
                                                        "newStatus": PUBLISHED, "by": confirmer, "reason": ""}
    record = a.advisory(first)
    assert (record[2], record[3], record[5]) == (PUBLISHED, 0, latest_timestamp())
    tx = a.dismiss(second, "duplicate of 1", {"from": confirmer})
    assert tx.events["AdvisoryStatusChanged"]["reason"] == "duplicate of 1"
    for decided, status in ((first, PUBLISHED), (second, DISMISSED)):
        with reverts(error("AdvisoryInvalidStatus", decided, status)):
            a.publish(decided, {"from": confirmer})
        with reverts(error("AdvisoryInvalidStatus", decided, status)):
            a.dismiss(decided, "", {"from": confirmer})
    for unknown in (0, 3):
        with reverts(error("AdvisoryUnknown", unknown)):
            a.publish(unknown, {"from": confirmer})
        with reverts(error("AdvisoryUnknown", unknown)):
            a.advisory(unknown)
        with reverts(error("AdvisoryUnknown", unknown)):
            a.replies(unknown)


def test_a_removed_confirmer_can_no_longer_decide(gov, roster, confirmer):
    a = gov.advisories
    advisory_id = file(gov, roster["regular"][0])
    gov.by_founders(roster, [gov.call(a, "setConfirmer", confirmer, False)], "Remove the confirmer")
    with reverts(error("AdvisoryUnauthorized", confirmer)):
        a.publish(advisory_id, {"from": confirmer})


def test_a_published_advisory_is_updated_then_retracted_and_stays_in_the_record_as_retracted(gov, roster, confirmer):
    a = gov.advisories
    advisory_id = file(gov, roster["regular"][0], severity=MEDIUM)
    with reverts(error("AdvisoryInvalidStatus", advisory_id, PENDING)):  # only a published one is revised
        a.update(advisory_id, HIGH, "ipfs://more", OTHER_HASH, "second exploit", {"from": confirmer})
    a.publish(advisory_id, {"from": confirmer})
    with reverts(error("AdvisoryUnauthorized", roster["regular"][0])):
        a.update(advisory_id, LOW, "ipfs://more", OTHER_HASH, "", {"from": roster["regular"][0]})
    with reverts("AdvisoryInvalidEvidence"):
        a.update(advisory_id, HIGH, "ipfs://more", ZERO_HASH, "", {"from": confirmer})
    tx = a.update(advisory_id, CRITICAL, "ipfs://more", OTHER_HASH, "second exploit", {"from": confirmer})
    assert dict(tx.events["AdvisoryUpdated"]) == {"advisoryId": advisory_id, "revision": 1, "oldSeverity": MEDIUM,
                                                  "newSeverity": CRITICAL, "evidenceURI": "ipfs://more",
                                                  "evidenceHash": OTHER_HASH, "note": "second exploit"}
    with reverts(error("AdvisoryUnauthorized", roster["regular"][0])):
        a.retract(advisory_id, "mistaken", {"from": roster["regular"][0]})
    tx = a.retract(advisory_id, "the funds were returned", {"from": confirmer})
    assert (tx.events["AdvisoryStatusChanged"]["oldStatus"], tx.events["AdvisoryStatusChanged"]["newStatus"]) == (
        PUBLISHED, RETRACTED)
    record = a.advisory(advisory_id)
    assert (record[1], record[2], record[3], record[10], record[11]) == (CRITICAL, RETRACTED, 1, "ipfs://more",
                                                                        OTHER_HASH)
    for again in (lambda: a.publish(advisory_id, {"from": confirmer}),
                  lambda: a.retract(advisory_id, "", {"from": confirmer}),
                  lambda: a.update(advisory_id, LOW, "u", HASH, "", {"from": confirmer})):
        with reverts(error("AdvisoryInvalidStatus", advisory_id, RETRACTED)):
            again()


def test_the_filer_alone_withdraws_while_pending(gov, roster, confirmer):
    a, filer, other = gov.advisories, roster["regular"][0], roster["regular"][1]
    pending, published = file(gov, filer), file(gov, filer)
    a.publish(published, {"from": confirmer})
    with reverts(error("AdvisoryUnauthorized", other)):
        a.withdraw(pending, {"from": other})
    with reverts(error("AdvisoryUnauthorized", roster["outsider"])):
        a.withdraw(pending, {"from": roster["outsider"]})
    tx = a.withdraw(pending, {"from": filer})
    assert tx.events["AdvisoryStatusChanged"]["newStatus"] == WITHDRAWN
    with reverts(error("AdvisoryInvalidStatus", published, PUBLISHED)):
        a.withdraw(published, {"from": filer})
    with reverts(error("AdvisoryInvalidStatus", pending, WITHDRAWN)):
        a.publish(pending, {"from": confirmer})


def test_the_subject_replies_from_its_own_account_and_a_confirmer_records_replies_for_others(gov, roster, confirmer):
    a, subject = gov.advisories, accounts[9]
    about_account = file(gov, roster["regular"][0], subject=f"eip155:{web3.eth.chain_id}:{subject.address}",
                         account=subject)
    about_entity = file(gov, roster["regular"][0], subject="Thin Markets Ltd")
    tx = a.reply(about_account, "ipfs://answer", OTHER_HASH, {"from": subject})
    assert dict(tx.events["AdvisoryReplied"]) == {"advisoryId": about_account, "replyIndex": 0, "bySubject": True,
                                                  "uri": "ipfs://answer", "contentHash": OTHER_HASH}
    for caller in (roster["regular"][0], confirmer, roster["outsider"]):  # nobody else speaks for the subject
        with reverts(error("AdvisoryNotSubject", about_account, caller)):
            a.reply(about_account, "ipfs://fake", OTHER_HASH, {"from": caller})
    with reverts(error("AdvisoryNotSubject", about_entity, subject)):  # no account named: no direct reply
        a.reply(about_entity, "ipfs://fake", OTHER_HASH, {"from": subject})
    with reverts(error("AdvisoryUnauthorized", roster["regular"][1])):
        a.recordReply(about_entity, "ipfs://letter", HASH, {"from": roster["regular"][1]})
    with reverts("AdvisoryInvalidEvidence"):
        a.recordReply(about_entity, "", HASH, {"from": confirmer})
    a.recordReply(about_entity, "ipfs://letter", HASH, {"from": confirmer})
    (reply,) = a.replies(about_entity)
    assert (reply[0], reply[2], reply[3]) == (False, "ipfs://letter", HASH)
    with reverts(error("AdvisoryUnknown", 9)):
        a.reply(9, "ipfs://answer", OTHER_HASH, {"from": subject})


def test_replies_are_bounded_so_a_subject_cannot_bury_its_advisory(gov, roster):
    a, subject = gov.advisories, accounts[9]
    advisory_id = file(gov, roster["regular"][0], account=subject)
    for _ in range(16):
        a.reply(advisory_id, "ipfs://again", OTHER_HASH, {"from": subject})
    with reverts(error("AdvisoryTooManyReplies", advisory_id, 16)):
        a.reply(advisory_id, "ipfs://again", OTHER_HASH, {"from": subject})
    assert len(a.replies(advisory_id)) == 16


def test_a_mandated_working_group_publishes_k_of_n_and_no_single_member_of_it_can(gov, roster):
    a = gov.advisories
    group = roster["regular"][:3]
    mandate = [(a.address, getattr(a, fn).signature) for fn in ("publish", "dismiss", "update", "retract",
                                                                 "recordReply")]
    create = gov.call(gov.bodies, "create", WORKING_GROUP, "Security working group", 2,
                      [gov.member_id(m) for m in group], mandate)
    _, tx = gov.by_founders(roster, [create], "Create the security working group")
    body = Body.at(tx.events["BodyCreated"]["body"])
    gov.by_founders(roster, [gov.call(a, "setConfirmer", body, True)], "Name it confirmer")
    advisory_id = file(gov, group[0])  # a member of the group files; it still needs a second member
    with reverts(error("AdvisoryUnauthorized", group[0])):
        a.publish(advisory_id, {"from": group[0]})
    tx = body.propose(a, a.publish.encode_input(advisory_id), "publish", {"from": group[0]})
    assert a.advisory(advisory_id)[2] == PENDING
    tx = body.approve(tx.return_value, {"from": group[1]})
    assert tx.events["AdvisoryStatusChanged"]["by"] == body
    assert a.advisory(advisory_id)[2] == PUBLISHED


def test_governance_publishes_by_a_member_vote(gov, roster):
    a = gov.advisories
    advisory_id = file(gov, roster["regular"][0])
    _, tx = gov.by_founders(roster, [gov.call(a, "publish", advisory_id)], "Publish advisory 1")
    assert tx.events["AdvisoryStatusChanged"]["by"] == gov.timelock
    assert a.advisory(advisory_id)[2] == PUBLISHED
