"""The relayer's durable state (SQLAlchemy Core: SQLite by default, PostgreSQL by URL).

Four kinds of item, each in its table: ballots (castVoteBatch), on sealed proposals commitments
(commitVotes) and reveals (revealVotes), and on an election's ballot approval ballots (castApprovals). They
share the batches table and every rule below; a batch holds items of one kind only. An item moves
accepted → batched → included | rejected. A batch is one signed transaction, stored (raw bytes and hash) in
the same database transaction that marks its items batched, before it is ever broadcast. So after a crash every
item is either still accepted (never sent), or tied to exactly one signed transaction that can be re-broadcast
byte for byte: none is lost, none sent twice."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import (
    Boolean,
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
from orchestrator.relay.ballot_file import with_article

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


def _sealed_table(name: str, *columns: Column) -> Table:
    """A commitments or reveals table: the columns every relayed item has, around the kind's own."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("chain_id", Integer, nullable=False),
        Column("governor", String(42), nullable=False),
        Column("proposal_id", String(80), nullable=False),
        Column("voter", String(42), nullable=False),
        Column("member_id", Integer, nullable=False),
        *columns,
        Column("status", String(16), nullable=False),  # accepted | batched | included | rejected
        Column("detail", SafeText, nullable=False, default=""),
        Column("batch_id", Integer, ForeignKey("relay_batches.id")),
        Column("tx_hash", String(66)),
        Column("received_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        UniqueConstraint("chain_id", "governor", "proposal_id", "voter", name=f"one_{name}_per_voter"),
    )


