"""How much of the vote the top 10% of payers hold under tier-only, linear and concave weighting, for the demo's
roll (issue 16): `python -m bench.contribution_share [--members N]` runs the demo on an embedded devnet and prints
the table the README's contribution paragraph shows.

Everything is read from the chain the demo leaves. Payers are the members with a vote, ranked by what they paid
from their seats: dues (the treasury's DuesPaid) and sponsorships (the ledger's ContributionRecorded), the top
tenth (rounded up; ties by member id). Their share of all weight:
- tier-only: their tier weights over every voting member's tier weight (the tier table);
- linear: tier weight + value / unit, value each member's contributions as the ledger values them now
  (contributionOf, decayed) and unit the ledger's own: the same amounts, counted in proportion;
- concave: the registry's own weights (getVotes: tier weight + the ledger's part, √(value / unit)) over its own
  totalWeight(), never recomputed here."""

from __future__ import annotations

import argparse
import math
from contextlib import ExitStack
from dataclasses import dataclass
from fractions import Fraction

from orchestrator.operations import roll
from orchestrator.operations.deploy import contract
from orchestrator.operations.session import Options, Session

TOP = Fraction(1, 10)


@dataclass(frozen=True)
class Shares:
    voting: int  # members with a vote
    top: list[int]  # the top payers' member ids, biggest first
    tier_only: float  # percent of all weight
    linear: float
    concave: float


def _logs(event, start: int, end: int) -> list:
    return event.get_logs(from_block=start, to_block=end)


def shares(session: Session) -> Shares:
    """The top payers' share of the vote, read from the chain of `session`'s deployment (with a ledger)."""
    d, w3 = session.deployment, session.w3
    ledger = contract(w3, "ContributionLedger", session.registry.functions.contributionsLedger().call())
    head = w3.eth.block_number
    members = [m for m in roll.read(session.registry, session.treasury) if m.weight > 0]
    paid = {m.id: 0 for m in members}
    for log in _logs(session.treasury.events.DuesPaid(), d.block, head):
        if log["args"]["memberId"] in paid:
            paid[log["args"]["memberId"]] += log["args"]["amount"]
    for log in _logs(ledger.events.ContributionRecorded(), d.block, head):
        if log["args"]["source"] == 0 and log["args"]["memberId"] in paid:  # Source.Sponsorship
            paid[log["args"]["memberId"]] += log["args"]["amount"]
    ranked = sorted(members, key=lambda m: (-paid[m.id], m.id))
    top = ranked[:math.ceil(len(members) * TOP)]
    unit = ledger.functions.parameters().call()[0]
    value = {m.id: ledger.functions.contributionOf(m.id).call() for m in members}
    tier = {m.id: m.tier.weight for m in members}
    linear = {m.id: tier[m.id] + Fraction(value[m.id], unit) for m in members}

    def share(weights: dict, total) -> float:
        return round(float(100 * Fraction(sum(weights[m.id] for m in top)) / total), 1)

    concave = {m.id: m.weight for m in members}  # getVotes: the registry's own weight
    return Shares(len(members), [m.id for m in top], share(tier, sum(tier.values())),
                  share(linear, sum(linear.values())),
                  share(concave, session.registry.functions.totalWeight().call()))


def table(s: Shares) -> str:
    """The README's table."""
    who = f"top 10% of payers ({len(s.top)} of {s.voting} members with a vote)"
    return "\n".join([f"| weighting | {who} hold |", "|---|---|",
                      f"| tier only | {s.tier_only}% |",
                      f"| linear (tier weight + value / unit) | {s.linear}% |",
                      f"| concave (tier weight + √(value / unit), the ledger's parts) | {s.concave}% |"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=35, help="the demo's roll size (default 35, as `demo`)")
    args = parser.parse_args(argv)
    from orchestrator.demo import Demo  # the demo imports the relayer: only when run

    with ExitStack() as stack:
        session = Session(Options(), stack, lambda name: "")
        Demo(session, args.members, lambda line: None).run()
        print(table(shares(session)))


if __name__ == "__main__":
    main()
