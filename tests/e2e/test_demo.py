"""`consortium demo` end to end: it starts its own devnet, every step of the lifecycle and every
institution is at work, and what it leaves in the index is visible in results and the report."""

import json
import re

from click.testing import CliRunner

from orchestrator.cli import main
from tests.e2e.conftest import run


def test_demo_runs_the_whole_lifecycle_on_an_embedded_devnet(demo):
    out, _ = demo
    assert "admitting 35 members (5 founding, 20 regular, 10 observer)" in out
    assert "'Set up the secretariat (5 ETH budget) and the technical committee': ordinary" in out
    assert "'Suspend member 25, which missed three plenaries': member case" in out  # a sanction on its own
    assert "'Admit Newcomer Analytics as a regular member': constitutional" in out
    assert "member 25, whom the suspension is about, is recused from that proposal alone" in out
    assert "a founding member declared a conflict of interest on the ordinary proposal and recused" in out
    assert re.search(r"relayer submitted a batch: 19 ballots counted", out)
    assert re.search(r"relayer submitted a batch: 20 ballots counted", out)
    # The recused founding member's weight is missing from the ordinary tally: 4 of 5 voted, 3 each.
    assert re.search(r"founding\s+12\s+0\s+0", out)
    assert re.search(r"regular\s+16\s+0\s+4", out)
    assert "gas used: contribute" in out
    # Round three: contribution weight, the parts as the ledger answers
    assert ("members sponsored from their seats: member 3 9 ETH (part 3), member 10 4 ETH (part 2), member 12 1 ETH "
            "(part 1); each part counts from the next snapshot") in out
    assert "'Attribute the research grant's work (16 ETH) to member 13': member case" in out
    assert ("member 13's weight is now 5: tier weight 1 + contribution part 4 (the ledger's own: sqrt(16 ETH / 1 "
            "ETH))") in out


def test_demo_puts_every_institution_to_work(demo):
    out, _ = demo
    assert "dues paid for 24 voting members through the collecting agent (payDuesMany); member 24 did not pay" in out
    assert "member(s) 24 lapsed for unpaid dues" in out
    assert "the secretariat paid the plenary venue 1.2 ETH from its budget: 2 of 3 approvals" in out
    assert "refused: body propose: BodyOutsideMandate" in out
    assert "the technical committee published the draft standard 'Proof of Reserves' v1.0" in out
    assert "'Adopt Proof of Reserves v1.0 as an industry standard': constitutional" in out
    assert "the relayer refused member 24's ballot" in out and "had no voting weight at the proposal's snapshot" in out
    assert "the governor refused member 9's commitment: recused" in out
    assert "'Censure member 9 #sealed': member case" in out
    assert re.search(r"5 members committed from their seats and 17 through the relayer to the sealed censure; its "
                     r"tally stays hidden: 0 for, 0 against, 0 abstain until the reveals open at \d{4}-", out)
    assert ("revealed: 5 by their members, 16 through the relayer; the tally is now 29 for, 2 against, 0 abstain; "
            "member 6 never revealed: its commitment counts toward nothing") in out
    assert "member 24 paid its arrears; vote restored: yes" in out
    assert out.count("outcome Executed") == 8  # rounds three and four too
    assert "members 2, 3, 6, 7, 8 stood for election 1; member 8 withdrew" in out
    assert "member 9 made the election's ballot proposal, as the registry fixes it" in out
    assert "approvals per candidate: member 2 38, member 3 30, member 6 26, member 7 26" in out
    assert re.search(r"elected: member 6 \(26 approvals, the reserved regular seat\), member 2 \(38 approvals\); "
                     r"members 6 and 7 tied for the reserved seat, and the lower tie key won "
                     r"\(member 6: 0x3e5fec24aa…, member 7: 0xb39221ace0…\)", out)
    assert "member 10 vacated the elected seats (members 6, 2); the council keeps its chair" in out
    assert "election 1: Council 2027, 2 seats, 5 candidates, members 6, 2 seated, now vacated" in out
    assert "secretariat budget left 3.80 ETH" in out
    assert "standard 1: Proof of Reserves v1.0, adopted, 5 member(s) attest compliance" in out
    assert "censure 1: member 9 (report 1): outage undisclosed for 30 days" in out
    assert ("member 6 filed advisory 1 (scam, high) about eip155:56:0x5ca1ab1e0000000000000000000000000000dead, a "
            "token on another chain") in out
    assert "member 7 filed advisory 2 (insolvency risk, medium) about Shady Exchange Ltd, naming its account" in out
    assert "member 8 filed advisory 3 about the same token, then withdrew it as a duplicate" in out
    assert ("the technical committee, named the advisories' confirmer in round one, published advisories 1 and 2: 2 "
            "of 3 approvals each") in out
    assert "Shady Exchange Ltd replied to advisory 2 from its own account" in out
    assert "the technical committee raised advisory 1 to critical (revision 1) and retracted advisory 2" in out
    assert "advisory 1: scam, critical, about eip155:56:0x5ca1ab1e0000000000000000000000000000dead: published " \
           "(revision 1)" in out
    assert "advisory 2: insolvency risk, medium, about Shady Exchange Ltd: retracted, 1 reply" in out
    assert "advisory 3: scam, high, about eip155:56:0x5ca1ab1e0000000000000000000000000000dead: withdrawn" in out
    assert re.search(r"indexed \d+ events into sqlite", out)


