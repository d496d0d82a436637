"""The `consortium` CLI: a real deployment on the test anvil, and each error path's message."""

import json

from brownie import accounts, web3
from click.testing import CliRunner

from orchestrator.cli import main

RPC = "http://127.0.0.1:8545"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_deploy_writes_a_manifest_and_refuses_to_overwrite_it(tmp_path):
    manifest = tmp_path / "m.json"
    result = run("deploy", "--rpc", RPC, "--unlocked", accounts[0].address, "--manifest", str(manifest))
    assert result.exit_code == 0, result.output
    data = json.loads(manifest.read_text())
    assert data["chain_id"] == web3.eth.chain_id
    assert set(data["contracts"]) == {"MemberRegistry", "TimelockController", "ConsortiumGovernor", "BatchBallots"}
    assert web3.eth.get_code(data["contracts"]["ConsortiumGovernor"]) != b""
    again = run("deploy", "--rpc", RPC, "--unlocked", accounts[0].address, "--manifest", str(manifest))
    assert again.exit_code == 1
    assert f"Error: {manifest} exists: pass --force to overwrite it" in again.output


def test_unreachable_rpc_is_one_clear_line(tmp_path):
    result = run("deploy", "--rpc", "http://127.0.0.1:1", "--unlocked", accounts[0].address,
                 "--manifest", str(tmp_path / "m.json"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach an Ethereum node at http://127.0.0.1:1")
    assert "Traceback" not in result.output


def test_bad_config_and_bad_address(tmp_path):
    result = run("deploy", "--rpc", RPC, "--unlocked", accounts[0].address, "--config", str(tmp_path / "x.toml"))
    assert result.exit_code == 1 and "config file not found" in result.output
    result = run("deploy", "--rpc", RPC, "--unlocked", "0x1234", "--manifest", str(tmp_path / "m.json"))
    assert result.exit_code == 1 and "--unlocked: '0x1234' is not an address" in result.output


def test_version_and_help():
    assert run("--version").output.startswith("consortium, version ")
    assert "Deploy and wire the suite" in run("deploy", "--help").output
