"""The index's database. A range's events, what is derived from them, the governor's states of the
open proposals at its end, the hashes of its blocks and the new cursor are written in one transaction,
so a crash leaves either all of a range or none of it; rows are keyed by (transaction hash, log index)
and inserted idempotently."""

from __future__ import annotations

from sqlalchemy import delete, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DatabaseError, OperationalError

from orchestrator.db import engine, shown
from orchestrator.errors import OrchestratorError
from orchestrator.observers.indexer import derived
from orchestrator.observers.indexer.reader import Event
from orchestrator.observers.indexer.schema import (
    DERIVED,
    blocks,
    bodies,
    contribution_parts,
    contributions,
    cursor,
    events,
    metadata,
    proposal_states,
    proposals,
)

FINAL = ("Canceled", "Defeated", "Expired", "Executed")  # states the governor never leaves


class IndexStore:
    def __init__(self, url: str, chain_id: int, governor: str):
        self.engine = engine(url)
        self.chain_id, self.governor = chain_id, governor
        self._insert = (postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert)
        try:
            self._check_foreign_tables()
            metadata.create_all(self.engine)
        except (DatabaseError, OperationalError) as exc:
            reason = str(exc.orig).strip().splitlines()[0]
            raise OrchestratorError(f"{shown(url)} is not a usable database: {reason}") from None
        with self.engine.connect() as db:
            other = db.execute(select(cursor).where((cursor.c.governor != governor) |
                                                    (cursor.c.chain_id != chain_id))).first()
        if other is not None and governor:
            raise OrchestratorError(f"{shown(url)} indexes governor {other.governor} on chain {other.chain_id}, not "
                                    f"{governor} on chain {chain_id}: give this deployment its own --db")

    def _check_foreign_tables(self) -> None:
        """A table of ours that exists with other columns means a database of something else."""
        inspector = inspect(self.engine)
        present = set(inspector.get_table_names())
        for table in metadata.sorted_tables:
            if table.name in present:
                columns = {c["name"] for c in inspector.get_columns(table.name)}
                if not {c.name for c in table.columns} <= columns:
                    raise OrchestratorError(f"this database's table {table.name!r} is not a consortium index's "
                                            "(other columns): give the index its own --db")

    def cursor(self) -> int | None:
        with self.engine.connect() as db:
            row = db.execute(select(cursor.c.block).where(cursor.c.governor == self.governor)).first()
        return row.block if row else None

    def commit_range(self, found: list[Event], seen_blocks: dict[int, tuple[str, int]], new_cursor: int,
                     relayed: dict | None = None,
                     states: dict[str, tuple[str, int | None]] | None = None,
                     parts: dict[int, tuple[int, int | None]] | None = None) -> None:
        """Events, what is derived from them, the proposals' states and the contribution parts read at
        `new_cursor` (those that changed), block hashes and the cursor, atomically. `relayed`: per vote
        transaction, whether it called the batch entry point (per transaction and voter for an approval
        ballot: sync.Indexer._relayed)."""
        with self.engine.begin() as db:
            if found:  # executemany: one compiled statement, not one giant VALUES list
                db.execute(self._insert(events).on_conflict_do_nothing(), [e.row() for e in found])
                times = {n: t for n, (_, t) in seen_blocks.items()}
                derived.project(db, found, times, relayed or {}, self._insert)
            self._record_states(db, states or {}, new_cursor)
            if parts:
                db.execute(self._insert(contribution_parts).on_conflict_do_nothing(), [
                    {"member_id": m, "block_number": new_cursor, "part": str(part),
                     "total_weight": None if total is None else str(total)} for m, (part, total) in parts.items()])
            if seen_blocks:
                rows = [{"number": n, "hash": h, "timestamp": t} for n, (h, t) in seen_blocks.items()]
                stmt = self._insert(blocks)
                db.execute(stmt.on_conflict_do_update(index_elements=["number"],
                                                      set_={"hash": stmt.excluded.hash,
                                                            "timestamp": stmt.excluded.timestamp}), rows)
            self._set_cursor(db, new_cursor)

    def record_states(self, states: dict[str, tuple[str, int | None]], block: int) -> None:
        """States read at `block`, an indexed block, for proposals the index has no state of yet (an index
        written before states were recorded)."""
        with self.engine.begin() as db:
            self._record_states(db, states, block)

    def _record_states(self, db, states: dict[str, tuple[str, int | None]], block: int) -> None:
        rows = [{"proposal_id": pid, "block_number": block, "state": state,
                 "quorum": None if quorum is None else str(quorum)} for pid, (state, quorum) in states.items()]
        if rows:
            db.execute(self._insert(proposal_states).on_conflict_do_nothing(), rows)

    def open_proposals(self) -> dict[str, tuple[str | None, int | None]]:
        """Every indexed proposal whose last recorded state is not final (or that has none), with that
        state and quorum: the proposals whose state the next range reads."""
        with self.engine.connect() as db:
            latest: dict[str, tuple[str | None, int | None]] = {
                pid: (None, None) for pid in db.execute(select(proposals.c.proposal_id)).scalars()}
            for r in db.execute(select(proposal_states).order_by(proposal_states.c.block_number)):
                latest[r.proposal_id] = (r.state, None if r.quorum is None else int(r.quorum))
        return {pid: found for pid, found in latest.items() if found[0] not in FINAL}

    def latest_parts(self) -> dict[int, tuple[int, int | None]]:
        """Every member with a contribution row (and member 0, the whole, once read), with its last recorded
        part (and total weight): the members whose parts the next range reads."""
        with self.engine.connect() as db:
            latest: dict[int, tuple[int, int | None]] = {
                m: (-1, None) for m in db.execute(select(contributions.c.member_id).distinct()).scalars()}
            for r in db.execute(select(contribution_parts).order_by(contribution_parts.c.block_number)):
                latest[r.member_id] = (int(r.part), None if r.total_weight is None else int(r.total_weight))
        return latest

    def unstated(self) -> bool:
        """Whether some indexed proposal has no recorded state."""
        with self.engine.connect() as db:
            return db.execute(select(proposals.c.proposal_id).where(
                proposals.c.proposal_id.not_in(select(proposal_states.c.proposal_id))).limit(1)).first() is not None

    def block_hash(self, number: int) -> str | None:
        """The recorded hash of block `number`, if the index relies on it."""
        with self.engine.connect() as db:
            return db.execute(select(blocks.c.hash).where(blocks.c.number == number)).scalar()

    def stored_blocks(self, at_or_below: int, limit: int = 256) -> list[tuple[int, str]]:
        """Recorded (number, hash), newest first, for finding where a reorg forked."""
        with self.engine.connect() as db:
            rows = db.execute(select(blocks.c.number, blocks.c.hash).where(blocks.c.number <= at_or_below)
                              .order_by(blocks.c.number.desc()).limit(limit)).all()
        return [(r.number, r.hash) for r in rows]

    def unwind(self, fork_point: int) -> int:
        """Forget everything above `fork_point` and move the cursor there; returns events removed."""
        with self.engine.begin() as db:
            removed = db.execute(delete(events).where(events.c.block_number > fork_point)).rowcount
            for table in (*DERIVED, proposal_states, contribution_parts):
                db.execute(delete(table).where(table.c.block_number > fork_point))
            db.execute(delete(blocks).where(blocks.c.number > fork_point))
            self._set_cursor(db, fork_point)
        return removed

    def body_addresses(self) -> list[str]:
        """Bodies already indexed: the reader watches them from the start (their creation was read)."""
        with self.engine.connect() as db:
            return [r.address for r in db.execute(select(bodies.c.address))]

    def count(self) -> int:
        with self.engine.connect() as db:
            return db.execute(select(func.count()).select_from(events)).scalar_one()

    def keys(self) -> set[tuple[str, int]]:
        with self.engine.connect() as db:
            return {(r.tx_hash, r.log_index) for r in db.execute(select(events.c.tx_hash, events.c.log_index))}

    def _set_cursor(self, db, block: int) -> None:
        changed = db.execute(update(cursor).where(cursor.c.governor == self.governor).values(block=block)).rowcount
        if not changed:
            db.execute(cursor.insert().values(governor=self.governor, chain_id=self.chain_id, block=block))
