"""`consortium serve` on the demo's index: the JSON API, and every page loaded, navigated and rendered by
headless Chromium (Debian's chromium): the per-tier chart is drawn by the page's script."""

import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from orchestrator.cli import main
from orchestrator.web import dashboard, serving
from orchestrator.web.dashboard import PAGES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site(demo):
    _, env = demo
    with serving.running(dashboard.app(env["CONSORTIUM_DB"]), dashboard.MAX_BODY) as url:
        yield url


def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def browse(url: str, tmp_path) -> str:
    """The DOM after Chromium loaded the page and ran its scripts."""
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                           "--virtual-time-budget=5000", "--dump-dom", url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_json_api_serves_the_index(site):
    status, body = get(f"{site}/api/proposals")
    proposals = json.loads(body)
    assert status == 200 and [p["state"] for p in proposals] == ["Executed"] * 5
    detail = json.loads(get(f"{site}/api/proposals/{proposals[0]['id']}")[1])
    assert len(detail["ballots"]) == 24 and {b["support"] for b in detail["ballots"]} == {"for", "against"}
    members = json.loads(get(f"{site}/api/members")[1])
    assert len(members) == 36 and members[23]["status"] == "active"  # member 24 lapsed, then paid
    assert [h["change"] for h in members[23]["history"]] == ["admitted", "lapsed", "restored"]
    treasury = json.loads(get(f"{site}/api/treasury")[1])
    assert int(treasury["eth_in"]) == 91 * 10**18 and int(treasury["eth_out"]) == 12 * 10**17
    bodies = json.loads(get(f"{site}/api/bodies")[1])
    assert [(b["name"], len(b["members"])) for b in bodies] == [("Secretariat", 3), ("Technical Committee", 3)]
    standards = json.loads(get(f"{site}/api/standards")[1])
    assert standards[0]["status"] == "adopted" and len(standards[0]["attesters"]) == 5
    conduct = json.loads(get(f"{site}/api/conduct")[1])
    assert [(c["kind"], c["member_id"]) for c in conduct] == [("report", 9), ("censure", 9)]
    for missing in ("/api/nothing", "/api/proposals/123", "/nowhere"):
        with pytest.raises(urllib.error.HTTPError) as err:
            get(site + missing)
        assert err.value.code == 404


def test_chromium_loads_every_page_and_follows_the_navigation(site, tmp_path):
    home = browse(site + "/", tmp_path)
    links = re.findall(r'<nav>(.*?)</nav>', home)[0]
    assert [href for href in re.findall(r'href="([^"]+)"', links)] == [path for path, _ in PAGES]
    assert home.count('href="/proposals/') == 5
    headings = {"/members": "Members and tiers", "/treasury": "Treasury flows", "/bodies": "Bodies",
                "/standards": "Standards and compliance", "/conduct": "Conduct records"}
    for path, heading in headings.items():
        dom = browse(site + path, tmp_path)
        assert f"<h1>{heading}</h1>" in dom
    assert "Proof of Reserves" in browse(site + "/standards", tmp_path)
    assert "outage undisclosed for 30 days" in browse(site + "/conduct", tmp_path)


def test_chromium_renders_a_proposals_per_tier_chart(site, tmp_path):
    first = re.findall(r'href="(/proposals/\d+)"', browse(site + "/", tmp_path))[0]
    dom = browse(site + first, tmp_path)
    bars = re.findall(r'<rect [^>]*data-tier="(\w+)" data-support="(\w+)" data-weight="(\d+)"', dom)
    assert ("founding", "for", "12") in bars and ("regular", "for", "15") in bars
    assert ("regular", "against", "5") in bars
    assert dom.count("<tr>") > 20  # every ballot listed


def test_serve_refuses_a_database_without_an_index(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.db'}"
    result = CliRunner().invoke(main, ["serve", "--port", "0"], env={"CONSORTIUM_DB": url})
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {url} holds no consortium index: run `consortium index` first"
