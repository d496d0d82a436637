"""The transparency report for regulators and the public: what happened between two dates, from the
index database alone. Membership changes, decisions with their tallies, elections (opened, nominated for,
balloted, seated, vacated or cancelled in the period: candidates, turnout, approvals per candidate and voters'
tier, who was elected), standards adopted, censures, advisories published, revised, retracted or dismissed, and
the treasury's money in and out. Rendered as
text or as a self-contained HTML page."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from sqlalchemy import and_, select

from orchestrator import identity
from orchestrator.chain.amounts import format_amount
from orchestrator.chain.reverts import utc
from orchestrator.labels import tier_label
from orchestrator.observers import contributions
from orchestrator.observers import elections as observed_elections
from orchestrator.observers.advisories import in_period
from orchestrator.observers.indexer.schema import (
    candidates,
    conduct_records,
    election_changes,
    elections,
    member_changes,
    proposal_events,
    standard_changes,
    standards,
    treasury_flows,
)
from orchestrator.observers.observatory import UNKNOWN, Observatory, ProposalResult, recusal_text, sealed_text

ZERO = "0x" + "00" * 20


@dataclass
class TransparencyReport:
    start: int
    end: int
    membership: list[dict] = field(default_factory=list)
    decisions: list[ProposalResult] = field(default_factory=list)
    standards_adopted: list[dict] = field(default_factory=list)
    censures: list[dict] = field(default_factory=list)
    advisories: list[dict] = field(default_factory=list)  # decisions on advisories (advisories.in_period)
    money_in: dict[str, int] = field(default_factory=dict)  # kind -> total (ETH, wei)
    money_out: dict[str, int] = field(default_factory=dict)
    flows: list[dict] = field(default_factory=list)
    # each member's contribution part, as the ledger answered at the period's end; None: no ledger
    contribution: contributions.ContributionWeight | None = None
    # elections with an event in the period (opened, a candidacy, a round, seated, vacated, cancelled), as they
    # stand now, each with its ballot's result (turnout per tier) once one was made
    elections: list[tuple[observed_elections.Election, ProposalResult | None]] = field(default_factory=list)


def build(obs: Observatory, start: int, end: int) -> TransparencyReport:
    """Everything with a timestamp in [start, end]. A decision belongs to the period its voting ended in
    (or, for one still open, is left out). Its outcome is the governor's state(), as the index recorded it."""
    report = TransparencyReport(start, end)

    def within(table):
        return and_(table.c.timestamp >= start, table.c.timestamp <= end)

    tiers = obs.tier_names()
    with obs.engine.connect() as db:
        for r in db.execute(select(member_changes).where(within(member_changes))
                            .order_by(member_changes.c.block_number, member_changes.c.log_index)):
            report.membership.append({"time": r.timestamp, "member_id": r.member_id, "member": obs.label(r.member_id),
                                      "change": r.change, "tier": tier_label(r.tier, tiers), "status": r.status,
                                      "detail": r.detail})
        decided = set()
        # a proposal sealed in the period (at its creation) was not decided then
        for r in db.execute(select(proposal_events.c.proposal_id).where(within(proposal_events),
                                                                        proposal_events.c.event != "sealed")):
            decided.add(r.proposal_id)
        for r in db.execute(select(standard_changes, standards.c.title, standards.c.version)
                            .join(standards, standards.c.standard_id == standard_changes.c.standard_id)
                            .where(within(standard_changes), standard_changes.c.change == "adopted")):
            report.standards_adopted.append({"time": r.timestamp, "standard_id": r.standard_id, "title": r.title,
                                             "version": r.version})
        censures = select(conduct_records).where(within(conduct_records), conduct_records.c.kind == "censure")
        for r in db.execute(censures):
            report.censures.append({"time": r.timestamp, "member_id": r.member_id, "member": obs.label(r.member_id),
                                    "reason": r.text, "report_id": r.report_id})
        for r in db.execute(select(treasury_flows).where(within(treasury_flows))
                            .order_by(treasury_flows.c.block_number, treasury_flows.c.log_index)):
            flow = {"time": r.timestamp, "direction": r.direction, "kind": r.kind, "counterparty": r.counterparty,
                    "token": r.token, "amount": int(r.amount), "memo": r.memo}
            report.flows.append(flow)
            if r.token == ZERO and r.direction in ("in", "out"):
                totals = report.money_in if r.direction == "in" else report.money_out
                totals[r.kind] = totals.get(r.kind, 0) + int(r.amount)
    report.advisories = in_period(obs, start, end)
    if observed_elections.recorded(obs):
        with obs.engine.connect() as db:
            active = set()
            for table in (elections, election_changes, candidates):
                active |= set(db.execute(select(table.c.election_id).where(within(table))).scalars())
        for election_id in sorted(active):
            e = observed_elections.get(obs, election_id)
            report.elections.append((e, None if e.ballot is None else obs.proposal(e.ballot, detail=False)))
    report.contribution = contributions.weight(obs, end)
    for proposal_id in obs.proposal_ids():
        result = obs.proposal(proposal_id, detail=False)
        if start <= result.deadline <= end or proposal_id in decided:
            if result.state not in ("Pending", "Active", UNKNOWN):
                report.decisions.append(result)
    return report


