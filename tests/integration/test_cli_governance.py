"""The CLI end to end on a real devnet: deploy, propose, show, vote, sign-only, recuse, queue, execute."""

import json
import re
import signal
import subprocess
import sys

import psutil
import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from web3 import Web3

from orchestrator.chain.node import Devnet, free_port
from orchestrator.operations.deploy import contract
from orchestrator.relay import ballots

HOLDER = "0x" + "11" * 20  # a budget holder: an ordinary proposal about no member


def proposal_id(output: str) -> str:
    return re.search(r"proposal (\d+)", output).group(1)


def test_a_members_case_from_proposal_to_execution(cli, consortium):
    out = cli.ok("propose", "suspend", "4", "--reason", "missed meetings", "--description", "Suspend 4",
                 account="f1")
    assert "kind: member case about member 4" in out
    pid = proposal_id(out)
    cli.advance(2)
    assert "voted for" in cli.ok("vote", pid[:12], "for", "--reason", "agreed", account="f1")
    cli.ok("vote", pid, "for", account="f2")
    show = cli.ok("proposal", "show", pid)
    assert "kind member case about member 4, state Active" in show
    assert re.search(r"founding\s+6\s+0\s+0", show)
    assert "    suspend member 4 Co: missed meetings" in show
    assert "    member 4 Co recused automatically: the proposal is about this member" in show
    cli.advance(301)
    assert "state Succeeded" in cli.ok("proposal", "show", pid)
    cli.ok("proposal", "queue", pid)
    cli.advance(2)
    assert "execute: proposal" in cli.ok("proposal", "execute", pid)
    assert "Executed" in cli.ok("proposal", "list")


def test_constitutional_admission_is_classified_and_passes(cli, consortium, w3):
    newcomer = "0x" + "ab" * 20
    out = cli.ok("propose", "admit", newcomer, "--tier", "regular", "--legal-name", "New Co",
                 "--jurisdiction", "SG", "--description", "Admit New Co", account="r1")
    assert "kind: constitutional" in out
    pid = proposal_id(out)
    cli.advance(2)
    for name in ("f1", "f2", "r1", "r2"):
        cli.ok("vote", pid, "for", account=name)
    cli.advance(301)
    cli.ok("proposal", "queue", pid)
    cli.advance(2)
    cli.ok("proposal", "execute", pid)
    manifest = json.loads((cli.dir / "manifest.json").read_text())
    registry = contract(w3, "MemberRegistry", manifest["contracts"]["MemberRegistry"])
    assert registry.functions.getVotes(w3.to_checksum_address(newcomer)).call() == 1


def test_settings_and_raw_calls_are_proposable(cli, consortium):
    out = cli.ok("propose", "setting", "weight-cap", "5000", "--description", "cap", account="f1")
    assert "kind: constitutional" in out
    manifest = json.loads((cli.dir / "manifest.json").read_text())
    registry = manifest["contracts"]["MemberRegistry"]
    out = cli.ok("propose", "call", registry, "reinstate(uint256)", "4", "--description", "raw", account="f1")
    assert "kind: ordinary" in out
    description = cli.dir / "d.md"
    description.write_text("Tier table: add associates\n\nLonger text.")
    out = cli.ok("propose", "set-tier", "3", "--name", "associate", "--weight", "1", "--cannot-propose",
                 "--can-vote", "--description-file", description, account="f1")
    assert "kind: constitutional" in out
    assert "Tier table: add associates" in cli.ok("proposal", "list")


def test_sign_only_writes_a_ballot_file_a_wallet_could_have_made(cli, consortium, w3):
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "d", account="f1"))
    cli.advance(2)
    path = cli.dir / "ballot.json"
    cli.ok("vote", pid, "against", "--reason", "no", "--sign-only", "--out", path, account="r1")
    ballot = json.loads(path.read_text())
    assert ballot["format"] == "consortium-ballot/1"
    assert ballot["voter"] == consortium["r1"] and ballot["support"] == 0 and ballot["reason"] == "no"
    typed = ballots.member_ballot(ballots.domain("Integration", w3.eth.chain_id, ballot["governor"]), int(pid), 0,
                                  consortium["r1"], "no")
    signer = Account.recover_message(encode_typed_data(full_message=typed), signature=ballot["signature"])
    assert signer == consortium["r1"]
    assert "0 reached" in cli.ok("proposal", "show", pid)  # nothing was sent


