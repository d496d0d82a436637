"""`consortium serve` on the demo's index: the JSON API (paged), CSV downloads, and the pages loaded and
rendered by headless Chromium (Debian's chromium, driven by Playwright where the page must run): names and
tier names, a proposal's timeline, calls in words and server-drawn chart, a member's page, pagination, the
Markdown and CSV injection guards, and the live refresh while a vote is open."""

import csv
import io
import json
import re
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from orchestrator.cli import main
from orchestrator.web import dashboard, serving
from orchestrator.web.dashboard import PAGES, csv_cell
from tests.browser import CHROMIUM, chromium_browser  # noqa: F401  (fixture browser)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIRST_TITLE = "Set up the secretariat (5 ETH budget) and the technical committee"


@pytest.fixture(scope="module")
def site(demo):
    _, env = demo
    with serving.running(dashboard.app(env["CONSORTIUM_DB"]), dashboard.MAX_BODY) as url:
        yield url


@pytest.fixture(scope="module")
def first(site):
    """The demo's first proposal (the oldest: the list is newest first)."""
    return get_json(f"{site}/api/proposals")["items"][-1]["id"]


@pytest.fixture
def copy(demo, tmp_path):
    """A copy of the demo's index to change (sqlite3 path, URL)."""
    source = Path(demo[1]["CONSORTIUM_DB"].removeprefix("sqlite:///"))
    target = tmp_path / "index.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:  # the backup API: WAL content included
        src.backup(dst)
    return target, f"sqlite:///{target}"



def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def get_json(url: str):
    return json.loads(get(url)[1])


def refused(url: str) -> tuple[int, dict]:
    with pytest.raises(urllib.error.HTTPError) as err:
        get(url)
    return err.value.code, json.loads(err.value.read())


def browse(url: str, tmp_path) -> str:
    """The DOM after Chromium loaded the page and ran its scripts."""
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           "--virtual-time-budget=5000", "--dump-dom", url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_json_api_serves_the_index_paged(site, first):
    proposals = get_json(f"{site}/api/proposals")
    assert (proposals["total"], proposals["page"], proposals["pages"]) == (8, 1, 1)
    assert [p["state"] for p in proposals["items"]] == ["Executed"] * 8
    assert proposals["items"][-1]["title"] == FIRST_TITLE
    detail = get_json(f"{site}/api/proposals/{first}")
    assert detail["ballots_total"] == 24 and detail["kind"] == "ordinary"
    assert [(t["tier"], t["voted"], t["eligible"], t["turnout"]) for t in detail["tiers"]] == [
        ("founding", 4, 5, "80.0%"), ("regular", 20, 20, "100.0%")]
    assert [s["step"] for s in detail["timeline"]] == ["created", "voting opens", "voting closes", "queued", "executed"]
    ballots = get_json(f"{site}/api/proposals/{first}/ballots?per_page=10&page=3")
    assert (ballots["total"], ballots["pages"], len(ballots["items"])) == (24, 3, 4)
    assert {b["support"] for b in get_json(f"{site}/api/proposals/{first}/ballots")["items"]} == {"for", "against"}
    members = get_json(f"{site}/api/members?per_page=10&page=3")
    assert (members["total"], members["pages"]) == (36, 4)
    m24 = members["items"][3]
    assert (m24["member_id"], m24["status"], m24["legal_name"], m24["jurisdiction"], m24["tier"]) == (
        24, "active", "Firm 24 Ltd", "CH", "regular")  # member 24 lapsed, then paid
    assert [h["change"] for h in m24["history"]] == ["admitted", "lapsed", "restored"]
    treasury = get_json(f"{site}/api/treasury")
    assert int(treasury["eth_in"]) == 105 * 10**18 and int(treasury["eth_out"]) == 12 * 10**17
    bodies = get_json(f"{site}/api/bodies")["items"]
    # listed by address, which follows the deployer's nonce (one more transaction with a contribution ledger)
    assert sorted((b["name"], len(b["members"])) for b in bodies) == [("Council", 1), ("Secretariat", 3),
                                                                      ("Technical Committee", 3)]
    standards = get_json(f"{site}/api/standards")["items"]
    assert standards[0]["status"] == "adopted" and len(standards[0]["attesters"]) == 5
    conduct = get_json(f"{site}/api/conduct")["items"]
    assert [(c["kind"], c["member_id"]) for c in conduct] == [("report", 9), ("censure", 9)]
    member9 = get_json(f"{site}/api/members/9")
    assert [c["text"] for c in member9["conduct"]] == ["outage undisclosed for 30 days", "ipfs://demo-evidence"]
    assert (member9["conduct_total"], member9["participation"]["total"]) == (2, 8)  # newest first, with totals
    for missing, reason in (("/api/nothing", "Not Found"), ("/api/proposals/123", "not found: no proposal 123 in the "
                                                                                    "index"),
                            ("/nowhere", "Not Found"), ("/members/999", "not found: no member 999 in the index")):
        assert refused(site + missing) == (404, {"error": reason})


