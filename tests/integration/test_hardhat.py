"""The CLI, the relayer and the demo on Hardhat Network, a second node implementation: nothing a user runs may
need an anvil-only method. Hardhat differs from anvil where it matters here: it has no eth_signTransaction
(node-held accounts send with eth_sendTransaction), no anvil_setBalance, a nested revert in its JSON-RPC
errors, an error answer for a transaction it mined and reverted, and its own wording for missing funds."""

import json
import re
from contextlib import ExitStack
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError

from orchestrator.chain.node import Sender, broadcast
from orchestrator.errors import ChainError
from orchestrator.operations.session import Options, Session
from orchestrator.relay import ballots
from orchestrator.relay.relayer import BallotRefused, Relayer
from orchestrator.relay.store import RelayStore
from tests.hardhat import HardhatNode
from tests.integration.conftest import PASSPHRASE, Cli
from tests.integration.test_cli_governance import proposal_id

HOLDER = "0x" + "11" * 20  # a budget holder: an ordinary proposal about no member


@pytest.fixture(scope="session")
def hardhat():
    with HardhatNode() as node:
        yield node


@pytest.fixture(scope="session")
def hardhat_w3(hardhat):
    return Web3(Web3.HTTPProvider(hardhat.url))


@pytest.fixture
def cli(hardhat, tmp_path, hardhat_w3):
    """conftest's CLI runner (and with it its `consortium` fixture) on Hardhat."""
    runner = Cli(hardhat, tmp_path, hardhat_w3)
    runner.env["CONSORTIUM_DB"] = f"sqlite:///{tmp_path / 'consortium.db'}"
    return runner


def sign_only(cli, pid, name) -> Path:
    path = cli.dir / f"{name}.json"
    cli.ok("vote", pid, "for", "--sign-only", "--out", path, account=name)
    return path


def relayer_for(cli) -> Relayer:
    """A Relayer on the test's database and the node's first account, as `consortium relay` builds it."""
    options = Options(rpc=cli.devnet.url, deployment=cli.dir / "manifest.json", db=cli.env["CONSORTIUM_DB"])
    session = Session(options, ExitStack(), lambda name: "")
    return Relayer(session, RelayStore(options.db, session.w3.eth.chain_id, session.deployment.governor))


def test_hardhat_is_configured_like_the_devnet(hardhat_w3):
    w3 = hardhat_w3
    assert w3.eth.chain_id == 31337
    block = w3.eth.get_block("latest")
    assert block["gasLimit"] == 30_000_000
    assert "blobGasUsed" in block and "requestsHash" not in block  # cancun, not prague
    assert len(w3.eth.accounts) == 10
    assert w3.provider.make_request("hardhat_getAutomine", [])["result"] is True


def test_node_held_accounts_deploy_and_carry_a_proposal_to_execution(cli, hardhat_w3):
    """No --account: the node's first account deploys, proposes, votes, queues and executes, through
    eth_sendTransaction (Hardhat has no eth_signTransaction); a keystore wallet votes beside it."""
    node_account = hardhat_w3.eth.accounts[0]
    f2, r1 = cli.wallet("f2"), cli.wallet("r1")
    cli.deploy({node_account: "founding", f2: "founding", r1: "regular"})
    pid = proposal_id(cli.ok("propose", "suspend", "3", "--reason", "absent", "--description", "Suspend 3"))
    cli.advance(2)
    cli.ok("vote", pid, "for")
    cli.ok("vote", pid, "for", account="f2")
    cli.advance(301)
    cli.ok("proposal", "queue", pid)
    cli.advance(2)
    assert "execute: proposal" in cli.ok("proposal", "execute", pid)
    assert "Executed" in cli.ok("proposal", "list")


def test_keystore_accounts_deploy_and_carry_a_members_case_to_execution(cli, hardhat_w3):
    seats = {name: cli.wallet(name) for name in ("deployer", "f1", "f2", "r1")}
    cli.env["CONSORTIUM_ACCOUNT"] = "deployer"
    cli.deploy({seats["f1"]: "founding", seats["f2"]: "founding", seats["r1"]: "regular"})
    del cli.env["CONSORTIUM_ACCOUNT"]
    assert hardhat_w3.eth.get_transaction_count(seats["deployer"]) > 0  # the keystore wallet deployed
    out = cli.ok("propose", "suspend", "3", "--reason", "missed meetings", "--description", "Suspend 3", account="f1")
    assert "kind: member case about member 3" in out
    pid = proposal_id(out)
    cli.advance(2)
    cli.ok("vote", pid, "for", "--reason", "agreed", account="f1")
    cli.ok("vote", pid, "for", account="f2")
    # A revert found by the estimate: Hardhat nests its data one level deeper than anvil.
    assert cli.fails("vote", pid, "for", account="f2") == \
        f"Error: vote: GovernorAlreadyCastVote: {seats['f2']} has already voted on this proposal"
    cli.advance(301)
    cli.ok("proposal", "queue", pid, account="deployer")
    cli.advance(2)
    cli.ok("proposal", "execute", pid, account="deployer")
    assert "Executed" in cli.ok("proposal", "list")


