"""The events projected into the derived tables (schema.py), inside the transaction that stores them.

A handler per (contract, event) turns one decoded event into one row; where a row needs earlier state
(a member's seat and tier before a change, the tier a voter had at a proposal's snapshot) it asks the
Projection, which loads the members' history and the proposals' snapshots once per range and keeps
them current as it goes; rows are written in one bulk insert per table. `relayed` says, per vote
transaction, whether it called the governor's batch entry point: a ballot is relayed only then (a
contract wallet voting through its owner's transaction is not, though its sender is not the voter)."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import defaultdict

from sqlalchemy import select, update

from orchestrator.chain.artifacts import enum_names
from orchestrator.observers.indexer.schema import (
    advisories,
    advisory_changes,
    approval_ballots,
    approvals,
    ballots,
    bodies,
    body_events,
    candidates,
    commitments,
    conduct_records,
    contributions,
    election_ballots,
    election_changes,
    elections,
    member_changes,
    proposal_events,
    proposals,
    recusals,
    standard_changes,
    standards,
    treasury_flows,
)

BODY_KINDS = ["council", "technical-committee", "working-group", "secretariat"]
STANDARD_STATUSES = ["none", "draft", "adopted", "superseded", "deprecated"]
CONTRIBUTIONS = ["sponsorship", "grant"]
MEMBER_CHANGES = {  # event -> (change, status after it; None: unchanged)
    "MemberAdmitted": ("admitted", "active"), "MemberTierChanged": ("tier", None),
    "MemberSuspended": ("suspended", "suspended"), "MemberReinstated": ("reinstated", "active"),
    "MemberExpelled": ("expelled", "expelled"), "MemberResigned": ("resigned", "resigned"),
    "MemberLapsed": ("lapsed", "lapsed"), "MemberRestored": ("restored", "active"), "SeatRotated": ("seat", None),
}
ZERO_ADDRESS = "0x" + "00" * 20
# A subject that is a 0x address, bare or as the account of a CAIP-10 id (namespace:reference:address).
_ADDRESS_SUBJECT = re.compile(r"((?:[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}:)?)(0x[0-9a-fA-F]{40})")
PROPOSAL_EVENTS = {"ProposalQueued": ("queued", "etaSeconds"), "ProposalExecuted": ("executed", None),
                   "ProposalCanceled": ("canceled", None), "ProposalExtended": ("extended", "extendedDeadline"),
                   "ProposalSealed": ("sealed", "revealStart")}


def project(db, found, times: dict[int, int], relayed: dict[str, bool], insert) -> None:
    """Derive rows from `found` (in chain order). `insert` is the dialect's insert (idempotent)."""
    projection = Projection(db)
    rows: dict = defaultdict(list)
    for e in found:
        handler = HANDLERS.get((e.contract, e.event))
        if handler is None:
            continue
        base = {"tx_hash": e.tx_hash, "log_index": e.log_index, "block_number": e.block_number,
                "timestamp": times[e.block_number]}
        for table, row in handler(projection, e, e.arguments(), relayed):
            row = {**base, **row}
            projection.saw(table, row)
            rows[table].append(row)
    for table, values in rows.items():
        db.execute(insert(table).on_conflict_do_nothing(), values)
    for proposal_id, kind in projection.kinds.items():  # proposals stored by an earlier range
        db.execute(update(proposals).where(proposals.c.proposal_id == proposal_id).values(kind=kind))


