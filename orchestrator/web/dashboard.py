"""`consortium serve`: the observers' read-only web dashboard and JSON API, from the index database.

Pages (HTML, server-rendered, one small script for the per-tier chart): proposals (list and detail with
a chart and every ballot), members and tiers, treasury flows, bodies, standards with compliance, and
conduct records. The JSON API under /api/ serves the same data. No login: it is public data. Each
request reads the database afresh (through the process's one connection pool), so a running
`consortium index --follow` shows through at once."""

from __future__ import annotations

import html
import json
import logging
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from orchestrator.errors import InputError
from orchestrator.observers.observatory import Institutions, Observatory
from orchestrator.web import serving

log = logging.getLogger(__name__)
MAX_BODY = 0  # read-only: nothing is posted
PAGES = [("/", "Proposals"), ("/members", "Members"), ("/treasury", "Treasury"), ("/bodies", "Bodies"),
         ("/standards", "Standards"), ("/conduct", "Conduct")]
STYLE = ("body{font-family:system-ui,sans-serif;max-width:1040px;margin:1.5em auto;color:#222}"
         "nav a{margin-right:1em}table{border-collapse:collapse;margin:.5em 0 1.5em}"
         "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}th{background:#f3f3f3}"
         ".for{fill:#2e7d32}.against{fill:#c62828}.abstain{fill:#9e9e9e}")
# Draws the per-tier tallies of one proposal as horizontal stacked bars, from the JSON API.
CHART_SCRIPT = """
fetch('/api/proposals/' + document.getElementById('chart').dataset.proposal).then(r => r.json()).then(p => {
  const ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg');
  const total = Math.max(1, ...p.tiers.map(t => t.for + t.against + t.abstain));
  svg.setAttribute('width', 640); svg.setAttribute('height', 30 * p.tiers.length + 10);
  p.tiers.forEach((t, i) => {
    let x = 120;
    const label = document.createElementNS(ns, 'text');
    label.setAttribute('x', 0); label.setAttribute('y', 30 * i + 20); label.textContent = t.tier;
    svg.appendChild(label);
    for (const support of ['for', 'against', 'abstain']) {
      const width = 500 * t[support] / total, bar = document.createElementNS(ns, 'rect');
      Object.entries({x, y: 30 * i + 5, width, height: 20, class: support, 'data-tier': t.tier,
                      'data-support': support, 'data-weight': t[support]}).forEach(([k, v]) => bar.setAttribute(k, v));
      svg.appendChild(bar); x += width;
    }
  });
  document.getElementById('chart').appendChild(svg);
});
"""


def _when(ts: int | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC") if ts else ""


def _needed(quorum: int | None) -> str:
    """A proposal's quorum is fixed at its snapshot (the governor's proposalQuorum); before, it is not known."""
    return "not fixed before the snapshot" if quorum is None else str(quorum)


def _table(headers: list[str], rows: list[list], raw_columns: tuple[int, ...] = ()) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if i in raw_columns else html.escape(str(c))}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _page(title: str, body: str, script: str = "") -> str:
    nav = "".join(f'<a href="{path}">{name}</a>' for path, name in PAGES)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><nav>{nav}</nav><h1>{html.escape(title)}</h1>{body}"
            + (f"<script>{script}</script>" if script else "") + "</body></html>")


