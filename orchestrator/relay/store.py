"""The relayer's durable state (SQLAlchemy Core: SQLite by default, PostgreSQL by URL).

A ballot moves accepted → batched → included | rejected. A batch is one signed transaction, stored
(raw bytes and hash) in the same database transaction that marks its ballots batched, before it is
ever broadcast. So after a crash every ballot is either still accepted (never sent), or tied to exactly
one signed transaction that can be re-broadcast byte for byte: no ballot is lost, none sent twice."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from orchestrator.db import SafeText, engine
from orchestrator.errors import InputError

metadata = MetaData()

batches = Table(
    "relay_batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chain_id", Integer, nullable=False),
    Column("governor", String(42), nullable=False),
    Column("proposal_id", String(80), nullable=False),
    Column("tx_hash", String(66), nullable=False, unique=True),
    Column("raw_tx", Text, nullable=False),
    Column("status", String(16), nullable=False),  # signed | mined | dropped
    Column("created_at", DateTime(timezone=True), nullable=False),
)

ballots = Table(
    "relay_ballots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chain_id", Integer, nullable=False),
    Column("governor", String(42), nullable=False),
    Column("proposal_id", String(80), nullable=False),
    Column("voter", String(42), nullable=False),
    Column("member_id", Integer, nullable=False),
    Column("support", Integer, nullable=False),
    Column("reason", SafeText, nullable=False),
    Column("signature", Text, nullable=False),
    Column("kind", String(8), nullable=False),  # ecdsa | erc1271
    Column("status", String(16), nullable=False),  # accepted | batched | included | rejected
    Column("detail", SafeText, nullable=False, default=""),  # why rejected
    Column("batch_id", Integer, ForeignKey("relay_batches.id")),
    Column("tx_hash", String(66)),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("chain_id", "governor", "proposal_id", "voter", name="one_ballot_per_voter"),
)


@dataclass(frozen=True)
class StoredBallot:
    id: int
    proposal_id: int
    voter: str
    member_id: int
    support: int
    reason: str
    signature: bytes
    kind: str
    status: str
    detail: str
    tx_hash: str | None


class AlreadyHeld(InputError):
    """The relayer holds a ballot of the same member on the proposal (from this seat or another)."""

    def __init__(self, held: StoredBallot):
        super().__init__(f"the relayer already holds a ballot of member {held.member_id} on this proposal "
                         f"(from {held.voter})")
        self.held = held


def _now() -> datetime:
    return datetime.now(UTC)


def _row(r) -> StoredBallot:
    return StoredBallot(r.id, int(r.proposal_id), r.voter, r.member_id, r.support, r.reason,
                        bytes.fromhex(r.signature.removeprefix("0x")), r.kind, r.status, r.detail, r.tx_hash)


class RelayStore:
    def __init__(self, url: str, chain_id: int, governor: str):
        self.engine = engine(url)
        metadata.create_all(self.engine)
        self.chain_id, self.governor = chain_id, governor

    def _scope(self):
        return (ballots.c.chain_id == self.chain_id) & (ballots.c.governor == self.governor)

    def accept(self, proposal_id: int, voter: str, member_id: int, support: int, reason: str,
               signature: bytes, kind: str) -> StoredBallot:
        """Persist one validated ballot and return it (see accept_many); raises what accept_many returns."""
        (outcome,) = self.accept_many([(proposal_id, voter, member_id, support, reason, signature, kind)])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def accept_many(self, entries: list[tuple[int, str, int, int, str, bytes, str]]) -> list[StoredBallot | InputError]:
        """Persist validated ballots, each (proposal, voter, member id, support, reason, signature, kind), in
        one transaction, committed before this returns; each one's stored ballot, or why it was not kept.
        One ballot per member and proposal, whichever of its seats it comes from (another would only be
        rejected, at a cost): AlreadyHeld names the one held — also when both arrive in the same call. One
        per voter, but one rejected before it reached the chain is replaced: its voter may send a corrected
        ballot. One the chain has seen is final, or a wallet that burns its gas allowance when mined could
        come back for the relayer's gas at every pass."""
        if not entries:
            return []
        now = _now()
        proposals = {str(e[0]) for e in entries}
        outcomes: list[StoredBallot | InputError | None] = [None] * len(entries)
        try:
            with self.engine.begin() as db:
                known = db.execute(select(ballots).where(
                    self._scope() & ballots.c.proposal_id.in_(proposals)
                    & (ballots.c.member_id.in_({e[2] for e in entries}) | ballots.c.voter.in_({e[1] for e in entries}))
                )).all()
                held = {(r.proposal_id, r.member_id): _row(r) for r in known if r.status != "rejected"}
                by_voter = {(r.proposal_id, r.voter): r for r in known}
                inserts: list[tuple[int, dict]] = []
                for i, (proposal_id, voter, member_id, support, reason, signature, kind) in enumerate(entries):
                    pid = str(proposal_id)
                    stored = StoredBallot(0, proposal_id, voter, member_id, support, reason, signature, kind,
                                          "accepted", "", None)
                    if (pid, member_id) in held:
                        outcomes[i] = AlreadyHeld(held[(pid, member_id)])
                        continue
                    earlier = by_voter.get((pid, voter))
                    row = dict(member_id=member_id, support=support, reason=reason, signature="0x" + signature.hex(),
                               kind=kind, status="accepted", detail="", batch_id=None, tx_hash=None,
                               received_at=now, updated_at=now)
                    if earlier is None:
                        inserts.append((i, dict(chain_id=self.chain_id, governor=self.governor, proposal_id=pid,
                                                voter=voter, **row)))
                    elif earlier.status == "rejected" and earlier.tx_hash is None:  # never sent: replaced
                        db.execute(update(ballots).where(ballots.c.id == earlier.id).values(**row))
                        stored = replace(stored, id=earlier.id)
                    elif earlier.status == "rejected":
                        outcomes[i] = InputError(f"the relayer already sent a ballot of {voter} on this proposal; "
                                                 f"the chain rejected it: {earlier.detail}")
                        continue
                    else:
                        outcomes[i] = InputError(f"the relayer already holds a ballot of {voter} on this proposal")
                        continue
                    held[(pid, member_id)] = by_voter[(pid, voter)] = stored
                    outcomes[i] = stored
                if inserts:
                    ids = db.execute(ballots.insert().returning(ballots.c.id, sort_by_parameter_order=True),
                                     [row for _, row in inserts]).scalars().all()
                    for (i, _), ballot_id in zip(inserts, ids, strict=True):
                        outcomes[i] = replace(outcomes[i], id=ballot_id)
        except IntegrityError:
            # Another process stored one of these voters' ballots meanwhile (the unique voter constraint): none of
            # this transaction stands, so each is tried again alone, and only the one that collided is refused.
            if len(entries) == 1:
                proposal_id, voter = entries[0][:2]
                earlier = self.find(proposal_id, voter)
                if earlier is not None and earlier.status == "rejected":
                    return [InputError(f"the relayer already sent a ballot of {voter} on this proposal; the chain "
                                       f"rejected it: {earlier.detail}")]
                return [InputError(f"the relayer already holds a ballot of {voter} on this proposal")]
            return [outcome for entry in entries for outcome in self.accept_many([entry])]
        return outcomes

    def get(self, ballot_id: int) -> StoredBallot | None:
        with self.engine.connect() as db:
            row = db.execute(select(ballots).where(ballots.c.id == ballot_id)).first()
        return _row(row) if row else None

    def find(self, proposal_id: int, voter: str) -> StoredBallot | None:
        with self.engine.connect() as db:
            row = db.execute(select(ballots).where(self._scope() & (ballots.c.proposal_id == str(proposal_id))
                                                   & (ballots.c.voter == voter))).first()
        return _row(row) if row else None

    def accepted(self) -> dict[int, list[StoredBallot]]:
        """Ballots not yet in any transaction, by proposal, sorted by member id (bitmap locality)."""
        with self.engine.connect() as db:
            rows = db.execute(select(ballots).where(self._scope() & (ballots.c.status == "accepted"))
                              .order_by(ballots.c.proposal_id, ballots.c.member_id)).all()
        grouped: dict[int, list[StoredBallot]] = {}
        for r in rows:
            grouped.setdefault(int(r.proposal_id), []).append(_row(r))
        return grouped

    def record_batch(self, proposal_id: int, ballot_ids: list[int], tx_hash: str, raw_tx: bytes) -> int:
        """Tie ballots to one signed transaction, atomically, before it is broadcast. The same ballots signed
        again at the same nonce and fees give the same transaction: its earlier record is reused."""
        with self.engine.begin() as db:
            known = db.execute(select(batches.c.id).where(batches.c.tx_hash == tx_hash)).first()
            if known is not None:
                batch_id = known.id
                db.execute(update(batches).where(batches.c.id == batch_id).values(status="signed"))
            else:
                batch_id = db.execute(batches.insert().values(
                    chain_id=self.chain_id, governor=self.governor, proposal_id=str(proposal_id), tx_hash=tx_hash,
                    raw_tx="0x" + raw_tx.hex(), status="signed", created_at=_now())).inserted_primary_key[0]
            db.execute(update(ballots).where(ballots.c.id.in_(ballot_ids) & (ballots.c.status == "accepted"))
                       .values(status="batched", batch_id=batch_id, tx_hash=tx_hash, updated_at=_now()))
        return batch_id

    def unmined_batches(self) -> list[tuple[int, str, bytes]]:
        """(batch id, tx hash, raw tx) of signed batches whose outcome is not recorded yet."""
        with self.engine.connect() as db:
            rows = db.execute(select(batches).where((batches.c.chain_id == self.chain_id)
                                                    & (batches.c.governor == self.governor)
                                                    & (batches.c.status == "signed"))
                              .order_by(batches.c.id)).all()
        return [(r.id, r.tx_hash, bytes.fromhex(r.raw_tx.removeprefix("0x"))) for r in rows]

    def batch_ballots(self, batch_id: int) -> list[int]:
        with self.engine.connect() as db:
            return list(db.execute(select(ballots.c.id).where(ballots.c.batch_id == batch_id)).scalars())

    def settle_batch(self, batch_id: int, outcomes: dict[str, str | None],
                     unaccounted: str = "not mentioned by the transaction's events") -> None:
        """Record what the chain did with each ballot of a mined batch: voter → None if counted, else why
        it was rejected. Ballots the receipt does not mention are rejected as `unaccounted`."""
        now = _now()
        with self.engine.begin() as db:
            rows = db.execute(select(ballots).where(ballots.c.batch_id == batch_id)).all()
            for r in rows:
                reason = outcomes.get(r.voter, unaccounted)
                status, detail = ("included", "") if reason is None else ("rejected", reason)
                db.execute(update(ballots).where(ballots.c.id == r.id)
                           .values(status=status, detail=detail, updated_at=now))
            db.execute(update(batches).where(batches.c.id == batch_id).values(status="mined"))

    def requeue_batch(self, batch_id: int, detail: str = "") -> None:
        """A batch whose ballots never counted (its transaction was refused, dropped or reverted): they go
        back to accepted, with `detail` saying why, and the batch is marked dropped."""
        with self.engine.begin() as db:
            db.execute(update(ballots).where(ballots.c.batch_id == batch_id)
                       .values(status="accepted", detail=detail, batch_id=None, tx_hash=None, updated_at=_now()))
            db.execute(update(batches).where(batches.c.id == batch_id).values(status="dropped"))

    def reject(self, ballot_ids: list[int], detail: str) -> None:
        """Reject ballots that were never sent (e.g. the proposal closed before their batch was built)."""
        with self.engine.begin() as db:
            db.execute(update(ballots).where(ballots.c.id.in_(ballot_ids) & (ballots.c.status == "accepted"))
                       .values(status="rejected", detail=detail, updated_at=_now()))
