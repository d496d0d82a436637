"""`consortium index --verify`: the index compared with the contracts' own getters, at the block the
index has reached (calls are made at that block, so a head that moved on is not a difference).
Checked, each as a difference of its own:
- members: their count, and every member's seat, tier and status;
- proposals: the set of them (the governor's ProposalCreated logs, read afresh), and every one's
  snapshot, deadline, state, kind, quorum (once fixed), tallies per tier and reveal start (zero: open); a sealed
  one's commitments (its VoteCommitted logs) and which are unrevealed (memberMarks);
- bodies: the factory's list;
- standards: their count, and every standard's status, content hash and attesters;
- conduct: the counts of reports and censures, every report's subject and reporter, every censure's
  member and report;
- advisories: their count, and every advisory's filer, kind, current status, severity, revision, evidence
  hash, decision time and number of replies, as the feed reports them (observers/advisories.py);
- contribution weight (with a ledger): the members with a contribution, every one's part, the total part and
  the total weight, as the pages and the report show them (observers/contributions.py);
- elections: their count, and every election's body, seats, reserved seats, schedule, title, round, status (the
  registry's status() at that block), candidate list (member, tier, withdrawn) and winners (its CandidateElected
  logs, in order), as observers/elections.py reads them; which proposals are election ballots (the governor's
  ElectionBallotProposed logs), and every ballot's approval weight per candidate and voters' tier against the
  governor's proposalApprovals.
Getters that return free text are decoded as the indexer decodes events: bytes that are not UTF-8 do
not stop the comparison."""

from __future__ import annotations

from sqlalchemy import func, select
from web3 import Web3

from orchestrator.chain.proposals import LOG_RANGE, STATES, kind_name
from orchestrator.chain.reverts import STANDARD_STATUSES, STATUSES
from orchestrator.observers import contributions
from orchestrator.observers import elections as observed_elections
from orchestrator.observers.advisories import Advisories, AdvisoryFilter
from orchestrator.observers.indexer.derived import advisory_words
from orchestrator.observers.indexer.reader import LENIENT
from orchestrator.observers.indexer.schema import (
    bodies,
    conduct_records,
    election_ballots,
    member_changes,
    standard_changes,
    standards,
)
from orchestrator.observers.observatory import Observatory
from orchestrator.operations.deploy import contract
from orchestrator.operations.elections import statuses as election_statuses


def verify(session, obs: Observatory) -> list[str]:
    """Every difference between the index and the chain at the index's block, in words."""
    at = obs.head_block
    differences: list[str] = []

    def check(what: str, indexed, on_chain) -> None:
        if indexed != on_chain:
            differences.append(f"{what}: index says {indexed!r}, chain says {on_chain!r}")

    w3 = Web3(session.w3.provider)
    w3.codec = LENIENT  # what anyone wrote (a metadata URI, evidence) may not be UTF-8
    d = session.deployment
    r = contract(w3, "MemberRegistry", d.registry).functions
    with obs.engine.connect() as db:
        count = r.memberCount().call(block_identifier=at)
        check("member count", db.execute(select(func.count(func.distinct(member_changes.c.member_id)))).scalar(),
              count)
        for member_id in range(1, count + 1):
            row = db.execute(select(member_changes).where(member_changes.c.member_id == member_id)
                             .order_by(member_changes.c.block_number.desc(), member_changes.c.log_index.desc())
                             .limit(1)).first()
            seat, tier, status, *_ = r.member(member_id).call(block_identifier=at)
            for field, indexed, on_chain in (("seat", row and row.seat, seat), ("tier", row and row.tier, tier),
                                             ("status", row and row.status, STATUSES[status].lower())):
                check(f"member {member_id} {field}", indexed, on_chain)
        check("bodies", sorted(db.execute(select(bodies.c.address)).scalars()),
              sorted(contract(w3, "BodyFactory", d.body_factory).functions.bodies().call(block_identifier=at)))
        _standards(db, contract(w3, "StandardsRegistry", d.standards).functions, at, check)
        _conduct(db, contract(w3, "ConductRecord", d.conduct).functions, at, check)
    _advisories(obs, contract(w3, "AdvisoryRegistry", d.advisories).functions, at, check)
    if d.contribution_ledger is not None:
        _contributions(obs, contract(w3, "ContributionLedger", d.contribution_ledger), r, d.block, at, check)
    governor = contract(w3, "ConsortiumGovernor", d.governor)
    g = governor.functions
    tier_count = r.tierCount().call(block_identifier=at)
    _elections(obs, contract(w3, "ElectionRegistry", d.elections), governor, d.block, at, tier_count, check)
    ids = obs.proposal_ids()
    check("proposals", sorted(ids), sorted(_proposals_on_chain(governor, d.block, at)))
    for proposal_id in ids:
        result = obs.proposal(proposal_id, detail=False)
        pid, what = int(proposal_id), f"proposal {proposal_id[:12]}…"
        check(f"{what} snapshot", result.snapshot, g.proposalSnapshot(pid).call(block_identifier=at))
        check(f"{what} deadline", result.deadline, g.proposalDeadline(pid).call(block_identifier=at))
        state = STATES[g.state(pid).call(block_identifier=at)]
        check(f"{what} state", result.state, state)
        kind, _ = g.proposalKind(pid).call(block_identifier=at)
        check(f"{what} kind", result.kind, kind_name(kind))
        if state not in ("Pending", "Canceled"):  # fixed from the snapshot on (the index reads it then)
            check(f"{what} quorum", result.quorum_needed, g.proposalQuorum(pid).call(block_identifier=at))
        indexed_tallies = {t.name: (t.against, t.for_, t.abstain) for t in result.tiers
                           if t.for_ + t.against + t.abstain}
        chain_tallies = {}
        for tier in range(tier_count):
            tallies = tuple(g.proposalTierVotes(pid, tier).call(block_identifier=at))
            if any(tallies):
                chain_tallies[r.tier(tier).call(block_identifier=at)[0]] = tallies
        check(f"{what} tallies", indexed_tallies, chain_tallies)
        reveal_start = g.proposalRevealStart(pid).call(block_identifier=at)
        check(f"{what} reveal start", result.reveal_start, reveal_start)
        if reveal_start:
            _sealed(governor, d.block, at, result, check)
    return differences


