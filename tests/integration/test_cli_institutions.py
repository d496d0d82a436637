"""The institutions through the CLI on a real devnet: treasury and dues (with a lapse and the automatic
poke), bodies acting within their mandate, standards and compliance, conduct reports and censures, and
the exact message of each error path."""

import json
import re

import pytest
from eth_utils import function_signature_to_4byte_selector

ETH = 10**18
SPEND = function_signature_to_4byte_selector("spend(address,address,uint256,string)")


def proposal_id(output: str) -> str:
    return re.search(r"proposal (\d+)", output).group(1)


def enact(cli, out: str, voters=("f1", "f2")) -> None:
    """Vote a proposal through with the founding members, queue and execute it."""
    pid = proposal_id(out)
    cli.advance(2)
    for name in voters:
        cli.ok("vote", pid, "for", account=name)
    cli.advance(301)
    cli.ok("proposal", "queue", pid)
    cli.advance(2)
    cli.ok("proposal", "execute", pid)


@pytest.fixture
def dues_consortium(cli):
    """The consortium fixture's four members, with dues (2 / 1 ether) and a 1,000 s period + 100 s grace."""
    seats = {name: cli.wallet(name) for name in ("f1", "f2", "r1", "r2")}
    cli.deploy({seats["f1"]: "founding", seats["f2"]: "founding", seats["r1"]: "regular", seats["r2"]: "regular"},
               dues={"founding": "2 ether", "regular": "1 ether"},
               treasury={"dues_period": 1000, "grace_period": 100})
    return seats


def test_dues_lapse_is_poked_before_proposing_and_paying_restores(cli, dues_consortium):
    assert "founding     2 ETH per period" in cli.ok("treasury", "status")
    out = cli.ok("treasury", "pay-dues", "1", account="f1")
    assert re.match(r"member 1 Co: paid 2 ETH for 1 period; paid until \d{4}-\d\d-\d\d", out)
    cli.ok("treasury", "pay-dues", "2", account="f1")  # anyone may pay a member's dues
    cli.ok("treasury", "pay-dues", "3", account="r1")
    assert cli.ok("treasury", "pay-dues", "3", "--periods", "2", account="r1") == (
        f"member 3 Co: skipped, already paid until {_paid_until(cli, 3)} (the treasury takes at most one period "
        "ahead)\nnothing to pay: every member is paid ahead\n")
    cli.advance(150)  # member 4 never paid: lapsed 100 s after joining
    assert "lapsed, not yet marked: 4" in cli.ok("treasury", "status")
    assert "LAPSED" in cli.ok("treasury", "dues", "4")
    out = cli.ok("propose", "reinstate", "1", "--description", "d", account="f1")
    assert "marked 1 member(s) lapsed for unpaid dues first: 4" in out
    pid = proposal_id(out)
    cli.advance(2)
    date = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"
    assert re.fullmatch(rf"Error: member 4 Co has no vote on this proposal: its dues lapsed on {date} \(paid "
                        rf"until {date}, then a grace period of 100 s\); `consortium treasury pay-dues 4` restores "
                        r"its vote on proposals whose voting opens after the payment",
                        cli.fails("vote", pid, "for", account="r2"))
    assert "; it was lapsed: its vote is restored" in cli.ok("treasury", "pay-dues", "4", account="r1")
    assert "no member's dues have lapsed" in cli.ok("treasury", "poke")


def _paid_until(cli, member: int) -> str:
    out = cli.ok("treasury", "dues", str(member))
    return re.search(r"paid until (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)", out).group(1)


