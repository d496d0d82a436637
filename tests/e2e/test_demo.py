"""`consortium demo` end to end: it starts its own devnet, and every step of the lifecycle happens."""

import re

from click.testing import CliRunner

from orchestrator.cli import main


def test_demo_runs_the_whole_lifecycle_on_an_embedded_devnet(tmp_path):
    result = CliRunner().invoke(main, ["demo"], env={"CONSORTIUM_RPC": None, "CONSORTIUM_DEPLOYMENT": None})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "admitting 35 members (5 founding, 20 regular, 10 observer)" in out
    assert "'Suspend the member that missed three plenaries; set up the secretariat (5 ETH budget) and the " \
           "technical committee': ordinary" in out
    assert "'Admit Newcomer Analytics as a regular member': constitutional" in out
    assert "member 25, whom the suspension is about, is recused automatically" in out
    assert "a founding member declared a conflict of interest on the ordinary proposal and recused" in out
    assert re.search(r"relayer submitted a batch: 19 ballots counted", out)
    assert re.search(r"relayer submitted a batch: 20 ballots counted", out)
    # The recused founding member's weight is missing from the ordinary tally: 4 of 5 voted, 3 each.
    assert re.search(r"founding\s+12\s+0\s+0", out)
    assert re.search(r"regular\s+16\s+0\s+4", out)
    # Institutions: dues and one lapse, a body inside and outside its mandate, a standard, a censure.
    assert "dues paid for 24 voting members through the collecting agent (payDuesMany); member 24 did not pay" in out
    assert "member(s) 24 lapsed for unpaid dues" in out
    assert "the secretariat paid the plenary venue 1.2 ETH from its budget: 2 of 3 approvals" in out
    assert "refused: body propose: BodyOutsideMandate" in out
    assert "the technical committee published the draft standard 'Proof of Reserves' v1.0" in out
    assert "'Adopt Proof of Reserves v1.0 as an industry standard': constitutional" in out
    assert "the relayer refused member 24's ballot" in out and "had no voting weight at the proposal's snapshot" in out
    assert "the relayer refused member 9's ballot" in out and "is recused from this proposal" in out
    assert "member 24 paid its arrears; vote restored: yes" in out
    assert out.count("outcome Executed") == 4
    assert "secretariat budget left 3.80 ETH" in out
    assert "standard 1: Proof of Reserves v1.0, adopted, 5 member(s) attest compliance" in out
    assert "censure 1: member 9 (report 1): outage undisclosed for 30 days" in out
    assert "gas used: contribute" in out


def test_demo_refuses_a_chain_that_is_not_a_devnet(tmp_path):
    result = CliRunner().invoke(main, ["--rpc", "http://127.0.0.1:1", "demo"])
    assert result.exit_code == 1
    assert "cannot reach an Ethereum node at http://127.0.0.1:1" in result.output