def _sealed(governor, start: int, at: int, result, check) -> None:
    """A sealed proposal's commitments against the governor's VoteCommitted logs, and which of them are still
    unrevealed against its memberMarks (whether each member's vote was counted)."""
    committed: list[int] = []
    event = governor.events.VoteCommitted()
    while start <= at:
        end = min(start + LOG_RANGE - 1, at)
        committed += [log["args"]["memberId"] for log in event.get_logs(
            from_block=start, to_block=end, argument_filters={"proposalId": int(result.id)})]
        start = end + 1
    what = f"proposal {result.id[:12]}…"
    check(f"{what} commitments", result.committed, len(committed))
    g = governor.functions
    check(f"{what} unrevealed", [u["member_id"] for u in result.unrevealed],
          [m for m in committed if not g.memberMarks(int(result.id), m).call(block_identifier=at)[0]])


def _standards(db, s, at: int, check) -> None:
    count = s.standardCount().call(block_identifier=at)
    check("standards", db.execute(select(func.count()).select_from(standards)).scalar(), count)
    for standard_id in range(1, count + 1):
        changes = db.execute(select(standard_changes).where(standard_changes.c.standard_id == standard_id)
                             .order_by(standard_changes.c.block_number, standard_changes.c.log_index)).all()
        status = next((c.change for c in reversed(changes) if c.member_id is None), "draft")
        attesters = set()
        for c in changes:
            if c.change == "attested":
                attesters.add(c.member_id)
            elif c.change == "withdrawn":
                attesters.discard(c.member_id)
        on_chain = s.standard(standard_id).call(block_identifier=at)
        check(f"standard {standard_id} status", status, STANDARD_STATUSES[on_chain[4]].lower())
        indexed_hash = db.execute(select(standards.c.content_hash)
                                  .where(standards.c.standard_id == standard_id)).scalar()
        check(f"standard {standard_id} content hash", indexed_hash, "0x" + bytes(on_chain[2]).hex())
        check(f"standard {standard_id} attesters", sorted(attesters),
              sorted(s.attesters(standard_id).call(block_identifier=at)))


def _conduct(db, c, at: int, check) -> None:
    for kind, counter in (("report", c.reportCount), ("censure", c.censureCount)):
        records = {r.record_id: r for r in db.execute(select(conduct_records)
                                                      .where(conduct_records.c.kind == kind))}
        count = counter().call(block_identifier=at)
        check(f"{kind}s", len(records), count)
        for record_id in range(1, count + 1):
            row = records.get(record_id)
            if kind == "report":
                reporter, subject, *_ = c.report(record_id).call(block_identifier=at)
                check(f"report {record_id} subject", row and row.member_id, subject)
                check(f"report {record_id} reporter", row and row.reporter, reporter)
            else:
                member_id, report_id, *_ = c.censureRecord(record_id).call(block_identifier=at)
                check(f"censure {record_id} member", row and row.member_id, member_id)
                check(f"censure {record_id} report", row and (row.report_id or 0), report_id)


def _advisories(obs: Observatory, a, at: int, check) -> None:
    indexed = {item["id"]: item for item in Advisories(obs).all(AdvisoryFilter())}
    count = a.advisoryCount().call(block_identifier=at)
    check("advisories", len(indexed), count)
    kinds, severities, statuses = (advisory_words(e) for e in ("Kind", "Severity", "Status"))
    for advisory_id in range(1, count + 1):
        item = indexed.get(advisory_id, {})
        kind, severity, status, revision, _, decided_at, filer, *_, evidence_hash = \
            a.advisory(advisory_id).call(block_identifier=at)
        replies = len(a.replies(advisory_id).call(block_identifier=at))
        for field, key, on_chain in (("filer", "filer", filer), ("kind", "kind", kinds[kind]),
                                     ("status", "status", statuses[status]),
                                     ("severity", "severity", severities[severity]),
                                     ("revision", "revision", revision),
                                     ("evidence hash", "evidence_hash", "0x" + bytes(evidence_hash).hex()),
                                     ("decided at", "decided_at", decided_at or None),
                                     ("replies", "reply_count", replies)):
            check(f"advisory {advisory_id} {field}", item.get(key), on_chain)


