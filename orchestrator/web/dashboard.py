"""`consortium serve`: the observers' read-only web dashboard and JSON API, from the index database.

Pages (HTML rendered on the server from templates/, readable without JavaScript): proposals (a page of
them; each with its description rendered from Markdown, the rule it must meet, its calls in words, a
timeline with transaction links, a per-tier chart drawn as SVG with its scale and quorum line, turnout,
recusals and a page of its ballots), members by legal name (each with its own page), treasury flows,
bodies, standards with compliance, and conduct records. Every list is paged (`?page=N&per_page=M`, a bad
value is a 400 with the reason) and downloadable whole as CSV (`/members.csv`, …). While a vote is open,
one small script re-reads the proposal's JSON every few seconds and updates its figures.

The JSON API under /api/ serves the same data, paged the same way with totals. No login: it is public
data. Each request reads the database afresh (through the process's one connection pool), so a running
`consortium index --follow` shows through at once; what only changes with the index is kept per head block
(Observatory)."""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from html import escape as escape_html
from urllib.parse import unquote, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from markdown_it import MarkdownIt
from markupsafe import Markup

from orchestrator.chain.amounts import ETH
from orchestrator.errors import InputError
from orchestrator.observers.indexer.schema import conduct_records, treasury_flows
from orchestrator.observers.observatory import MEMBER_LIST_CAP, Institutions, Observatory, Page, ProposalResult
from orchestrator.observers.words import describe_indexed
from orchestrator.web import charts, serving, templating, voting
from orchestrator.web.templating import PAGES, SECURITY_HEADERS, render

__all__ = ["MAX_BODY", "PAGES", "Dashboard", "app"]
log = logging.getLogger(__name__)
MAX_BODY = 0  # read-only: nothing is posted
PER_PAGE = 50
MEMBERS_PER_PAGE = 100  # a roll of 100 reads on one page
MAX_PER_PAGE = 500
MAX_PAGE = 10**6
# What each kind must meet, in the words of the README's table of kinds (the governor decides: the page shows
# the chain's state and the recorded quorum, never an outcome worked out here).
RULES = {
    "ordinary": "more weight votes for than against, and the quorum is reached",
    "constitutional": ("for is at least two thirds of (for + against), for exceeds against inside every tier that "
                       "cast for or against votes (concurrent majorities), for exceeds half of all weight at the "
                       "snapshot, and the quorum is reached"),
    "member case": ("the constitutional rule is met (the member's own weight counts in all weight), with the "
                    "member concerned recused"),
}
LINK_SCHEMES = ("http", "https")
LINK_REL = "nofollow noopener noreferrer"


def _link_allowed(url: str) -> bool:
    """Links to web pages only: no data:, javascript:, file: or relative link a proposer could dress up."""
    parts = urlsplit(url)
    return parts.scheme.lower() in LINK_SCHEMES and bool(parts.hostname)


def _link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    token.attrSet("rel", LINK_REL)
    env.setdefault("hosts", []).append(link_host(token.attrGet("href") or ""))
    return self.renderToken(tokens, idx, options, env)


def link_host(url: str) -> str:
    """The host a link leads to as people should read it: an international name in punycode (xn--…), so a
    look-alike of a known name does not pass for it; its port when not the default."""
    parts = urlsplit(url)
    host = unquote(parts.hostname or "")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # not a name IDNA can write: shown as it is (percent-decoded)
    try:
        port = parts.port
    except ValueError:
        port = None
    return host + (f":{port}" if port else "")


def _link_close(self, tokens, idx, options, env) -> str:
    # The host a link leads to, after its text: "the official relayer (evil.example)".
    return f'</a> <span class="host">({escape_html(env["hosts"].pop())})</span>'


# Markdown as CommonMark with raw HTML off (a proposer's <script> or <img onerror> is shown as text) and no
# images (`![alt](src)` reads as "!" and a link): a proposal cannot put pictures or tracking pixels on the
# page. A link is kept only to an http(s) URL, marked rel="nofollow noopener noreferrer" and followed by the
# host it leads to, so its text cannot pass it off as somewhere else (the official relayer, say).
MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable("image")
MARKDOWN.validateLink = _link_allowed
MARKDOWN.add_render_rule("link_open", _link_open)
MARKDOWN.add_render_rule("link_close", _link_close)