class Projection:
    """What handlers need to know about earlier events: members' history, proposals' snapshots."""

    def __init__(self, db):
        self.history: dict[int, list] = defaultdict(list)  # member id -> [(timestamp, seat, tier, status)]
        self.seats: dict[str, int] = {}
        for r in db.execute(select(member_changes).order_by(member_changes.c.block_number,
                                                             member_changes.c.log_index)):
            self._remember(r.member_id, r.timestamp, r.seat, r.tier, r.status)
        self.snapshots = dict(db.execute(select(proposals.c.proposal_id, proposals.c.snapshot)).all())
        self.pending: dict[str, dict] = {}  # proposals created in this range, by id
        # proposals that are an election's ballot: their counted ballots are approval ballots
        self.election_ballots = set(db.execute(select(election_ballots.c.proposal_id)).scalars())
        self.kinds: dict[str, str] = {}  # kinds for proposals created before this range

    def saw(self, table, row: dict) -> None:
        if table is member_changes:
            self._remember(row["member_id"], row["timestamp"], row["seat"], row["tier"], row["status"])
        elif table is proposals:
            self.snapshots[row["proposal_id"]] = row["snapshot"]
            self.pending[row["proposal_id"]] = row
        elif table is election_ballots:
            self.election_ballots.add(row["proposal_id"])

    def latest(self, member_id: int):
        entries = self.history.get(member_id)
        return entries[-1] if entries else None

    def at(self, member_id: int, timestamp: int):
        """The member's (timestamp, seat, tier, status) in force at `timestamp`, or None."""
        entries = self.history.get(member_id, [])
        i = bisect_right([entry[0] for entry in entries], timestamp)
        return entries[i - 1] if i else None

    def set_kind(self, proposal_id: str, kind: str) -> None:
        if proposal_id in self.pending:
            self.pending[proposal_id]["kind"] = kind
        else:
            self.kinds[proposal_id] = kind

    def _remember(self, member_id: int, timestamp: int, seat: str, tier: int, status: str) -> None:
        self.history[member_id].append((timestamp, seat, tier, status))
        self.seats[seat] = member_id


def _member_change(ctx, e, a, relayed):
    change, status = MEMBER_CHANGES[e.event]
    member_id = int(a["memberId"])
    if e.event == "MemberAdmitted":
        return [(member_changes, {"member_id": member_id, "change": change, "seat": a["seat"], "tier": a["tier"],
                                  "status": status, "detail": a["metadataURI"]})]
    before = ctx.latest(member_id)
    if before is None:  # history before the index started: nothing to derive from
        return []
    _, seat, tier, previous_status = before
    return [(member_changes, {
        "member_id": member_id, "change": change, "seat": a.get("newSeat", seat), "tier": a.get("newTier", tier),
        "status": status or previous_status, "detail": a.get("reason", ""),
    })]


def _proposal_created(ctx, e, a, relayed):
    description = a["description"]
    calls = [{"target": t, "value": str(v), "data": d} for t, v, d in zip(a["targets"], a["values"], a["calldatas"],
                                                                          strict=True)]
    title = description.strip().splitlines()[0] if description.strip() else "(no description)"
    return [(proposals, {"proposal_id": str(a["proposalId"]), "proposer": a["proposer"], "kind": "ordinary",
                         "title": title, "description": description, "snapshot": int(a["voteStart"]),
                         "deadline": int(a["voteEnd"]), "calls": json.dumps(calls)})]


def _proposal_classified(ctx, e, a, relayed):
    # Emitted in the proposal's own transaction, so the row and this update share a block (and an unwind).
    ctx.set_kind(str(a["proposalId"]), enum_names("IConsortiumGovernor", "ProposalKind")[a["kind"]])
    return []


def _proposal_event(ctx, e, a, relayed):
    name, field = PROPOSAL_EVENTS[e.event]
    return [(proposal_events, {"proposal_id": str(a["proposalId"]), "event": name,
                               "value": int(a[field]) if field else None})]


def _vote(ctx, e, a, relayed):
    proposal_id = str(a["proposalId"])
    member_id = ctx.seats.get(a["voter"])
    snapshot = ctx.snapshots.get(proposal_id)
    if member_id is None or snapshot is None:
        return []
    at_snapshot = ctx.at(member_id, snapshot)
    tier = at_snapshot[2] if at_snapshot is not None else -1
    return [(ballots, {"proposal_id": proposal_id, "member_id": member_id, "voter": a["voter"],
                       "tier": tier, "support": a["support"], "weight": int(a["weight"]), "reason": a["reason"],
                       "relayed": int(relayed.get(e.tx_hash, False))})]


