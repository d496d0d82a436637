"""What observers read, from the index database alone (no chain needed): proposals with their kind,
state, quorum, tallies and turnout per tier, recusals and ballots; members and their participation.

A proposal's state is the governor's own: the indexer reads `state(id)` at the end of every range it
commits and records it (schema.proposal_states); this module reports the newest record and never
decides an outcome itself, so its rules cannot drift from the chain's. The quorum needed is likewise
the governor's `proposalQuorum(id)`, recorded once the snapshot is past (None before). What explains an
outcome (quorum reached, tallies for, against and abstain per tier) is read from the indexed ballots.

Members are named as the chain names them: the legal name in the metadata URI of their admission (or of
their latest MetadataUpdated), checked against the metadata hash recorded with it (identity.py); tiers by
the name the tier table (TierSet) gave them at the time that matters.

Lists are read a page at a time (LIMIT/OFFSET in SQL, on indexes that keep the chain order): a page of
a proposal's 10,000 ballots reads its 50 rows, not the 10,000. What every page needs and only changes
with the index (names, the tier table, the roll at a snapshot) is kept per head block: a new block, or a
reorg (the head's hash changes), starts afresh."""

from __future__ import annotations

import json
import threading
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Table, func, inspect, select

from orchestrator import identity
from orchestrator.chain.reverts import utc
from orchestrator.db import engine, shown
from orchestrator.errors import InputError, OrchestratorError
from orchestrator.labels import member_label, tier_label
from orchestrator.observers.indexer.schema import (
    ballots,
    blocks,
    bodies,
    body_events,
    commitments,
    conduct_records,
    cursor,
    events,
    member_changes,
    proposal_events,
    proposal_states,
    proposals,
    recusals,
    standard_changes,
    standards,
    treasury_flows,
)

SUPPORT = ["against", "for", "abstain"]
MEMBER_LIST_CAP = 50  # rows of each of a member's lists on its page (the whole: its CSV)
# What is kept per (database, head block, head hash): at most this many heads (the newest win).
_MEMO: dict[tuple, dict] = {}
_MEMO_HEADS = 4
_MEMO_LOCK = threading.Lock()


def forget_kept() -> None:
    """Empty what is kept per head block, as a new block does (the benchmark's cold requests)."""
    with _MEMO_LOCK:
        _MEMO.clear()