def test_a_bad_page_is_a_400_with_the_reason(site, first):
    for query, reason in (("page=0", "page must be a whole number from 1 to 1000000, not 0"),
                          ("page=x", "page must be a whole number from 1 to 1000000, not 'x'"),
                          ("per_page=501", "per_page must be a whole number from 1 to 500, not 501"),
                          ("page=5", "page 5 is past the last page (1 at 50 a page)")):
        for path in ("/api/members", f"/proposals/{first}", "/conduct"):
            assert refused(f"{site}{path}?{query}") == (400, {"error": reason}), (path, query)
    assert refused(f"{site}/members?page=2") == (400, {"error": "page 2 is past the last page (1 at 100 a page)"})


def test_pages_link_to_their_neighbours(site, first):
    _, members = get(f"{site}/members?per_page=10&page=2")
    assert "36 in all, page 2 of 4" in members
    assert 'rel="prev" href="/members?page=1&amp;per_page=10"' in members
    assert 'rel="next" href="/members?page=3&amp;per_page=10"' in members
    assert 'rel="last" href="/members?page=4&amp;per_page=10"' in members
    assert members.count('href="/members/') == 10
    _, proposal = get(f"{site}/proposals/{first}?per_page=10&page=3")
    assert "24 in all, page 3 of 3" in proposal and 'rel="first"' in proposal and 'rel="next"' not in proposal


def test_csv_downloads_hold_the_whole_list(site, first):
    with urllib.request.urlopen(f"{site}/members") as response:
        assert "img-src 'self';" in response.headers["Content-Security-Policy"]  # no data: images
    with urllib.request.urlopen(f"{site}/members.csv") as response:
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"] == 'attachment; filename="members.csv"'
        lines = response.read().decode().splitlines()
    assert lines[0] == "member_id,legal_name,jurisdiction,name_verified,tier,status,seat,joined"
    assert len(lines) == 37 and lines[1].startswith("1,Firm 1 Ltd,CH,1,founding,active,0x")
    ballots = get(f"{site}/proposals/{first}/ballots.csv")[1].splitlines()
    assert len(ballots) == 25 and ballots[1].startswith("1,member 1 Firm 1 Ltd,0x")
    for path, rows in (("/proposals.csv", 8), ("/treasury.csv", None), ("/bodies.csv", 3), ("/standards.csv", 1),
                       ("/conduct.csv", 2)):
        body = get(site + path)[1].splitlines()
        assert rows is None or len(body) == rows + 1, path


def test_a_csv_cell_that_a_spreadsheet_would_run_is_defused(copy):
    assert [csv_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "plain", 7, None)] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "plain", "7", ""]
    path, url = copy
    with sqlite3.connect(path) as db:
        db.execute("UPDATE conduct_records SET text = '=HYPERLINK(\"http://evil\",\"x\")' WHERE kind = 'censure'")
    with serving.running(dashboard.app(url), dashboard.MAX_BODY) as base:
        body = get(f"{base}/conduct.csv")[1]
    assert "'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")" in body and ",=HYPERLINK" not in body


def test_chromium_loads_every_page_and_follows_the_navigation(site, tmp_path):
    home = browse(site + "/", tmp_path)
    links = re.findall(r'<nav>(.*?)</nav>', home)[0]
    assert [href for href in re.findall(r'href="([^"]+)"', links)] == [path for path, _ in PAGES]
    assert home.count('href="/proposals/') == 8
    assert re.search(r'As of block <span id="asof-block">\d+</span> \(<span id="asof-time">\d{4}-\d\d-\d\d \d\d:\d\d '
                     r'UTC</span>\)', home)
    headings = {"/members": "Members and tiers", "/treasury": "Treasury flows", "/bodies": "Bodies",
                "/standards": "Standards and compliance", "/conduct": "Conduct records",
                "/advisories": "Industry advisories", "/contributions": "Contribution weight"}
    for path, heading in headings.items():
        dom = browse(site + path, tmp_path)
        assert f"<h1>{heading}</h1>" in dom and 'id="asof-block"' in dom
    assert "Proof of Reserves" in browse(site + "/standards", tmp_path)
    assert "outage undisclosed for 30 days" in browse(site + "/conduct", tmp_path)


