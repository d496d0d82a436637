"""What the index says about votes and outcomes, against the chain: a proposal's outcome in the index is
the governor's own `state()` in every scenario (ordinary, inquorate, constitutional with one tier's
majority against, members' cases, cancelled, queued, executed); a vote counts as relayed only when its
transaction called the governor's batch entry point (a contract wallet's own vote is direct); and a
string that is not valid UTF-8, which anyone can put in an event, neither stops the index nor `--verify`,
on SQLite and on PostgreSQL."""

import json

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from web3 import Web3

from orchestrator.chain.proposals import STATES
from orchestrator.observers.observatory import Institutions, Observatory
from orchestrator.operations.deploy import contract
from tests.hardhat import HardhatNode
from tests.integration.conftest import Cli
from tests.integration.test_cli_governance import proposal_id
from tests.integration.test_relayer import sign_only
from tests.postgres import postgres_database, postgres_server  # noqa: F401  (fixtures postgres_url, postgres)

HOLDERS = ["0x" + f"{i:02x}" * 20 for i in (0x11, 0x22, 0x33)]  # budget holders: ordinary proposals
ZERO = "0x" + "00" * 20


@pytest.fixture(autouse=True)
def database(request):
    if "cli" in request.fixturenames:
        cli = request.getfixturevalue("cli")
        cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"


@pytest.fixture(scope="module")
def hardhat():
    with HardhatNode() as node:
        yield node


@pytest.fixture(params=["anvil", "hardhat"])
def node_cli(request, tmp_path):
    """The CLI runner on anvil, and on Hardhat Network, with four funded wallets f1, f2, r1, r2."""
    if request.param == "anvil":
        runner = Cli(request.getfixturevalue("devnet"), tmp_path, request.getfixturevalue("w3"))
    else:
        node = request.getfixturevalue("hardhat")
        runner = Cli(node, tmp_path, Web3(Web3.HTTPProvider(node.url)))
    runner.env["CONSORTIUM_DB"] = f"sqlite:///{tmp_path / 'index.db'}"
    runner.seats = {name: runner.wallet(name) for name in ("f1", "f2", "r1", "r2")}
    return runner


def send(w3, sender: str, to: str, data: bytes, value: int = 0) -> dict:
    """A transaction from one of the node's unlocked accounts, mined, that must succeed."""
    tx = w3.eth.send_transaction({"from": sender, "to": to, "data": "0x" + data.hex(), "value": value})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1
    return receipt


def call_data(signature: str, types: list[str], values: list) -> bytes:
    return function_signature_to_4byte_selector(signature) + encode(types, values)


# ───── outcomes: the index's state of every proposal is the governor's ─────


def assert_outcomes_are_the_governors(cli, w3) -> dict[str, str]:
    """Index, then compare every proposal's state in the observatory (and in `results`) with the
    governor's state() at the indexed block. Returns the states by proposal id."""
    cli.ok("index")
    obs = Observatory(cli.env["CONSORTIUM_DB"])
    governor = contract(w3, "ConsortiumGovernor", cli.manifest()["contracts"]["ConsortiumGovernor"])
    listed = {r["id"]: r["state"] for r in json.loads(cli.ok("results", "--format", "json"))}
    states = {}
    for pid in obs.proposal_ids():
        chain = STATES[governor.functions.state(int(pid)).call(block_identifier=obs.head_block)]
        assert (obs.proposal(pid).state, listed[pid]) == (chain, chain), pid
        states[pid] = chain
    return states


