"""Industry advisories as observers read them, on a real devnet: the AdvisoryRegistry's events indexed into
`advisories` and `advisory_changes` (and unwound with a reorg), `index --verify` naming each field it checks,
the JSON feed an exchange polls (every filter, its 400s, paging, incremental polling with `since`, ETag), the
CSV, one advisory's history, and the pages in Chromium: a retracted advisory shown as retracted, a pending one as
pending, untrusted text as text and evidence linked only when it is a web or IPFS address.

Advisories are filed by sending transactions with web3 from the members' seats (the node's unlocked accounts);
a confirmer is named by the timelock, impersonated on the devnet, which also publishes one itself."""

import csv
import io
import json
import urllib.error
import urllib.request

import pytest
from sqlalchemy import delete, select, update
from web3 import Web3

from orchestrator.chain.node import Devnet
from orchestrator.db import engine
from orchestrator.observers.advisories import HISTORY_FIELDS
from orchestrator.observers.indexer.schema import advisories, advisory_changes
from orchestrator.operations.deploy import contract
from orchestrator.web import dashboard, serving
from tests.browser import chromium_browser  # noqa: F401  (fixture browser)
from tests.integration.conftest import Cli
from tests.integration.tampering import verify_tampered
from tests.integration.test_indexer import derived_rows, fresh_derived_rows

MIXED = "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01"
SUBJECT = f"eip155:1:{MIXED}"
XSS = "Phishing site <script>alert(1)</script> & fake token"
FORMULA = '=HYPERLINK("http://evil.example","listed entity")'
KIND = {"scam": 0, "exploit": 1, "sanctions exposure": 2, "market manipulation": 3, "insolvency risk": 4,
        "other": 5}
SEVERITY = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def digest(text: str) -> bytes:
    return Web3.keccak(text=text)


@pytest.fixture(scope="module")
def devnet():
    """A chain of this module's own: its last test reorgs it."""
    with Devnet() as node:
        yield node


@pytest.fixture(scope="module")
def w3(devnet):
    return Web3(Web3.HTTPProvider(devnet.url))


class Chain:
    """The deployed suite's advisory registry, sent to from the node's unlocked accounts."""

    def __init__(self, cli: Cli, w3):
        self.cli, self.w3 = cli, w3
        node = w3.eth.accounts
        self.seats = {1: node[1], 2: node[2], 3: node[3], 4: node[4]}
        self.confirmer, self.subject = node[5], node[9]
        m = cli.deploy({node[1]: "founding", node[2]: "founding", node[3]: "regular", node[4]: "regular"})
        self.registry = contract(w3, "AdvisoryRegistry", m["contracts"]["AdvisoryRegistry"])
        self.timelock = m["contracts"]["TimelockController"]
        cli.rpc("anvil_impersonateAccount", self.timelock)
        cli.rpc("anvil_setBalance", self.timelock, hex(10**19))

    def send(self, call, sender: str):
        receipt = self.w3.eth.wait_for_transaction_receipt(call.transact({"from": sender}))
        assert receipt.status == 1
        return receipt

    def file(self, member: int, kind: str, severity: str, subject: str, summary: str, uri: str,
             account: str = "0x" + "00" * 20) -> int:
        self.send(self.registry.functions.file(KIND[kind], SEVERITY[severity], subject, account, summary, uri,
                                               digest(uri)), self.seats[member])
        return self.registry.functions.advisoryCount().call()

    def confirm(self, name: str, *args, by: str | None = None):
        return self.send(getattr(self.registry.functions, name)(*args), by or self.confirmer)