@dataclass(frozen=True)
class Page:
    """One page of a list, and where it sits in the whole."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def to_json(self, items: list | None = None) -> dict:
        return {"total": self.total, "page": self.page, "per_page": self.per_page, "pages": self.pages,
                "items": self.items if items is None else items}
NO_IDENTITY = identity.Identity(None, None, False)
UNKNOWN = "Unknown"  # no state recorded yet: an index written before states were, until `index` runs


@dataclass
class TierResult:
    name: str
    for_: int = 0
    against: int = 0
    abstain: int = 0
    voted: int = 0
    eligible: int = 0


@dataclass
class ProposalResult:
    id: str
    title: str
    proposer: str
    kind: str
    state: str
    snapshot: int
    deadline: int
    quorum_needed: int | None  # the governor's, once the snapshot is past
    quorum_reached: int
    tiers: list[TierResult]
    recusals: list[dict] = field(default_factory=list)
    ballots: list[dict] = field(default_factory=list)
    calls: list[dict] = field(default_factory=list)
    reveal_start: int = 0  # a sealed proposal's (ProposalSealed); 0: open
    committed: int = 0  # members who committed to a sealed vote
    unrevealed: list[dict] = field(default_factory=list)  # of them, those with no ballot (yet): member_id, member

    @property
    def sealed(self) -> bool:
        return self.reveal_start != 0

    @property
    def totals(self) -> tuple[int, int, int]:
        return (sum(t.for_ for t in self.tiers), sum(t.against for t in self.tiers), sum(t.abstain for t in self.tiers))

    def to_json(self) -> dict:
        f, a, ab = self.totals
        return {"id": self.id, "title": self.title, "proposer": self.proposer, "kind": self.kind, "state": self.state,
                "snapshot": self.snapshot, "deadline": self.deadline, "quorum_needed": self.quorum_needed,
                "quorum_reached": self.quorum_reached, "for": f, "against": a, "abstain": ab,
                "tiers": [{"tier": t.name, "for": t.for_, "against": t.against, "abstain": t.abstain,
                           "voted": t.voted, "eligible": t.eligible} for t in self.tiers],
                "recusals": self.recusals, "ballots": self.ballots, "calls": self.calls,
                "sealed": self.sealed, "reveal_start": self.reveal_start or None, "committed": self.committed,
                "unrevealed": self.unrevealed}


def sealed_phase(r: ProposalResult, now: int) -> str | None:
    """Where a sealed proposal stands as of `now`: "committing" (before the reveal start: no vote is counted or
    seen), "revealing" (the governor still takes reveals), "closed" (an unrevealed commitment now counts toward
    nothing); None for an open proposal."""
    if not r.sealed:
        return None
    if now < r.reveal_start:
        return "committing"
    return "revealing" if r.state == "Active" else "closed"


def sealed_text(r: ProposalResult, now: int) -> list[str]:
    """A sealed proposal's commitments in words, as every observer form prints them (results, the report, the
    dashboard); nothing for an open proposal."""
    phase = sealed_phase(r, now)
    if phase is None:
        return []
    if phase == "committing":
        return [f"sealed: {r.committed} member(s) committed; the tally is sealed until {utc(r.reveal_start)}"]
    names = ", ".join(u["member"] for u in r.unrevealed)
    lines = [f"sealed: {r.committed} member(s) committed, {r.committed - len(r.unrevealed)} revealed"]
    if r.unrevealed and phase == "revealing":
        lines.append(f"not revealed yet: {names} (reveals until {utc(r.deadline)})")
    elif r.unrevealed:
        lines.append(f"unrevealed: {names} (count toward nothing)")
    return lines


def recusal_text(recusal: dict) -> str:
    """One recusal as every observer form prints it: who, whether the chain or a declaration, and why."""
    how = "automatically" if recusal["automatic"] else "by declaration"
    return f"{recusal['member']} recused {how}: {recusal['reason']}"


class Observatory:
    def __init__(self, url: str):
        self.engine = engine(url)
        tables = set(inspect(self.engine).get_table_names())
        if not {"events", "cursor", "proposals", "ballots"} <= tables:
            raise OrchestratorError(f"{shown(url)} holds no consortium index: run `consortium index` first")
        self.states_recorded = proposal_states.name in tables  # not in an index older than the records
        self.commitments_recorded = commitments.name in tables  # nor in one older than sealed proposals
        with self.engine.connect() as db:
            row = db.execute(select(cursor.c.block, cursor.c.governor, cursor.c.chain_id)).first()
            if row is None:
                raise OrchestratorError(f"{shown(url)} holds no consortium index yet: run `consortium index` first")
            self.head_block, self.governor, self.chain_id = row.block, row.governor, row.chain_id
            self.now = db.execute(select(func.max(blocks.c.timestamp)).where(blocks.c.number <= row.block)).scalar()
            self.head_hash = db.execute(select(blocks.c.hash).where(blocks.c.number == row.block)).scalar()
        key = (url, self.head_block, self.head_hash)
        with _MEMO_LOCK:
            if key not in _MEMO:
                for old in list(_MEMO)[:max(0, len(_MEMO) - _MEMO_HEADS + 1)]:
                    del _MEMO[old]
                _MEMO[key] = {}
            self._memo = _MEMO[key]

    def _kept(self, key, compute):
        """`compute()`, once per head block (a reorg or a new block starts afresh)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # ───── proposals ─────

    def proposal_ids(self) -> list[str]:
        with self.engine.connect() as db:
            return [r.proposal_id for r in db.execute(select(proposals.c.proposal_id)
                                                      .order_by(proposals.c.block_number, proposals.c.log_index))]

    def find(self, text: str) -> str:
        """The id of the proposal `text` names: its id (decimal or 0x hex), or a unique prefix of six digits
        or more. Looked up on the ids' unique index (an exact match, or a range of at most two rows), never
        by reading every id."""
        text = text.strip()
        try:
            wanted = str(int(text, 0))
        except ValueError:
            raise InputError(f"proposal id {text!r} is not a number") from None
        with self.engine.connect() as db:
            for exact in dict.fromkeys((text, wanted)):
                if db.execute(select(proposals.c.proposal_id).where(proposals.c.proposal_id == exact)).first():
                    return exact
            # Ids are decimal digits, so every id starting with `text` sorts in [text, text + ":") byte by byte:
            # SQLite compares so (on the ids' index); PostgreSQL is told to (a locale's collation may ignore ":").
            column = proposals.c.proposal_id.collate("C") if self.engine.dialect.name == "postgresql" \
                else proposals.c.proposal_id
            matches = [] if len(text) < 6 or not text.isdecimal() else [r.proposal_id for r in db.execute(
                select(proposals.c.proposal_id).where(column >= text, column < text + ":")
                .order_by(column).limit(2))]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise InputError(f"proposal id prefix {text} matches more than one proposal; give more digits")
        raise InputError(f"no proposal {text} in the index")

    def proposal(self, proposal_id: str, detail: bool = True) -> ProposalResult:
        # Names are read first, on a connection of their own: reading them inside the block below would hold
        # two connections per request, and a full pool of such requests would wait on each other.
        self.identities  # noqa: B018
        with self.engine.connect() as db:
            p = db.execute(select(proposals).where(proposals.c.proposal_id == proposal_id)).one()
            lifecycle = {r.event: r.value for r in db.execute(
                select(proposal_events).where(proposal_events.c.proposal_id == proposal_id)
                .order_by(proposal_events.c.block_number, proposal_events.c.log_index))}
            deadline = lifecycle.get("extended") or p.deadline
            recorded = db.execute(select(proposal_states).where(proposal_states.c.proposal_id == proposal_id)
                                  .order_by(proposal_states.c.block_number.desc()).limit(1)).first() \
                if self.states_recorded else None
            state, needed = (recorded.state, recorded.quorum) if recorded else (UNKNOWN, None)
            tiers = self._tiers(db, p.snapshot)
            for row in db.execute(select(ballots.c.tier, ballots.c.support, func.sum(ballots.c.weight),
                                         func.count()).where(ballots.c.proposal_id == proposal_id)
                                  .group_by(ballots.c.tier, ballots.c.support)):
                tier = tiers.setdefault(row[0], TierResult(f"tier {row[0]}"))
                attribute = ("against", "for_", "abstain")[row[1]]
                setattr(tier, attribute, getattr(tier, attribute) + int(row[2]))
                tier.voted += row[3]
            result = ProposalResult(p.proposal_id, p.title, p.proposer, p.kind, state, p.snapshot, deadline,
                                    None if needed is None else int(needed), 0, [tiers[k] for k in sorted(tiers)],
                                    calls=json.loads(p.calls))
            f, _, ab = result.totals
            result.quorum_reached = f + ab
            result.reveal_start = lifecycle.get("sealed") or 0
            if result.sealed and self.commitments_recorded:
                self._commitments(db, result)
            # Recusals in every form (a list as much as one proposal): who could not vote explains a result.
            result.recusals = [{"member_id": r.member_id, "member": self.label(r.member_id),
                                "automatic": bool(r.automatic), "reason": r.reason}
                               for r in db.execute(select(recusals).where(recusals.c.proposal_id == proposal_id)
                                                   .order_by(recusals.c.block_number, recusals.c.log_index))]
            if detail:
                names = self._tier_names(db, p.snapshot)
                result.ballots = [{"member_id": r.member_id, "member": self.label(r.member_id), "voter": r.voter,
                                   "tier": tier_label(r.tier, names), "tier_id": r.tier,
                                   "support": SUPPORT[r.support], "weight": r.weight, "reason": r.reason,
                                   "relayed": bool(r.relayed), "tx": r.tx_hash}
                                  for r in db.execute(select(ballots).where(ballots.c.proposal_id == proposal_id)
                                                      .order_by(ballots.c.block_number, ballots.c.log_index))]
            return result

    def _commitments(self, db, result: ProposalResult) -> None:
        """How many members committed to a sealed vote on `result`, and those whose commitment no ballot opened
        (in chain order)."""
        committed = db.execute(select(commitments.c.member_id).where(commitments.c.proposal_id == result.id)
                               .order_by(commitments.c.block_number, commitments.c.log_index)).scalars().all()
        revealed = set(db.execute(select(ballots.c.member_id).where(ballots.c.proposal_id == result.id,
                                                                    ballots.c.member_id.in_(committed))).scalars())
        result.committed = len(committed)
        result.unrevealed = [{"member_id": m, "member": self.label(m)} for m in committed if m not in revealed]

    # ───── names ─────

    @cached_property
    def identities(self) -> dict[int, identity.Identity]:
        """Each member's identity from its latest metadata record in the index (admission or update)."""
        return self._kept("identities", self._read_identities)

    def _read_identities(self) -> dict[int, identity.Identity]:
        found: dict[int, identity.Identity] = {}
        with self.engine.connect() as db:
            for row in db.execute(select(events.c.args).where(
                    events.c.contract == "MemberRegistry", events.c.event.in_(("MemberAdmitted", "MetadataUpdated")))
                    .order_by(events.c.block_number, events.c.log_index)):
                args = json.loads(row.args)
                found[int(args["memberId"])] = identity.read(args["metadataURI"],
                                                             bytes.fromhex(args["metadataHash"][2:]))
        return found

    def label(self, member_id: int) -> str:
        """"member 7 Bitex Ltd", or "member 7" when the index holds no readable name for it."""
        return member_label(member_id, self.identities.get(member_id, NO_IDENTITY))

    def tier_names(self, at: int | None = None) -> list[str]:
        """The tier table's names at `at` (default: the newest indexed block), by tier id."""
        with self.engine.connect() as db:
            return self._tier_names(db, self.now if at is None else at)

    def _tier_names(self, db, at: int) -> list[str]:
        def read() -> list[str]:
            table = {row["tierId"]: row["name"] for row in _raw(db, "MemberRegistry", "TierSet", at)}
            return [table.get(t, f"tier {t}") for t in range(max(table, default=-1) + 1)]
        return list(self._kept(("tier names", at), read))

    # ───── members ─────

    def participation(self, member_id: int) -> list[dict]:
        """Every proposal since the member joined (oldest first), and what the member did on it: its ballot,
        a recusal, or nothing. Four queries whatever the number of proposals: the member's ballots, its
        recusals, its changes (its standing at each snapshot is found among them here), the proposals."""
        with self.engine.connect() as db:
            voted = {r.proposal_id: r for r in db.execute(select(ballots).where(ballots.c.member_id == member_id))}
            recused = {r.proposal_id: r for r in db.execute(select(recusals).where(recusals.c.member_id == member_id))}
            changes = db.execute(select(member_changes.c.timestamp, member_changes.c.status)
                                 .where(member_changes.c.member_id == member_id)
                                 .order_by(member_changes.c.block_number, member_changes.c.log_index)).all()
            rows = db.execute(select(proposals.c.proposal_id, proposals.c.title, proposals.c.snapshot)
                              .order_by(proposals.c.block_number, proposals.c.log_index)).all()
        times = [c.timestamp for c in changes]
        history = []
        for p in rows:
            at = bisect_right(times, p.snapshot)  # the last change at or before the snapshot is in force
            before = changes[at - 1] if at else None
            if before is None and p.proposal_id not in voted:
                continue  # not yet a member
            entry = {"proposal_id": p.proposal_id, "title": p.title}
            if p.proposal_id in voted:
                b = voted[p.proposal_id]
                entry.update(action="voted", support=SUPPORT[b.support], weight=b.weight, relayed=bool(b.relayed))
            elif p.proposal_id in recused:
                entry.update(action="recused", reason=recused[p.proposal_id].reason)
            else:
                entry.update(action="did not vote" if before.status == "active" else f"no vote ({before.status})")
            history.append(entry)
        return history

    def member_exists(self, member_id: int) -> bool:
        with self.engine.connect() as db:
            return _member_at(db, member_id, None) is not None

    # ───── pages of lists (the dashboard's) ─────

    def proposals_page(self, page: int, per_page: int) -> Page:
        """Proposals, newest first, without their ballots."""
        with self.engine.connect() as db:
            total = db.execute(select(func.count()).select_from(proposals)).scalar()
            ids = [r.proposal_id for r in db.execute(
                select(proposals.c.proposal_id).order_by(proposals.c.block_number.desc(), proposals.c.log_index.desc())
                .limit(per_page).offset((page - 1) * per_page))]
        return Page([self.proposal(i, detail=False) for i in ids], total, page, per_page)

    def proposal_record(self, proposal_id: str) -> dict:
        """The proposal's row as indexed (description, creation transaction and time)."""
        with self.engine.connect() as db:
            return dict(db.execute(select(proposals).where(proposals.c.proposal_id == proposal_id)).one()._mapping)

    def ballot_count(self, proposal_id: str) -> int:
        with self.engine.connect() as db:
            return db.execute(select(func.count()).select_from(ballots)
                              .where(ballots.c.proposal_id == proposal_id)).scalar()

    def ballots_page(self, proposal_id: str, page: int, per_page: int) -> Page:
        """A proposal's ballots in chain order, one page of them (read with LIMIT/OFFSET on the
        (proposal, block, log) index)."""
        query = (select(ballots).where(ballots.c.proposal_id == proposal_id)
                 .order_by(ballots.c.block_number, ballots.c.log_index).limit(per_page).offset((page - 1) * per_page))
        return Page(list(self._ballot_rows(query, proposal_id)), self.ballot_count(proposal_id), page, per_page)

    def all_ballots(self, proposal_id: str) -> Iterator[dict]:
        """Every ballot of a proposal in chain order (the CSV download)."""
        yield from self._ballot_rows(select(ballots).where(ballots.c.proposal_id == proposal_id)
                                     .order_by(ballots.c.block_number, ballots.c.log_index), proposal_id)

    def _ballot_rows(self, query, proposal_id: str) -> Iterator[dict]:
        self.identities  # noqa: B018  (on its own connection first: see proposal())
        with self.engine.connect() as db:
            snapshot = db.execute(select(proposals.c.snapshot).where(proposals.c.proposal_id == proposal_id)).scalar()
            names = self._tier_names(db, snapshot)
            rows = db.execute(query).all()
        for r in rows:
            yield {"member_id": r.member_id, "member": self.label(r.member_id), "voter": r.voter,
                   "tier": tier_label(r.tier, names), "tier_id": r.tier, "support": SUPPORT[r.support],
                   "weight": r.weight, "reason": r.reason, "relayed": bool(r.relayed), "tx": r.tx_hash,
                   "timestamp": r.timestamp}

    def timeline(self, proposal_id: str) -> list[dict]:
        """What happened to a proposal, in order: each step with its time, and its transaction when an event
        of its own marks it (a state the governor reached without one, Succeeded or Defeated, is the state
        the index recorded, with the block it was read at). Steps not reached yet are `future`."""
        with self.engine.connect() as db:
            p = db.execute(select(proposals).where(proposals.c.proposal_id == proposal_id)).one()
            lifecycle = db.execute(select(proposal_events).where(proposal_events.c.proposal_id == proposal_id)
                                   .order_by(proposal_events.c.block_number, proposal_events.c.log_index)).all()
            states = db.execute(select(proposal_states.c.state, proposal_states.c.block_number, blocks.c.timestamp)
                                .join(blocks, blocks.c.number == proposal_states.c.block_number, isouter=True)
                                .where(proposal_states.c.proposal_id == proposal_id)
                                .order_by(proposal_states.c.block_number)).all() if self.states_recorded else []
        steps = [{"step": "created", "time": p.timestamp, "tx": p.tx_hash, "block": p.block_number}]
        steps.append({"step": "voting opens", "time": p.snapshot, "tx": None, "block": None})
        deadline = p.deadline
        for e in lifecycle:
            if e.event == "sealed":
                steps.append({"step": "commitments close, reveals open (sealed)", "time": e.value, "tx": None,
                              "block": None, "detail": "votes are committed until then, and counted as revealed"})
        for e in lifecycle:
            if e.event == "extended":
                deadline = e.value
                steps.append({"step": "voting extended (late quorum)", "time": e.timestamp, "tx": e.tx_hash,
                              "block": e.block_number, "until": e.value})
        steps.append({"step": "voting closes", "time": deadline, "tx": None, "block": None})
        for r in states:
            if r.state in ("Succeeded", "Defeated", "Expired"):
                steps.append({"step": r.state.lower(), "time": r.timestamp, "tx": None, "block": r.block_number,
                              "detail": f"the governor's state, recorded at block {r.block_number}"})
        for e in lifecycle:
            if e.event == "queued":
                steps.append({"step": "queued", "time": e.timestamp, "tx": e.tx_hash, "block": e.block_number,
                              "eta": e.value})
            elif e.event in ("executed", "canceled"):
                steps.append({"step": e.event, "time": e.timestamp, "tx": e.tx_hash, "block": e.block_number})
        for step in steps:
            step["future"] = step["time"] is not None and self.now is not None and step["time"] > self.now
        return steps

    def member_count(self) -> int:
        with self.engine.connect() as db:
            return db.execute(select(func.count(func.distinct(member_changes.c.member_id)))).scalar()

    def members_page(self, page: int, per_page: int) -> Page:
        """Members by id, each with its identity, seat, tier (by name), status and history."""
        with self.engine.connect() as db:
            ids = [r[0] for r in db.execute(select(member_changes.c.member_id).distinct()
                                            .order_by(member_changes.c.member_id)
                                            .limit(per_page).offset((page - 1) * per_page))]
        return Page(self.members(ids), self.member_count(), page, per_page)

    def members(self, member_ids: list[int] | None = None) -> list[dict]:
        """The members named (all when None), by id, with their standing and history."""
        self.identities  # noqa: B018
        with self.engine.connect() as db:
            names = self._tier_names(db, self.now)
            query = select(member_changes).order_by(member_changes.c.block_number, member_changes.c.log_index)
            if member_ids is not None:
                query = query.where(member_changes.c.member_id.in_(member_ids))
            rows = db.execute(query).all()
        found: dict[int, dict] = {}
        for r in rows:
            who = self.identities.get(r.member_id, NO_IDENTITY)
            entry = found.setdefault(r.member_id, {
                "member_id": r.member_id, "member": self.label(r.member_id), "legal_name": who.legal_name,
                "jurisdiction": who.jurisdiction, "verified": who.verified, "joined": r.timestamp,
                "metadata": r.detail, "history": []})
            entry.update(seat=r.seat, tier=tier_label(r.tier, names), tier_id=r.tier, status=r.status)
            entry["history"].append({"time": r.timestamp, "change": r.change, "status": r.status,
                                     "tier": tier_label(r.tier, names), "seat": r.seat, "detail": r.detail,
                                     "tx": r.tx_hash})
        return [found[k] for k in sorted(found)]

    def member_at_seat(self, seat: str) -> dict | None:
        """The member whose seat `seat` is or was (its latest change there), or None."""
        with self.engine.connect() as db:
            row = db.execute(select(member_changes.c.member_id).where(member_changes.c.seat == seat)
                             .order_by(member_changes.c.block_number.desc()).limit(1)).first()
        return None if row is None else self.members([row.member_id])[0]

    def seat_holder(self, address: str) -> tuple[int, bool] | None:
        """(the member whose seat `address` is, True) or (the member whose seat it was last, False), or None.
        A seat is a member's while its latest change (a SeatRotated row carries the new seat) names it."""
        with self.engine.connect() as db:
            held = [r.member_id for r in db.execute(select(member_changes.c.member_id)
                                                   .where(member_changes.c.seat == address)
                                                   .order_by(member_changes.c.block_number.desc(),
                                                             member_changes.c.log_index.desc()))]
            for member_id in dict.fromkeys(held):
                if _member_at(db, member_id, None).seat == address:
                    return member_id, True
        return (held[0], False) if held else None

    def marks(self, proposal_id: str, member_id: int) -> tuple[str | None, str | None]:
        """What the index holds of a member on a proposal: its ballot's support, and its recusal's reason."""
        with self.engine.connect() as db:
            ballot = db.execute(select(ballots.c.support).where(ballots.c.proposal_id == proposal_id,
                                                                ballots.c.member_id == member_id)).first()
            recusal = db.execute(select(recusals.c.reason).where(recusals.c.proposal_id == proposal_id,
                                                                 recusals.c.member_id == member_id)).first()
        return (SUPPORT[ballot.support] if ballot else None), (recusal.reason if recusal else None)

    def member_record(self, member_id: int, page: int = 1, per_page: int = 50, cap: int = MEMBER_LIST_CAP) -> dict:
        """One member for its page, every list newest first: identity; its tier and status history, dues paid,
        attestations and conduct record, each the newest `cap` rows with its total (`history_total`, …; the
        whole is member_list's); its participation rate over every proposal since it joined, and one Page of
        that participation."""
        found = self.members([member_id])
        if not found:
            raise InputError(f"no member {member_id} in the index")
        member = found[0]
        member["history_total"] = len(member["history"])
        member["history"] = member["history"][::-1][:cap]
        with self.engine.connect() as db:
            for key, (table, query) in self._member_lists(member_id).items():
                member[f"{key}_total"] = db.execute(select(func.count()).select_from(query.subquery())).scalar()
                member[key] = _rows(db, query.order_by(table.c.block_number.desc(), table.c.log_index.desc())
                                    .limit(cap))
        history = self.participation(member_id)
        voted = sum(h["action"] == "voted" for h in history)
        could = sum(h["action"] in ("voted", "did not vote") for h in history)
        member["participation"] = Page(history[::-1][(page - 1) * per_page:page * per_page], len(history), page,
                                       per_page)
        member["participation_rate"] = {"voted": voted, "could_vote": could,
                                        "percent": round(100 * voted / could, 1) if could else None}
        return member

    def member_list(self, member_id: int, key: str) -> list[dict]:
        """One of a member's lists whole, in chain order (its CSV): history, dues, attestations, conduct or
        participation."""
        if key == "participation":
            return self.participation(member_id)
        if key == "history":
            found = self.members([member_id])
            return found[0]["history"] if found else []
        table, query = self._member_lists(member_id)[key]
        with self.engine.connect() as db:
            return _rows(db, query.order_by(table.c.block_number, table.c.log_index))

    @staticmethod
    def _member_lists(member_id: int) -> dict[str, tuple[Table, object]]:
        """A member's lists read from one table each: name -> (the table, its query without an order)."""
        return {
            "dues": (treasury_flows, select(treasury_flows).where(treasury_flows.c.member_id == member_id)),
            "attestations": (standard_changes, select(standard_changes, standards.c.title, standards.c.version)
                             .join(standards, standards.c.standard_id == standard_changes.c.standard_id, isouter=True)
                             .where(standard_changes.c.member_id == member_id)),
            "conduct": (conduct_records, select(conduct_records).where(conduct_records.c.member_id == member_id)),
        }

    def proposals_table(self) -> list[dict]:
        """Every proposal (chain order) with its state, quorum and tallies, for the CSV: four queries in all
        (the proposals, their tallies grouped in SQL, their extended deadlines, their recorded states), not a
        proposal() per proposal."""
        with self.engine.connect() as db:
            rows = db.execute(select(proposals.c.proposal_id, proposals.c.title, proposals.c.kind,
                                     proposals.c.snapshot, proposals.c.deadline, proposals.c.proposer)
                              .order_by(proposals.c.block_number, proposals.c.log_index)).all()
            tallies: dict[str, list[int]] = {}
            for pid, support, weight in db.execute(select(ballots.c.proposal_id, ballots.c.support,
                                                          func.sum(ballots.c.weight))
                                                   .group_by(ballots.c.proposal_id, ballots.c.support)):
                tallies.setdefault(pid, [0, 0, 0])[support] += int(weight)
            extended = {r.proposal_id: r.value for r in db.execute(
                select(proposal_events.c.proposal_id, proposal_events.c.value)
                .where(proposal_events.c.event == "extended")
                .order_by(proposal_events.c.block_number, proposal_events.c.log_index))}
            states = {r.proposal_id: r for r in db.execute(
                select(proposal_states).order_by(proposal_states.c.block_number))} if self.states_recorded else {}
        table = []
        for p in rows:
            against, for_, abstain = tallies.get(p.proposal_id, (0, 0, 0))
            state = states.get(p.proposal_id)
            table.append({"id": p.proposal_id, "title": p.title, "kind": p.kind,
                          "state": state.state if state else UNKNOWN, "for": for_, "against": against,
                          "abstain": abstain, "quorum_reached": for_ + abstain,
                          "quorum_needed": None if state is None or state.quorum is None else int(state.quorum),
                          "snapshot": p.snapshot, "deadline": extended.get(p.proposal_id) or p.deadline,
                          "proposer": p.proposer})
        return table

    def rows_page(self, table: Table, page: int, per_page: int) -> Page:
        """A page of one derived table's rows in chain order (treasury flows, conduct records, …)."""
        with self.engine.connect() as db:
            total = db.execute(select(func.count()).select_from(table)).scalar()
            items = _rows(db, select(table).order_by(table.c.block_number, table.c.log_index)
                          .limit(per_page).offset((page - 1) * per_page))
        return Page(items, total, page, per_page)

    # ───── helpers ─────

    def _tiers(self, db, at: int) -> dict[int, TierResult]:
        """Voting tiers at `at` with how many members could vote in each (read once per head and time)."""
        kept = self._kept(("tiers", at), lambda: {t: (r.name, r.eligible) for t, r in self._read_tiers(db, at).items()})
        return {t: TierResult(name, eligible=eligible) for t, (name, eligible) in kept.items()}

    def _read_tiers(self, db, at: int) -> dict[int, TierResult]:
        table = {}
        for row in _raw(db, "MemberRegistry", "TierSet", at):
            table[row["tierId"]] = row
        tiers = {t: TierResult(row["name"]) for t, row in table.items() if row["canVote"]}
        standing = {}  # member id -> its (tier, status) at `at`: the last change at or before it wins
        for r in db.execute(select(member_changes.c.member_id, member_changes.c.tier, member_changes.c.status)
                            .where(member_changes.c.timestamp <= at)
                            .order_by(member_changes.c.block_number, member_changes.c.log_index)):
            standing[r.member_id] = (r.tier, r.status)
        for tier, status in standing.values():
            if status == "active" and tier in tiers:
                tiers[tier].eligible += 1
        return tiers


