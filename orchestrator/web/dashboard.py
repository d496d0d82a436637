"""`consortium serve`: the observers' read-only web dashboard and JSON API, from the index database.

Pages (HTML rendered on the server from templates/, readable without JavaScript): proposals (a page of
them; each with its description rendered from Markdown, the rule it must meet, its calls in words, a
timeline with transaction links, a per-tier chart drawn as SVG with its scale and quorum line, turnout,
recusals and a page of its ballots), members by legal name (each with its own page), treasury flows,
bodies, standards with compliance, conduct records, industry advisories (each with its history and replies), and
elections (each with its candidates, approvals per candidate and voters' tier, turnout and winners).
Every list is paged (`?page=N&per_page=M`, a bad
value is a 400 with the reason) and downloadable whole as CSV (`/members.csv`, …). While a vote is open,
one small script re-reads the proposal's JSON every few seconds and updates its figures.

The JSON API under /api/ serves the same data, paged the same way with totals. No login: it is public
data. Each request reads the database afresh (through the process's one connection pool), so a running
`consortium index --follow` shows through at once; what only changes with the index is kept per head block
(Observatory)."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from html import escape as escape_html
from urllib.parse import unquote, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from markdown_it import MarkdownIt
from markupsafe import Markup

from orchestrator.chain.amounts import ETH
from orchestrator.errors import InputError
from orchestrator.observers import contributions
from orchestrator.observers import elections as observed_elections
from orchestrator.observers.advisories import FILTERS, Advisories, AdvisoryFilter, statuses
from orchestrator.observers.indexer.derived import advisory_words
from orchestrator.observers.indexer.schema import conduct_records, treasury_flows
from orchestrator.observers.observatory import (
    MEMBER_LIST_CAP,
    Institutions,
    Observatory,
    Page,
    ProposalResult,
    sealed_phase,
    sealed_text,
)
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


def evidence_link(uri: str) -> Markup:
    """A URI someone wrote (an advisory's evidence, a reply) on a page: a link only to a web page (http(s), with
    a host, followed by the host as a proposal's links are) or to IPFS content (ipfs://); anything else, a
    javascript: or data: URI included, is shown as text."""
    try:
        scheme = urlsplit(uri).scheme.lower()
        web = _link_allowed(uri)
    except ValueError:  # not a URL Python can split (an unclosed [IPv6 host, say): text
        scheme, web = "", False
    if not web and not (scheme == "ipfs" and len(uri) > len("ipfs://")):
        return Markup('<code class="uri">{}</code>').format(uri)
    host = Markup(' <span class="host">({})</span>').format(link_host(uri)) if web else ""
    return Markup('<a href="{}" rel="{}">{}</a>').format(uri, LINK_REL, uri) + host


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


# Rendering is linear but slow (about 5 ms a KiB, in Python): a proposer's description of 900 KB would cost
# every view of its page 15 s of CPU, with the interpreter's lock held. Longer descriptions are shown as text,
# and each rendering is kept (descriptions never change), so a page viewed again costs nothing.
MAX_MARKDOWN = 64 * 1024


@functools.lru_cache(maxsize=64)
def markdown(text: str) -> Markup:
    """A proposer's description as HTML for the page (see MARKDOWN), or as plain text past MAX_MARKDOWN."""
    if len(text) > MAX_MARKDOWN:
        return Markup('<p class="unrendered">This description is {:,} characters long, more than the {:,} the '
                      'page renders as Markdown: it is shown as plain text.</p><pre>{}</pre>'
                      ).format(len(text), MAX_MARKDOWN, text)
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
templating.ENVIRONMENT.filters["evidence_link"] = evidence_link
# How each advisory status reads on the pages: (its badge, what it means, the badge's title).
ADVISORY_STATUS = {
    "pending": ("pending (not confirmed)", "filed by a member, not yet confirmed: not a finding of the consortium"),
    "published": ("published", "published by a confirmer: the consortium's advisory"),
    "retracted": ("retracted", "published, then retracted: it no longer stands"),
    "dismissed": ("dismissed", "a confirmer dismissed it: never published"),
    "withdrawn": ("withdrawn by its filer", "its filer withdrew it before any decision"),
}
templating.ENVIRONMENT.globals["advisory_status"] = ADVISORY_STATUS
ADVISORY_CSV = ["id", "status", "kind", "severity", "revision", "subject", "subject_account", "summary",
                "evidence_uri", "evidence_hash", "filer", "filer_name", "filed_at", "decided_at", "updated_at",
                "last_block", "last_at", "reply_count", "filed_tx"]
MANY = ("status", "kind", "severity")  # filters that take several values (comma-separated or repeated)


def advisory_filter(request: Request) -> tuple[AdvisoryFilter, str]:
    """The feed's filter from the query, and its parameters encoded again for the pages' links. An empty value
    is no filter (a page's form sends every field); a parameter the feed does not know is refused, so a
    misspelt filter is not read as asking for everything."""
    given: dict[str, str] = {}
    for name in request.query_params:
        if name in ("page", "per_page"):
            continue
        if name not in FILTERS:
            raise BadRequest(f"unknown parameter {name!r}; the filters are {', '.join(FILTERS)} (and page, per_page)")
        values = [v for v in request.query_params.getlist(name) if v.strip()]
        if len(values) > 1 and name not in MANY:
            raise BadRequest(f"{name} may be given once")
        if values:
            given[name] = ",".join(values)
    try:
        found = AdvisoryFilter.parse(given)
    except InputError as exc:
        raise BadRequest(str(exc)) from None
    return found, urlencode(given)


def advisory_id(text: str) -> int:
    if not re.fullmatch(r"\d{1,9}", text):
        raise LookupError(f"no advisory {text} in the index")
    return int(text)


templating.ENVIRONMENT.globals.update(reserved_text=observed_elections.reserved_text,
                                     elected_text=observed_elections.elected_text)


def election_id(text: str) -> int:
    """An election id in a path: a whole number, else no such election (404)."""
    try:
        return observed_elections.election_id(text)
    except InputError:
        raise LookupError(f"no election {text} in the index") from None


def conditional(request: Request, obs: Observatory, answer: Callable[[], Response]) -> Response:
    """A feed answer with an ETag for its index head and query: a poller that sends it back (If-None-Match) gets
    304 Not Modified, without the query being run, until a new block is indexed (or a reorg changes the head).
    Cache-Control: no-cache, so a cache in between asks again every time."""
    key = f"{obs.head_hash}|{request.url.path}?{request.url.query}".encode()
    tag = f'"{obs.head_block}-{hashlib.sha256(key).hexdigest()[:24]}"'
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    sent = request.headers.get("if-none-match", "")
    if tag in (t.strip().removeprefix("W/") for t in sent.split(",")):
        return Response(status_code=304, headers=headers)
    response = answer()
    response.headers.update(headers)
    return response


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


def _contribution_of(obs: Observatory, member_id: int) -> dict:
    """What a member's page shows of contribution weight: its part as last indexed (None without a ledger) and
    its contributions."""
    found = contributions.weight(obs)
    part = None if found is None else next((m for m in found.members if m.member_id == member_id),
                                           contributions.MemberPart(member_id, obs.label(member_id), 0, 0.0))
    return {"contribution": part, "contribution_history": contributions.history(obs, member_id)}


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
                      "ballot, members and tiers, treasury flows, bodies, standards, conduct records, industry "
                      "advisories (a feed to poll: /api/advisories). Lists are "
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
                          election=observed_elections.of_proposal(obs, pid),
                          description=markdown(record["description"]), calls=calls,
                          timeline=obs.timeline(pid), chart=charts.tallies(result),
                          ballots=within(obs.ballots_page(pid, page, per_page)),
                          proposer_member=proposer, vote=voting.panel(obs, result, board.relay),
                          sealed=sealed_text(result, obs.now), phase=sealed_phase(result, obs.now))

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
        filed, filed_total = Advisories(obs).filed_by(record["member_id"], MEMBER_LIST_CAP)
        return board.page("member.html", obs, "/members", m=record, cap=MEMBER_LIST_CAP, advisories=filed,
                          advisories_total=filed_total, **_contribution_of(obs, record["member_id"]))

    @get("/contributions", "Contribution weight: each member's part of its vote and its share of the total weight",
         html=True)
    def contributions_page() -> Response:
        obs, _ = board.sources()
        return board.page("contributions.html", obs, "/contributions", weight=contributions.weight(obs))

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

    @get("/advisories", "Industry advisories, newest first (filtered as /api/advisories)", html=True)
    def advisories_page(request: Request) -> Response:
        obs, _ = board.sources()
        found, query = advisory_filter(request)
        page = within(Advisories(obs).page(found, *paging(request)))
        return board.page("advisories.html", obs, "/advisories", page=page, query=query,
                          chosen=dict(request.query_params), statuses=statuses(), kinds=advisory_words("Kind"),
                          severities=advisory_words("Severity"))

    @get("/advisories/{advisory}", "An advisory: its state, evidence, history and replies", html=True)
    def advisory_page(advisory: str) -> Response:
        obs, _ = board.sources()
        return board.page("advisory.html", obs, "/advisories", a=Advisories(obs).one(advisory_id(advisory)))

    @get("/elections", "Elections, newest first, with their status, body, seats and schedule", html=True)
    def elections_page(request: Request) -> Response:
        obs, _ = board.sources()
        return board.page("elections.html", obs, "/elections",
                          page=within(observed_elections.page(obs, *paging(request))))

    @get("/elections/{election}", "An election: candidates, approvals per candidate and voters' tier, turnout, "
                                  "winners and reserved seats, its ballot proposal", html=True)
    def election_page(election: str) -> Response:
        obs, _ = board.sources()
        found = observed_elections.get(obs, election_id(election))
        ballot = obs.proposal(found.ballot, detail=False) if found.ballot else None
        return board.page("election.html", obs, "/elections", e=found, ballot=ballot,
                          chart=charts.approvals(found))

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

    @get("/advisories.csv", "The advisories as CSV, whole (filtered as /api/advisories)")
    def advisories_csv(request: Request) -> Response:
        obs, _ = board.sources()
        found, _ = advisory_filter(request)
        return conditional(request, obs, lambda: csv_response(
            "advisories.csv", ADVISORY_CSV, ([a[c] for c in ADVISORY_CSV] for a in Advisories(obs).all(found))))

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

    @get("/api/contributions", "Contribution weight: the total weight, the total contribution part and each "
                               "member's part (the ledger's own, as last indexed), biggest first; "
                               "`{\"weighed\": false}` when the deployment weighs no contributions")
    def api_contributions() -> Response:
        obs, _ = board.sources()
        found = contributions.weight(obs)
        if found is None:
            return _json({"weighed": False})
        return _json({"weighed": True, "read_at": found.read_at, "total_weight": found.total_weight,
                      "total_part": found.total_part, "total_share": found.total_share,
                      "members": [vars(m) for m in found.members]})

    @get("/api/elections", "Elections, newest first (paged): status (the registry's), body, seats and reserved "
                           "seats, schedule, round, ballot proposal, candidates standing and elected")
    def api_elections(request: Request) -> Response:
        obs, _ = board.sources()
        page = within(observed_elections.page(obs, *paging(request)))
        return _api_page(page, [e.summary() for e in page.items])

    @get("/api/elections/{election}", "An election: its candidates with their approvals per voters' tier, its "
                                      "ballot rounds, its ballot's turnout per tier, the winners (reserved seats "
                                      "marked), unfilled and vacated seats")
    def api_election(election: str) -> Response:
        obs, _ = board.sources()
        found = observed_elections.get(obs, election_id(election))
        document = {"as_of_block": obs.head_block, "as_of_time": obs.now, **found.to_json(), "turnout": None}
        if found.ballot:
            result = obs.proposal(found.ballot, detail=False)
            document["turnout"] = [{"tier": t.name, "approving": t.for_, "approving_nobody": t.abstain,
                                    "voted": t.voted, "eligible": t.eligible, "turnout": turnout(t)}
                                   for t in result.tiers]
            document["ballot_state"] = result.state
        return _json(document)

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

    @get("/api/advisories", "Industry advisories, newest filed first (paged), each with its current state. Filters: "
                            "status, kind, severity (each one value or several comma-separated), min_severity, "
                            "subject (exact; a 0x address in any case), subject_account, filer (a member id), since "
                            "(a block: activity after it; or an ISO 8601 date or time: activity from then). "
                            "as_of_block is the next poll's since. ETag / If-None-Match: 304 until a new block")
    def api_advisories(request: Request) -> Response:
        obs, _ = board.sources()
        found, _ = advisory_filter(request)

        def answer() -> Response:
            page = within(Advisories(obs).page(found, *paging(request)))
            return _json({"as_of_block": obs.head_block, "as_of_time": obs.now, **page.to_json()})
        return conditional(request, obs, answer)

    @get("/api/advisories/{advisory}", "An advisory: its current state, its history (filed, status changes with "
                                      "their reasons, revisions with their notes) and its replies")
    def api_advisory(advisory: str, request: Request) -> Response:
        obs, _ = board.sources()
        wanted = advisory_id(advisory)
        return conditional(request, obs, lambda: _json({"as_of_block": obs.head_block, "as_of_time": obs.now,
                                                        **Advisories(obs).one(wanted)}))

    return web

