"""`consortium index --verify`: the index compared with the contracts' own getters, at the block the
index has reached (calls are made at that block, so a head that moved on is not a difference).
Checked: every member's seat, tier and status; every proposal's state, kind and tallies per tier; the
bodies; every standard's status and attesters; the counts of reports and censures."""

from __future__ import annotations

from sqlalchemy import func, select

from .errors import STANDARD_STATUSES, STATUSES
from .indexer.schema import bodies, conduct_records, member_changes, standard_changes, standards
from .observatory import Observatory
from .proposals import STATES, kind_name


def verify(session, obs: Observatory) -> list[str]:
    """Every difference between the index and the chain at the index's block, in words."""
    at = obs.head_block
    differences: list[str] = []

    def check(what: str, indexed, on_chain) -> None:
        if indexed != on_chain:
            differences.append(f"{what}: index says {indexed!r}, chain says {on_chain!r}")

    r = session.registry.functions
    with obs.engine.connect() as db:
        count = r.memberCount().call(block_identifier=at)
        check("member count", db.execute(select(func.count(func.distinct(member_changes.c.member_id)))).scalar(),
              count)
        for member_id in range(1, count + 1):
            row = db.execute(select(member_changes).where(member_changes.c.member_id == member_id)
                             .order_by(member_changes.c.block_number.desc(), member_changes.c.log_index.desc())
                             .limit(1)).first()
            seat, tier, status, *_ = r.member(member_id).call(block_identifier=at)
            indexed = (row.seat, row.tier, row.status) if row else None
            check(f"member {member_id}", indexed, (seat, tier, STATUSES[status].lower()))
        check("bodies", sorted(db.execute(select(bodies.c.address)).scalars()),
              sorted(session.body_factory.functions.bodies().call(block_identifier=at)))
        s = session.standards.functions
        for standard_id in range(1, s.standardCount().call(block_identifier=at) + 1):
            changes = db.execute(select(standard_changes).where(standard_changes.c.standard_id == standard_id)
                                 .order_by(standard_changes.c.block_number, standard_changes.c.log_index)).all()
            status = next((c.change for c in reversed(changes) if c.member_id is None), "draft")
            attesters = set()
            for c in changes:
                if c.change == "attested":
                    attesters.add(c.member_id)
                elif c.change == "withdrawn":
                    attesters.discard(c.member_id)
            chain_status = STANDARD_STATUSES[s.standard(standard_id).call(block_identifier=at)[4]].lower()
            check(f"standard {standard_id} status", status, chain_status)
            check(f"standard {standard_id} attesters", sorted(attesters),
                  sorted(s.attesters(standard_id).call(block_identifier=at)))
        check("standards", db.execute(select(func.count()).select_from(standards)).scalar(),
              s.standardCount().call(block_identifier=at))
        c = session.conduct.functions
        for kind, getter in (("report", c.reportCount), ("censure", c.censureCount)):
            indexed = db.execute(select(func.count()).select_from(conduct_records)
                                 .where(conduct_records.c.kind == kind)).scalar()
            check(f"{kind}s", indexed, getter().call(block_identifier=at))
    g = session.governor.functions
    tier_count = r.tierCount().call(block_identifier=at)
    for proposal_id in obs.proposal_ids():
        result = obs.proposal(proposal_id, detail=False)
        pid = int(proposal_id)
        check(f"proposal {proposal_id[:12]}… state", result.state, STATES[g.state(pid).call(block_identifier=at)])
        kind, _ = g.proposalKind(pid).call(block_identifier=at)
        check(f"proposal {proposal_id[:12]}… kind", result.kind, kind_name(kind))
        indexed_tallies = {t.name: (t.against, t.for_, t.abstain) for t in result.tiers
                           if t.for_ + t.against + t.abstain}
        chain_tallies = {}
        for tier in range(tier_count):
            tallies = tuple(g.proposalTierVotes(pid, tier).call(block_identifier=at))
            if any(tallies):
                chain_tallies[r.tier(tier).call(block_identifier=at)[0]] = tallies
        check(f"proposal {proposal_id[:12]}… tallies", indexed_tallies, chain_tallies)
    return differences