def test_recusal_then_vote_is_refused_with_the_decoded_reason(cli, consortium):
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "d", account="f1"))
    assert "recused from proposal" in cli.ok("member", "recuse", pid, "--reason", "conflict", account="r2")
    cli.advance(2)
    line = cli.fails("vote", pid, "for", account="r2")
    assert line == (f"Error: vote: GovernorVoterRecused: {consortium['r2']} is recused from this proposal (a declared "
                    "conflict, or the proposal is about it)")


def test_member_rotates_its_seat_and_resigns(cli, consortium):
    new_seat = cli.wallet("r1-new")
    assert f"now sits at {new_seat}" in cli.ok("member", "rotate-seat", new_seat, account="r1")
    line = cli.fails("member", "resign", "--yes", account="r1")
    assert line == f"Error: {consortium['r1']} is not the seat of a current member"
    assert "resigned" in cli.ok("member", "resign", "--yes", account="r1-new")


def test_proposer_cancels_while_pending(cli, consortium):
    cli.deploy({consortium["f1"]: "founding", consortium["f2"]: "founding"}, voting_delay=600)
    pid = proposal_id(cli.ok("propose", "suspend", "2", "--reason", "r", "--description", "to cancel", account="f1"))
    line = cli.fails("proposal", "cancel", pid, account="f2")
    assert "GovernorUnableToCancel" in line
    assert "cancel: proposal" in cli.ok("proposal", "cancel", pid, account="f1")


@pytest.mark.parametrize("action, kind", [
    (["reinstate", "4"], "ordinary"),
    (["expel", "4", "--reason", "fraud"], "member case about member 4"),
    (["rotate-seat", "4", "0x" + "cd" * 20], "member case about member 4"),
    (["change-tier", "4", "founding"], "member case about member 4"),
    (["censure", "3", "--reason", "late filing"], "member case about member 3"),
    (["accept-token", "0x" + "ab" * 20], "ordinary"),
    (["setting", "voting-period", "7200"], "constitutional"),
    (["setting", "quorum", "20"], "constitutional"),
    (["call-rule", "0x" + "ef" * 20, "pause()", "--constitutional"], "constitutional"),
])
def test_every_propose_action_is_classified(cli, consortium, action, kind):
    out = cli.ok("propose", *action, "--description", " ".join(action), account="f1")
    assert f"kind: {kind}" in out
    assert " ".join(action) in cli.ok("proposal", "list")


def test_wallet_import_stores_the_given_key(cli):
    account = Account.create()
    out = cli.ok("wallet", "import", "imported", env={"CONSORTIUM_IMPORT_KEY": account.key.hex()})
    assert account.address in out
    assert cli.ok("wallet", "address", "imported").strip() == account.address


def test_devnet_command_serves_until_stopped(tmp_path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "orchestrator.cli", "devnet", "--port", str(port)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert "devnet listening at" in process.stdout.readline()
        w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}"))
        assert w3.eth.chain_id == 31337 and len(w3.eth.accounts) == 10
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    # The command waits for anvil itself to exit: once it has returned, nothing answers on the port.
    assert not Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 1})).is_connected()


def test_a_devnet_is_anvil_itself_so_stopping_it_stops_anvil():
    """The process a Devnet starts, waits for and has Linux stop with its parent is the one listening: not npm's
    launcher, which exits on SIGTERM before anvil does (port still held, --state file still being written)."""
    with Devnet() as node:
        process = psutil.Process(node.process.pid)
        listening = [c for c in process.connections(kind="tcp") if c.status == psutil.CONN_LISTEN]
        assert [c.laddr.port for c in listening] == [node.port]
    assert not process.is_running()  # exited and reaped when the block ended