def story(chain: Chain) -> dict[str, int]:
    """Five advisories, one in each status, with a revision and replies of both kinds. Returns their ids."""
    chain.confirm("setConfirmer", chain.confirmer, True, by=chain.timelock)
    ids = {}
    ids["published"] = chain.file(1, "scam", "high", SUBJECT, XSS, "https://evidence.example/a1")
    chain.confirm("publish", ids["published"])
    chain.confirm("update", ids["published"], SEVERITY["critical"], "ipfs://bafy-a1-v2", digest("v2"),
                  "more victims")
    chain.confirm("recordReply", ids["published"], "https://subject.example/answer", digest("answer"))
    ids["retracted"] = chain.file(2, "exploit", "medium", "Shady Venue Ltd", "Drained its hot wallet",
                                  "ipfs://bafy-a2", account=chain.subject)
    chain.confirm("publish", ids["retracted"], by=chain.timelock)  # governance itself (a vote's execution)
    chain.send(chain.registry.functions.reply(ids["retracted"], "ipfs://bafy-reply", digest("reply")), chain.subject)
    chain.confirm("retract", ids["retracted"], "the exploit was the venue's own drill")
    ids["pending"] = chain.file(3, "market manipulation", "low", "eip155:1:0x" + "12" * 20, "Wash trading",
                                "https://evidence.example/a3")
    ids["dismissed"] = chain.file(1, "sanctions exposure", "critical", "Sanctioned Co", FORMULA,
                                  "javascript:alert(1)")
    chain.confirm("dismiss", ids["dismissed"], "no evidence")
    ids["withdrawn"] = chain.file(2, "other", "low", "Someone", "Filed by mistake", "https://evidence.example/a5")
    chain.send(chain.registry.functions.withdraw(ids["withdrawn"]), chain.seats[2])
    return ids


@pytest.fixture(scope="module")
def site(devnet, w3, tmp_path_factory):
    """The story indexed, and the dashboard serving its index."""
    cli = Cli(devnet, tmp_path_factory.mktemp("advisories"), w3)
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"
    chain = Chain(cli, w3)
    ids = story(chain)
    cli.ok("index")
    with serving.running(dashboard.app(cli.env["CONSORTIUM_DB"]), dashboard.MAX_BODY) as url:
        yield cli, chain, ids, url


def get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode(), dict(response.headers)


def get_json(url: str):
    return json.loads(get(url)[1])


def refused(url: str) -> tuple[int, dict]:
    with pytest.raises(urllib.error.HTTPError) as err:
        get(url)
    return err.value.code, json.loads(err.value.read())


def test_the_registrys_events_are_indexed_as_filed_and_changed(site):
    cli, chain, ids, _ = site
    url = cli.env["CONSORTIUM_DB"]
    rows = derived_rows(url)
    assert len(rows["advisories"]) == 5 and len(rows["advisory_changes"]) == 8
    with engine(url).connect() as db:
        first = db.execute(select(advisories).where(advisories.c.advisory_id == ids["published"])).one()
        changes = db.execute(select(advisory_changes.c.change, advisory_changes.c.status,
                                    advisory_changes.c.old_status, advisory_changes.c.by_account,
                                    advisory_changes.c.revision, advisory_changes.c.severity,
                                    advisory_changes.c.old_severity, advisory_changes.c.reply_index,
                                    advisory_changes.c.by_subject, advisory_changes.c.uri, advisory_changes.c.text)
                             .where(advisory_changes.c.advisory_id == ids["published"])
                             .order_by(advisory_changes.c.block_number, advisory_changes.c.log_index)).all()
    assert (first.filer, first.kind, first.severity, first.subject, first.subject_key, first.subject_account,
            first.summary, first.evidence_uri, first.evidence_hash, first.subject_hash) == (
        1, "scam", "high", SUBJECT, SUBJECT.lower(), None, XSS, "https://evidence.example/a1",
        "0x" + digest("https://evidence.example/a1").hex().removeprefix("0x"),
        "0x" + digest(SUBJECT).hex().removeprefix("0x"))
    assert [tuple(c) for c in changes] == [
        ("status", "published", "pending", chain.confirmer, None, None, None, None, None, "", ""),
        ("updated", None, None, None, 1, "critical", "high", None, None, "ipfs://bafy-a1-v2", "more victims"),
        ("replied", None, None, None, None, None, None, 0, 0, "https://subject.example/answer", ""),
    ]
    assert "no differences" in cli.ok("index", "--verify")


def _changed(advisory_id: int, change: str):
    return (advisory_changes.c.advisory_id == advisory_id) & (advisory_changes.c.change == change)


