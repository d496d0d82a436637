"""PostgreSQL as a first-class backend, on a real server (tests/postgres.py) and a real devnet: the same
chain indexed into SQLite and PostgreSQL reads the same everywhere; text holding NUL bytes and
backslashes, which PostgreSQL's text cannot hold as it is, is stored and read back exactly on both; an
unreachable server is a one-line error that never shows the password; and a process keeps one engine,
with a bounded pool, per database however many readers it serves."""

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert, select
from sqlalchemy.engine import make_url

from orchestrator.db import POSTGRES_POOL, SafeText, engine
from orchestrator.observers import elections
from orchestrator.observers.advisories import Advisories, AdvisoryFilter
from orchestrator.observers.indexer import schema
from orchestrator.observers.indexer.store import IndexStore
from orchestrator.observers.observatory import Institutions, Observatory
from orchestrator.relay.store import RelayStore
from orchestrator.relay.store import ballots as relay_ballots
from orchestrator.web import dashboard, serving
from tests.integration.test_advisory_feed import SUBJECT, Chain, story
from tests.integration.test_cli_governance import proposal_id
from tests.integration.test_cli_institutions import enact
from tests.integration.test_election_index import run_election
from tests.integration.test_indexer import derived_rows
from tests.postgres import postgres_database, postgres_server  # noqa: F401  (fixtures postgres_url, postgres)

# Strings that an escaping scheme could get wrong: NUL alone, at the ends, next to backslashes, and the
# escaped forms themselves written literally.
AWKWARD = ["", "\x00", "memo\x00end", "\x00\x00", "\\", "\\0", "\\\\0", "a\\\x00b", "\\\\\x00\\", "tail\\",
           "\\x00 \\u0000", "ünïcødé \x00 ✓"]
REPORT_DAYS = ("--from", "2000-01-01", "--to", "2100-12-31")


@pytest.fixture
def sqlite_url(cli) -> str:
    return f"sqlite:///{cli.dir / 'index.db'}"


def on(url: str) -> dict:
    return {"env": {"CONSORTIUM_DB": url}}


def history(cli, seats) -> str:
    """A chain with something in every kind of row the dashboard shows: contributions, a body created by
    an executed proposal, a member's case with an automatic recusal and ballots for, against and abstain
    with reasons, a conduct report. Returns the member case's proposal id."""
    cli.ok("treasury", "contribute", "sponsorship", "1ether", "--memo", "Gold sponsor", account="f1")
    cli.ok("treasury", "contribute", "grant", "1 wei", "--memo", "a\\b \x00 c", account="r2")
    enact(cli, cli.ok("propose", "create-body", "working-group", "WG", "--threshold", "1", "--member", "3",
                      "--mandate", "conduct:reportCount()", "--description", "Create WG", account="f1"))
    evidence = cli.dir / "evidence.txt"
    evidence.write_text("late filings")
    cli.ok("conduct", "report", "4", "--evidence-uri", "ipfs://ev", "--evidence-file", evidence, account="r1")
    pid = proposal_id(cli.ok("propose", "suspend", "4", "--reason", "late filings", "--description",
                             "Suspend member 4\n\nThree filings late.", account="f1"))
    cli.advance(2)
    cli.ok("vote", pid, "for", "--reason", "rules are rules \\ all of them", account="f1")
    cli.ok("vote", pid, "against", "--reason", "give them time", account="r1")
    cli.ok("vote", pid, "abstain", account="f2")
    cli.advance(301)  # voting over: the outcome is computed, not just read
    return pid


def observed(url: str, pid: str) -> dict:
    """Everything the dashboard and the JSON API read, through the observatory."""
    obs = Observatory(url)
    institutions = Institutions(obs)
    return {"head": obs.head_block, "now": obs.now, "ids": obs.proposal_ids(),
            "proposal": obs.proposal(pid).to_json(), "participation": obs.participation(3),
            "tiers": institutions.tiers(), "members": institutions.members(), "treasury": institutions.treasury(),
            "bodies": institutions.bodies(), "standards": institutions.standards(),
            "conduct": institutions.conduct()}