def test_results_show_the_demo_from_the_database_alone(demo):
    out, env = demo  # the demo's devnet is gone: only the database is left
    listing = run(env, "results")
    assert listing.count("state Executed") == 8
    assert re.search(r"founding\s+12\s+0\s+0\s+4/5 80%", listing)  # the recused founder did not vote
    assert re.search(r"regular\s+15\s+5\s+0\s+20/20 100%", listing)  # nobody else is recused from it
    assert re.search(r"regular\s+14\s+5\s+0\s+19/20 95%", listing)  # the suspended member was recused
    rows = json.loads(run(env, "results", "--format", "json"))
    assert [r["kind"] for r in rows] == ["ordinary", "member case", "constitutional", "constitutional", "member case",
                                         "member case", "ordinary", "ordinary"]
    # Round three's quorum counts the contribution parts in the total weight (41 at its snapshot: 35 + 3 + 2 + 1)
    # Round four: the council's opening and its ballot (approval ballots count toward quorum: 38 for, 6 abstain).
    assert [(r["quorum_needed"], r["quorum_reached"]) for r in rows] == [(3, 27), (10, 29), (10, 35), (10, 33),
                                                                          (10, 29), (12, 39), (4, 44), (4, 44)]
    first = rows[0]["id"]
    detail = run(env, "results", first[:12])
    assert "member 2 Firm 2 Ltd recused by declaration: advises the member concerned" in detail
    assert "recused automatically" not in detail
    assert "member 25 Firm 25 Ltd recused automatically: the proposal is about this member" in run(
        env, "results", rows[1]["id"])
    assert re.search(r"member\s+1 Firm 1 Ltd \(founding\) for\s+weight 3 \(direct\)", detail)
    assert re.search(r"member\s+6 Firm 6 Ltd \(regular\) against\s+weight 1 \(relayed\)", detail)
    csv_rows = run(env, "results", first, "--format", "csv").splitlines()
    assert csv_rows[0] == ("proposal_id,record,tier,member_id,member,for,against,abstain,voted,eligible,support,"
                           "weight,relayed,automatic,reason")
    assert csv_rows[1:4] == [f"{first},tier,founding,,,12,0,0,4,5,,,,,", f"{first},tier,regular,,,15,5,0,20,20,,,,,",
                             f"{first},recusal,,2,member 2 Firm 2 Ltd,,,,,,,,,False,advises the member concerned"]
    member = run(env, "results", "--member", "24")
    assert member.count("no vote (lapsed)") == 2 and member.count("voted for with weight 1 (relayed)") == 6


def test_the_transparency_report_covers_the_period(demo, tmp_path):
    _, env = demo
    text = run(env, "report", "--from", "2000-01-01", "--to", "2100-12-31")
    assert "Membership changes (39)" in text
    assert "member 25 Firm 25 Ltd: suspended (now suspended, tier regular) — missed three plenaries" in text
    assert "member 24 Firm 24 Ltd: lapsed (now lapsed, tier regular)" in text
    assert "member 24 Firm 24 Ltd: restored" in text
    assert "Decisions (8)" in text and "Censure member 9 #sealed [member case] Executed: for 29, against 2" in text
    assert ("      sealed: 22 member(s) committed, 21 revealed\n"
            "      unrevealed: member 6 Firm 6 Ltd (count toward nothing)\n") in text
    assert "Proof of Reserves v1.0 (standard 1)" in text
    assert "member 9 Firm 9 Ltd: outage undisclosed for 30 days" in text
    for line in ("in  dues           21 ETH", "in  grant          20 ETH",
                 "in  sponsorship    64 ETH", "out budget-spent   1.2 ETH", "net            103.8 ETH"):
        assert line in text
    assert ("Contribution weight (read " in text and ": total weight 45, of which contribution parts 10, 22.2%)\n"
            "  member 13 Firm 13 Ltd: part 4, 8.9% of the total weight\n"
            "  member 3 Firm 3 Ltd: part 3, 6.7% of the total weight\n") in text
    page = tmp_path / "report.html"
    run(env, "report", "--from", "2000-01-01", "--to", "2100-12-31", "--format", "html", "--out", str(page))
    html = page.read_text()
    assert html.startswith("<!doctype html>") and "<h2>Decisions (8)</h2>" in html
    assert "<td>outage undisclosed for 30 days</td>" in html
    empty = run(env, "report", "--from", "2000-01-01", "--to", "2000-01-02")
    assert "Membership changes (0)" in empty and "Decisions (0)" in empty


def test_observer_errors(demo, tmp_path):
    _, env = demo
    for args, message in [(["results", "123"], "Error: no proposal 123 in the index"),
                          (["results", "--member", "99"], "Error: no member 99 in the index"),
                          (["report", "--from", "2026-13-01", "--to", "2026-12-31"],
                           "Error: date '2026-13-01' is not YYYY-MM-DD"),
                          (["report", "--from", "2026-12-01", "--to", "2026-11-30"],
                           "Error: --to 2026-11-30 is before --from 2026-12-01")]:
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 1 and result.output.strip().splitlines()[-1] == message
    empty = {**env, "CONSORTIUM_DB": f"sqlite:///{tmp_path / 'empty.db'}"}
    result = CliRunner().invoke(main, ["results"], env=empty)
    assert result.output.strip() == f"Error: sqlite:///{tmp_path / 'empty.db'} holds no consortium index: run " \
                                    "`consortium index` first"


def test_demo_refuses_a_chain_that_is_not_a_devnet():
    result = CliRunner().invoke(main, ["--rpc", "http://127.0.0.1:1", "demo"])
    assert result.exit_code == 1
    assert "cannot reach an Ethereum node at http://127.0.0.1:1" in result.output
