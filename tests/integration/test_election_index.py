"""Elections as observers read them, on a real devnet: a council election driven with web3 (governance opens it,
members nominate themselves and one withdraws, the ballot proposal as the registry fixes it, approval ballots from
members' seats and through a relayer, the execution that seats the winners, the term's end that vacates them),
indexed at each step into elections, election_changes, candidates, election_ballots, approval_ballots and
approvals; `index --verify` over them (each rule seen red on a tampered copy); `results` on the ballot and a
member's participation; the transparency report's "Elections" section; /elections, /elections/ID and their JSON in
Chromium and over HTTP; and a reorg unwinding it all."""

import json
import re
import urllib.error
import urllib.request

import pytest
from sqlalchemy import delete, select, update
from web3.logs import DISCARD

from orchestrator.chain.wallet import Keystores
from orchestrator.db import engine
from orchestrator.observers import elections as observed
from orchestrator.observers.indexer.schema import (
    approval_ballots,
    approvals,
    ballots,
    candidates,
    election_ballots,
    election_changes,
    elections,
)
from orchestrator.observers.indexer.store import IndexStore
from orchestrator.observers.observatory import Observatory
from orchestrator.operations import elections as election_ops
from orchestrator.operations.deploy import contract
from orchestrator.relay import ballots as typed
from orchestrator.web import dashboard, serving
from tests.browser import chromium_browser  # noqa: F401  (fixture browser)
from tests.integration.conftest import PASSPHRASE, Cli
from tests.integration.tampering import verify_tampered

REGULAR = 1  # the regular tier's id
NOMINATIONS, TERM = 1_000, 5_000


def send(w3, account, fn) -> dict:
    tx = fn.build_transaction({"from": account.address, "nonce": w3.eth.get_transaction_count(account.address)})
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(
        account.sign_transaction(tx).raw_transaction))
    assert receipt["status"] == 1
    return receipt


def enact(cli, w3, account, governor, calls: list, description: str) -> int:
    """Propose `calls` ([(target, data)]) from `account`, vote them through with the founding members, queue and
    execute; returns the proposal id."""
    targets, datas = [t for t, _ in calls], [bytes.fromhex(d[2:]) for _, d in calls]
    receipt = send(w3, account, governor.functions.propose(targets, [0] * len(calls), datas, description))
    pid = str(governor.events.ProposalCreated().process_receipt(receipt, errors=DISCARD)[0]["args"]["proposalId"])
    decide(cli, pid)
    return pid


def decide(cli, pid: str, voters=("f1", "f2")) -> None:
    cli.advance(2)
    for name in voters:
        cli.ok("vote", pid, "for", account=name)
    cli.advance(301)
    cli.ok("proposal", "queue", pid)
    cli.advance(2)
    cli.ok("proposal", "execute", pid)


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def refused(url: str) -> tuple[int, dict]:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(url, timeout=10)
    return raised.value.code, json.loads(raised.value.read())


