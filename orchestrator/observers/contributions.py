"""Contribution weight as observers read it, from the index alone: each member's contribution part of its weight
and the total weight, as the indexer read them from the ledger and the registry (schema.contribution_parts: the
chain's own answers at the end of an indexed range, never computed here), and each member's contributions (the
ledger's ContributionRecorded and CountingChanged events, schema.contributions).

A deployment without a ledger has no parts recorded: `weight()` answers None and the pages and the report leave
contribution weight out."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import inspect, select

from orchestrator.observers.indexer.schema import blocks, contribution_parts, contributions
from orchestrator.observers.observatory import Observatory


@dataclass(frozen=True)
class MemberPart:
    member_id: int
    member: str
    part: int  # weight units
    share: float  # of the total weight, in percent


@dataclass(frozen=True)
class ContributionWeight:
    read_at: int  # the block time the parts were read at
    total_weight: int  # the registry's totalWeight(): tier weights and the total part
    total_part: int  # the ledger's totalPartAt()
    members: list[MemberPart] = field(default_factory=list)  # every member with a contribution, biggest part first

    @property
    def total_share(self) -> float:
        return _percent(self.total_part, self.total_weight)


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def recorded(obs: Observatory) -> bool:
    """Whether the index holds contribution parts: the deployment weighs contributions (an index made before the
    tables existed holds none)."""
    if contribution_parts.name not in inspect(obs.engine).get_table_names():
        return False
    with obs.engine.connect() as db:
        return db.execute(select(contribution_parts.c.member_id).limit(1)).first() is not None


def weight(obs: Observatory, until: int | None = None) -> ContributionWeight | None:
    """Every member's part and the totals as last read at or before time `until` (default: the newest indexed
    block); None without a ledger, or when nothing was read by then. Kept per head block, as the observatory
    keeps what every page needs (a member's page asks for it too)."""
    return obs._kept(("contribution weight", until), lambda: _weight(obs, until))


def _weight(obs: Observatory, until: int | None) -> ContributionWeight | None:
    if not recorded(obs):
        return None
    p = contribution_parts.c
    with obs.engine.connect() as db:
        query = select(p.member_id, p.block_number, p.part, p.total_weight, blocks.c.timestamp).join(
            blocks, blocks.c.number == p.block_number)
        if until is not None:
            query = query.where(blocks.c.timestamp <= until)
        latest: dict[int, tuple] = {}
        for r in db.execute(query.order_by(p.block_number)):
            latest[r.member_id] = (int(r.part), r.total_weight, r.timestamp)
    if 0 not in latest:
        return None
    total_part, total_weight, read_at = latest.pop(0)
    total_weight = int(total_weight)
    members = [MemberPart(m, obs.label(m), part, _percent(part, total_weight))
               for m, (part, _, _) in latest.items()]
    members.sort(key=lambda x: (-x.part, x.member_id))
    return ContributionWeight(read_at, total_weight, total_part, members)


def history(obs: Observatory, member_id: int) -> list[dict]:
    """The member's contributions and counting changes, oldest first."""
    if not recorded(obs):
        return []
    c = contributions.c
    with obs.engine.connect() as db:
        rows = db.execute(select(c.timestamp, c.change, c.amount, c.memo, c.tx_hash).where(c.member_id == member_id)
                          .order_by(c.block_number, c.log_index)).all()
    return [{"time": r.timestamp, "change": r.change, "amount": int(r.amount), "memo": r.memo, "tx": r.tx_hash}
            for r in rows]