def _ballot_for_no_proposal(cli, good_path, name: str):
    """`name`'s validly signed ballot for proposal 12345, which does not exist: only the governor can say so."""
    good = json.loads(good_path.read_text())
    key = Account.from_key(Account.decrypt(json.loads((cli.dir / "keys" / f"{name}.json").read_text()), PASSPHRASE))
    domain = ballots.domain("Integration", good["chain_id"], good["governor"])
    signature = ballots.sign(ballots.member_ballot(domain, 12345, 1, key.address), key.key)
    path = cli.dir / "no-proposal.json"
    path.write_text(json.dumps({"format": good["format"], "chain_id": good["chain_id"], "governor": good["governor"],
                                "proposal_id": "12345", "voter": key.address, "support": 1, "reason": "",
                                "signature": "0x" + signature.hex()}))
    return path


def test_relay_files_includes_the_good_ballot_and_refuses_one_for_no_proposal_by_name(cli, consortium):
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "relay me", account="f1"))
    cli.advance(2)
    good = sign_only(cli, pid, "r1")
    unknown = _ballot_for_no_proposal(cli, good, "r2")
    cli.wallet("relayer")
    result = cli("relay", unknown, good, account="relayer")
    assert f"{unknown}: rejected: GovernorNonexistentProposal: there is no proposal 12345" in result.output
    assert f"{good}: included in transaction" in result.output
    assert result.exit_code == 1 and result.output.strip().endswith("1 of 2 ballots were not counted")
    with pytest.raises(BallotRefused, match="GovernorNonexistentProposal: there is no proposal 12345"):
        relayer_for(cli).views.state(12345)


def test_the_relayer_needs_a_wallet_on_a_node_that_signs_only_by_sending(cli, consortium, hardhat_w3):
    """A batch is signed and recorded before it is sent, so that it is never sent twice; Hardhat cannot sign
    for its accounts without sending. The relayer says so in one line at start, before it accepts anything,
    and sends nothing; a run with a wallet sends the ballot."""
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "relay me", account="f1"))
    cli.advance(2)
    good = sign_only(cli, pid, "r1")
    block = hardhat_w3.eth.block_number
    assert "accepted" not in cli("relay", good).output
    line = cli.fails("relay", good)
    assert line == (f"Error: relay: {hardhat_w3.eth.accounts[0]} is held by the node, which signs only by sending "
                    "(it has no eth_signTransaction, as Hardhat Network); this transaction is signed and recorded "
                    "before it is sent, so that no retry can send it twice: pass --account NAME (a funded wallet)")
    assert hardhat_w3.eth.block_number == block  # nothing was sent
    with pytest.raises(ChainError, match="signs only by sending"):
        Sender(hardhat_w3.eth.accounts[0]).require_signing(hardhat_w3, "relay")
    cli.wallet("relayer")
    cli("relay", good, account="relayer")  # with a wallet, the ballot goes out
    assert relayer_for(cli).store.get(1).status == "included"
    assert re.search(r"regular\s+1\s+0\s+0", cli.ok("proposal", "show", pid))


def test_a_transaction_mined_and_reverted_is_awaited_and_reported_as_reverted(hardhat_w3):
    """Hardhat answers a reverted transaction it mined with an error carrying its hash: the broadcast stands,
    and the receipt says it reverted, as on anvil."""
    w3 = hardhat_w3
    account = Account.create()
    assert "error" not in w3.provider.make_request("hardhat_setBalance", [account.address, hex(10**18)])
    tx = {"data": "0x60006000fd", "gas": 100_000, "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9,
          "chainId": 31337, "value": 0, "nonce": 0}  # a creation whose code reverts at once
    signed = account.sign_transaction(tx)
    broadcast(w3, bytes(signed.raw_transaction))
    tx_hash = "0x" + bytes(signed.hash).hex()
    with pytest.raises(ChainError, match=f"create: transaction {tx_hash} reverted"):
        Sender.local(account).wait(w3, tx_hash, None, "create")


def test_the_demo_runs_on_hardhat(cli):
    """hardhat_setBalance funds its members (Hardhat has no anvil_setBalance) and its relayer signs with a
    wallet of its own."""
    out = cli.ok("demo", "--members", "21")
    assert "outcome Executed" in out
    assert "relayer submitted a batch" in out
    assert "indexed" in out


@pytest.fixture(params=["anvil", "hardhat"])
def any_cli(request, tmp_path):
    if request.param == "anvil":
        return Cli(request.getfixturevalue("devnet"), tmp_path, request.getfixturevalue("w3"))
    return Cli(request.getfixturevalue("hardhat"), tmp_path, request.getfixturevalue("hardhat_w3"))


def test_an_unfunded_wallet_gets_a_one_line_error(any_cli):
    cli = any_cli
    f1, r1 = cli.wallet("f1"), cli.wallet("r1")
    poor = cli.ok("wallet", "new", "poor").split()[1]  # a member with no ETH
    cli.deploy({f1: "founding", r1: "regular", poor: "regular"})
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "d", account="f1"))
    cli.advance(2)
    line = cli.fails("vote", pid, "for", account="poor")
    assert line.startswith(f"Error: vote: {poor} cannot pay for the gas: fund it with ETH ("), line


@pytest.mark.parametrize("error, line", [
    (Web3RPCError("{'code': -32000, 'message': 'header not found'}",
                  rpc_response={"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "header not found"}}),
     "Error: the node refused a request: header not found (code -32000)"),
    (ContractLogicError("execution reverted", data="0x"), "Error: a call reverted: reverted without a reason"),
])
def test_a_node_error_no_command_foresaw_is_one_line(cli, monkeypatch, error, line):
    def fail(self):
        raise error

    monkeypatch.setattr(Session, "deployment", property(fail))
    assert cli.fails("proposal", "list") == line