def run_election(cli, w3, observe=lambda step: None) -> tuple[str, str, str]:
    """Members 1-2 founding, 3-5 regular. A council chaired by member 1 is elected: 3 seats, 1 reserved for a regular
    member. Members 2, 3, 4 and 5 stand, 5 withdraws. Approvals: 1 {2, 4} and 2 {2} from their seats; 3 {4},
    4 {2, 4} and 5 {} (an abstention) signed and relayed. Member 4 takes the reserved seat, 2 the next, member 3 (no
    approval) cannot: one seat unfilled. `observe(step)` runs at each step: nominating, balloting, seated,
    vacated. Returns the ids of the proposal that opened the election and of its ballot, and the council."""
    names = ("f1", "f2", "r1", "r2", "r3")
    seats = {name: cli.wallet(name) for name in (*names, "relayer")}
    cli.deploy({seats["f1"]: "founding", seats["f2"]: "founding", seats["r1"]: "regular", seats["r2"]: "regular",
                seats["r3"]: "regular"})
    keys = Keystores(cli.dir / "keys")
    account = {name: keys.unlock(name, PASSPHRASE) for name in (*names, "relayer")}
    c = cli.manifest()["contracts"]
    governor, registry = contract(w3, "ConsortiumGovernor", c["ConsortiumGovernor"]), \
        contract(w3, "ElectionRegistry", c["ElectionRegistry"])
    factory = contract(w3, "BodyFactory", c["BodyFactory"])
    enact(cli, w3, account["f1"], governor, [(factory.address, factory.encode_abi("create", [0, "Council", 1, [1],
                                                                                          []]))], "Create the council")
    council = contract(w3, "Body", factory.functions.bodies().call()[0])
    now = w3.eth.get_block("latest")["timestamp"]
    opened = enact(cli, w3, account["f1"], governor, [
        (council.address, council.encode_abi("setElector", [registry.address])),
        (registry.address, registry.encode_abi("open", [council.address, 3, [(REGULAR, 1)], now + NOMINATIONS,
                                                        now + NOMINATIONS + TERM, "Council 2027"]))],
        "Elect the council")
    for name in ("f2", "r1", "r2", "r3"):
        send(w3, account[name], registry.functions.nominate(1))
    send(w3, account["r3"], registry.functions.withdraw(1))
    observe("nominating")
    cli.advance(registry.functions.election(1).call()[3] - w3.eth.get_block("latest")["timestamp"])
    receipt = send(w3, account["r1"], governor.functions.propose(*election_ops.ballot_proposal(registry, 1)))
    ballot = str(governor.events.ProposalCreated().process_receipt(receipt, errors=DISCARD)[0]["args"]["proposalId"])
    cli.advance(2)
    send(w3, account["f1"], governor.functions.castApprovals(int(ballot), [(account["f1"].address, 0b101, b"")]))
    send(w3, account["f2"], governor.functions.castApprovals(int(ballot), [(account["f2"].address, 0b001, b"")]))
    domain = typed.domain(governor.functions.name().call(), w3.eth.chain_id, governor.address,
                          governor.functions.version().call())
    signed = [(account[n].address, bits, typed.sign(typed.approval_ballot(domain, int(ballot), account[n].address,
                                                                          bits), account[n].key))
              for n, bits in (("r1", 0b100), ("r2", 0b101), ("r3", 0))]
    send(w3, account["relayer"], governor.functions.castApprovals(int(ballot), signed))
    observe("balloting")
    cli.advance(301)
    cli.ok("proposal", "queue", ballot)
    cli.advance(2)
    cli.ok("proposal", "execute", ballot)
    observe("seated")
    cli.advance(registry.functions.election(1).call()[4] - w3.eth.get_block("latest")["timestamp"])
    send(w3, account["r3"], registry.functions.vacate(1))
    observe("vacated")
    return opened, ballot, council.address


@pytest.fixture(scope="module")
def story(devnet, w3, tmp_path_factory):
    """run_election, indexed and verified at each step; what was read then."""
    cli = Cli(devnet, tmp_path_factory.mktemp("elections"), w3)
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"
    read = {}

    def observe(step: str) -> None:
        cli.ok("index")
        read[step] = {"verify": cli.ok("index", "--verify"),
                      "election": observed.get(Observatory(cli.env["CONSORTIUM_DB"]), 1).to_json()}
        if step == "balloting":
            read[step]["results"] = cli.ok("results", ballot_of(cli))

    opened, ballot, council = run_election(cli, w3, observe)
    yield cli, opened, ballot, council, read


def ballot_of(cli) -> str:
    """The ballot proposal's id, as the index holds it."""
    with engine(cli.env["CONSORTIUM_DB"]).connect() as db:
        return db.execute(select(election_ballots.c.proposal_id)).scalar_one()