def test_the_same_chain_reads_the_same_from_sqlite_and_postgresql(cli, consortium, sqlite_url, postgres_url):
    pid = history(cli, consortium)
    views = {}
    for url in (sqlite_url, postgres_url):
        assert "no differences" in cli.ok("index", "--verify", **on(url))
        views[url] = {"results": cli.ok("results", "--format", "json", **on(url)),
                      "one": cli.ok("results", pid, "--format", "json", **on(url)),
                      "csv": cli.ok("results", "--format", "csv", **on(url)),
                      "member": cli.ok("results", "--member", "3", "--format", "json", **on(url)),
                      "report": cli.ok("report", *REPORT_DAYS, **on(url)),
                      "html": cli.ok("report", *REPORT_DAYS, "--format", "html", **on(url)),
                      "observatory": observed(url, pid), "rows": derived_rows(url)}
    sqlite, postgresql = views[sqlite_url], views[postgres_url]
    assert '"state": "Defeated"' in sqlite["one"] and "give them time" in sqlite["one"]  # the history is all there
    assert len(sqlite["observatory"]["bodies"]) == 1 and sqlite["observatory"]["conduct"]
    for view in sqlite:
        assert postgresql[view] == sqlite[view], view


def test_nul_bytes_and_backslashes_are_indexed_and_read_back_exactly(cli, consortium, sqlite_url, postgres_url):
    stranger = cli.wallet("stranger")  # anyone may contribute: no membership needed to write a memo
    memo, reason = "1 wei\x00 from \\0 a stranger \\", "for\x00 \\ reasons\\0"
    cli.ok("treasury", "contribute", "grant", "1 wei", "--memo", memo, account="stranger")
    pid = proposal_id(cli.ok("propose", "suspend", "4", "--reason", "r", "--description", "NUL\x00 title",
                             account="f1"))
    cli.advance(2)
    cli.ok("vote", pid, "against", "--reason", reason, account="r1")
    for url in (sqlite_url, postgres_url):
        cli.ok("index", **on(url))
        obs = Observatory(url)
        flows = Institutions(obs).treasury()["flows"]
        assert [(f["counterparty"], f["memo"]) for f in flows] == [(stranger, memo)]
        found = obs.proposal(pid)
        assert found.title == "NUL\x00 title"
        assert [b["reason"] for b in found.ballots] == [reason]
    cli.ok("vote", pid, "for", "--reason", reason + "!", account="f2")
    for url in (sqlite_url, postgres_url):  # and the index goes on past them
        assert "indexed 1 new events" in cli.ok("index", **on(url))
        assert [b["reason"] for b in Observatory(url).proposal(pid).ballots] == [reason, reason + "!"]
        assert "no differences" in cli.ok("index", "--verify", **on(url))