def markdown(text: str) -> Markup:
    """A proposer's description as HTML for the page (see MARKDOWN)."""
    return Markup(MARKDOWN.render(text, {}))
# A member's lists as CSV (/members/ID/NAME.csv), each with its columns.
MEMBER_CSV = {
    "participation": ["proposal_id", "title", "action", "support", "weight", "relayed", "reason"],
    "history": ["time", "change", "status", "tier", "seat", "detail", "tx"],
    "dues": ["timestamp", "direction", "kind", "counterparty", "token", "amount", "memo", "tx_hash"],
    "attestations": ["timestamp", "change", "standard_id", "title", "version", "evidence", "tx_hash"],
    "conduct": ["timestamp", "kind", "record_id", "reporter", "report_id", "text", "tx_hash"],
}
CSV_UNSAFE = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would read a cell starting so as a formula


class BadRequest(InputError):
    """A request the dashboard cannot answer as asked: 400 with the reason."""


def paging(request: Request, default: int = PER_PAGE) -> tuple[int, int]:
    """(page, per_page) from the query: whole numbers, page ≥ 1, 1 ≤ per_page ≤ MAX_PER_PAGE."""
    found = {}
    for name, low, high, fallback in (("page", 1, MAX_PAGE, 1), ("per_page", 1, MAX_PER_PAGE, default)):
        text = request.query_params.get(name)
        if text is None:
            found[name] = fallback
            continue
        if not re.fullmatch(r"\d{1,7}", text.strip()):
            raise BadRequest(f"{name} must be a whole number from {low} to {high}, not {text!r}")
        value = int(text)
        if not low <= value <= high:
            raise BadRequest(f"{name} must be a whole number from {low} to {high}, not {value}")
        found[name] = value
    return found["page"], found["per_page"]


def within(page: Page) -> Page:
    """A page past the last is refused (a link to it is stale or made up); page 1 of nothing is fine."""
    if page.page > page.pages:
        raise BadRequest(f"page {page.page} is past the last page ({page.pages} at {page.per_page} a page)")
    return page