def _day(ts: int) -> str:
    return utc(ts, "minute")


def _detail(change: dict) -> str:
    """A membership change's reason or metadata URI; a data: URI is the identity the member is named by."""
    return "" if change["detail"].startswith(identity.DATA_PREFIX) else change["detail"]


def _eth(wei: int) -> str:
    return format_amount(wei)


def _needed(d: ProposalResult) -> str:
    """The governor's quorum for the proposal; a proposal cancelled before its snapshot never had one."""
    return "not fixed" if d.quorum_needed is None else f"{d.quorum_needed} needed"


def _advisory(a: dict) -> str:
    """"advisory 3 published (scam, high) about eip155:1:0xab…" and the reason or note, if any."""
    why = f": {a['text']}" if a["text"] else ""
    return f"advisory {a['advisory_id']} {a['what']} ({a['kind']}, {a['severity']}) about {a['subject']}{why}"


def render_text(r: TransparencyReport) -> str:
    lines = [f"Transparency report, {_day(r.start)} to {_day(r.end)}", ""]
    lines.append(f"Membership changes ({len(r.membership)})")
    lines += [f"  {_day(m['time'])}  {m['member']}: {m['change']} (now {m['status']}, tier {m['tier']})"
              + (f" — {_detail(m)}" if _detail(m) else "") for m in r.membership]
    lines += ["", f"Decisions ({len(r.decisions)})"]
    for d in r.decisions:
        f, a, ab = d.totals
        lines.append(f"  {d.title} [{d.kind}] {d.state}: for {f}, against {a}, abstain {ab}; "
                     f"quorum {_needed(d)}, {d.quorum_reached} reached")
        lines += [f"      {t.name}: for {t.for_}, against {t.against}, abstain {t.abstain} ({t.voted}/{t.eligible} "
                  "voted)" for t in d.tiers]
        lines += [f"      {recusal_text(rec)}" for rec in d.recusals]
        lines += [f"      {line}" for line in sealed_text(d, d.deadline)]  # decided: past its deadline
    lines += ["", f"Elections ({len(r.elections)})"]
    for e, ballot in r.elections:
        table = observed_elections.tally_text(e)
        lines.append(f"  {table[0]}")
        lines.append(f"      {_election_schedule(e)}")
        if ballot is not None:
            lines.append(f"      {_election_ballot(ballot)}")
            lines += [f"      {line}" for line in table[1:]]
        else:
            standing = [f"{c.member} ({c.tier}{', withdrawn' if c.withdrawn else ''})" for c in e.candidates]
            lines.append("      candidates: " + (", ".join(standing) or "none yet"))
    lines += ["", f"Standards adopted ({len(r.standards_adopted)})"]
    lines += [f"  {_day(s['time'])}  {s['title']} v{s['version']} (standard {s['standard_id']})"
              for s in r.standards_adopted]
    lines += ["", f"Censures ({len(r.censures)})"]
    lines += [f"  {_day(c['time'])}  {c['member']}: {c['reason']}" for c in r.censures]
    lines += ["", f"Advisories ({len(r.advisories)})"]
    lines += [f"  {_day(a['time'])}  {_advisory(a)}" for a in r.advisories]
    lines += _contribution_text(r.contribution)
    lines += ["", "Treasury (ETH)"]
    lines += [f"  in  {kind:14} {_eth(v)}" for kind, v in sorted(r.money_in.items())]
    lines += [f"  out {kind:14} {_eth(v)}" for kind, v in sorted(r.money_out.items())]
    lines.append(f"  net            {_eth(sum(r.money_in.values()) - sum(r.money_out.values()))}")
    return "\n".join(lines) + "\n"


def _election_schedule(e: observed_elections.Election) -> str:
    body = f"{e.body_name} ({e.body})" if e.body_name else e.body
    return (f"body {body}; opened {_day(e.opened_at)}, nominations until {_day(e.nominations_end)}, term until "
            f"{_day(e.term_end)}")


def _election_ballot(d: ProposalResult) -> str:
    """The ballot proposal's state and turnout per voters' tier."""
    turnout = ", ".join(f"{t.name} {t.voted}/{t.eligible}" for t in d.tiers)
    return f"ballot proposal {d.id[:12]}… {d.state}; turnout {turnout}; quorum {_needed(d)}, {d.quorum_reached} reached"