def test_advisories_read_the_same_from_sqlite_and_postgresql(cli, w3, sqlite_url, postgres_url):
    """The advisories' story (one in each status, a revision, replies of both kinds) and one whose summary and
    subject hold NUL bytes and backslashes: indexed into both, the rows, the feed with its filters, each
    advisory's history and `index --verify` are the same on both."""
    chain = Chain(cli, w3)
    ids = story(chain)
    awkward = chain.file(3, "other", "low", "name\x00 \\0 Ltd", "summary\x00 with \\ and \\0", "ipfs://x\x00")
    views = {}
    for url in (sqlite_url, postgres_url):
        assert "no differences" in cli.ok("index", "--verify", **on(url))
        found = Advisories(Observatory(url))
        views[url] = {"rows": derived_rows(url), "all": found.all(AdvisoryFilter()),
                      "one": [found.one(n) for n in range(1, awkward + 1)],
                      "filtered": [found.page(AdvisoryFilter.parse(query), 1, 2).to_json() for query in (
                          {"status": "published,retracted"}, {"min_severity": "high"}, {"subject": SUBJECT.lower()},
                          {"subject": "name\x00 \\0 Ltd"}, {"since": "1"}, {"kind": "other"})]}
    sqlite, postgresql = views[sqlite_url], views[postgres_url]
    assert [a["id"] for a in sqlite["all"]] == [awkward, *sorted(ids.values(), reverse=True)]
    assert sqlite["one"][-1]["summary"] == "summary\x00 with \\ and \\0"
    assert [a["id"] for a in sqlite["filtered"][3]["items"]] == [awkward]
    for view in sqlite:
        assert postgresql[view] == sqlite[view], view


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_safe_text_returns_every_string_exactly(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'text.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    table = Table("texts", MetaData(), Column("id", Integer, primary_key=True), Column("value", SafeText))
    table.metadata.create_all(engine(url))
    with engine(url).begin() as db:
        db.execute(insert(table), [{"value": value} for value in AWKWARD])
    with engine(url).connect() as db:
        assert [r.value for r in db.execute(select(table).order_by(table.c.id))] == AWKWARD
        for value in AWKWARD:  # comparisons with a literal go through the type too
            assert db.execute(select(table.c.value).where(table.c.value == value)).scalar_one() == value


def test_relay_ballots_keep_reasons_and_details_with_nul_bytes(postgres_url):
    store = RelayStore(postgres_url, 31337, "0x" + "11" * 20)
    reason, detail = "because\x00 \\0", "refused\x00: \\ why"
    ballot_id = store.accept(7, "0x" + "22" * 20, 1, 1, reason, b"\x01" * 65, "ecdsa").id
    store.reject([ballot_id], detail)
    stored = store.get(ballot_id)
    assert (stored.reason, stored.detail) == (reason, detail)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_relay_approval_ballots_are_kept_the_same_on_both(backend, tmp_path, request):
    """Approval ballots in the relay store: a full 256-bit bitmap kept exactly (no SQL integer holds it), one per
    member, a rejection's detail with NUL bytes, a rejected unsent one replaced, a batch's outcome; the same on
    SQLite and PostgreSQL."""
    url = f"sqlite:///{tmp_path / 'relay.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    store = RelayStore(url, 31337, "0x" + "11" * 20)
    voters = ["0x" + f"{n:02x}" * 20 for n in (0x22, 0x33, 0x44)]
    widest = 2**256 - 1
    first, second, again = store.accept_approvals([(7, voters[0], 1, widest, b"\x01" * 65, "ecdsa"),
                                                   (7, voters[1], 2, 0, b"\x02" * 70, "erc1271"),
                                                   (7, voters[2], 1, 5, b"\x03" * 65, "ecdsa")])
    assert (first.approvals, first.member_id, first.kind, first.status) == (widest, 1, "ecdsa", "accepted")
    assert (second.approvals, second.signature, second.kind) == (0, b"\x02" * 70, "erc1271")
    assert str(again) == f"the relayer already holds an approval ballot of member 1 on this proposal (from {voters[0]})"
    assert store.get(first.id, "approval") == first and store.find(7, voters[0], "approval") == first
    detail = "not submitted\x00: \\ why"
    store.reject([second.id], detail, "approval")
    assert (store.get(second.id, "approval").status, store.get(second.id, "approval").detail) == ("rejected", detail)
    (replaced,) = store.accept_approvals([(7, voters[1], 2, 3, b"\x04" * 65, "ecdsa")])  # never sent: replaced
    assert (replaced.id, replaced.approvals, replaced.status) == (second.id, 3, "accepted")
    assert [a.member_id for a in store.accepted("approval")[7]] == [1, 2]  # by member id
    batch = store.record_batch(7, [first.id, replaced.id], "0x" + "ab" * 32, b"raw", "approval")
    assert store.batch_kind(batch) == "approval"
    store.settle_batch(batch, {voters[0]: None, voters[1]: "already voted"})
    assert [(a.status, a.detail, a.tx_hash) for a in (store.get(first.id, "approval"), store.get(replaced.id,
                                                                                                 "approval"))] == [
        ("included", "", "0x" + "ab" * 32), ("rejected", "already voted", "0x" + "ab" * 32)]


def test_every_free_text_column_holds_nul_bytes():
    """A Text column left out of SafeText would stop the PostgreSQL index the first time it met a NUL."""
    plain = [f"{table.name}.{column.name}" for table in schema.metadata.sorted_tables for column in table.columns
             if isinstance(column.type, Text)]
    assert plain == []
    assert isinstance(relay_ballots.c.reason.type, SafeText) and isinstance(relay_ballots.c.detail.type, SafeText)


def test_an_unreachable_server_is_a_one_line_error_without_the_password(cli, consortium):
    pid = proposal_id(cli.ok("propose", "suspend", "4", "--reason", "r", "--description", "d", account="f1"))
    cli.advance(2)
    ballot = cli.dir / "ballot.json"
    cli.ok("vote", pid, "for", "--sign-only", "--out", ballot, account="f1")
    unreachable = on("postgresql://watcher:s3cret@127.0.0.1:1/index")
    expected = "Error: cannot connect to the database postgresql://watcher:***@127.0.0.1:1/index: "
    for command in (["results"], ["results", "--format", "json"], ["index"], ["report", *REPORT_DAYS],
                    ["relay", ballot]):
        result = cli(*command, **unreachable)
        assert result.exit_code == 1, result.output
        assert result.output.startswith(expected) and "Connection refused" in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1 and "s3cret" not in result.output


def test_one_engine_per_database_serves_32_concurrent_readers_within_its_pool(cli, consortium, postgres,
                                                                               postgres_url):
    pid = proposal_id(cli.ok("propose", "suspend", "4", "--reason", "r", "--description", "d", account="f1"))
    cli.advance(2)
    cli.ok("vote", pid, "for", account="f1")
    cli.ok("index", **on(postgres_url))
    alias = postgres_url.replace("postgresql://", "postgres://", 1)
    shared = engine(postgres_url)
    assert Observatory(postgres_url).engine is shared and Observatory(alias).engine is shared
    assert IndexStore(postgres_url, 0, "").engine is shared

    clients = 32
    together = threading.Barrier(clients)

    def request(_):
        """What the dashboard does per request: a fresh Observatory, then reads."""
        try:
            obs = Observatory(postgres_url)
            together.wait(timeout=60)  # all 32 requests in flight at once
            return obs, obs.proposal(pid).to_json(), Institutions(obs).members()
        except BaseException:
            together.abort()
            raise

    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(request, range(clients)))
    assert all(answer[1:] == answers[0][1:] for answer in answers)
    assert answers[0][1]["for"] > 0
    # Every observatory is still alive: engines made per request would each still hold a connection.
    database = make_url(postgres_url).database
    assert postgres.connections(database) <= POSTGRES_POOL["pool_size"] + POSTGRES_POOL["max_overflow"]