# field -> (the tampering, given the story's ids; the whole difference --verify must report)
TAMPERED = {
    "count": (lambda i: delete(advisories).where(advisories.c.advisory_id == i["pending"]),
              "advisories: index says 4, chain says 5"),
    "filer": (lambda i: update(advisories).where(advisories.c.advisory_id == i["pending"]).values(filer=4),
              "advisory 3 filer: index says 4, chain says 3"),
    "kind": (lambda i: update(advisories).where(advisories.c.advisory_id == i["pending"]).values(kind="scam"),
             "advisory 3 kind: index says 'scam', chain says 'market manipulation'"),
    "status": (lambda i: delete(advisory_changes).where(_changed(i["retracted"], "status"),
                                                        advisory_changes.c.status == "retracted"),
               "advisory 2 status: index says 'published', chain says 'retracted'"),
    "severity": (lambda i: update(advisory_changes).where(_changed(i["published"], "updated")).values(severity="low"),
                 "advisory 1 severity: index says 'low', chain says 'critical'"),
    "revision": (lambda i: update(advisory_changes).where(_changed(i["published"], "updated")).values(revision=2),
                 "advisory 1 revision: index says 2, chain says 1"),
    "evidence hash": (lambda i: update(advisory_changes).where(_changed(i["published"], "updated"))
                      .values(content_hash="0x" + "00" * 32),
                      f"advisory 1 evidence hash: index says '0x{'00' * 32}', chain says '0x{digest('v2').hex()}'"),
    "decided at": (lambda i: delete(advisory_changes).where(_changed(i["dismissed"], "status")),
                   "advisory 4 decided at: index says None, chain says "),
    "replies": (lambda i: delete(advisory_changes).where(_changed(i["retracted"], "replied")),
                "advisory 2 replies: index says 0, chain says 1"),
}


@pytest.mark.parametrize("field", list(TAMPERED))
def test_verify_names_each_advisory_field_that_differs_from_the_chain(site, field, tmp_path):
    cli, _, ids, _ = site
    tamper, expected = TAMPERED[field]
    result = verify_tampered(cli, tamper(ids), tmp_path)
    assert result.exit_code == 1, result.output
    differences = [line for line in result.output.splitlines() if line.startswith("  difference: ")]
    assert any(expected in line for line in differences), result.output


FIELDS = ["as_of_block", "as_of_time", "total", "page", "per_page", "pages", "items"]
ITEM = ["id", "status", "kind", "severity", "revision", "subject", "subject_account", "subject_hash", "summary",
        "evidence_uri", "evidence_hash", "filer", "filed_at", "filed_block", "filed_tx", "decided_at", "updated_at",
        "last_block", "last_at", "reply_count", "filer_name"]


def ids_of(site, query: str = "") -> list[int]:
    return [item["id"] for item in get_json(f"{site[3]}/api/advisories{query}")["items"]]


def test_the_feed_lists_every_advisory_with_its_current_state(site):
    cli, chain, ids, url = site
    feed = get_json(f"{url}/api/advisories")
    assert list(feed) == FIELDS and (feed["total"], feed["page"], feed["pages"]) == (5, 1, 1)
    items = {item["id"]: item for item in feed["items"]}
    assert [item["id"] for item in feed["items"]] == [5, 4, 3, 2, 1]  # newest filed first
    assert all(list(item) == ITEM for item in feed["items"])
    first = items[ids["published"]]
    assert {k: first[k] for k in ("status", "kind", "severity", "revision", "subject", "subject_account", "summary",
                                   "evidence_uri", "filer", "filer_name", "reply_count")} == {
        "status": "published", "kind": "scam", "severity": "critical", "revision": 1, "subject": SUBJECT,
        "subject_account": None, "summary": XSS, "evidence_uri": "ipfs://bafy-a1-v2", "filer": 1,
        "filer_name": "member 1 Co", "reply_count": 1}
    assert first["evidence_hash"] == "0x" + digest("v2").hex().removeprefix("0x")
    assert first["filed_at"] <= first["decided_at"] <= first["updated_at"] <= first["last_at"]
    assert first["filed_block"] < first["last_block"] <= feed["as_of_block"]
    retracted, pending = items[ids["retracted"]], items[ids["pending"]]
    assert (retracted["status"], retracted["subject_account"], retracted["reply_count"], retracted["revision"],
            retracted["updated_at"]) == ("retracted", chain.subject, 1, 0, None)
    assert (pending["status"], pending["decided_at"], pending["updated_at"], pending["last_block"]) == (
        "pending", None, None, pending["filed_block"])
    assert items[ids["dismissed"]]["decided_at"] is not None and items[ids["withdrawn"]]["decided_at"] is None
    assert max(item["last_block"] for item in feed["items"]) == items[ids["withdrawn"]]["last_block"]
    assert feed["as_of_block"] == chain.w3.eth.block_number  # the index's head: what the next poll passes as since