def test_the_demos_advisories_in_the_feed_and_on_their_pages(site, tmp_path):
    """The demo's three: a token's scam advisory published by the technical committee and raised to critical, an
    exchange's published, answered from its own account and retracted, a duplicate withdrawn by its filer."""
    feed = get_json(f"{site}/api/advisories")
    assert [(a["id"], a["status"], a["kind"], a["severity"], a["revision"], a["reply_count"])
            for a in feed["items"]] == [
        (3, "withdrawn", "scam", "high", 0, 0), (2, "retracted", "insolvency risk", "medium", 0, 1),
        (1, "published", "scam", "critical", 1, 0)]
    assert [a["id"] for a in get_json(f"{site}/api/advisories?status=published&min_severity=high")["items"]] == [1]
    assert [a["id"] for a in get_json(
        f"{site}/api/advisories?subject=eip155:56:0x5CA1AB1E0000000000000000000000000000DEAD")["items"]] == [3, 1]
    one = get_json(f"{site}/api/advisories/1")
    assert [(h["change"], h["by_name"]) for h in one["history"]][1:] == [
        ("published", "the body Technical Committee"), ("updated", None)]
    listed = browse(f"{site}/advisories", tmp_path)
    assert re.search(r'<tr class="advisory-retracted" id="advisory-2">.*?<span class="badge advisory-retracted"[^>]*>'
                     r'retracted</span>.*?<del>Withdrawals halted', listed, flags=re.S)
    page = browse(f"{site}/advisories/2", tmp_path)
    assert "this advisory no longer stands. Reason: the auditor's attestation in the subject's reply" in page
    assert ('by the subject\'s own account: <a href="https://shady.example/reply" rel="nofollow noopener noreferrer">'
            'https://shady.example/reply</a> <span class="host">(shady.example)</span>') in page


def test_members_are_named_with_jurisdiction_and_tiers_by_name(site, first):
    _, members = get(f"{site}/members")
    assert '<td>Firm 3 Ltd</td><td>CH</td>\n<td>founding</td><td>active</td>' in members
    assert "where the names come from" in members.lower() and "SHA-256" in members
    assert re.search(r'<code class="hex" title="0x[0-9a-fA-F]{40}">0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}</code>', members)
    _, proposal = get(f"{site}/proposals/{first}")
    assert '<a href="/members/6">member 6 Firm 6 Ltd</a></td><td>regular</td><td>against</td>' in proposal
    assert "<td>2</td>" not in proposal.split('id="ballots"')[1]  # a tier by name, never its number


def test_an_identity_that_does_not_hash_to_its_onchain_hash_is_marked(copy):
    path, url = copy
    with sqlite3.connect(path) as db:
        (args,) = db.execute("SELECT args FROM events WHERE event = 'MemberAdmitted' AND args LIKE "
                             "'%\"memberId\": 3,%'").fetchone()
        forged = json.loads(args)
        forged["metadataHash"] = "0x" + "11" * 32
        db.execute("UPDATE events SET args = ? WHERE args = ?", (json.dumps(forged), args))
    with serving.running(dashboard.app(url), dashboard.MAX_BODY) as base:
        member = get(f"{base}/members/3")[1]
        listed = get(f"{base}/members")[1]
    assert "<h1>member 3 Firm 3 Ltd (unverified)</h1>" in member and "⚠ unverified" in member
    assert listed.count("⚠ unverified</span></td>") == 1