def _approval_ballot(ctx, e, a, relayed):
    """A counted approval ballot: a row of `ballots` (for, or abstain approving nobody, as the chain counted it),
    of `approval_ballots` with its bitmap (the params, abi.encode(uint256)), and of `approvals` per candidate it
    approves. VoteCastWithParams on anything but an election ballot (the governor emits none) is not derived."""
    proposal_id = str(a["proposalId"])
    found = _vote(ctx, e, {**a, "reason": ""}, relayed)
    if not found or proposal_id not in ctx.election_ballots:
        return []
    (_, ballot), = found
    bitmap = int.from_bytes(bytes.fromhex(a["params"][2:]), "big")
    ballot["relayed"] = int(relayed.get((e.tx_hash, a["voter"].lower()), False))
    common = {"proposal_id": proposal_id, "member_id": ballot["member_id"], "tier": ballot["tier"],
              "weight": ballot["weight"]}
    rows = [(ballots, ballot),
            (approval_ballots, {**common, "voter": a["voter"], "approvals": str(bitmap), "relayed": ballot["relayed"]})]
    rows += [(approvals, {**common, "candidate": c}) for c in range(bitmap.bit_length()) if bitmap >> c & 1]
    return rows


def _election_ballot(ctx, e, a, relayed):
    return [(election_ballots, {"proposal_id": str(a["proposalId"]), "registry": a["elections"],
                                "election_id": str(a["electionId"]), "candidates": int(a["candidates"])})]


def _election_opened(ctx, e, a, relayed):
    return [(elections, {"election_id": int(a["electionId"]), "registry": e.address, "body": a["body"],
                         "seats": a["seats"], "reserved": json.dumps([list(r) for r in a["reserved"]]),
                         "nominations_end": a["nominationsEnd"], "term_end": a["termEnd"], "title": a["title"]})]


def _candidacy(ctx, e, a, relayed):
    nominated = e.event == "CandidateNominated"
    return [(candidates, {"election_id": int(a["electionId"]), "candidate": int(a["candidate"]),
                          "member_id": int(a["memberId"]), "change": "nominated" if nominated else "withdrawn",
                          "tier": a["tier"] if nominated else None})]


ELECTION_CHANGES = {"BallotRoundStarted": "round", "CandidateElected": "elected", "ElectionSeated": "seated",
                    "SeatVacated": "seat vacated", "ElectionVacated": "vacated", "ElectionCancelled": "cancelled"}


def _election_change(ctx, e, a, relayed):
    row = {"election_id": int(a["electionId"]), "change": ELECTION_CHANGES[e.event], "member_id": None,
           "round": None, "proposal_id": None, "approvals": None, "reserved_seat": None, "elected": None}
    if "memberId" in a:
        row["member_id"] = int(a["memberId"])
    if e.event == "BallotRoundStarted":
        row.update(round=a["round"], proposal_id=str(a["proposalId"]))
    elif e.event == "CandidateElected":
        row.update(approvals=str(a["approvals"]), reserved_seat=int(a["reservedSeat"]))
    elif e.event == "ElectionSeated":
        row.update(proposal_id=str(a["proposalId"]), elected=int(a["elected"]))
    return [(election_changes, row)]


def _committed(ctx, e, a, relayed):
    return [(commitments, {"proposal_id": str(a["proposalId"]), "member_id": int(a["memberId"]), "voter": a["voter"],
                           "commitment": a["commitment"]})]


def _recused(ctx, e, a, relayed):
    automatic = e.event == "SubjectRecused"
    return [(recusals, {"proposal_id": str(a["proposalId"]), "member_id": int(a["memberId"]),
                        "automatic": int(automatic),
                        "reason": "the proposal is about this member" if automatic else a["reason"]})]


def _flow(direction: str, kind: str, counterparty: str, amount, token: str, memo: str = "", member_id=None):
    return [(treasury_flows, {"direction": direction, "kind": kind, "counterparty": counterparty,
                              "member_id": member_id, "token": token, "amount": str(amount), "memo": memo})]