def _since_last_but_one(site) -> str:
    items = get_json(f"{site[3]}/api/advisories")["items"]
    return str(sorted(item["last_block"] for item in items)[-2])


# query -> the advisories it selects, by the story's names (newest first)
FILTERED = {
    "?status=published": ["published"],
    "?status=published,retracted": ["retracted", "published"],
    "?status=Published&status=RETRACTED": ["retracted", "published"],  # repeated, any case
    "?status=pending": ["pending"],
    "?kind=sanctions-exposure": ["dismissed"],
    "?kind=market_manipulation,scam": ["pending", "published"],
    "?kind=market%20manipulation": ["pending"],
    "?severity=critical": ["dismissed", "published"],  # the published one as revised (filed high)
    "?severity=high": [],
    "?min_severity=medium": ["dismissed", "retracted", "published"],
    "?severity=low&min_severity=medium": [],
    "?status=published&min_severity=critical": ["published"],
    f"?subject={SUBJECT.lower()}": ["published"],  # a 0x address in any case
    f"?subject=eip155:1:{MIXED.upper().replace('0X', '0x')}": ["published"],
    f"?subject=eip155:10:{MIXED}": [],  # another chain's account
    "?subject=Shady%20Venue%20Ltd": ["retracted"],
    "?subject=shady%20venue%20ltd": [],  # a name matches exactly
    "?subject_account={account}": ["retracted"],
    "?filer=1": ["dismissed", "published"],
    "?filer=4": [],
    "?since=0": ["withdrawn", "dismissed", "pending", "retracted", "published"],
    "?since={last_but_one}": ["withdrawn"],
    "?since=2000-01-01": ["withdrawn", "dismissed", "pending", "retracted", "published"],
    "?since=2100-01-01T00:00:00Z": [],
    "?status=&kind=&subject=": ["withdrawn", "dismissed", "pending", "retracted", "published"],  # the page's form
}


@pytest.mark.parametrize("query", list(FILTERED))
def test_each_filter_selects_by_the_advisorys_current_state(site, query):
    _, chain, ids, _ = site
    asked = query.format(account=chain.subject.lower(), last_but_one=_since_last_but_one(site))
    assert ids_of(site, asked) == [ids[name] for name in FILTERED[query]]


STATUSES = "pending, published, dismissed, withdrawn, retracted"
# query -> the 400's exact reason
REFUSED = {
    "?status=bogus": f"status must be one of {STATUSES} (comma-separated), not 'bogus'",
    "?status=published,none": f"status must be one of {STATUSES} (comma-separated), not 'none'",
    "?kind=rug-pull": "kind must be one of scam, exploit, sanctions exposure, market manipulation, insolvency risk, "
                      "other (comma-separated), not 'rug-pull'",
    "?severity=urgent": "severity must be one of low, medium, high, critical (comma-separated), not 'urgent'",
    "?min_severity=low,high": "min_severity must be one of low, medium, high, critical, not 'low,high'",
    "?subject_account=0x12": "subject_account must be an address (0x and 40 hex digits), not '0x12'",
    "?filer=one": "filer must be a member id (a whole number), not 'one'",
    "?since=yesterday": "since must be a block number or an ISO 8601 date or time (2026-12-01, "
                        "2026-12-01T06:00:00Z), not 'yesterday'",
    "?since=2026-13-01": "since must be a block number or an ISO 8601 date or time (2026-12-01, "
                         "2026-12-01T06:00:00Z), not '2026-13-01'",
    "?statu=published": "unknown parameter 'statu'; the filters are status, kind, severity, min_severity, subject, "
                        "subject_account, filer, since (and page, per_page)",
    "?subject=a&subject=b": "subject may be given once",
    "?page=0": "page must be a whole number from 1 to 1000000, not 0",
    "?per_page=2&page=4": "page 4 is past the last page (3 at 2 a page)",
}