commitments = _sealed_table(
    "relay_commitments",
    Column("commitment", String(66), nullable=False),
    Column("signature", Text, nullable=False),
    Column("kind", String(8), nullable=False),  # ecdsa | erc1271
)
# A reveal holds the vote and its salt: kept only from the reveal start, or earlier when the member escrows it.
reveals = _sealed_table(
    "relay_reveals",
    Column("support", Integer, nullable=False),
    Column("salt", String(66), nullable=False),
    Column("escrow", Boolean, nullable=False),
)
# An approval ballot: the bitmap of approved candidates (a uint256, kept in decimal: no SQL integer holds it).
approvals = _sealed_table(
    "relay_approvals",
    Column("approvals", String(80), nullable=False),
    Column("signature", Text, nullable=False),
    Column("kind", String(8), nullable=False),  # ecdsa | erc1271
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


@dataclass(frozen=True)
class StoredCommitment:
    id: int
    proposal_id: int
    voter: str
    member_id: int
    commitment: bytes
    signature: bytes
    kind: str
    status: str
    detail: str
    tx_hash: str | None


@dataclass(frozen=True)
class StoredReveal:
    id: int
    proposal_id: int
    voter: str
    member_id: int
    support: int
    salt: bytes
    escrow: bool
    status: str
    detail: str
    tx_hash: str | None
    kind: str = "reveal"  # no signature: never a contract wallet's allowance in a batch


@dataclass(frozen=True)
class StoredApproval:
    id: int
    proposal_id: int
    voter: str
    member_id: int
    approvals: int
    signature: bytes
    kind: str
    status: str
    detail: str
    tx_hash: str | None


Stored = StoredBallot | StoredCommitment | StoredReveal | StoredApproval


class AlreadyHeld(InputError):
    """The relayer holds an item of the same kind of the same member on the proposal (from this seat or another)."""

    def __init__(self, held: Stored, noun: str = "ballot"):
        super().__init__(f"the relayer already holds {with_article(noun)} of member {held.member_id} on this proposal "
                         f"(from {held.voter})")
        self.held = held


def _now() -> datetime:
    return datetime.now(UTC)


def _hex(text: str) -> bytes:
    return bytes.fromhex(text.removeprefix("0x"))


def _row(r) -> StoredBallot:
    return StoredBallot(r.id, int(r.proposal_id), r.voter, r.member_id, r.support, r.reason,
                        _hex(r.signature), r.kind, r.status, r.detail, r.tx_hash)


def _commitment_row(r) -> StoredCommitment:
    return StoredCommitment(r.id, int(r.proposal_id), r.voter, r.member_id, _hex(r.commitment), _hex(r.signature),
                            r.kind, r.status, r.detail, r.tx_hash)


def _reveal_row(r) -> StoredReveal:
    return StoredReveal(r.id, int(r.proposal_id), r.voter, r.member_id, r.support, _hex(r.salt), r.escrow, r.status,
                        r.detail, r.tx_hash)


def _approval_row(r) -> StoredApproval:
    return StoredApproval(r.id, int(r.proposal_id), r.voter, r.member_id, int(r.approvals), _hex(r.signature), r.kind,
                          r.status, r.detail, r.tx_hash)


# kind → (its table, its row, what one is called in a message)
KINDS = {"ballot": (ballots, _row, "ballot"), "commitment": (commitments, _commitment_row, "commitment"),
         "reveal": (reveals, _reveal_row, "reveal"), "approval": (approvals, _approval_row, "approval ballot")}


class RelayStore:
    def __init__(self, url: str, chain_id: int, governor: str):
        self.engine = engine(url)
        metadata.create_all(self.engine)
        self.chain_id, self.governor = chain_id, governor

    def _scope(self, table: Table = ballots):
        return (table.c.chain_id == self.chain_id) & (table.c.governor == self.governor)

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
        return self._accept("ballot", [(p, voter, member, dict(support=support, reason=reason,
                                                               signature="0x" + signature.hex(), kind=kind))
                                       for p, voter, member, support, reason, signature, kind in entries])

    def accept_commitments(self, entries: list[tuple[int, str, int, bytes, bytes, str]]
                           ) -> list[StoredCommitment | InputError]:
        """Persist validated commitments, each (proposal, voter, member id, commitment, signature, kind), by
        accept_many's rules: one per member and proposal (the governor keeps one and never replaces it)."""
        return self._accept("commitment", [(p, voter, member, dict(commitment="0x" + commitment.hex(),
                                                                   signature="0x" + signature.hex(), kind=kind))
                                           for p, voter, member, commitment, signature, kind in entries])

    def accept_reveals(self, entries: list[tuple[int, str, int, int, bytes, bool, str]]
                       ) -> list[StoredReveal | InputError]:
        """Persist validated reveals, each (proposal, voter, member id, support, salt, escrow, detail), by
        accept_many's rules: one per member and proposal."""
        return self._accept("reveal", [(p, voter, member, dict(support=support, salt="0x" + salt.hex(), escrow=escrow,
                                                               detail=detail))
                                       for p, voter, member, support, salt, escrow, detail in entries])

    def accept_approvals(self, entries: list[tuple[int, str, int, int, bytes, str]]
                         ) -> list[StoredApproval | InputError]:
        """Persist validated approval ballots, each (proposal, voter, member id, approvals, signature, kind), by
        accept_many's rules: one per member and proposal."""
        return self._accept("approval", [(p, voter, member, dict(approvals=str(bitmap), kind=kind,
                                                                 signature="0x" + signature.hex()))
                                         for p, voter, member, bitmap, signature, kind in entries])

    def _accept(self, kind: str, entries: list[tuple[int, str, int, dict]]) -> list:
        """accept_many's rules for items of `kind`, each (proposal, voter, member id, its own columns)."""
        if not entries:
            return []
        table, row_of, noun = KINDS[kind]
        a_noun = with_article(noun)
        now = _now()
        proposals = {str(e[0]) for e in entries}
        outcomes: list = [None] * len(entries)
        try:
            with self.engine.begin() as db:
                known = db.execute(select(table).where(
                    self._scope(table) & table.c.proposal_id.in_(proposals)
                    & (table.c.member_id.in_({e[2] for e in entries}) | table.c.voter.in_({e[1] for e in entries}))
                )).all()
                held = {(r.proposal_id, r.member_id): row_of(r) for r in known if r.status != "rejected"}
                by_voter = {(r.proposal_id, r.voter): r for r in known}
                inserts: list[tuple[int, dict]] = []
                for i, (proposal_id, voter, member_id, fields) in enumerate(entries):
                    pid = str(proposal_id)
                    if (pid, member_id) in held:
                        outcomes[i] = AlreadyHeld(held[(pid, member_id)], noun)
                        continue
                    earlier = by_voter.get((pid, voter))
                    row = {"member_id": member_id, "status": "accepted", "detail": "", "batch_id": None,
                           "tx_hash": None, "received_at": now, "updated_at": now, **fields}
                    stored = row_of(SimpleNamespace(id=0, proposal_id=pid, voter=voter, **row))
                    if earlier is None:
                        inserts.append((i, dict(chain_id=self.chain_id, governor=self.governor, proposal_id=pid,
                                                voter=voter, **row)))
                    elif earlier.status == "rejected" and earlier.tx_hash is None:  # never sent: replaced
                        db.execute(update(table).where(table.c.id == earlier.id).values(**row))
                        stored = replace(stored, id=earlier.id)
                    elif earlier.status == "rejected":
                        outcomes[i] = InputError(f"the relayer already sent {a_noun} of {voter} on this proposal; "
                                                 f"the chain rejected it: {earlier.detail}")
                        continue
                    else:
                        outcomes[i] = InputError(f"the relayer already holds {a_noun} of {voter} on this proposal")
                        continue
                    held[(pid, member_id)] = by_voter[(pid, voter)] = stored
                    outcomes[i] = stored
                if inserts:
                    ids = db.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True),
                                     [row for _, row in inserts]).scalars().all()
                    for (i, _), item_id in zip(inserts, ids, strict=True):
                        outcomes[i] = replace(outcomes[i], id=item_id)
        except IntegrityError:
            # Another process stored one of these voters' items meanwhile (the unique voter constraint): none of
            # this transaction stands, so each is tried again alone, and only the one that collided is refused.
            if len(entries) == 1:
                proposal_id, voter = entries[0][:2]
                earlier = self.find(proposal_id, voter, kind)
                if earlier is not None and earlier.status == "rejected":
                    return [InputError(f"the relayer already sent {a_noun} of {voter} on this proposal; the chain "
                                       f"rejected it: {earlier.detail}")]
                return [InputError(f"the relayer already holds {a_noun} of {voter} on this proposal")]
            return [outcome for entry in entries for outcome in self._accept(kind, [entry])]
        return outcomes

    def get(self, item_id: int, kind: str = "ballot") -> Stored | None:
        table, row_of, _ = KINDS[kind]
        with self.engine.connect() as db:
            row = db.execute(select(table).where(table.c.id == item_id)).first()
        return row_of(row) if row else None

    def find(self, proposal_id: int, voter: str, kind: str = "ballot") -> Stored | None:
        table, row_of, _ = KINDS[kind]
        with self.engine.connect() as db:
            row = db.execute(select(table).where(self._scope(table) & (table.c.proposal_id == str(proposal_id))
                                                 & (table.c.voter == voter))).first()
        return row_of(row) if row else None

    def held_commitments(self, proposal_id: int, member_ids: set[int]) -> dict[int, StoredCommitment]:
        """The commitments held of these members on the proposal (not rejected), by member id."""
        with self.engine.connect() as db:
            rows = db.execute(select(commitments).where(
                self._scope(commitments) & (commitments.c.proposal_id == str(proposal_id))
                & commitments.c.member_id.in_(member_ids) & (commitments.c.status != "rejected"))).all()
        return {r.member_id: _commitment_row(r) for r in rows}

    def accepted(self, kind: str = "ballot") -> dict[int, list[Stored]]:
        """Items not yet in any transaction, by proposal, sorted by member id (bitmap locality)."""
        table, row_of, _ = KINDS[kind]
        with self.engine.connect() as db:
            rows = db.execute(select(table).where(self._scope(table) & (table.c.status == "accepted"))
                              .order_by(table.c.proposal_id, table.c.member_id)).all()
        grouped: dict[int, list] = {}
        for r in rows:
            grouped.setdefault(int(r.proposal_id), []).append(row_of(r))
        return grouped

    def record_batch(self, proposal_id: int, ballot_ids: list[int], tx_hash: str, raw_tx: bytes,
                     kind: str = "ballot") -> int:
        """Tie items of one kind to one signed transaction, atomically, before it is broadcast. The same items
        signed again at the same nonce and fees give the same transaction: its earlier record is reused."""
        table = KINDS[kind][0]
        with self.engine.begin() as db:
            known = db.execute(select(batches.c.id).where(batches.c.tx_hash == tx_hash)).first()
            if known is not None:
                batch_id = known.id
                db.execute(update(batches).where(batches.c.id == batch_id).values(status="signed"))
            else:
                batch_id = db.execute(batches.insert().values(
                    chain_id=self.chain_id, governor=self.governor, proposal_id=str(proposal_id), tx_hash=tx_hash,
                    raw_tx="0x" + raw_tx.hex(), status="signed", created_at=_now())).inserted_primary_key[0]
            db.execute(update(table).where(table.c.id.in_(ballot_ids) & (table.c.status == "accepted"))
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

    def batch_kind(self, batch_id: int) -> str:
        """Which kind of item a batch holds (ballot, commitment or reveal)."""
        with self.engine.connect() as db:
            for kind, (table, _, _) in KINDS.items():
                if db.execute(select(table.c.id).where(table.c.batch_id == batch_id).limit(1)).first():
                    return kind
        return "ballot"

    def batch_ballots(self, batch_id: int) -> list[int]:
        """The ids of a batch's items (of whichever kind it holds)."""
        with self.engine.connect() as db:
            return [i for table, _, _ in KINDS.values()
                    for i in db.execute(select(table.c.id).where(table.c.batch_id == batch_id)).scalars()]

    def settle_batch(self, batch_id: int, outcomes: dict[str, str | None],
                     unaccounted: str = "not mentioned by the transaction's events") -> None:
        """Record what the chain did with each item of a mined batch: voter (in any case) → None if counted (or
        recorded, for a commitment), else why it was rejected. Items the receipt does not mention are rejected as
        `unaccounted`."""
        outcomes = {voter.lower(): outcome for voter, outcome in outcomes.items()}
        now = _now()
        with self.engine.begin() as db:
            for table, _, _ in KINDS.values():
                rows = db.execute(select(table.c.id, table.c.voter).where(table.c.batch_id == batch_id)).all()
                by_outcome: dict[str | None, list[int]] = {}  # one UPDATE per outcome, not per item
                for r in rows:
                    by_outcome.setdefault(outcomes.get(r.voter.lower(), unaccounted), []).append(r.id)
                for reason, ids in by_outcome.items():
                    status, detail = ("included", "") if reason is None else ("rejected", reason)
                    db.execute(update(table).where(table.c.id.in_(ids))
                               .values(status=status, detail=detail, updated_at=now))
            db.execute(update(batches).where(batches.c.id == batch_id).values(status="mined"))

    def requeue_batch(self, batch_id: int, detail: str = "") -> None:
        """A batch whose items never counted (its transaction was refused, dropped or reverted): they go
        back to accepted, with `detail` saying why, and the batch is marked dropped."""
        with self.engine.begin() as db:
            for table, _, _ in KINDS.values():
                db.execute(update(table).where(table.c.batch_id == batch_id)
                           .values(status="accepted", detail=detail, batch_id=None, tx_hash=None, updated_at=_now()))
            db.execute(update(batches).where(batches.c.id == batch_id).values(status="dropped"))

    def reject(self, ballot_ids: list[int], detail: str, kind: str = "ballot") -> None:
        """Reject items that were never sent (e.g. the proposal closed before their batch was built)."""
        table = KINDS[kind][0]
        with self.engine.begin() as db:
            db.execute(update(table).where(table.c.id.in_(ballot_ids) & (table.c.status == "accepted"))
                       .values(status="rejected", detail=detail, updated_at=_now()))