def test_the_outcome_of_every_proposal_is_the_governors_state(node_cli):
    """Eight proposals, each judged by another rule, indexed while Pending, Active, decided, queued and
    executed. The constitutional one that founding members carry with 6 of 8 weight, ⅔ and more than half
    of all weight, is Defeated because the regular tier voted against; the member's case with every vote
    cast for it is Defeated because its 3 are not more than half of all weight. On anvil and Hardhat."""
    cli, w3 = node_cli, node_cli.w3
    cli.deploy({cli.seats[name]: tier for name, tier in (("f1", "founding"), ("f2", "founding"),
                                                          ("r1", "regular"), ("r2", "regular"))},
               voting_delay=600, quorum_percent=40, constitutional_quorum_percent=60)  # quorum 3, and 4

    def propose(account: str, *action: str) -> str:
        return proposal_id(cli.ok("propose", *action, "--description", " ".join(action), account=account))

    p = {"ordinary, passed": propose("f1", "budget", HOLDERS[0], "1 wei"),
         "ordinary, more against": propose("f1", "budget", HOLDERS[1], "1 wei"),
         "ordinary, inquorate": propose("f1", "budget", HOLDERS[2], "1 wei"),
         "constitutional, one tier against": propose("f2", "setting", "weight-cap", "9000"),
         "constitutional, passed": propose("f2", "setting", "weight-cap", "8000"),
         "member case, half of all weight": propose("f2", "suspend", "4", "--reason", "late"),
         "member case, passed": propose("r1", "suspend", "2", "--reason", "late"),
         "cancelled": propose("r1", "budget", HOLDERS[0], "2 wei")}
    cli.ok("proposal", "cancel", p["cancelled"], account="r1")
    # Still Pending: the eight proposals and the cancel took ten minutes less of the node's wall clock.
    assert set(assert_outcomes_are_the_governors(cli, w3).values()) == {"Pending", "Canceled"}
    cli.advance(601)
    votes = {"ordinary, passed": {"f1": "for", "r1": "against"},
             "ordinary, more against": {"f1": "abstain", "f2": "against", "r1": "for"},
             "ordinary, inquorate": {"r1": "for", "r2": "for"},
             "constitutional, one tier against": {"f1": "for", "f2": "for", "r1": "against", "r2": "against"},
             "constitutional, passed": {"f1": "for", "f2": "for", "r1": "for", "r2": "abstain"},
             "member case, half of all weight": {"f1": "for", "f2": "abstain"},
             "member case, passed": {"f1": "for", "r1": "for", "r2": "for"}}
    for name, ballots_ in votes.items():
        for account, support in ballots_.items():
            cli.ok("vote", p[name], support, account=account)
    assert set(assert_outcomes_are_the_governors(cli, w3).values()) == {"Active", "Canceled"}
    cli.advance(301)
    decided = assert_outcomes_are_the_governors(cli, w3)
    assert {name: decided[pid] for name, pid in p.items()} == {
        "ordinary, passed": "Succeeded", "ordinary, more against": "Defeated", "ordinary, inquorate": "Defeated",
        "constitutional, one tier against": "Defeated", "constitutional, passed": "Succeeded",
        "member case, half of all weight": "Defeated", "member case, passed": "Succeeded", "cancelled": "Canceled"}
    cli.ok("proposal", "queue", p["ordinary, passed"])
    cli.ok("proposal", "queue", p["constitutional, passed"])
    assert assert_outcomes_are_the_governors(cli, w3)[p["ordinary, passed"]] == "Queued"
    cli.advance(2)
    cli.ok("proposal", "execute", p["ordinary, passed"])
    assert assert_outcomes_are_the_governors(cli, w3)[p["ordinary, passed"]] == "Executed"


def test_the_outcome_follows_a_reorg_of_the_blocks_that_decided_it(cli, consortium, w3):
    """The state recorded at a block goes with the block: a vote that made a proposal pass, reorganised
    away, leaves it Defeated in the index as on the chain."""
    pid = proposal_id(cli.ok("propose", "budget", HOLDERS[0], "1 wei", "--description", "reorg", account="f1"))
    cli.advance(2)
    cli.ok("vote", pid, "against", account="r1")
    snapshot = cli.rpc("evm_snapshot")["result"]
    cli.ok("vote", pid, "for", account="f1")
    cli.advance(301)
    assert assert_outcomes_are_the_governors(cli, w3)[pid] == "Succeeded"
    cli.rpc("evm_revert", snapshot)
    cli.advance(301)  # the new chain is one block shorter than the one the index recorded Succeeded at
    assert assert_outcomes_are_the_governors(cli, w3)[pid] == "Defeated"
    assert "no differences" in cli.ok("index", "--verify")


# ───── relayed or direct ─────