def _contribution_heading(c: contributions.ContributionWeight) -> str:
    return (f"Contribution weight (read {_day(c.read_at)}: total weight {c.total_weight}, of which contribution "
            f"parts {c.total_part}, {c.total_share}%)")


def _contribution_text(c: contributions.ContributionWeight | None) -> list[str]:
    """Each member's part and its share of the total weight, when the deployment weighs contributions."""
    if c is None:
        return []
    return ["", _contribution_heading(c)] + [f"  {m.member}: part {m.part}, {m.share}% of the total weight"
                                              for m in c.members]


def render_html(r: TransparencyReport) -> str:
    e = html.escape

    def table(headers: list[str], rows: list[list]) -> str:
        head = "".join(f"<th>{e(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    parts = [f"<h1>Transparency report</h1><p>{e(_day(r.start))} to {e(_day(r.end))}</p>",
             f"<h2>Membership changes ({len(r.membership)})</h2>",
             table(["time", "member", "change", "status", "tier", "detail"],
                   [[_day(m["time"]), m["member"], m["change"], m["status"], m["tier"], _detail(m)]
                    for m in r.membership]),
             f"<h2>Decisions ({len(r.decisions)})</h2>"]
    for d in r.decisions:
        f, a, ab = d.totals
        parts.append(f"<h3>{e(d.title)}</h3><p>{e(d.kind)}, <strong>{e(d.state)}</strong>; quorum "
                     f"{e(_needed(d))}, {d.quorum_reached} reached</p>")
        parts.append(table(["tier", "for", "against", "abstain", "voted", "eligible"],
                           [[t.name, t.for_, t.against, t.abstain, t.voted, t.eligible] for t in d.tiers]
                           + [["total", f, a, ab, "", ""]]))
        notes = [recusal_text(rec) for rec in d.recusals] + sealed_text(d, d.deadline)
        if notes:
            parts.append("<ul>" + "".join(f"<li>{e(note)}</li>" for note in notes) + "</ul>")
    parts.append(f"<h2>Elections ({len(r.elections)})</h2>")
    for el, ballot in r.elections:
        parts.append(f"<h3>{e(observed_elections.heading(el))}</h3><p>{e(_election_schedule(el))}</p>")
        if ballot is not None:
            parts.append(f"<p>{e(_election_ballot(ballot))}</p>")
        parts.append(table(["candidate", "tier", *el.voter_tiers, "total", ""],
                           [[c.member, c.tier, *c.by_tier.values(), c.approvals, observed_elections.elected_text(c)]
                            for c in el.candidates]))
        notes = [] if el.unfilled is None else [f"elected {len(el.winners)}, unfilled seats {el.unfilled}"]
        notes += [] if not el.vacated else ["vacated after the term: " + ", ".join(v["member"] for v in el.vacated)]
        if notes:
            parts.append("<ul>" + "".join(f"<li>{e(note)}</li>" for note in notes) + "</ul>")
    parts += [f"<h2>Standards adopted ({len(r.standards_adopted)})</h2>",
              table(["time", "standard", "title", "version"],
                    [[_day(s["time"]), s["standard_id"], s["title"], s["version"]] for s in r.standards_adopted]),
              f"<h2>Censures ({len(r.censures)})</h2>",
              table(["time", "member", "reason"], [[_day(c["time"]), c["member"], c["reason"]] for c in r.censures]),
              f"<h2>Advisories ({len(r.advisories)})</h2>",
              table(["time", "advisory", "what", "kind", "severity", "subject", "reason or note"],
                    [[_day(a["time"]), a["advisory_id"], a["what"], a["kind"], a["severity"], a["subject"], a["text"]]
                     for a in r.advisories]),
              *([] if r.contribution is None else [
                  f"<h2>{e(_contribution_heading(r.contribution))}</h2>",
                  table(["member", "part", "share of the total weight"],
                        [[m.member, m.part, f"{m.share}%"] for m in r.contribution.members])]),
              "<h2>Treasury</h2>",
              table(["direction", "kind", "counterparty", "amount", "memo", "time"],
                    [[f["direction"], f["kind"], f["counterparty"],
                      _eth(f["amount"]) if f["token"] == ZERO else f"{f['amount']} of {f['token']}", f["memo"],
                      _day(f["time"])] for f in r.flows]),
              f"<p>In: {e(_eth(sum(r.money_in.values())))}; out: {e(_eth(sum(r.money_out.values())))}</p>"]
    style = ("body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;"
             "text-align:left}th{background:#f3f3f3}")
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Transparency report</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")