def test_the_index_holds_the_election_its_candidates_and_its_approval_ballots(story):
    cli, _, ballot, council, _ = story
    with engine(cli.env["CONSORTIUM_DB"]).connect() as db:
        opened = db.execute(select(elections.c.election_id, elections.c.body, elections.c.seats,
                                   elections.c.reserved, elections.c.title)).all()
        listed = db.execute(select(candidates.c.candidate, candidates.c.member_id, candidates.c.change,
                                   candidates.c.tier).order_by(candidates.c.block_number, candidates.c.log_index)).all()
        changes = db.execute(select(election_changes.c.change, election_changes.c.member_id,
                                    election_changes.c.approvals, election_changes.c.reserved_seat,
                                    election_changes.c.elected)
                             .order_by(election_changes.c.block_number, election_changes.c.log_index)).all()
        proposed = db.execute(select(election_ballots.c.proposal_id, election_ballots.c.election_id,
                                     election_ballots.c.candidates)).all()
        cast = db.execute(select(approval_ballots.c.member_id, approval_ballots.c.tier, approval_ballots.c.weight,
                                 approval_ballots.c.approvals, approval_ballots.c.relayed)
                          .order_by(approval_ballots.c.block_number, approval_ballots.c.log_index)).all()
        marks = db.execute(select(approvals.c.member_id, approvals.c.candidate, approvals.c.weight)
                           .order_by(approvals.c.block_number, approvals.c.log_index, approvals.c.candidate)).all()
        counted = db.execute(select(ballots.c.member_id, ballots.c.support, ballots.c.weight, ballots.c.relayed)
                             .where(ballots.c.proposal_id == ballot)
                             .order_by(ballots.c.block_number, ballots.c.log_index)).all()
    assert opened == [(1, council, 3, "[[1, 1]]", "Council 2027")]
    assert listed == [(0, 2, "nominated", 0), (1, 3, "nominated", 1), (2, 4, "nominated", 1), (3, 5, "nominated", 1),
                      (3, 5, "withdrawn", None)]
    assert changes == [("elected", 4, "5", 1, None), ("elected", 2, "7", 0, None), ("seated", None, None, None, 2),
                       ("vacated", None, None, None, None),  # the registry says so before the body's calls
                       ("seat vacated", 4, None, None, None), ("seat vacated", 2, None, None, None)]
    assert proposed == [(ballot, "1", 4)]
    assert cast == [(1, 0, 3, "5", 0), (2, 0, 3, "1", 0), (3, 1, 1, "4", 1), (4, 1, 1, "5", 1), (5, 1, 1, "0", 1)]
    assert marks == [(1, 0, 3), (1, 2, 3), (2, 0, 3), (3, 2, 1), (4, 0, 1), (4, 2, 1)]
    # the same ballots as the chain counted them: for, or abstain approving nobody
    assert counted == [(1, 1, 3, 0), (2, 1, 3, 0), (3, 1, 1, 1), (4, 1, 1, 1), (5, 2, 1, 1)]


def test_the_status_follows_the_registry_at_every_step(story):
    *_, read = story
    assert [read[step]["election"]["status"] for step in read] == ["nominating", "balloting", "seated", "vacated"]
    for step in read:
        assert "verified against the chain" in read[step]["verify"], (step, read[step]["verify"])
    balloting = read["balloting"]["election"]
    assert [(c["member_id"], c["approvals_by_tier"], c["approvals"]) for c in balloting["candidates"]] == [
        (2, {"founding": 6, "regular": 1}, 7), (3, {"founding": 0, "regular": 0}, 0),
        (4, {"founding": 3, "regular": 2}, 5), (5, {"founding": 0, "regular": 0}, 0)]
    assert (balloting["winners"], balloting["unfilled"]) == ([], None)
    vacated = read["vacated"]["election"]
    assert vacated["winners"] == [
        {"member_id": 4, "member": "member 4 Co", "approvals": 5, "reserved_seat": True},
        {"member_id": 2, "member": "member 2 Co", "approvals": 7, "reserved_seat": False}]
    assert (vacated["unfilled"], [v["member_id"] for v in vacated["vacated"]]) == (1, [4, 2])


TABLE = """  election 1 Council 2027: {status}; 3 seats, 1 reserved for regular; round 1
  candidate   tier       founding    regular      total
  member 2 Co founding          6          1          7{two}
  member 3 Co regular           0          0          0
  member 4 Co regular           3          2          5{four}
  member 5 Co regular           0          0          0  withdrawn
"""
BALLOTS = """  ballots:
    member     1 Co (founding) for      weight 3 (direct) — approves member 2, member 4
    member     2 Co (founding) for      weight 3 (direct) — approves member 2
    member     3 Co (regular) for      weight 1 (relayed) — approves member 4
    member     4 Co (regular) for      weight 1 (relayed) — approves member 2, member 4
    member     5 Co (regular) abstain  weight 1 (relayed) — approves nobody
"""
REPORT_DAYS = ("--from", "2000-01-01", "--to", "2100-12-31")