@pytest.mark.parametrize("query", list(REFUSED))
@pytest.mark.parametrize("path", ["/api/advisories", "/advisories", "/advisories.csv"])
def test_a_bad_filter_is_a_400_naming_the_valid_values(site, path, query):
    if path == "/advisories.csv" and "page" in query:
        return  # the CSV is the whole list: it takes no paging
    assert refused(f"{site[3]}{path}{query}") == (400, {"error": REFUSED[query]})


def test_an_advisory_that_is_not_in_the_index_is_a_404(site):
    for text in ("99", "0", "abc", "1e3"):
        assert refused(f"{site[3]}/api/advisories/{text}") == (404, {"error": f"not found: no advisory {text} "
                                                                              "in the index"})
    assert refused(f"{site[3]}/advisories/99")[0] == 404


def test_the_feed_is_paged(site):
    pages = [get_json(f"{site[3]}/api/advisories?per_page=2&page={n}") for n in (1, 2, 3)]
    assert [[i["id"] for i in p["items"]] for p in pages] == [[5, 4], [3, 2], [1]]
    assert {(p["total"], p["pages"], p["per_page"]) for p in pages} == {(5, 3, 2)}


def test_a_poller_is_told_nothing_changed_until_a_new_block_is_indexed(site):
    cli, _, _, url = site
    for path in ("/api/advisories?status=published", "/api/advisories/1", "/advisories.csv"):
        status, body, headers = get(url + path)
        tag = headers["etag"]
        assert (status, headers["cache-control"]) == (200, "no-cache")
        with pytest.raises(urllib.error.HTTPError) as err:
            get(url + path, {"If-None-Match": tag})
        assert err.value.code == 304 and err.value.headers["etag"] == tag
        assert get(url + path, {"If-None-Match": '"0-other"'})[1] == body
        assert get(url + "/api/advisories?status=retracted")[2]["etag"] != tag  # another query, another tag
    tag = get(url + "/api/advisories")[2]["etag"]
    cli.rpc("evm_mine")
    cli.ok("index")
    status, _, headers = get(url + "/api/advisories", {"If-None-Match": tag})
    assert status == 200 and headers["etag"] != tag


def test_one_advisory_has_its_history_and_replies(site):
    _, chain, ids, url = site
    first = get_json(f"{url}/api/advisories/{ids['published']}")
    assert list(first) == ["as_of_block", "as_of_time", *ITEM, "history", "replies"]
    assert [(h["change"], h.get("by_name"), h["text"]) for h in first["history"]] == [
        ("filed", "member 1 Co", ""), ("published", chain.confirmer, ""), ("updated", None, "more victims")]
    assert first["history"][0]["evidence_uri"] == "https://evidence.example/a1"
    assert all(list(entry) == list(HISTORY_FIELDS) for entry in first["history"])
    assert {k: first["history"][2][k] for k in ("revision", "old_severity", "severity", "evidence_uri")} == {
        "revision": 1, "old_severity": "high", "severity": "critical", "evidence_uri": "ipfs://bafy-a1-v2"}
    assert [(r["index"], r["by_subject"], r["uri"]) for r in first["replies"]] == [
        (0, False, "https://subject.example/answer")]
    second = get_json(f"{url}/api/advisories/{ids['retracted']}")
    assert [(h["change"], h.get("old_status"), h.get("by_name"), h["text"]) for h in second["history"]] == [
        ("filed", None, "member 2 Co", ""), ("published", "pending", "governance (the timelock)", ""),
        ("retracted", "published", chain.confirmer, "the exploit was the venue's own drill")]
    assert [(r["by_subject"], r["uri"]) for r in second["replies"]] == [(True, "ipfs://bafy-reply")]
    withdrawn = get_json(f"{url}/api/advisories/{ids['withdrawn']}")
    assert withdrawn["history"][-1]["by_name"] == "member 2 Co"  # the filer's own seat


