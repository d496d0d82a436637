"""ConductRecord: public reports by voting members, censures by governance, and automatic recusal of the
member a conduct proposal is about."""

from brownie import accounts

from tests.governance import FOR, advance_past, reverts

HASH = "0x" + "ee" * 32



def test_a_voting_member_files_a_public_report_about_another(gov, roster):
    c = gov.conduct
    reporter, subject = roster["regular"][0], roster["regular"][1]
    tx = c.fileReport(gov.member_id(subject), "ipfs://evidence", HASH, {"from": reporter})
    e = tx.events["ReportFiled"]
    assert (e["reportId"], e["reporter"], e["subject"]) == (1, gov.member_id(reporter), gov.member_id(subject))
    report = c.report(1)
    assert (report[0], report[1], report[2], report[3]) == (gov.member_id(reporter), gov.member_id(subject),
                                                            "ipfs://evidence", HASH)
    assert c.reportCount() == 1


def test_bad_reports_are_rejected_by_name(gov, roster):
    c = gov.conduct
    reporter = roster["regular"][0]
    with reverts("ConductNotVotingMember"):
        c.fileReport(1, "e", HASH, {"from": accounts[9]})
    with reverts("ConductNotVotingMember"):
        c.fileReport(1, "e", HASH, {"from": roster["observer"][0]})  # observers have no vote
    with reverts("ConductSelfReport"):
        c.fileReport(gov.member_id(reporter), "e", HASH, {"from": reporter})
    with reverts("ConductUnknownMember"):
        c.fileReport(42, "e", HASH, {"from": reporter})
    with reverts("ConductUnknownMember"):
        c.fileReport(0, "e", HASH, {"from": reporter})
    with reverts("ConductInvalidEvidence"):
        c.fileReport(1, "", HASH, {"from": reporter})
    with reverts("ConductInvalidEvidence"):
        c.fileReport(1, "e", "0x" + "00" * 32, {"from": reporter})
    with reverts("ConductUnknownReport"):
        c.report(1)
    leaver = roster["regular"][3]
    gov.registry.resign({"from": leaver})
    with reverts("ConductUnknownMember"):
        c.fileReport(gov.member_id(leaver) or 6, "e", HASH, {"from": reporter})


def test_governance_censures_and_the_member_concerned_is_recused(gov, roster):
    c, g = gov.conduct, gov.governor
    f1, f2 = roster["founding"]
    subject = f2
    sid = gov.member_id(subject)
    c.fileReport(sid, "ipfs://evidence", HASH, {"from": roster["regular"][0]})
    p = gov.propose([gov.call(c, "censure", sid, "late disclosure of a breach", 1)], "Censure f2", f1)
    assert g.memberMarks(p.id, sid) == (False, True)
    gov.wait_snapshot(p)
    with reverts("GovernorVoterRecused"):
        gov.vote(p, subject, FOR)
    for voter in (f1, *roster["regular"]):  # 7 of the 10: more than half of all weight, as a member's case needs
        gov.vote(p, voter, FOR)
    gov.wait_deadline(p)
    gov.queue(p, f1)
    tx = gov.execute(p, f1)
    e = tx.events["MemberCensured"]
    assert (e["censureId"], e["memberId"], e["reportId"], e["reason"]) == (1, sid, 1, "late disclosure of a breach")
    record = c.censureRecord(1)
    assert (record[0], record[1], record[2]) == (sid, 1, "late disclosure of a breach")
    assert c.censureCount() == 1


def test_suspension_and_expulsion_proposals_recuse_their_subject(gov, roster):
    g, r = gov.governor, gov.registry
    target = gov.member_id(roster["regular"][1])
    proposers = [roster["founding"][0], roster["founding"][1], roster["regular"][0]]
    for proposer, (fn, args) in zip(proposers, [("suspend", (target, "x")), ("expel", (target, "x")),
                                                ("changeTier", (target, 0))], strict=True):
        p = gov.propose([gov.call(r, fn, *args)], f"{fn} the member", proposer)
        assert g.memberMarks(p.id, target) == (False, True), fn
    p = gov.propose([gov.call(r, "reinstate", target)], "reinstate is not about recusal", roster["regular"][2])
    assert g.memberMarks(p.id, target) == (False, False)


def test_recusal_at_propose_is_an_event_and_a_batch_ballot_from_the_subject_is_rejected(gov, roster):
    g, c = gov.governor, gov.conduct
    f1 = roster["founding"][0]
    subject = roster["regular"][0]
    sid = gov.member_id(subject)
    tx = g.propose([c.address], [0], [c.censure.encode_input(sid, "x", 0)], "Censure r1", {"from": f1})
    pid = tx.events["ProposalCreated"]["proposalId"]
    assert tx.events["SubjectRecused"]["memberId"] == sid
    advance_past(g.proposalSnapshot(pid))
    ballot = gov.member_ballot(subject.private_key, pid, FOR)
    tx = gov.cast_batch(pid, [ballot], f1)
    assert tx.events["BallotRejected"]["reason"] == 4  # Recused


def test_only_the_timelock_censures(gov, roster):
    with reverts("ConductUnauthorized"):
        gov.conduct.censure(1, "x", 0, {"from": roster["founding"][0]})
    with reverts("ConductUnauthorized"):
        gov.conduct.censure(1, "x", 0, {"from": accounts[0]})


def test_censure_of_an_unknown_member_or_report_fails_by_name(gov, roster):
    c = gov.conduct
    f1, f2 = roster["founding"]
    for args, error in [((99, "x", 0), "ConductUnknownMember"), ((3, "x", 5), "ConductUnknownReport")]:
        p = gov.queued_by_founders(roster, [gov.call(c, "censure", *args)], f"censure {args}")
        with reverts(error):
            gov.execute_now(p, roster["founding"][0])


def test_unknown_censures_are_refused_by_name(gov):
    with reverts("ConductUnknownCensure"):
        gov.conduct.censureRecord(1)
    assert gov.conduct.censureCount() == 0