def _contributions(obs: Observatory, ledger, r, start: int, at: int, check) -> None:
    """The parts as observers read them (the newest recorded) against the ledger's own at the index's block;
    the members with a contribution against the ledger's ContributionRecorded logs."""
    found = contributions.weight(obs)
    indexed = {} if found is None else {m.member_id: m.part for m in found.members}
    recorded: set[int] = set()
    event = ledger.events.ContributionRecorded()
    while start <= at:
        end = min(start + LOG_RANGE - 1, at)
        recorded |= {log["args"]["memberId"] for log in event.get_logs(from_block=start, to_block=end)}
        start = end + 1
    check("members with a contribution", sorted(indexed), sorted(recorded))
    time = obs.now
    f = ledger.functions
    for member_id in sorted(recorded):
        check(f"member {member_id} contribution part", indexed.get(member_id),
              f.partAt(member_id, time).call(block_identifier=at))
    check("total contribution part", found and found.total_part, f.totalPartAt(time).call(block_identifier=at))
    check("total weight", found and found.total_weight, r.totalWeight().call(block_identifier=at))


def _elections(obs: Observatory, registry, governor, start: int, at: int, tier_count: int, check) -> None:
    """Every election as observers read it against the registry's getters, the winners against its
    CandidateElected logs; the election ballots against the governor's ElectionBallotProposed logs and every
    ballot's indexed approval weight per (candidate, voters' tier) against proposalApprovals."""
    e_ = registry.functions
    count = e_.electionCount().call(block_identifier=at)
    indexed_ids = observed_elections.ids(obs)
    check("elections", len(indexed_ids), count)
    names = election_statuses()
    elected: dict[int, list[int]] = {}
    for log in _logs(registry.events.CandidateElected(), start, at):
        elected.setdefault(log["args"]["electionId"], []).append(log["args"]["memberId"])
    for election_id in range(1, count + 1):
        what = f"election {election_id}"
        if election_id not in indexed_ids:
            continue  # the count differs: said above
        found = observed_elections.get(obs, election_id, tallies=False)
        body, seats, round_, nominations_end, term_end, _, title = e_.election(election_id).call(
            block_identifier=at)
        for field, indexed, on_chain in (
                ("body", found.body, body), ("seats", found.seats, seats), ("round", found.round, round_),
                ("nominations end", found.nominations_end, nominations_end), ("term end", found.term_end, term_end),
                ("title", found.title, title),
                ("status", found.status, names[e_.status(election_id).call(block_identifier=at)]),
                ("reserved seats", [(x["tier_id"], x["seats"]) for x in found.reserved],
                 [tuple(x) for x in e_.reservations(election_id).call(block_identifier=at)]),
                ("candidates", [(c.member_id, c.tier_id, c.withdrawn) for c in found.candidates],
                 [tuple(c) for c in e_.candidates(election_id).call(block_identifier=at)]),
                ("elected", [w["member_id"] for w in found.winners], elected.get(election_id, []))):
            check(f"{what} {field}", indexed, on_chain)
    with obs.engine.connect() as db:
        ballots = {r.proposal_id: r.candidates for r in db.execute(select(election_ballots))}
    on_chain = {str(log["args"]["proposalId"]): log["args"]["candidates"]
                for log in _logs(governor.events.ElectionBallotProposed(), start, at)}
    check("election ballots", sorted(ballots.items()), sorted(on_chain.items()))
    g = governor.functions
    for proposal_id, listed in sorted(on_chain.items()):
        indexed = observed_elections.tally_rows(obs, proposal_id)
        chain = {}
        for candidate in range(listed):
            for tier in range(tier_count):
                weight = g.proposalApprovals(int(proposal_id), candidate, tier).call(block_identifier=at)
                if weight:
                    chain[(candidate, tier)] = weight
        check(f"proposal {proposal_id[:12]}… approvals", indexed, chain)


def _logs(event, start: int, at: int) -> list:
    """An event's logs from block `start` to `at`, read LOG_RANGE blocks at a time."""
    found = []
    while start <= at:
        end = min(start + LOG_RANGE - 1, at)
        found += event.get_logs(from_block=start, to_block=end)
        start = end + 1
    return found


def _proposals_on_chain(governor, start: int, at: int) -> list[str]:
    """Ids of every proposal the governor created up to block `at`, from its own logs."""
    found, event = [], governor.events.ProposalCreated()
    while start <= at:
        end = min(start + LOG_RANGE - 1, at)
        found += [str(log["args"]["proposalId"]) for log in event.get_logs(from_block=start, to_block=end)]
        start = end + 1
    return found