def _dues_paid(ctx, e, a, relayed):
    return _flow("in", "dues", a["payer"], a["amount"], a["token"], f"{a['periods']} period(s)", int(a["memberId"]))


def _contributed(ctx, e, a, relayed):
    return _flow("in", CONTRIBUTIONS[a["kind"]], a["from"], a["amount"], a["token"], a["memo"])


def _spent(ctx, e, a, relayed):
    return _flow("out", "spend", a["recipient"], a["amount"], a["token"], a["memo"])


def _budget_set(ctx, e, a, relayed):
    return _flow("budget", "budget", a["holder"], a["amount"], a["token"])


def _budget_spent(ctx, e, a, relayed):
    return _flow("out", "budget-spent", a["recipient"], a["amount"], a["token"], f"{a['memo']} (by {a['holder']})")


def _body_created(ctx, e, a, relayed):
    return [(bodies, {"address": a["body"], "kind": BODY_KINDS[a["kind"]], "name": a["name"]})]


def _body_event(ctx, e, a, relayed):
    member = a.get("memberId", a.get("proposer"))
    detail = {k: v for k, v in a.items() if k not in ("memberId", "proposer", "actionId")}
    return [(body_events, {"body": e.address, "event": e.event, "member_id": None if member is None else int(member),
                           "action_id": a.get("actionId"), "detail": json.dumps(detail)})]


def _standard_drafted(ctx, e, a, relayed):
    return [(standards, {"standard_id": a["standardId"], "title": a["title"], "version": a["version"],
                         "content_hash": a["contentHash"], "uri": a["uri"], "supersedes": a["supersedes"],
                         "publisher": a["publisher"]})]


def _standard_change(ctx, e, a, relayed):
    if e.event == "StandardStatusChanged":
        return [(standard_changes, {"standard_id": a["standardId"], "change": STANDARD_STATUSES[a["status"]],
                                    "member_id": None, "evidence": ""})]
    attested = e.event == "ComplianceAttested"
    return [(standard_changes, {"standard_id": a["standardId"], "change": "attested" if attested else "withdrawn",
                                "member_id": int(a["memberId"]), "evidence": a.get("evidenceURI", "")})]


def _report(ctx, e, a, relayed):
    return [(conduct_records, {"kind": "report", "record_id": a["reportId"], "member_id": int(a["subject"]),
                               "reporter": int(a["reporter"]), "report_id": None, "text": a["evidenceURI"],
                               "evidence_hash": a["evidenceHash"]})]


def _censure(ctx, e, a, relayed):
    return [(conduct_records, {"kind": "censure", "record_id": a["censureId"], "member_id": int(a["memberId"]),
                               "reporter": None, "report_id": a["reportId"] or None, "text": a["reason"],
                               "evidence_hash": None})]


def subject_key(subject: str) -> str:
    """An advisory's subject as it is matched: exactly, except that a 0x address (bare, or the account part
    of a CAIP-10 id) matches in any case, as the same account written with or without its checksum is."""
    found = _ADDRESS_SUBJECT.fullmatch(subject)
    return subject if found is None else found[1] + found[2].lower()


def advisory_words(enum: str) -> tuple[str, ...]:
    """The names of IAdvisoryRegistry's Kind, Severity or Status: the contract's enum is their definition."""
    return enum_names("IAdvisoryRegistry", enum)


def _advisory_filed(ctx, e, a, relayed):
    account = a["subjectAccount"]
    return [(advisories, {"advisory_id": int(a["advisoryId"]), "filer": int(a["filer"]),
                          "kind": advisory_words("Kind")[a["kind"]],
                          "severity": advisory_words("Severity")[a["severity"]], "subject": a["subject"],
                          "subject_key": subject_key(a["subject"]), "subject_hash": a["subjectHash"],
                          "subject_account": None if account == ZERO_ADDRESS else account,
                          "summary": a["summary"], "evidence_uri": a["evidenceURI"],
                          "evidence_hash": a["evidenceHash"]})]