def test_the_csv_holds_the_filtered_list_whole_and_defused(site):
    _, _, ids, url = site
    status, body, headers = get(f"{url}/advisories.csv?min_severity=critical")
    assert headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["id", "status", "kind", "severity", "revision", "subject", "subject_account", "summary",
                       "evidence_uri", "evidence_hash", "filer", "filer_name", "filed_at", "decided_at",
                       "updated_at", "last_block", "last_at", "reply_count", "filed_tx"]
    assert [(r[0], r[1], r[2], r[3], r[7]) for r in rows[1:]] == [
        (str(ids["dismissed"]), "dismissed", "sanctions exposure", "critical", "'" + FORMULA),
        (str(ids["published"]), "published", "scam", "critical", XSS)]
    assert len(list(csv.reader(io.StringIO(get(f"{url}/advisories.csv")[1])))) == 6


def test_the_list_page_marks_each_status_and_shows_untrusted_text_as_text(site, browser):
    _, _, ids, url = site
    page = browser.new_page()
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(f"{url}/advisories")
    assert page.locator("h1").inner_text() == "Industry advisories"
    assert page.locator("nav a[aria-current=page]").inner_text() == "Advisories"

    def row(name: str):
        return page.locator(f"#advisory-{ids[name]}")

    retracted = row("retracted")
    assert retracted.get_attribute("class") == "advisory-retracted"
    assert retracted.locator(".badge").inner_text() == "retracted"
    assert retracted.locator("td.summary del").inner_text() == "Drained its hot wallet"  # struck, not hidden
    assert row("pending").locator(".badge").inner_text() == "pending (not confirmed)"
    assert row("pending").locator("td.summary del").count() == 0
    assert row("withdrawn").locator(".badge").inner_text() == "withdrawn by its filer"
    published = row("published")
    assert published.locator(".badge").inner_text() == "published"
    assert published.locator("td.summary").inner_text() == XSS  # the text, not markup
    assert published.locator("td").nth(3).inner_text() == "critical (revision 1)"
    assert published.locator("td").nth(6).inner_text() == "member 1 Co"
    assert page.locator("main script").count() == 0 and alerts == []
    page.select_option("select[name=status]", "retracted")
    page.click("form.filters button")
    assert page.url == f"{url}/advisories?status=retracted&kind=&min_severity=&subject="
    assert page.locator("tbody tr").count() == 1 and page.locator(f"#advisory-{ids['retracted']}").count() == 1
    assert page.locator("select[name=status] option[selected]").inner_text() == "retracted"
    assert page.locator(".downloads a").get_attribute("href") == "/advisories.csv?status=retracted"
    page.close()