def test_treasury_contributions_spending_and_bodies(cli, consortium):
    assert "sponsorship of 3 ETH received" in cli.ok(
        "treasury", "contribute", "sponsorship", "3ether", "--memo", "Gold sponsor", account="f1")
    cli.ok("treasury", "contribute", "grant", "1ether", "--memo", "Research", account="f2")
    assert "balance: 4 ETH" in cli.ok("treasury", "status")

    out = cli.ok("propose", "create-body", "secretariat", "Secretariat", "--threshold", "2", "--member", "3",
                 "--member", "4", "--mandate", "treasury:spendBudget(address,address,uint256,string)",
                 "--description", "Create the secretariat", account="f1")
    assert "kind: ordinary" in out
    enact(cli, out)
    listing = cli.ok("body", "list")
    assert re.search(r"0x[0-9a-fA-F]{40}  secretariat\s+Secretariat: 2 of members 3, 4", listing)
    enact(cli, cli.ok("propose", "budget", "Secretariat", "1ether", "--description", "Budget", account="f1"))
    enact(cli, cli.ok("propose", "spend", "0.5ether", consortium["r1"], "--memo", "audit fee",
                      "--description", "Pay the audit", account="f1"))
    assert "balance: 3.5 ETH" in cli.ok("treasury", "status")

    out = cli.ok("body", "propose", "Secretariat", "treasury", "spendBudget(address,address,uint256,string)",
                 "0x0000000000000000000000000000000000000000", consortium["r2"], "200000000000000000", "venue",
                 "--description", "Pay the venue", account="r1")
    assert out.startswith("action #0 in Secretariat: 1 of 2 approval(s), not executed yet")
    assert cli.ok("body", "approve", "Secretariat", "0", account="r2").startswith(
        "action #0 in Secretariat: 2 of 2 approval(s), executed")
    show = cli.ok("body", "show", "Secretariat")
    assert "#0 by member 3 Co: Pay the venue — executed" in show
    assert "approvals needed: 2 of 2" in show

    assert cli.fails("body", "propose", "Secretariat", "treasury", "spend(address,address,uint256,string)",
                     "0x0000000000000000000000000000000000000000", consortium["r2"], "1", "x",
                     "--description", "outside", account="r1") == (
        f"Error: body action: BodyOutsideMandate: calling spend(address,address,uint256,string) (0x{SPEND.hex()}) "
        f"on {_treasury(cli)} is outside the body's mandate")
    out = cli.ok("body", "propose", "Secretariat", "treasury", "spendBudget(address,address,uint256,string)",
                 "0x0000000000000000000000000000000000000000", consortium["r2"], "900000000000000000", "too much",
                 "--description", "Overspend", account="r1")
    line = cli.fails("body", "approve", "Secretariat", "1", account="r2")
    assert line == f"Error: approve: TreasuryBudgetExceeded: {_body(cli)}'s budget of 0.8 ETH does not cover 0.9 ETH"
    assert cli.fails("body", "approve", "Secretariat", "1", account="f1") == (
        f"Error: approve: BodyNotBodyMember: {consortium['f1']} is not the seat of a member of this body")
    assert cli.fails("body", "show", "Council") == "Error: no body named 'Council': see `consortium body list`"