def test_a_vote_is_relayed_only_when_its_transaction_called_the_batch_entry_point(node_cli):
    """A contract wallet (the shape of a one-owner Safe) votes through its own `execute`: the transaction's
    sender is its owner, not the voter, and the vote is still direct. A ballot the relayer submits in a
    batch is relayed; an account's own castVote is direct. On anvil and Hardhat."""
    cli, w3, seats = node_cli, node_cli.w3, node_cli.seats
    owner = w3.eth.accounts[7]
    wallet = contract(w3, "TestWallet").constructor(owner).transact({"from": owner})
    wallet = w3.eth.wait_for_transaction_receipt(wallet)["contractAddress"]
    cli.deploy({seats["f1"]: "founding", seats["r1"]: "regular", wallet: "regular"})
    pid = proposal_id(cli.ok("propose", "budget", HOLDERS[0], "1 wei", "--description", "paths", account="f1"))
    cli.advance(2)
    governor = cli.manifest()["contracts"]["ConsortiumGovernor"]
    vote = call_data("castVoteWithReason(uint256,uint8,string)", ["uint256", "uint8", "string"],
                     [int(pid), 1, "through my wallet"])
    send(w3, owner, wallet, call_data("execute(address,bytes)", ["address", "bytes"], [governor, vote]))
    cli.ok("vote", pid, "against", account="f1")
    ballot = sign_only(cli, pid, "r1")
    relay = {"CONSORTIUM_DB": f"sqlite:///{cli.dir / 'relay.db'}"}
    assert "included in transaction" in cli.ok("relay", ballot, account="r2", env=relay)  # r2 pays the gas
    cli.ok("index")
    found = {b["voter"]: b["relayed"] for b in Observatory(cli.env["CONSORTIUM_DB"]).proposal(pid).ballots}
    assert found == {wallet: False, seats["f1"]: False, seats["r1"]: True}
    shown = cli.ok("results", pid)
    assert "member     3 Co (regular) for      weight 1 (direct) — through my wallet" in shown
    assert "member     2 Co (regular) for      weight 1 (relayed)" in shown


# ───── strings that are not UTF-8 ─────


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_strings_that_are_not_utf8_neither_stop_the_index_nor_verify(cli, consortium, w3, backend, request):
    """A stranger's 1-wei contribution with a memo of raw bytes, a member's vote reason and its metadata
    URI likewise (direct contract calls: the ABI's string is bytes on the wire, and nothing checks them):
    each is indexed, every invalid byte shown as U+FFFD, and the index goes on."""
    if backend == "postgresql":
        cli.env["CONSORTIUM_DB"] = request.getfixturevalue("postgres_url")
    url = cli.env["CONSORTIUM_DB"]
    member, stranger = w3.eth.accounts[8], w3.eth.accounts[9]
    cli.deploy({consortium["f1"]: "founding", consortium["f2"]: "founding", member: "regular"})
    c = cli.manifest()["contracts"]
    send(w3, stranger, c["Treasury"], call_data("contribute(uint8,address,uint256,string)",
                                                ["uint8", "address", "uint256", "bytes"],
                                                [1, ZERO, 1, b"gift \xff\xfe from \xc3("]), value=1)
    pid = proposal_id(cli.ok("propose", "budget", HOLDERS[0], "1 wei", "--description", "bytes", account="f1"))
    cli.advance(2)
    send(w3, member, c["ConsortiumGovernor"], call_data("castVoteWithReason(uint256,uint8,string)",
                                                        ["uint256", "uint8", "bytes"],
                                                        [int(pid), 0, b"no \xe2\x82 \x80 way"]))
    send(w3, member, c["MemberRegistry"], call_data("updateMetadata(string,bytes32)", ["bytes", "bytes32"],
                                                    [b"ipfs://\xff", b"\x01" * 32]))
    assert "no differences" in cli.ok("index", "--verify")
    obs = Observatory(url)
    flows = Institutions(obs).treasury()["flows"]
    assert [(f["counterparty"], f["memo"]) for f in flows] == [(stranger, "gift \ufffd\ufffd from \ufffd(")]
    assert [b["reason"] for b in obs.proposal(pid).ballots] == ["no \ufffd \ufffd way"]
    cli.ok("vote", pid, "for", "--reason", "and past them", account="f1")
    assert "indexed 1 new events" in cli.ok("index", **{"env": {"CONSORTIUM_DB": url}})
    assert [b["reason"] for b in Observatory(url).proposal(pid).ballots] == ["no \ufffd \ufffd way", "and past them"]