def _member_at(db, member_id: int, at: int | None):
    query = select(member_changes).where(member_changes.c.member_id == member_id)
    if at is not None:
        query = query.where(member_changes.c.timestamp <= at)
    return db.execute(query.order_by(member_changes.c.block_number.desc(), member_changes.c.log_index.desc())
                      .limit(1)).first()


def _raw(db, contract: str, event: str, at: int) -> list[dict]:
    """Arguments of raw events of one kind whose block's time is at or before `at`, oldest first."""
    rows = db.execute(select(events.c.args).join(blocks, blocks.c.number == events.c.block_number)
                      .where(events.c.contract == contract, events.c.event == event, blocks.c.timestamp <= at)
                      .order_by(events.c.block_number, events.c.log_index))
    return [json.loads(r.args) for r in rows]


def _rows(db, query) -> list[dict]:
    return [dict(r._mapping) for r in db.execute(query)]


def _in_order_by(db, table, key: str, where) -> dict:
    """`table`'s rows (those `where` selects) in chain order, grouped by `key`: one query instead of one per
    parent."""
    grouped: dict = {}
    for row in _rows(db, select(table).where(where).order_by(table.c.block_number, table.c.log_index)):
        grouped.setdefault(row[key], []).append(row)
    return grouped


class Institutions:
    """The institutions and the roll as the index knows them, for the dashboard and its JSON API."""

    def __init__(self, obs: Observatory):
        self.obs = obs

    def tiers(self) -> dict[int, dict]:
        with self.obs.engine.connect() as db:
            return {row["tierId"]: row for row in _raw(db, "MemberRegistry", "TierSet", self.obs.now)}

    def members(self) -> list[dict]:
        tiers = self.tiers()
        with self.obs.engine.connect() as db:
            rows = db.execute(select(member_changes).order_by(member_changes.c.block_number,
                                                             member_changes.c.log_index)).all()
        members: dict[int, dict] = {}
        for r in rows:
            entry = members.setdefault(r.member_id, {"member_id": r.member_id, "member": self.obs.label(r.member_id),
                                                     "joined": r.timestamp, "metadata": r.detail, "history": []})
            entry.update(seat=r.seat, tier=tiers.get(r.tier, {}).get("name", str(r.tier)), status=r.status)
            entry["history"].append({"time": r.timestamp, "change": r.change, "status": r.status,
                                     "detail": r.detail})
        return [members[k] for k in sorted(members)]

    def treasury(self) -> dict:
        with self.obs.engine.connect() as db:
            flows = _rows(db, select(treasury_flows).order_by(treasury_flows.c.block_number,
                                                              treasury_flows.c.log_index))
        return {"flows": flows, **self.treasury_totals()}

    def treasury_totals(self) -> dict:
        """ETH in and out of the treasury, in wei (decimal strings: amounts are kept as text, beyond 64 bits,
        so they are summed here, once per head block)."""
        def read() -> dict:
            totals: dict[str, int] = {}
            with self.obs.engine.connect() as db:
                for f in db.execute(select(treasury_flows.c.direction, treasury_flows.c.amount)
                                    .where(treasury_flows.c.token == "0x" + "00" * 20,
                                           treasury_flows.c.direction.in_(("in", "out")))):
                    totals[f.direction] = totals.get(f.direction, 0) + int(f.amount)
            return {"eth_in": str(totals.get("in", 0)), "eth_out": str(totals.get("out", 0))}
        return self.obs._kept("treasury totals", read)

    def bodies_page(self, page: int, per_page: int) -> Page:
        found = self.obs.rows_page(bodies, page, per_page)
        return Page(self.bodies([b["address"] for b in found.items]), found.total, page, per_page)

    def standards_page(self, page: int, per_page: int) -> Page:
        found = self.obs.rows_page(standards, page, per_page)
        return Page(self.standards([s["standard_id"] for s in found.items]), found.total, page, per_page)

    def bodies(self, addresses: list[str] | None = None) -> list[dict]:
        with self.obs.engine.connect() as db:
            query = select(bodies).order_by(bodies.c.block_number)
            if addresses is not None:
                query = query.where(bodies.c.address.in_(addresses))
            found = _rows(db, query)
            events_by_body = _in_order_by(db, body_events, "body",
                                          body_events.c.body.in_([b["address"] for b in found]))
            for body in found:
                events_ = events_by_body.get(body["address"], [])
                members = []
                for e in events_:
                    if e["event"] == "BodyMemberAppointed":
                        members.append(e["member_id"])
                    elif e["event"] == "BodyMemberRemoved" and e["member_id"] in members:
                        members.remove(e["member_id"])
                body.update(members=members, events=events_)
        return found

    def standards(self, standard_ids: list[int] | None = None) -> list[dict]:
        with self.obs.engine.connect() as db:
            query = select(standards).order_by(standards.c.standard_id)
            if standard_ids is not None:
                query = query.where(standards.c.standard_id.in_(standard_ids))
            found = _rows(db, query)
            changes_by_standard = _in_order_by(db, standard_changes, "standard_id", standard_changes.c.standard_id.in_(
                [s["standard_id"] for s in found]))
            for s in found:
                changes = changes_by_standard.get(s["standard_id"], [])
                attesters: dict[int, str] = {}
                status = "draft"
                for c in changes:
                    if c["change"] == "attested":
                        attesters[c["member_id"]] = c["evidence"]
                    elif c["change"] == "withdrawn":
                        attesters.pop(c["member_id"], None)
                    else:
                        status = c["change"]
                s.update(status=status, attesters=[{"member_id": m, "evidence": e} for m, e in attesters.items()])
        return found

    def conduct(self) -> list[dict]:
        with self.obs.engine.connect() as db:
            return _rows(db, select(conduct_records).order_by(conduct_records.c.block_number,
                                                              conduct_records.c.log_index))