def test_a_proposal_page_has_its_rule_timeline_calls_and_chart(site, first):
    _, page = get(f"{site}/proposals/{first}")
    assert f"<h1>{FIRST_TITLE}</h1>" in page
    assert 'id="vote"' not in page and "vote.js" not in page  # no voting panel once voting is over
    assert "A <strong>ordinary</strong> proposal passes when more weight votes for than against" in page
    assert '<strong id="quorum-reached">27</strong> of <strong>3</strong> needed' in page
    timeline = re.findall(r"<li><strong>([^<]+)</strong> (\d{4}-\d\d-\d\d \d\d:\d\d UTC)([^\n]*)</li>", page)
    assert [step for step, _, _ in timeline] == ["created", "voting opens", "voting closes", "queued", "executed"]
    assert all("transaction" in rest for step, _, rest in timeline if step in ("created", "queued", "executed"))
    assert "executable from" in timeline[3][2]
    assert ("create the secretariat &#39;Secretariat&#39; of member 6 Firm 6 Ltd, member 7 Firm 7 Ltd, member 8 "
            "Firm 8 Ltd, acting on 2 approval(s), mandate: Treasury.spendBudget(address,address,uint256,string)"
            ) in page
    assert "set the budget of body &#39;Secretariat&#39; (0x" in page and ") to 5 ETH" in page
    svg = re.search(r'<svg class="chart".*?</svg>', page, re.S).group(0)
    ticks = re.findall(r'<text class="tick"[^>]*>([\d,]+)</text>', svg)
    assert ticks == ["0", "10", "20", "30", "40"]
    assert re.search(r'<line class="quorum" [^>]*data-quorum="3"/>', svg)
    assert "quorum 3: 27 counted (for + abstain), reached" in svg
    assert re.findall(r'<rect class="(\w+)"[^>]*data-row="quorum"', svg) == ["for"]  # against never counts
    labels = re.findall(r'<text class="label"[^>]*>([^<]+)</text>', svg)
    assert labels == ["founding", "regular", "all tiers", "toward the quorum"]
    assert re.findall(r'<text class="value"[^>]*>(\d+)</text>', svg) == ["12", "15", "5", "27", "5", "27"]
    assert '<td class="num" data-field="voted">4 / 5</td><td class="num" data-field="turnout">80.0%</td>' in page
    assert "member 2 Firm 2 Ltd</a> — declared: advises the member concerned" in page
    assert "live.js" not in page  # an executed proposal does not refresh


def test_chromium_renders_a_proposals_per_tier_chart(site, first, tmp_path):
    dom = browse(f"{site}/proposals/{first}", tmp_path)
    bars = re.findall(r'<rect [^>]*data-tier="(\w+)" data-support="(\w+)" data-weight="(\d+)"', dom)
    assert ("founding", "for", "12") in bars and ("regular", "for", "15") in bars
    assert ("regular", "against", "5") in bars
    assert dom.count("<tr>") > 20  # every ballot listed (one page of 50)


def test_explorer_links_when_asked(demo, first):
    with serving.running(dashboard.app(demo[1]["CONSORTIUM_DB"], "https://etherscan.io/"),
                         dashboard.MAX_BODY) as base:
        page = get(f"{base}/proposals/{first}")[1]
    assert re.search(r'<a class="hex" href="https://etherscan.io/tx/0x[0-9a-f]{64}" title="0x[0-9a-f]{64}">', page)
    assert re.search(r'href="https://etherscan.io/address/0x[0-9a-fA-F]{40}"', page)


def test_a_member_page(site):
    _, page = get(f"{site}/members/9")
    assert "<h1>member 9 Firm 9 Ltd</h1>" in page
    assert "censure 1 (answering report 1) — outage undisclosed for 30 days" in page
    assert 'report 1 by <a href="/members/6">member 6 Firm 6 Ltd</a> — ipfs://demo-evidence' in page
    assert re.search(r'<dd id="participation">\d+\.\d% \(\d+ of \d+ proposals it could vote on\)</dd>', page)
    assert re.search(r'<td>dues</td><td class="num">\d+(\.\d+)? ETH</td>', page)
    attester = get_json(f"{site}/api/standards")["items"][0]["attesters"][0]["member_id"]
    _, attesting = get(f"{site}/members/{attester}")
    assert "attested standard 1 'Proof of Reserves' v1.0 — evidence ipfs://" in attesting
    assert get(f"{site}/members/1")[1].count("voted for") == 8