def test_contribution_weight_reads_the_same_from_sqlite_and_postgresql(cli, sqlite_url, postgres_url):
    """A sponsorship and an attribution voted through, whose memo holds a NUL byte and backslashes: the ledger's
    rows, the parts read from it, the report's section and `index --verify` are the same on both."""
    from orchestrator.observers import contributions, transparency
    from tests.integration.test_cli_contributions import deploy_weighed

    deploy_weighed(cli)
    cli.ok("treasury", "contribute", "sponsorship", "1 ether", "--memo", "Gold", account="r1")
    enact(cli, cli.ok("propose", "attribute-contribution", "4", "4 ether", "--memo", "PoR\x00 \\0 author",
                      "--description", "Attribute", account="f1"))
    views = {}
    for url in (sqlite_url, postgres_url):
        assert "no differences" in cli.ok("index", "--verify", **on(url))
        obs = Observatory(url)
        with engine(url).connect() as db:
            parts = [tuple(r) for r in db.execute(select(schema.contribution_parts).order_by(
                schema.contribution_parts.c.block_number, schema.contribution_parts.c.member_id))]
        views[url] = {"rows": derived_rows(url), "parts": parts, "weight": contributions.weight(obs),
                      "history": contributions.history(obs, 4),
                      "report": transparency.render_text(transparency.build(obs, 0, obs.now))}
    sqlite, postgresql = views[sqlite_url], views[postgres_url]
    assert sqlite["history"][-1]["memo"] == "PoR\x00 \\0 author"
    assert [(m.member_id, m.part) for m in sqlite["weight"].members] == [(4, 200), (3, 100)]
    for view in sqlite:
        assert postgresql[view] == sqlite[view], view