def test_results_show_the_tally_per_candidate_and_tier_then_the_winners(story):
    cli, _, ballot, _, read = story
    turnout = ("  tier              for  against  abstain      turnout\n"
               "  founding            6        0        0     2/2 100%\n"
               "  regular             2        0        1     3/3 100%\n"
               "  total               8        0        1\n")
    balloting = read["balloting"]["results"]
    assert turnout + TABLE.format(status="balloting", two="", four="") + BALLOTS in balloting
    final = cli.ok("results", ballot)
    assert turnout + TABLE.format(status="vacated", two="  elected", four="  elected (reserved seat)") + (
        "  elected 2, unfilled seats 1\n  vacated after the term: member 4 Co, member 2 Co\n") + BALLOTS in final
    document = json.loads(cli.ok("results", ballot, "--format", "json"))
    election = document["election"]
    assert (election["id"], election["status"], election["ballot"], election["unfilled"]) == (1, "vacated", ballot, 1)
    assert election["reserved"] == [{"tier": "regular", "tier_id": 1, "seats": 1}]
    assert election["candidates"][2] == {
        "candidate": 2, "member_id": 4, "member": "member 4 Co", "tier": "regular", "tier_id": 1, "withdrawn": False,
        "approvals": 5, "approvals_by_tier": {"founding": 3, "regular": 2}, "elected": True, "reserved_seat": True}
    assert [(b["member_id"], b["support"], b["approved"]) for b in document["ballots"]] == [
        (1, "for", [2, 4]), (2, "for", [2]), (3, "for", [4]), (4, "for", [2, 4]), (5, "abstain", [])]
    rows = cli.ok("results", ballot, "--format", "csv").splitlines()
    assert rows[0].endswith(",reason,candidate,approvals,elected,reserved_seat,approved")
    assert f"{ballot},ballot,regular,4,member 4 Co,,,,,,for,1,True,,,,,,,2 4" in rows
    assert f"{ballot},candidate,regular,4,member 4 Co,,,,,,,,,,,2,5,True,True," in rows
    assert f"{ballot},approvals,founding,4,member 4 Co,,,,,,,,,,,2,3,,," in rows
    assert f"{ballot},candidate,regular,5,member 5 Co,,,,,,,,,,withdrawn,3,0,False,False," in rows
    # another proposal's results have no election columns
    assert "approved" not in cli.ok("results", story[1], "--format", "csv").splitlines()[0]


def test_a_members_participation_lists_its_approval_ballot(story):
    cli, _, ballot, _, _ = story
    assert cli.ok("results", "--member", "4").splitlines()[-1] == (
        f"  {ballot[:12]}…  voted for with weight 1 (relayed), approving member 2 Co, member 4 Co  — Council 2027")
    assert cli.ok("results", "--member", "5", "--format", "csv").splitlines()[-1] == (
        f"{ballot},Council 2027,voted,abstain,1,True,nobody,")
    entry = json.loads(cli.ok("results", "--member", "1", "--format", "json"))[-1]
    assert (entry["action"], entry["support"], entry["weight"], entry["approved"]) == (
        "voted", "for", 3, "member 2 Co, member 4 Co")


def test_the_report_has_an_elections_section(story):
    cli, _, ballot, council, _ = story
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "T", cli.ok("report", *REPORT_DAYS))
    section = text[text.index("Elections (1)"):text.index("Standards adopted")]
    assert section == (
        "Elections (1)\n"
        "  election 1 Council 2027: vacated; 3 seats, 1 reserved for regular; round 1\n"
        f"      body Council ({council}); opened T, nominations until T, term until T\n"
        f"      ballot proposal {ballot[:12]}… Executed; turnout founding 2/2, regular 3/3; "
        "quorum 0 needed, 9 reached\n"
        + "\n".join("    " + line for line in TABLE.format(status="", two="  elected",
                                                             four="  elected (reserved seat)").splitlines()[1:])
        + "\n      elected 2, unfilled seats 1\n      vacated after the term: member 4 Co, member 2 Co\n\n")
    html = cli.ok("report", *REPORT_DAYS, "--format", "html")
    assert ("<h2>Elections (1)</h2><h3>election 1 Council 2027: vacated; 3 seats, 1 reserved for regular; "
            "round 1</h3>") in html
    assert ("<tr><td>member 4 Co</td><td>regular</td><td>3</td><td>2</td><td>5</td><td>elected (reserved seat)</td>"
            "</tr>") in html
    assert "<li>elected 2, unfilled seats 1</li><li>vacated after the term: member 4 Co, member 2 Co</li>" in html
    # a period with nothing of the election: no entry
    assert "Elections (0)" in cli.ok("report", "--from", "2000-01-01", "--to", "2000-01-02")