def csv_cell(value) -> str:
    """A cell as text, a leading =, +, -, @ (or tab, CR) defused with a quote: CSV injection (OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_UNSAFE) else text


def csv_response(name: str, header: list[str], rows: Iterable[list]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def short(value) -> str:
    """0x1234…cdef: an address or hash as the pages show it (the full value goes in the title)."""
    text = str(value)
    return text if len(text) <= 14 else f"{text[:6]}…{text[-4:]}"


def needed(quorum: int | None) -> str:
    """A proposal's quorum is fixed at its snapshot (the governor's proposalQuorum); before, it is not known."""
    return "not fixed before the snapshot" if quorum is None else f"{quorum:,}"


def turnout(tier) -> str:
    return f"{100 * tier.voted / tier.eligible:.1f}%" if tier.eligible else "—"


def flow_amount(flow: dict) -> str:
    return ETH.format(int(flow["amount"])) if int(flow["token"], 16) == 0 else \
        f"{int(flow['amount']):,} base units of {flow['token']}"


templating.ENVIRONMENT.filters["short"] = short


class Dashboard:
    def __init__(self, url: str, explorer: str | None = None, relay: str | None = None):
        self.url = url
        self.explorer = explorer.rstrip("/") if explorer else None
        self.relay = relay
        self.headers = voting.page_headers(relay)

    def sources(self) -> tuple[Observatory, Institutions]:
        obs = Observatory(self.url)  # afresh per request (the engine is shared): the index moves on underneath
        return obs, Institutions(obs)

    def page(self, template: str, obs: Observatory, current: str, **context) -> HTMLResponse:
        body = render(template, current=current, as_of_block=obs.head_block, as_of_time=obs.now,
                      explorer=self.explorer, needed=needed, turnout=turnout, flow_amount=flow_amount,
                      label=obs.label, **context)
        return HTMLResponse(body, headers=self.headers)

    # ───── what pages and API documents share ─────

    @staticmethod
    def find(obs: Observatory, text: str) -> str:
        try:
            return obs.find(text)
        except InputError as exc:
            raise LookupError(str(exc)) from None

    @staticmethod
    def member_id(obs: Observatory, text: str) -> int:
        if not re.fullmatch(r"\d{1,9}", text) or not obs.member_exists(int(text)):
            raise LookupError(f"no member {text} in the index")
        return int(text)

    def proposal_json(self, obs: Observatory, result: ProposalResult) -> dict:
        document = result.to_json()
        document.pop("ballots")
        document.update(ballots_total=obs.ballot_count(result.id), as_of_block=obs.head_block, as_of_time=obs.now,
                        as_of=templating.when(obs.now))
        for tier, shown in zip(result.tiers, document["tiers"], strict=True):
            shown["turnout"] = turnout(tier)
        return document


def _api_page(page: Page, items: list | None = None) -> Response:
    return Response(json.dumps(page.to_json(items), default=str), media_type="application/json")


def _json(document) -> Response:
    return Response(json.dumps(document, default=str), media_type="application/json")


def app(url: str, explorer: str | None = None, relay: str | None = None) -> FastAPI:
    """The dashboard as an ASGI app: pages at their paths, the same data as JSON under /api/, CSV downloads,
    the stylesheet and scripts under /static/, and the voting panel on an open proposal's page (voting.py).
    `explorer` (https://etherscan.io) makes addresses and transactions links (`{explorer}/address/…`,
    `{explorer}/tx/…`); `relay`, the relay API's URL, lets members sign gas-free ballots from the panel."""
    board = Dashboard(url, explorer, relay)
    web = serving.app("consortium dashboard", "What observers read: proposals with per-tier tallies and every "
                      "ballot, members and tiers, treasury flows, bodies, standards, conduct records. Lists are "
                      "paged: `?page=N&per_page=M` (at most 500), answered as {total, page, per_page, pages, items}.")
    web.mount("/static", StaticFiles(packages=[("orchestrator.web", "static")]), name="static")
    web.include_router(voting.router(url))

    def handled(handler: Callable[..., Response]) -> Callable[..., Response]:
        """A missing proposal or member is a 404, a bad page a 400, each with its reason."""
        @functools.wraps(handler)  # FastAPI reads the handler's parameters through the wrapper
        def answer(*args, **kwargs) -> Response:
            try:
                return handler(*args, **kwargs)
            except BadRequest as exc:
                return serving.error(400, str(exc))
            except (LookupError, InputError) as exc:
                return serving.error(404, f"not found: {exc}")
        return answer

    def get(path: str, summary: str, html: bool = False):
        def register(handler):
            kind = {"response_class": HTMLResponse} if html else {}
            web.get(path, summary=summary, **kind)(handled(handler))
            return handler
        return register

    # ───── pages ─────

    @get("/", "Proposals, newest first", html=True)
    def home(request: Request) -> Response:
        obs, _ = board.sources()
        return board.page("proposals.html", obs, "/", page=within(obs.proposals_page(*paging(request, 20))))

    @get("/proposals/{proposal}", "A proposal", html=True)
    def proposal(proposal: str, request: Request) -> Response:
        obs, inst = board.sources()
        pid = board.find(obs, proposal)
        page, per_page = paging(request)
        result = obs.proposal(pid, detail=False)
        record = obs.proposal_record(pid)
        proposer = obs.member_at_seat(result.proposer)
        calls = [{"target": c["target"], "words": words}
                 for c, words in zip(result.calls, describe_indexed(obs, result.calls), strict=True)]
        return board.page("proposal.html", obs, "/", r=result, rule=RULES.get(result.kind, "the governor's rule"),
                          description=markdown(record["description"]), calls=calls,
                          timeline=obs.timeline(pid), chart=charts.tallies(result),
                          ballots=within(obs.ballots_page(pid, page, per_page)),
                          proposer_member=proposer, vote=voting.panel(obs, result, board.relay))

    @get("/proposals/{proposal}/chart.svg", "A proposal's per-tier chart (SVG)")
    def chart(proposal: str) -> Response:
        obs, _ = board.sources()
        result = obs.proposal(board.find(obs, proposal), detail=False)
        return Response(str(charts.tallies(result)), media_type="image/svg+xml", headers=SECURITY_HEADERS)

    @get("/members", "Members and tiers", html=True)
    def members(request: Request) -> Response:
        obs, inst = board.sources()
        tiers = [{"name": t["name"], **t} for _, t in sorted(inst.tiers().items())]
        return board.page("members.html", obs, "/members", tiers=tiers,
                          page=within(obs.members_page(*paging(request, MEMBERS_PER_PAGE))))

    @get("/members/{member}", "A member (`?page=N&per_page=M` pages its participation)", html=True)
    def member(member: str, request: Request) -> Response:
        obs, _ = board.sources()
        record = obs.member_record(board.member_id(obs, member), *paging(request))
        within(record["participation"])
        return board.page("member.html", obs, "/members", m=record, cap=MEMBER_LIST_CAP)

    @get("/treasury", "Treasury flows", html=True)
    def treasury(request: Request) -> Response:
        obs, inst = board.sources()
        totals = inst.treasury_totals()
        return board.page("treasury.html", obs, "/treasury", eth_in=ETH.format(int(totals["eth_in"])),
                          eth_out=ETH.format(int(totals["eth_out"])),
                          page=within(obs.rows_page(treasury_flows, *paging(request))))

    @get("/bodies", "Bodies", html=True)
    def bodies(request: Request) -> Response:
        obs, inst = board.sources()
        page = within(inst.bodies_page(*paging(request)))
        for b in page.items:
            b["actions"] = sum(e["event"] == "ActionExecuted" for e in b["events"])
        return board.page("bodies.html", obs, "/bodies", page=page)

    @get("/standards", "Standards and compliance", html=True)
    def standards(request: Request) -> Response:
        obs, inst = board.sources()
        return board.page("standards.html", obs, "/standards", page=within(inst.standards_page(*paging(request))))

    @get("/conduct", "Conduct records", html=True)
    def conduct(request: Request) -> Response:
        obs, _ = board.sources()
        return board.page("conduct.html", obs, "/conduct", page=within(obs.rows_page(conduct_records,
                                                                                     *paging(request))))

    # ───── CSV: every list, whole ─────

    @get("/proposals.csv", "Every proposal as CSV")
    def proposals_csv() -> Response:
        obs, _ = board.sources()
        columns = ["id", "title", "kind", "state", "for", "against", "abstain", "quorum_reached", "quorum_needed",
                   "snapshot", "deadline", "proposer"]
        return csv_response("proposals.csv", columns, ([p[c] for c in columns] for p in obs.proposals_table()))

    @get("/proposals/{proposal}/ballots.csv", "A proposal's ballots as CSV")
    def ballots_csv(proposal: str) -> Response:
        obs, _ = board.sources()
        pid = board.find(obs, proposal)
        return csv_response(f"ballots-{pid[:16]}.csv", ["member_id", "member", "voter", "tier", "support", "weight",
                                                        "relayed", "reason", "tx"],
                            ([b["member_id"], b["member"], b["voter"], b["tier"], b["support"], b["weight"],
                              int(b["relayed"]), b["reason"], b["tx"]] for b in obs.all_ballots(pid)))

    @get("/members.csv", "Every member as CSV")
    def members_csv() -> Response:
        obs, _ = board.sources()
        return csv_response("members.csv", ["member_id", "legal_name", "jurisdiction", "name_verified", "tier",
                                            "status", "seat", "joined"],
                            ([m["member_id"], m["legal_name"], m["jurisdiction"], int(m["verified"]), m["tier"],
                              m["status"], m["seat"], m["joined"]] for m in obs.members()))

    @get("/members/{member}/{name}.csv", "One of a member's lists whole as CSV: history, dues, attestations, "
                                         "conduct or participation")
    def member_csv(member: str, name: str) -> Response:
        obs, _ = board.sources()
        member_id = board.member_id(obs, member)
        if name not in MEMBER_CSV:
            raise LookupError(f"no list {name!r} of a member; there are {', '.join(MEMBER_CSV)}")
        columns = MEMBER_CSV[name]
        return csv_response(f"member-{member_id}-{name}.csv", columns,
                            ([int(v) if isinstance(v, bool) else v for v in (row.get(c) for c in columns)]
                             for row in obs.member_list(member_id, name)))

    @get("/treasury.csv", "Every treasury flow as CSV")
    def treasury_csv() -> Response:
        obs, inst = board.sources()
        columns = ["timestamp", "direction", "kind", "counterparty", "member_id", "token", "amount", "memo",
                   "tx_hash"]
        return csv_response("treasury.csv", columns, ([f[c] for c in columns] for f in inst.treasury()["flows"]))

    @get("/bodies.csv", "Every body as CSV")
    def bodies_csv() -> Response:
        obs, inst = board.sources()
        return csv_response("bodies.csv", ["address", "kind", "name", "members"],
                            ([b["address"], b["kind"], b["name"], " ".join(map(str, b["members"]))]
                             for b in inst.bodies()))

    @get("/standards.csv", "Every standard as CSV")
    def standards_csv() -> Response:
        obs, inst = board.sources()
        return csv_response("standards.csv", ["standard_id", "title", "version", "status", "attested_by", "uri"],
                            ([s["standard_id"], s["title"], s["version"], s["status"],
                              " ".join(str(a["member_id"]) for a in s["attesters"]), s["uri"]]
                             for s in inst.standards()))

    @get("/conduct.csv", "Every conduct record as CSV")
    def conduct_csv() -> Response:
        obs, inst = board.sources()
        columns = ["timestamp", "kind", "record_id", "member_id", "reporter", "report_id", "text", "tx_hash"]
        return csv_response("conduct.csv", columns, ([c[k] for k in columns] for c in inst.conduct()))

    # ───── JSON API ─────

    @get("/api/proposals", "Proposals, newest first (paged)")
    def api_proposals(request: Request) -> Response:
        obs, _ = board.sources()
        page = within(obs.proposals_page(*paging(request)))
        return _api_page(page, [board.proposal_json(obs, r) for r in page.items])

    @get("/api/proposals/{proposal}", "A proposal: state, kind, quorum, tallies and turnout per tier, recusals, "
                                      "calls in words, timeline (its ballots: /api/proposals/{id}/ballots)")
    def api_proposal(proposal: str) -> Response:
        obs, _ = board.sources()
        result = obs.proposal(board.find(obs, proposal), detail=False)
        document = board.proposal_json(obs, result)
        for call, words in zip(document["calls"], describe_indexed(obs, result.calls), strict=True):
            call["words"] = words
        document["timeline"] = obs.timeline(result.id)
        return _json(document)

    @get("/api/proposals/{proposal}/ballots", "A proposal's ballots in chain order (paged)")
    def api_ballots(proposal: str, request: Request) -> Response:
        obs, _ = board.sources()
        return _api_page(within(obs.ballots_page(board.find(obs, proposal), *paging(request))))

    @get("/api/members", "Members by id (paged)")
    def api_members(request: Request) -> Response:
        obs, _ = board.sources()
        return _api_page(within(obs.members_page(*paging(request))))

    @get("/api/members/{member}", "A member: identity; its newest history, dues, attestations and conduct (each "
                                  "with its total; the whole as /members/ID/NAME.csv); participation rate; a page "
                                  "of its participation, newest first (`?page=N&per_page=M`)")
    def api_member(member: str, request: Request) -> Response:
        obs, _ = board.sources()
        record = obs.member_record(board.member_id(obs, member), *paging(request))
        record["participation"] = within(record["participation"]).to_json()
        return _json(record)

    @get("/api/tiers", "The tier table")
    def api_tiers() -> Response:
        _, inst = board.sources()
        return _json(inst.tiers())

    @get("/api/treasury", "Treasury totals and flows (paged)")
    def api_treasury(request: Request) -> Response:
        obs, inst = board.sources()
        page = within(obs.rows_page(treasury_flows, *paging(request)))
        return _json({**inst.treasury_totals(), **page.to_json()})

    @get("/api/bodies", "Bodies with their members and events (paged)")
    def api_bodies(request: Request) -> Response:
        _, inst = board.sources()
        return _api_page(within(inst.bodies_page(*paging(request))))

    @get("/api/standards", "Standards with status and attesters (paged)")
    def api_standards(request: Request) -> Response:
        _, inst = board.sources()
        return _api_page(within(inst.standards_page(*paging(request))))

    @get("/api/conduct", "Conduct records (paged)")
    def api_conduct(request: Request) -> Response:
        obs, _ = board.sources()
        return _api_page(within(obs.rows_page(conduct_records, *paging(request))))

    return web