def test_sealed_proposals_read_the_same_from_sqlite_and_postgresql(cli, consortium, sqlite_url, postgres_url):
    """A sealed proposal that members 1, 2 and 3 committed to and 1 and 2 revealed: the seal, the commitments,
    the unrevealed one in results, report and observatory, and `index --verify`, the same on both."""
    pid = proposal_id(cli.ok("propose", "spend", "1 wei", "0x" + "11" * 20, "--memo", "m", "--description", "Sealed",
                             "--sealed", account="f1"))
    cli.advance(2)
    for name, support in (("f1", "for"), ("f2", "against"), ("r1", "abstain")):
        cli.ok("vote", pid, support, account=name)
    cli.advance(200)
    for name in ("f1", "f2"):
        cli.ok("reveal", pid, account=name)
    cli.advance(101)
    views = {}
    for url in (sqlite_url, postgres_url):
        assert "no differences" in cli.ok("index", "--verify", **on(url))
        views[url] = {"one": cli.ok("results", pid, **on(url)), "json": cli.ok("results", pid, "--format", "json",
                                                                             **on(url)),
                      "csv": cli.ok("results", pid, "--format", "csv", **on(url)),
                      "report": cli.ok("report", *REPORT_DAYS, **on(url)),
                      "observatory": Observatory(url).proposal(pid).to_json(), "rows": derived_rows(url)}
    sqlite, postgresql = views[sqlite_url], views[postgres_url]
    assert "  unrevealed: member 3 Co (count toward nothing)\n" in sqlite["one"]
    assert sqlite["observatory"]["committed"] == 3
    for view in sqlite:
        assert postgresql[view] == sqlite[view], view


def test_elections_read_the_same_from_sqlite_and_postgresql(cli, w3, sqlite_url, postgres_url):
    """The election story (tests/integration/test_election_index.py) indexed into both: the election tables' rows,
    the election as observers read it, results on its ballot, a member's participation, the report and the API."""
    _, ballot, _ = run_election(cli, w3)
    views = {}
    for url in (sqlite_url, postgres_url):
        assert "no differences" in cli.ok("index", "--verify", **on(url))
        rows = derived_rows(url)
        with serving.running(dashboard.app(url), dashboard.MAX_BODY) as served:
            api = [json.loads(urllib.request.urlopen(f"{served}{path}", timeout=10).read())
                   for path in ("/api/elections", "/api/elections/1")]
        views[url] = {"rows": {name: rows[name] for name in ("elections", "election_changes", "candidates",
                                                             "election_ballots", "approval_ballots", "approvals")},
                      "election": elections.get(Observatory(url), 1).to_json(),
                      "results": cli.ok("results", ballot, "--format", "json", **on(url)),
                      "table": cli.ok("results", ballot, **on(url)),
                      "member": cli.ok("results", "--member", "4", **on(url)),
                      "report": cli.ok("report", *REPORT_DAYS, **on(url)), "api": api}
    sqlite, postgresql = views[sqlite_url], views[postgres_url]
    assert len(sqlite["rows"]["approvals"]) == 6 and sqlite["election"]["status"] == "vacated"
    for view in sqlite:
        assert postgresql[view] == sqlite[view], view