@pytest.mark.parametrize(("tamper", "difference"), [
    (update(approvals).where(approvals.c.member_id == 4, approvals.c.candidate == 2).values(weight=2),
     "approvals: index says {(0, 0): 6, (0, 1): 1, (2, 0): 3, (2, 1): 3}, chain says {(0, 0): 6, (0, 1): 1, "
     "(2, 0): 3, (2, 1): 2}"),
    (update(approvals).where(approvals.c.member_id == 4, approvals.c.candidate == 2).values(tier=0),
     "approvals: index says {(0, 0): 6, (0, 1): 1, (2, 0): 4, (2, 1): 1}, chain says {(0, 0): 6, (0, 1): 1, "
     "(2, 0): 3, (2, 1): 2}"),
    (delete(candidates).where(candidates.c.change == "withdrawn"),
     "election 1 candidates: index says [(2, 0, False), (3, 1, False), (4, 1, False), (5, 1, False)], chain says "
     "[(2, 0, False), (3, 1, False), (4, 1, False), (5, 1, True)]"),
    (delete(election_changes).where(election_changes.c.change == "vacated"),
     "election 1 status: index says 'seated', chain says 'vacated'"),
    (update(election_changes).where(election_changes.c.member_id == 4, election_changes.c.change == "elected")
     .values(member_id=3), "election 1 elected: index says [3, 2], chain says [4, 2]"),
    (update(elections).values(seats=2), "election 1 seats: index says 2, chain says 3"),
    (delete(election_ballots), "election ballots: index says [], chain says [("),
])
def test_verify_names_every_election_difference(story, tmp_path, tamper, difference):
    cli, _, ballot, _, _ = story
    result = verify_tampered(cli, tamper, tmp_path)
    assert result.exit_code == 1
    shown = difference if not difference.startswith("approvals") else f"proposal {ballot[:12]}… {difference}"
    assert f"  difference: {shown}" in result.output, result.output


def test_the_dashboard_lists_and_shows_the_election(story):
    cli, opened, ballot, council, _ = story
    with serving.running(dashboard.app(cli.env["CONSORTIUM_DB"]), dashboard.MAX_BODY) as url:
        listing = json.loads(get(f"{url}/api/elections"))
        one = json.loads(get(f"{url}/api/elections/1"))
        page = get(f"{url}/elections/1")
        proposal_page = get(f"{url}/proposals/{ballot}")
        other_page = get(f"{url}/proposals/{opened}")
        errors = {path: refused(f"{url}{path}") for path in (
            "/api/elections/2", "/api/elections/abc", "/elections/0x1", "/api/elections?per_page=0",
            "/api/elections?page=2", "/elections?page=x")}
    item = {k: v for k, v in listing["items"][0].items() if k not in ("opened_at", "nominations_end", "term_end")}
    assert (listing["total"], item) == (1, {
        "id": 1, "title": "Council 2027", "status": "vacated", "body": council, "body_name": "Council", "seats": 3,
        "reserved": [{"tier": "regular", "tier_id": 1, "seats": 1}], "round": 1, "ballot": ballot, "candidates": 3,
        "elected": 2})
    assert (one["ballot_state"], one["unfilled"], [w["member_id"] for w in one["winners"]]) == ("Executed", 1, [4, 2])
    assert one["turnout"] == [
        {"tier": "founding", "approving": 6, "approving_nobody": 0, "voted": 2, "eligible": 2, "turnout": "100.0%"},
        {"tier": "regular", "approving": 2, "approving_nobody": 1, "voted": 3, "eligible": 3, "turnout": "100.0%"}]
    assert [(c["member_id"], c["approvals"]) for c in one["candidates"]] == [(2, 7), (3, 0), (4, 5), (5, 0)]
    assert ('<tr data-member="4"><td class="num">2</td><td><a href="/members/4">member 4 Co</a></td><td>regular</td>\n'
            '<td class="num">3</td><td class="num">2</td><td class="num">5</td><td>elected (reserved seat)</td></tr>'
            ) in page
    assert f'<a href="/proposals/{ballot}">' in page
    assert '<rect class="tier-1"' in page and 'data-candidate="4" data-tier="regular" data-weight="2"' in page
    assert '<dd id="election">the ballot of <a href="/elections/1">election 1</a>' in proposal_page
    assert 'id="election"' not in other_page
    assert errors == {
        "/api/elections/2": (404, {"error": "not found: no election 2 in the index"}),
        "/api/elections/abc": (404, {"error": "not found: no election abc in the index"}),
        "/elections/0x1": (404, {"error": "not found: no election 0x1 in the index"}),
        "/api/elections?per_page=0": (400, {"error": "per_page must be a whole number from 1 to 500, not 0"}),
        "/api/elections?page=2": (400, {"error": "page 2 is past the last page (1 at 50 a page)"}),
        "/elections?page=x": (400, {"error": "page must be a whole number from 1 to 1000000, not 'x'"})}


