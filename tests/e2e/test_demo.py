"""`consortium demo` end to end: it starts its own devnet, and every step of the lifecycle happens."""

import re

from click.testing import CliRunner

from orchestrator.cli import main


def test_demo_runs_the_whole_lifecycle_on_an_embedded_devnet(tmp_path):
    result = CliRunner().invoke(main, ["demo"], env={"CONSORTIUM_RPC": None, "CONSORTIUM_DEPLOYMENT": None})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "admitting 35 members (5 founding, 20 regular, 10 observer)" in out
    assert "'Suspend the member that missed three plenaries': ordinary" in out
    assert "'Admit Newcomer Analytics as a regular member': constitutional" in out
    assert "recused" in out
    assert re.search(r"relayer submitted a batch: 19 ballots counted", out)
    assert re.search(r"relayer submitted a batch: 20 ballots counted", out)
    assert out.count("outcome Executed") == 2
    # The recused founding member's weight is missing from the ordinary tally: 4 of 5 voted, 3 each.
    assert re.search(r"founding\s+12\s+0\s+0", out)
    assert re.search(r"regular\s+16\s+0\s+4", out)
    assert "gas used: propose" in out


def test_demo_refuses_a_chain_that_is_not_a_devnet(tmp_path):
    result = CliRunner().invoke(main, ["--rpc", "http://127.0.0.1:1", "demo"])
    assert result.exit_code == 1
    assert "cannot reach an Ethereum node at http://127.0.0.1:1" in result.output
