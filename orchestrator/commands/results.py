"""`consortium results [ID] [--member M] [--format table|json|csv]`: decisions and participation, from
the index database alone (`consortium index` fills it; no chain is needed to read it)."""

from __future__ import annotations

import csv
import io
import json

import click

from orchestrator.commands.common import pass_session, when
from orchestrator.errors import InputError
from orchestrator.observers import elections
from orchestrator.observers.observatory import Observatory, ProposalResult, recusal_text, sealed_phase, sealed_text
from orchestrator.operations.session import Session

FORMATS = ["table", "json", "csv"]


@click.command()
@click.argument("proposal_id", required=False)
@click.option("--member", "member_id", type=click.IntRange(1), help="One member's participation history.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_session
def results(session: Session, proposal_id: str | None, member_id: int | None, fmt: str) -> None:
    """Per proposal: kind, state (the governor's, as the index recorded it), quorum needed and reached,
    tallies and turnout per tier, recusals (and with an ID every ballot); or with --member, a member's
    participation. Members by legal name where the chain holds one, tiers by name, in every format. Reads
    only the database."""
    obs = Observatory(session.options.db)
    if member_id is not None:
        if not obs.member_exists(member_id):
            raise InputError(f"no member {member_id} in the index")
        _emit_rows(fmt, elections.participation(obs, member_id), ["proposal_id", "title", "action", "support",
                                                                  "weight", "relayed", "approved", "reason"],
                   obs.label(member_id))
        return
    ids = [obs.find(proposal_id)] if proposal_id else obs.proposal_ids()
    found = [obs.proposal(i, detail=bool(proposal_id)) for i in ids]
    # An election's ballot, asked for by its id: the election's tally per candidate and voters' tier too.
    election = None
    if proposal_id and (eid := elections.of_proposal(obs, found[0].id)) is not None:
        election = elections.get(obs, eid)
        chosen = elections.approved(obs, found[0].id)
        for b in found[0].ballots:
            b["approved"] = chosen.get(b["member_id"])
        if election.ballot != found[0].id:  # an earlier round's ballot: its own tallies, no winners
            election.ballot, election.winners = found[0].id, []
            for c in election.candidates:
                c.elected = c.reserved_seat = False
            elections.tally(obs, election)
    if fmt == "json":
        document = found[0].to_json() if proposal_id else [r.to_json() for r in found]
        if election is not None:
            document["election"] = election.to_json()
        click.echo(json.dumps(document, indent=2))
    elif fmt == "csv":
        click.echo(_csv(found, per_tier=bool(proposal_id), election=election), nl=False)
    elif not found:
        click.echo("no proposals in the index")
    else:
        for r in found:
            _table(r, obs.now, detail=bool(proposal_id), election=election)


def _table(r: ProposalResult, now: int, detail: bool, election: elections.Election | None = None) -> None:
    f, a, ab = r.totals
    click.echo(f"proposal {r.id}\n  {r.title}\n  kind {r.kind}, state {r.state} (as of {when(now)})")
    click.echo(f"  snapshot {when(r.snapshot)}, deadline {when(r.deadline)}")
    needed = "not fixed before the snapshot" if r.quorum_needed is None else f"{r.quorum_needed} needed"
    click.echo(f"  quorum {needed}, {r.quorum_reached} reached (for + abstain)")
    if sealed_phase(r, now) != "committing":  # before the reveals nothing is counted: no table of zeros
        click.echo(f"  {'tier':12} {'for':>8} {'against':>8} {'abstain':>8} {'turnout':>12}")
        for t in r.tiers:
            turnout = f"{t.voted}/{t.eligible}" + (f" {100 * t.voted // t.eligible}%" if t.eligible else "")
            click.echo(f"  {t.name:12} {t.for_:>8} {t.against:>8} {t.abstain:>8} {turnout:>12}")
        click.echo(f"  {'total':12} {f:>8} {a:>8} {ab:>8}")
    for line in sealed_text(r, now):
        click.echo(f"  {line}")
    for rec in r.recusals:
        click.echo(f"  {recusal_text(rec)}")
    if election is not None:
        for line in elections.tally_text(election):
            click.echo(f"  {line}")
    if detail:
        click.echo("  ballots:")
        for b in r.ballots:
            via = "relayed" if b["relayed"] else "direct"
            reason = f" — {b['reason']}" if b["reason"] else ""
            if b.get("approved") is not None:
                reason += " — approves " + (", ".join(f"member {m}" for m in b["approved"]) or "nobody")
            name = b["member"].removeprefix(f"member {b['member_id']}")
            click.echo(f"    member {b['member_id']:>5}{name} ({b['tier']}) {b['support']:8} weight {b['weight']} "
                       f"({via}){reason}")
    click.echo("")


# One proposal in CSV: one row per record, tiers (tallies and turnout), recusals, unrevealed commitments (a sealed
# proposal's) and ballots, in that order.
RECORD_COLUMNS = ["proposal_id", "record", "tier", "member_id", "member", "for", "against", "abstain", "voted",
                  "eligible", "support", "weight", "relayed", "automatic", "reason"]


# An election's ballot adds, after them, a row per candidate (its tier, total approvals, whether elected) and per
# candidate and voters' tier (`tier` is the voters'), and which candidates each ballot approves.
ELECTION_COLUMNS = [*RECORD_COLUMNS, "candidate", "approvals", "elected", "reserved_seat", "approved"]


def _csv(found: list[ProposalResult], per_tier: bool, election: elections.Election | None = None) -> str:
    out = io.StringIO()
    if per_tier:
        r = found[0]
        writer = csv.DictWriter(out, fieldnames=RECORD_COLUMNS if election is None else ELECTION_COLUMNS)
        writer.writeheader()
        for t in r.tiers:
            writer.writerow({"proposal_id": r.id, "record": "tier", "tier": t.name, "for": t.for_,
                             "against": t.against, "abstain": t.abstain, "voted": t.voted, "eligible": t.eligible})
        for rec in r.recusals:
            writer.writerow({"proposal_id": r.id, "record": "recusal", "member_id": rec["member_id"],
                             "member": rec["member"], "automatic": rec["automatic"], "reason": rec["reason"]})
        for u in r.unrevealed:  # a sealed proposal's commitments no ballot opened (yet)
            writer.writerow({"proposal_id": r.id, "record": "unrevealed", "member_id": u["member_id"],
                             "member": u["member"]})
        for b in r.ballots:
            row = {"proposal_id": r.id, "record": "ballot", "tier": b["tier"], "member_id": b["member_id"],
                   "member": b["member"], "support": b["support"], "weight": b["weight"], "relayed": b["relayed"],
                   "reason": b["reason"]}
            if election is not None:
                row["approved"] = " ".join(map(str, b.get("approved") or []))
            writer.writerow(row)
        for c in [] if election is None else election.candidates:
            writer.writerow({"proposal_id": r.id, "record": "candidate", "tier": c.tier, "member_id": c.member_id,
                             "member": c.member, "candidate": c.index, "approvals": c.approvals,
                             "elected": c.elected, "reserved_seat": c.reserved_seat,
                             "reason": "withdrawn" if c.withdrawn else ""})
            for tier, weight in c.by_tier.items():
                writer.writerow({"proposal_id": r.id, "record": "approvals", "tier": tier,
                                 "member_id": c.member_id, "member": c.member, "candidate": c.index,
                                 "approvals": weight})
        return out.getvalue()
    writer = csv.writer(out)
    writer.writerow(["proposal_id", "title", "kind", "state", "quorum_needed", "quorum_reached", "for", "against",
                     "abstain", "recusals"])
    for r in found:
        writer.writerow([r.id, r.title, r.kind, r.state, r.quorum_needed, r.quorum_reached, *r.totals,
                         "; ".join(recusal_text(rec) for rec in r.recusals)])
    return out.getvalue()


def _emit_rows(fmt: str, rows: list[dict], columns: list[str], title: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
    else:
        click.echo(f"{title}: {len(rows)} proposal(s)")
        for row in rows:
            what = row["action"] + (f" {row['support']} with weight {row['weight']}" if "support" in row else "")
            what += " (relayed)" if row.get("relayed") else ""
            what += f", approving {row['approved']}" if row.get("approved") else ""
            click.echo(f"  {row['proposal_id'][:12]}…  {what}  — {row['title']}")