def test_the_detail_page_shows_the_retraction_the_reply_and_links_only_safe_evidence(site, browser):
    _, chain, ids, url = site
    page = browser.new_page()
    page.goto(f"{url}/advisories/{ids['retracted']}")
    assert page.locator("h1").inner_text() == f"Advisory {ids['retracted']}"
    assert page.locator("#standing").inner_text().endswith(
        ": this advisory no longer stands. Reason: the exploit was the venue's own drill")
    assert page.locator("#summary").get_attribute("class") == "summary struck"
    reply = page.locator("#replies li").inner_text()
    assert ": by the subject's own account: ipfs://bafy-reply (content hash 0x" in reply
    assert page.locator("#replies a").get_attribute("href") == "ipfs://bafy-reply"
    assert page.locator("#history tbody tr").all_inner_texts()[1].split("\t")[1:4] == [
        "published", "governance (the timelock)", "pending → published"]
    page.goto(f"{url}/advisories/{ids['published']}")
    assert page.locator("#standing").count() == 0  # published: no caveat
    evidence = page.locator("#evidence a")
    assert (evidence.get_attribute("href"), evidence.get_attribute("rel")) == (
        "ipfs://bafy-a1-v2", "nofollow noopener noreferrer")
    filed = page.locator("#history tbody tr").first
    assert filed.locator("a[href='https://evidence.example/a1']").count() == 1
    assert "(evidence.example)" in filed.inner_text()  # the host a web link leads to
    assert page.locator("#summary").inner_text() == XSS
    assert "the subject's reply, recorded by a confirmer: https://subject.example/answer (subject.example)" in \
        page.locator("#replies").inner_text()
    page.goto(f"{url}/advisories/{ids['dismissed']}")
    assert page.locator("#evidence a").count() == 0  # javascript: is shown, never linked
    assert page.locator("#evidence code.uri").inner_text() == "javascript:alert(1)"
    assert page.locator("#standing").inner_text().endswith(": never published. Reason: no evidence")
    page.goto(f"{url}/advisories/{ids['pending']}")
    assert page.locator("#standing").inner_text() == (
        "Pending: filed by member 3 Co and not yet confirmed. It is a member's filing, not a finding of the "
        "consortium.")
    page.goto(f"{url}/members/1")
    assert page.locator("#advisories-filed + ul li").count() == 2
    filed = page.locator("#advisories-filed + ul").inner_text()
    assert f"advisory 1 published scam, critical, about {SUBJECT}" in filed
    page.close()


def test_the_transparency_report_lists_the_decisions_on_advisories(site):
    cli, *_ = site
    text = cli.ok("report", "--from", "2000-01-01", "--to", "2100-12-31")
    lines = text.split("Advisories (5)\n")[1].split("\n\n")[0].splitlines()
    assert [line.split("  ", 2)[-1] for line in lines] == [
        f"advisory 1 published (scam, high) about {SUBJECT}",
        f"advisory 1 revised (scam, critical) about {SUBJECT}: more victims",
        "advisory 2 published (exploit, medium) about Shady Venue Ltd",
        "advisory 2 retracted (exploit, medium) about Shady Venue Ltd: the exploit was the venue's own drill",
        "advisory 4 dismissed (sanctions exposure, critical) about Sanctioned Co: no evidence",
    ]
    html = cli.ok("report", "--from", "2000-01-01", "--to", "2100-12-31", "--format", "html")
    assert "<h2>Advisories (5)</h2>" in html and "<script>" not in html


def test_a_proposal_to_publish_an_advisory_reads_in_words_from_the_index(site):
    cli, chain, ids, url = site
    m = cli.manifest()["contracts"]
    governor = contract(chain.w3, "ConsortiumGovernor", m["ConsortiumGovernor"])
    call = chain.registry.functions.publish(ids["pending"])._encode_transaction_data()
    chain.send(governor.functions.propose([chain.registry.address], [0], [call], "Publish the wash trading one"),
               chain.seats[1])
    cli.ok("index")
    (proposal,) = get_json(f"{url}/api/proposals")["items"]
    words = get_json(f"{url}/api/proposals/{proposal['id']}")["calls"][0]["words"]
    assert words == "publish advisory 3 (market manipulation, low, about eip155:1:0x" + "12" * 20 + ")"


def test_a_reorg_unwinds_the_advisories_of_the_blocks_it_replaced(site):
    """Last: it changes the chain. An advisory filed and published in blocks a reorg replaces is gone from the
    index, as if never indexed, and the feed no longer lists it."""
    cli, chain, _, url = site
    filed = chain.file(4, "insolvency risk", "high", "Wobbly Lender", "Withdrawals paused", "https://ev.example/6")
    chain.confirm("publish", filed)
    cli.ok("index")
    assert ids_of(site)[0] == filed and "no differences" in cli.ok("index", "--verify")
    cli.rpc("anvil_reorg", 2, [])  # the two blocks replaced by two empty ones
    cli.ok("index")
    assert ids_of(site)[0] == filed - 1
    assert derived_rows(cli.env["CONSORTIUM_DB"]) == fresh_derived_rows(cli, chain.w3)
    assert "no differences" in cli.ok("index", "--verify")