class Dashboard:
    def __init__(self, url: str):
        self.url = url

    def _sources(self) -> tuple[Observatory, Institutions]:
        obs = Observatory(self.url)  # afresh per request (the engine is shared): the index moves on underneath
        return obs, Institutions(obs)

    # ───── JSON API ─────

    def api(self, path: str):
        obs, inst = self._sources()
        parts = [p for p in path.split("/") if p][1:]
        if parts == ["proposals"]:
            return [obs.proposal(i, detail=False).to_json() for i in obs.proposal_ids()]
        if len(parts) == 2 and parts[0] == "proposals":
            return obs.proposal(obs.find(parts[1])).to_json()
        sources = {"members": inst.members, "treasury": inst.treasury, "bodies": inst.bodies,
                   "standards": inst.standards, "conduct": inst.conduct, "tiers": inst.tiers}
        if len(parts) == 1 and parts[0] in sources:
            return sources[parts[0]]()
        raise LookupError(path)

    # ───── pages ─────

    def page(self, path: str) -> str:
        obs, inst = self._sources()
        if path == "/":
            rows = []
            for i in obs.proposal_ids():
                r = obs.proposal(i, detail=False)
                f, a, ab = r.totals
                rows.append([f'<a href="/proposals/{i}">{html.escape(r.title)}</a>', r.kind, r.state, f, a, ab,
                             f"{r.quorum_reached}/{_needed(r.quorum_needed)}"])
            return _page("Proposals", _table(["proposal", "kind", "state", "for", "against", "abstain",
                                              "quorum reached/needed"], rows, raw_columns=(0,)))
        if path.startswith("/proposals/"):
            r = obs.proposal(obs.find(path.rsplit("/", 1)[1]))
            summary = (f"<p>{html.escape(r.kind)}, <strong>{html.escape(r.state)}</strong>; quorum "
                       f"{_needed(r.quorum_needed)} needed, {r.quorum_reached} reached; voting "
                       f"{_when(r.snapshot)} to {_when(r.deadline)}</p>")
            tiers = _table(["tier", "for", "against", "abstain", "voted", "eligible"],
                           [[t.name, t.for_, t.against, t.abstain, t.voted, t.eligible] for t in r.tiers])
            recusals = _table(["member", "recusal", "reason"],
                              [[x["member"], "automatic" if x["automatic"] else "declared", x["reason"]]
                               for x in r.recusals])
            ballots = _table(["member", "tier", "support", "weight", "submitted", "reason", "transaction"],
                             [[b["member"], b["tier"], b["support"], b["weight"],
                               "relayed" if b["relayed"] else "direct", b["reason"], b["tx"]] for b in r.ballots])
            body = (f"<p>{html.escape(r.id)}</p>{summary}<div id=\"chart\" data-proposal=\"{r.id}\"></div>{tiers}"
                    f"<h2>Recusals</h2>{recusals}<h2>Ballots ({len(r.ballots)})</h2>{ballots}")
            return _page(r.title, body, CHART_SCRIPT)
        if path == "/members":
            tiers = _table(["tier", "name", "weight", "may propose", "may vote"],
                           [[t, v["name"], v["weight"], v["canPropose"], v["canVote"]]
                            for t, v in sorted(inst.tiers().items())])
            members = _table(["member", "seat", "tier", "status", "joined", "changes"],
                             [[m["member"], m["seat"], m["tier"], m["status"], _when(m["joined"]),
                               ", ".join(h["change"] for h in m["history"])] for m in inst.members()])
            return _page("Members and tiers", f"<h2>Tiers</h2>{tiers}<h2>Members</h2>{members}")
        if path == "/treasury":
            t = inst.treasury()
            eth = 10**18
            body = (f"<p>In: {int(t['eth_in']) / eth:,.4f} ETH; out: {int(t['eth_out']) / eth:,.4f} ETH</p>"
                    + _table(["time", "direction", "kind", "counterparty", "member", "amount (wei)", "memo"],
                             [[_when(f["timestamp"]), f["direction"], f["kind"], f["counterparty"],
                               f["member_id"] or "", f["amount"], f["memo"]] for f in t["flows"]]))
            return _page("Treasury flows", body)
        if path == "/bodies":
            return _page("Bodies", _table(["body", "kind", "name", "members", "actions"],
                                          [[b["address"], b["kind"], b["name"], ", ".join(map(str, b["members"])),
                                            sum(e["event"] == "ActionExecuted" for e in b["events"])]
                                           for b in inst.bodies()]))
        if path == "/standards":
            return _page("Standards and compliance", _table(
                ["standard", "title", "version", "status", "attested by", "uri"],
                [[s["standard_id"], s["title"], s["version"], s["status"],
                  ", ".join(str(a["member_id"]) for a in s["attesters"]), s["uri"]] for s in inst.standards()]))
        if path == "/conduct":
            return _page("Conduct records", _table(
                ["time", "record", "member", "by member", "cites report", "text"],
                [[_when(c["timestamp"]), f"{c['kind']} {c['record_id']}", c["member_id"], c["reporter"] or "",
                  c["report_id"] or "", c["text"]] for c in inst.conduct()]))
        raise LookupError(path)


def app(url: str) -> FastAPI:
    """The dashboard as an ASGI app: pages at their paths, the same data as JSON under /api/."""
    board = Dashboard(url)
    web = serving.app("consortium dashboard", "What observers read: proposals with per-tier tallies and every "
                      "ballot, members and tiers, treasury flows, bodies, standards, conduct records.")

    @web.get("/api/{path:path}", summary="The index's data as JSON")
    def data(path: str) -> Response:
        try:
            return Response(json.dumps(board.api("/api/" + path), default=str), media_type="application/json")
        except (LookupError, InputError) as exc:
            return serving.error(404, f"not found: {exc}")

    @web.get("/{path:path}", response_class=HTMLResponse, summary="A page")
    def page(path: str) -> Response:
        try:
            return HTMLResponse(board.page("/" + path.strip("/")))
        except (LookupError, InputError) as exc:
            return serving.error(404, f"not found: {exc}")

    return web