def test_a_members_lists_are_paged_and_download_whole(site):
    _, page = get(f"{site}/members/1?per_page=2&page=2")
    assert "8 in all, page 2 of 4" in page and 'rel="next" href="/members/1?page=3&amp;per_page=2"' in page
    assert page.split('id="participation-list"')[1].count('href="/proposals/') == 2
    for name, header in (("participation", "proposal_id,title,action,support,weight,relayed,reason"),
                         ("history", "time,change,status,tier,seat,detail,tx"),
                         ("dues", "timestamp,direction,kind,counterparty,token,amount,memo,tx_hash")):
        assert f'href="/members/1/{name}.csv"' in page
        lines = get(f"{site}/members/1/{name}.csv")[1].splitlines()
        assert lines[0] == header and len(lines) > 1, name
    assert len(get(f"{site}/members/1/participation.csv")[1].splitlines()) == 9
    assert get(f"{site}/members/1/participation.csv")[1].splitlines()[1].endswith(",voted,for,3,0,")
    assert refused(f"{site}/members/1/keys.csv") == (404, {"error": "not found: no list 'keys' of a member; there are "
                                                                    "participation, history, dues, attestations, "
                                                                    "conduct"})
    assert refused(f"{site}/members/1?page=5&per_page=2") == (400, {"error": "page 5 is past the last page (4 at 2 a "
                                                                              "page)"})
    api = get_json(f"{site}/api/members/1?per_page=2")["participation"]
    assert (api["total"], api["pages"], len(api["items"])) == (8, 4, 2)


def test_the_proposals_csv_holds_what_the_api_says(site):
    rows = list(csv.DictReader(io.StringIO(get(f"{site}/proposals.csv")[1])))
    api = {p["id"]: p for p in get_json(f"{site}/api/proposals")["items"]}
    assert len(rows) == 8
    for row in rows:
        p = api[row["id"]]
        assert [row[k] for k in ("title", "kind", "state", "for", "against", "abstain", "quorum_reached",
                                 "quorum_needed", "snapshot", "deadline", "proposer")] == [
            str(p[k]) for k in ("title", "kind", "state", "for", "against", "abstain", "quorum_reached",
                                "quorum_needed", "snapshot", "deadline", "proposer")]


def test_a_proposal_whose_call_does_not_decode_is_still_shown(copy):
    """The governor takes any bytes after a governed selector: cut short, they read as a sentence, not a 500."""
    path, url = copy
    with sqlite3.connect(path) as db:
        pid, calls = db.execute("SELECT proposal_id, calls FROM proposals ORDER BY block_number LIMIT 1").fetchone()
        calls = json.loads(calls)
        calls[0]["data"] = calls[0]["data"][:10 + 64]  # the selector and one word
        db.execute("UPDATE proposals SET calls = ? WHERE proposal_id = ?", (json.dumps(calls), pid))
    sentence = ("call BodyFactory.create(uint8,string,uint256,uint256[],(address,bytes4)[]) on the body factory "
                f"({calls[0]['target']}) with arguments that do not decode (32 bytes after the selector)")
    with serving.running(dashboard.app(url), dashboard.MAX_BODY) as base:
        status, page = get(f"{base}/proposals/{pid}")
        assert status == 200 and sentence in page
        assert get_json(f"{base}/api/proposals/{pid}")["calls"][0]["words"] == sentence


def test_markdown_is_rendered_and_its_html_shown_as_text(copy, browser):
    path, url = copy
    text = ("Title\n\n**bold** and <script>window.pwned = 1</script> <img src=x onerror=\"window.pwned = 2\">\n\n"
            "![badge](data:image/png;base64,iVBORw0KGgo=) ![pixel](https://evil.example/p.png) "
            "[the official relayer](https://evil.example/relay)")
    with sqlite3.connect(path) as db:
        (pid,) = db.execute("SELECT proposal_id FROM proposals ORDER BY block_number LIMIT 1").fetchone()
        db.execute("UPDATE proposals SET description = ? WHERE proposal_id = ?", (text, pid))
    with serving.running(dashboard.app(url), dashboard.MAX_BODY) as base:
        page = browser.new_page()
        page.goto(f"{base}/proposals/{pid}")
        assert page.evaluate("window.pwned") is None
        description = page.locator(".description")
        assert description.locator("strong").inner_text() == "bold"
        assert description.locator("script, img").count() == 0
        assert "<script>window.pwned = 1</script>" in description.inner_text()
        assert page.locator("img").count() == 0  # images are not rendered: neither data: nor remote ones
        link = description.locator("a", has_text="the official relayer")
        assert link.get_attribute("rel") == "nofollow noopener noreferrer"
        assert "the official relayer (evil.example)" in description.inner_text()
        page.close()