def test_standards_and_conduct(cli, consortium, tmp_path):
    enact(cli, cli.ok("propose", "create-body", "technical-committee", "TC", "--threshold", "1", "--member", "1",
                      "--mandate", "standards:publishDraft",  # the README's example: the name alone
                      "--description", "TC", account="f1"))
    enact(cli, cli.ok("propose", "publisher", "TC", "--description", "TC publishes", account="f1"))
    text = tmp_path / "por.md"
    text.write_text("Proof of reserves, monthly.")
    out = cli.ok("standard", "publish", "Proof of Reserves", "1.0", "--content", text, "--uri", "ipfs://por",
                 "--via-body", "TC", account="f1")
    assert out.strip() == "draft 1 published: Proof of Reserves v1.0"
    assert "Proof of Reserves v1.0  draft" in cli.ok("standard", "list")
    out = cli.ok("propose", "adopt", "1", "--description", "Adopt PoR", account="f1")
    assert "kind: constitutional" in out
    enact(cli, out, voters=("f1", "f2", "r1"))
    assert cli.ok("standard", "attest", "1", "--evidence", "ipfs://audit", account="r1").strip() == \
        "compliance with standard 1 attested"
    show = cli.ok("standard", "show", "1")
    assert "Proof of Reserves v1.0 — adopted" in show and "member 3 " in show and "ipfs://audit" in show
    assert "member 3 attests: 1" in cli.ok("standard", "compliance", "--member", "3")
    assert cli.fails("standard", "attest", "1", "--evidence", "e", account="r1") == (
        "Error: attest: StandardsAlreadyAttested: member 3 already attests compliance with standard 1")
    assert cli.fails("standard", "attest", "7", "--evidence", "e", account="r1") == "Error: there is no standard 7"

    evidence = tmp_path / "evidence.txt"
    evidence.write_text("undisclosed outage")
    assert cli.ok("conduct", "report", "4", "--evidence-uri", "ipfs://ev", "--evidence-file", evidence,
                  account="r1").strip() == "report 1 about member 4 Co filed"
    assert cli.fails("conduct", "report", "3", "--evidence-uri", "u", "--evidence-file", evidence,
                     account="r1") == "Error: file report: ConductSelfReport: member 3 cannot report itself"
    assert cli.fails("conduct", "report", "4", "--evidence-uri", "u", "--evidence-file", tmp_path / "nope",
                     account="r1") == f"Error: cannot read {tmp_path / 'nope'}: No such file or directory"
    out = cli.ok("propose", "censure", "4", "--reason", "undisclosed outage", "--report", "1",
                 "--description", "Censure 4", account="f1")
    pid = proposal_id(out)
    cli.advance(2)
    assert cli.fails("vote", pid, "for", account="r2").startswith(
        f"Error: vote: GovernorVoterRecused: {consortium['r2']} is recused")
    enact_voted(cli, pid)
    listing = cli.ok("conduct", "list")
    assert "1 report(s), 1 censure(s)" in listing
    assert "censure 1: member 4 Co," in listing and "(report 1): undisclosed outage" in listing


def enact_voted(cli, pid: str) -> None:
    for name in ("f1", "f2"):
        cli.ok("vote", pid, "for", account=name)
    cli.advance(301)
    cli.ok("proposal", "queue", pid)
    cli.advance(2)
    cli.ok("proposal", "execute", pid)


def test_institution_input_errors(cli, consortium):
    assert cli.fails("propose", "create-body", "secretariat", "S", "--threshold", "1", "--member", "1",
                     "--mandate", "treasury", "--description", "d", account="f1") == (
        "Error: mandate entry 'treasury': give TARGET:FUNCTION, e.g. treasury:spendBudget")
    assert cli.fails("propose", "create-body", "secretariat", "S", "--threshold", "1", "--member", "1",
                     "--mandate", "vault:pay()", "--description", "d", account="f1") == (
        "Error: target 'vault' is neither an address nor one of ['advisories', 'bodies', 'conduct', 'elections', "
        "'governor', 'registry', 'standards', 'timelock', 'treasury']")
    assert cli.fails("propose", "spend", "lots", "0x" + "11" * 20, "--memo", "m", "--description", "d",
                     account="f1") == ("Error: amount 'lots' is not a number with a unit: write e.g. 1.5 ether, "
                                       "0.8 ETH, 20 gwei or 5 wei")
    assert cli.fails("propose", "body", "0x" + "11" * 20, "--description", "d", account="f1") == (
        "Error: nothing to change: give --appoint, --remove, --threshold, --allow, --disallow or --dissolve")
    assert cli.fails("treasury", "contribute", "grant", "0", "--memo", "m", account="f1") == (
        "Error: a contribution must be more than zero")
    assert cli.fails("treasury", "pay-dues", "1", account="f1") == (
        "Error: pay dues: TreasuryNoDues: member 1's tier owes no dues")
    assert cli.fails("treasury", "pay-dues", "9", account="f1") == "Error: there is no member 9"


def _treasury(cli) -> str:
    return json.loads((cli.dir / "manifest.json").read_text())["contracts"]["Treasury"]


def _body(cli) -> str:
    return re.search(r"(0x[0-9a-fA-F]{40})  secretariat", cli.ok("body", "list")).group(1)