def test_the_pages_in_a_browser(story, browser):
    cli, _, ballot, _, _ = story
    with serving.running(dashboard.app(cli.env["CONSORTIUM_DB"]), dashboard.MAX_BODY) as url:
        page = browser.new_page()
        page.goto(f"{url}/elections")
        assert page.locator("nav a[aria-current=page]").inner_text() == "Elections"
        row = page.locator("#elections tr[data-election='1']")
        assert row.locator(".badge").inner_text() == "vacated"
        assert row.all_inner_texts()[0].split("\t")[4] == "3 seats, 1 reserved for regular"
        row.locator("a").first.click()
        page.wait_for_url(f"{url}/elections/1")
        assert page.locator("h1").inner_text() == "Election 1: Council 2027"
        assert page.locator("#status").inner_text() == "vacated"
        assert page.locator("#candidates tbody tr").all_inner_texts() == [
            "0\tmember 2 Co\tfounding\t6\t1\t7\telected", "1\tmember 3 Co\tregular\t0\t0\t0\t",
            "2\tmember 4 Co\tregular\t3\t2\t5\telected (reserved seat)", "3\tmember 5 Co\tregular\t0\t0\t0\twithdrawn"]
        assert page.locator("#winners li").all_inner_texts() == [
            "member 4 Co: 5 approvals (a seat reserved for its tier)", "member 2 Co: 7 approvals"]
        assert page.locator("#unfilled").inner_text().endswith(": 2 elected, 1 seat(s) unfilled.")
        assert page.locator("#chart svg rect").count() == 4
        page.locator("#ballot a").click()
        page.wait_for_url(f"{url}/proposals/{ballot}")
        assert page.locator("#election a").get_attribute("href") == "/elections/1"
        page.close()


def test_a_reorg_unwinds_the_election(story):
    """Everything above the ballot's execution unwound: the seating, the winners and the vacancy go, the status is
    balloting's again (by the clock, past nominations) until the blocks are read again."""
    cli, _, ballot, _, _ = story
    manifest = cli.manifest()
    store = IndexStore(cli.env["CONSORTIUM_DB"], manifest["chain_id"], manifest["contracts"]["ConsortiumGovernor"])
    with store.engine.connect() as db:
        executed = db.execute(select(election_changes.c.block_number)
                              .where(election_changes.c.change == "seated")).scalar_one()
        cast = db.execute(select(approval_ballots.c.block_number).order_by(approval_ballots.c.block_number.desc())
                          ).first()[0]
    store.unwind(executed - 1)
    found = observed.get(Observatory(cli.env["CONSORTIUM_DB"]), 1)
    assert (found.status, found.winners, found.vacated, found.seated_at) == ("balloting", [], [], None)
    store.unwind(cast - 1)  # the relayed ballots' block too
    with store.engine.connect() as db:
        assert db.execute(select(approval_ballots.c.member_id)).scalars().all() == [1, 2]
        assert sorted(db.execute(select(approvals.c.member_id)).scalars().all()) == [1, 1, 2]
    store.unwind(manifest["deployment_block"] - 1)
    with store.engine.connect() as db:
        for table in (elections, election_changes, candidates, election_ballots, approval_ballots, approvals):
            assert db.execute(select(table)).first() is None, table.name
    cli.ok("index")
    assert "verified against the chain" in cli.ok("index", "--verify")
    assert observed.get(Observatory(cli.env["CONSORTIUM_DB"]), 1).status == "vacated"