def test_the_live_refresh_updates_an_open_votes_figures(copy, browser):
    """An Active proposal's page re-reads its JSON and chart: a ballot indexed after the page loaded shows up."""
    path, url = copy
    with sqlite3.connect(path) as db:
        (pid, snapshot) = db.execute("SELECT proposal_id, snapshot FROM proposals ORDER BY block_number DESC "
                                     "LIMIT 1").fetchone()
        (head,) = db.execute("SELECT block FROM cursor").fetchone()
        (ts,) = db.execute("SELECT max(timestamp) FROM blocks").fetchone()
        db.execute("INSERT INTO blocks VALUES (?, ?, ?)", (head + 1, "0x" + "ab" * 32, ts + 12))
        db.execute("INSERT INTO proposal_states VALUES (?, ?, 'Active', '3')", (pid, head + 1))
        db.execute("UPDATE cursor SET block = ?", (head + 1,))
    with serving.running(dashboard.app(url), dashboard.MAX_BODY) as base:
        page = browser.new_page()
        page.goto(f"{base}/proposals/{pid}")
        assert page.locator("#state").inner_text() == "Active"
        founding = page.locator('#tallies tr[data-tier="founding"] [data-field="abstain"]')
        before = int(founding.inner_text())
        with sqlite3.connect(path) as db:
            db.execute("INSERT INTO blocks VALUES (?, ?, ?)", (head + 2, "0x" + "cd" * 32, ts + 24))
            db.execute("INSERT INTO ballots VALUES (?, 0, ?, ?, ?, 36, ?, 0, 2, 40, 'late', 0)",
                       ("0x" + "ef" * 32, head + 2, ts + 24, pid, "0x" + "12" * 20))
            db.execute("UPDATE cursor SET block = ?", (head + 2,))
        # Polled from here: the page's CSP forbids evaluating a string. The page refreshes 5 s after the last
        # refresh ended (10 s after a failed one); a minute covers a loaded host.
        deadline = time.monotonic() + 60
        while page.locator("#asof-block").inner_text() != str(head + 2) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert page.locator("#asof-block").inner_text() == str(head + 2)
        assert int(founding.inner_text()) == before + 40
        page.wait_for_selector('#chart rect[data-tier="founding"][data-support="abstain"]', timeout=60000)
        page.close()


def test_screenshots_of_the_main_pages(demo, browser, tmp_path):
    from bench.screenshots import shoot
    written = shoot(demo[1]["CONSORTIUM_DB"], tmp_path / "shots", browser=browser)
    assert sorted(p.name for p in written) == ["home.png", "member.png", "members.png", "proposal.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000 for p in written)


def test_serve_refuses_a_database_without_an_index(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    result = CliRunner().invoke(main, ["serve", "--port", "0"], env={"CONSORTIUM_DB": url})
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {url} holds no consortium index: run `consortium index` first"


def test_serve_refuses_an_explorer_that_is_not_a_web_url(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--explorer", "javascript:alert(1)"],
                                env={"CONSORTIUM_DB": f"sqlite:///{tmp_path / 'none.db'}"})
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: --explorer must be an http(s) URL such as https://etherscan.io, not "
                                     "'javascript:alert(1)'")


def test_the_sealed_censure_is_marked_and_its_unrevealed_commitment_listed(site):
    _, listed = get(f"{site}/")
    assert listed.count('<span class="badge sealed"') == 1  # the censure alone
    censure = next(p for p in get_json(f"{site}/api/proposals")["items"] if p["title"] == "Censure member 9 #sealed")
    assert (censure["sealed"], censure["committed"], censure["unrevealed"]) == (
        True, 22, [{"member_id": 6, "member": "member 6 Firm 6 Ltd"}])
    _, page = get(f"{site}/proposals/{censure['id']}")
    assert "<li>sealed: 22 member(s) committed, 21 revealed</li>" in page
    assert "<li>unrevealed: member 6 Firm 6 Ltd (count toward nothing)</li>" in page


def test_the_demos_election_on_its_pages(site, tmp_path):
    """Round four's council election, as an observer reads it: vacated after its term, two of five candidates
    elected (the regular seat by the tie key), one withdrawn, the ballot counted by approval."""
    listed = get_json(f"{site}/api/elections")["items"]
    assert [(e["id"], e["status"], e["title"], e["seats"]) for e in listed] == [(1, "vacated", "Council 2027", 2)]
    one = get_json(f"{site}/api/elections/1")
    assert one["ballot_state"] == "Executed"
    page = browse(f"{site}/elections/1", tmp_path)
    assert 'data-status="vacated"' in page and "<h2>Candidates and approvals</h2>" in page
    assert "<h2>Elected</h2>" in page and "withdrawn" in page
    ballot = browse(f"{site}/proposals/{one['ballot']}", tmp_path)
    assert 'href="/elections/1"' in ballot