def _advisory_change(ctx, e, a, relayed):
    row = {"advisory_id": int(a["advisoryId"]), "status": None, "old_status": None, "by_account": None,
           "revision": None, "severity": None, "old_severity": None, "reply_index": None, "by_subject": None,
           "uri": "", "content_hash": None, "text": ""}
    if e.event == "AdvisoryStatusChanged":
        statuses = advisory_words("Status")
        row.update(change="status", status=statuses[a["newStatus"]], old_status=statuses[a["oldStatus"]],
                   by_account=a["by"], text=a["reason"])
    elif e.event == "AdvisoryUpdated":
        severities = advisory_words("Severity")
        row.update(change="updated", revision=a["revision"], severity=severities[a["newSeverity"]],
                   old_severity=severities[a["oldSeverity"]], uri=a["evidenceURI"], content_hash=a["evidenceHash"],
                   text=a["note"])
    else:
        row.update(change="replied", reply_index=int(a["replyIndex"]), by_subject=int(a["bySubject"]),
                   uri=a["uri"], content_hash=a["contentHash"])
    return [(advisory_changes, row)]


def _contribution(ctx, e, a, relayed):
    if e.event == "ContributionRecorded":
        change, amount, memo = enum_names("IContributionLedger", "Source")[a["source"]], a["amount"], a["memo"]
    else:
        change, amount, memo = "counted" if a["counted"] else "not counted", 0, ""
    return [(contributions, {"member_id": int(a["memberId"]), "change": change, "amount": str(amount),
                             "old_score": str(a["oldScore"]), "new_score": str(a["newScore"]), "memo": memo})]


HANDLERS = {
    **{("MemberRegistry", name): _member_change for name in MEMBER_CHANGES},
    ("ConsortiumGovernor", "ProposalCreated"): _proposal_created,
    ("ConsortiumGovernor", "ProposalClassified"): _proposal_classified,
    **{("ConsortiumGovernor", name): _proposal_event for name in PROPOSAL_EVENTS},
    ("ConsortiumGovernor", "VoteCast"): _vote,
    ("ConsortiumGovernor", "VoteCastWithParams"): _approval_ballot,
    ("ConsortiumGovernor", "ElectionBallotProposed"): _election_ballot,
    ("ConsortiumGovernor", "VoteCommitted"): _committed,
    ("ConsortiumGovernor", "VoterRecused"): _recused,
    ("ConsortiumGovernor", "SubjectRecused"): _recused,
    ("Treasury", "DuesPaid"): _dues_paid,
    ("Treasury", "Contributed"): _contributed,
    ("Treasury", "Spent"): _spent,
    ("Treasury", "BudgetSet"): _budget_set,
    ("Treasury", "BudgetSpent"): _budget_spent,
    ("BodyFactory", "BodyCreated"): _body_created,
    **{("Body", name): _body_event for name in ("BodyMemberAppointed", "BodyMemberRemoved", "ThresholdSet",
                                                 "MandateSet", "ActionProposed", "ActionApproved", "ActionExecuted",
                                                 "Dissolved")},
    ("StandardsRegistry", "StandardDrafted"): _standard_drafted,
    **{("StandardsRegistry", name): _standard_change for name in ("StandardStatusChanged", "ComplianceAttested",
                                                                  "ComplianceWithdrawn")},
    ("ConductRecord", "ReportFiled"): _report,
    ("ConductRecord", "MemberCensured"): _censure,
    ("AdvisoryRegistry", "AdvisoryFiled"): _advisory_filed,
    **{("AdvisoryRegistry", name): _advisory_change for name in ("AdvisoryStatusChanged", "AdvisoryUpdated",
                                                                 "AdvisoryReplied")},
    ("ContributionLedger", "ContributionRecorded"): _contribution,
    ("ContributionLedger", "CountingChanged"): _contribution,
    ("ElectionRegistry", "ElectionOpened"): _election_opened,
    ("ElectionRegistry", "CandidateNominated"): _candidacy,
    ("ElectionRegistry", "CandidateWithdrawn"): _candidacy,
    **{("ElectionRegistry", name): _election_change for name in ELECTION_CHANGES},
}
