"""Fault injection: the indexer and the relayer talk to the node through a proxy that injects HTTP
errors, dropped connections, timeouts and range refusals (tests/fault_proxy.py); the relayer is killed
in the middle of a batch three times; anvil is stopped in the middle of a run and started again from its
saved state. After each, what the relayer and the index hold is checked against the chain: nothing lost,
nothing twice."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from requests.exceptions import ConnectionError as RequestsConnectionError
from web3 import Web3

from orchestrator.chain.node import Devnet, free_port
from orchestrator.errors import ChainError
from orchestrator.operations.deploy import contract
from orchestrator.relay.store import RelayStore
from tests.fault_proxy import FaultyRPC
from tests.integration.test_cli_governance import proposal_id
from tests.integration.test_indexer import (
    activity,
    chain_keys,
    derived_rows,
    fresh_derived_rows,
    indexer,
    manifest,
)
from tests.integration.test_relayer import HOLDER, sign_only

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 1.0  # the clients' RPC timeout here, so that injected timeouts cost a second, not thirty
# Eleven steps, a prime: with ten, once the CLI's requests before the index shifted by one, the same requests of
# every re-read of a range met the same faults, and the index took over ten minutes instead of fifteen seconds.
FAULTS = ["ok", "http_error", "ok", "ok", "reset", "ok", "ok", "timeout", "ok", "ok", "ok"]


@pytest.fixture(scope="module")
def state_file(tmp_path_factory):
    return tmp_path_factory.mktemp("anvil") / "state.json"


@pytest.fixture(scope="module")
def devnet(state_file):
    """A chain of this module's own that anvil saves to `state_file` when stopped, and reloads."""
    with Devnet(extra_args=("--state", str(state_file))) as node:
        yield node


@pytest.fixture(scope="module")
def w3(devnet):
    return Web3(Web3.HTTPProvider(devnet.url))


@pytest.fixture
def proxy(devnet):
    faulty = FaultyRPC(devnet.url, FAULTS, ["range_limit", "ok"], timeout=TIMEOUT)
    yield faulty
    faulty.close()


@pytest.fixture(autouse=True)
def through(cli, tmp_path):
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{tmp_path / 'faults.db'}"


def via(url: str) -> dict:
    """The environment of a command that talks to the node through a faulty proxy at `url`: with the short
    time-out. The set-up's commands talk to the node itself with the default, whatever the host's speed."""
    return {"CONSORTIUM_RPC": url, "CONSORTIUM_RPC_TIMEOUT": str(TIMEOUT)}


def assert_index_is_the_chain(cli, w3):
    assert indexer(cli, w3).store.keys() == chain_keys(w3, manifest(cli))
    assert derived_rows(cli.env["CONSORTIUM_DB"]) == fresh_derived_rows(cli, w3)
    assert "no differences" in cli.ok("index", "--verify")


def test_the_indexer_through_a_faulty_provider_loses_and_duplicates_nothing(cli, consortium, w3, proxy):
    activity(cli)
    activity(cli)
    cli.rpc("anvil_mine", hex(3000))  # ranges to refuse
    activity(cli)
    cli.ok("index", env=via(proxy.url))  # one run, through every fault
    assert set(proxy.injected) == {"http_error", "reset", "timeout", "range_limit"}, proxy.injected
    assert_index_is_the_chain(cli, w3)


def test_a_node_that_stops_answering_mid_command_gets_a_one_line_error(cli, consortium, devnet):
    """Past the transport's retries: the command stops with what happened, not a traceback."""
    dead = FaultyRPC(devnet.url, ["ok"] * 3 + ["reset"] * 20)  # answers the connection, then drops everything
    try:
        assert cli.fails("index", env=via(dead.url)) == (
            f"Error: the node at {dead.url} stopped answering (ConnectionError); what was committed is kept: "
            "run the command again")
    finally:
        dead.close()


# ───────────────────────────── the relayer ─────────────────────────────

def interruptible() -> None:
    """Ctrl-C (SIGINT) stops the child even when pytest runs in the background (`make test` runs two
    pytest processes at once), where the shell starts it with SIGINT ignored, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class RelayProcess:
    """`consortium relay serve` as its own process, talking to the node through `rpc`."""

    def __init__(self, cli, rpc: str, *options: str):
        self.port = free_port()
        env = {**os.environ, **cli.env, **via(rpc)}
        self.log = cli.dir / "relay.log"  # every run appends: what a failing test shows
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "orchestrator.cli", "relay", "serve", "--port", str(self.port),
                 "--interval", "0.2", *options], env=env, cwd=ROOT, stdout=log, stderr=log, preexec_fn=interruptible)
        deadline = time.monotonic() + 120  # its start goes through the proxy's faults, a second per time-out
        while not self._get("/health"):
            assert time.monotonic() < deadline and self.process.poll() is None, "the relayer did not start"
            time.sleep(0.1)

    def _get(self, path: str) -> dict | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError):
            return None

    def post(self, ballot: Path) -> dict:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/ballots", data=ballot.read_bytes(),
                                         headers={"Content-Type": "application/json"})
        for _ in range(20):  # a 503 means the node failed the validation's reads: try again
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                assert exc.code == 503, exc.read()
            time.sleep(0.25)  # the proxy's next answers, not the same instant's
        raise AssertionError("the relayer kept answering 503")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        assert self.process.wait(timeout=60) == 0


def wait_until_settled(store: RelayStore, count: int, timeout: float = 90) -> list:
    deadline = time.monotonic() + timeout
    while True:
        rows = [store.get(i) for i in range(1, count + 1)]
        if all(r and r.status in ("included", "rejected") for r in rows):
            return rows
        assert time.monotonic() < deadline, [(r.voter, r.status) for r in rows if r]
        time.sleep(0.2)


def assert_counted_once(cli, w3, pid: str, voters: list[str]):
    """On the chain, each voter's ballot counted exactly once; in the relayer, each included, by one
    transaction that the chain mined."""
    governor = manifest(cli)["contracts"]["ConsortiumGovernor"]
    votes = contract(w3, "ConsortiumGovernor", governor).events.VoteCast().get_logs(from_block=0)
    counted = [v["args"]["voter"] for v in votes if str(v["args"]["proposalId"]) == pid]
    assert sorted(counted) == sorted(voters)
    rows = [relay_store(cli).find(int(pid), voter) for voter in voters]
    assert {r.status for r in rows} == {"included"}, [(r.voter, r.status, r.detail) for r in rows]
    for r in rows:
        assert w3.eth.get_transaction_receipt(r.tx_hash)["status"] == 1


@pytest.fixture
def active(cli, consortium):
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", f"faults {time.time()}",
                             account="f1"))
    cli.advance(2)
    return pid


def relay_store(cli) -> RelayStore:
    m = manifest(cli)
    return RelayStore(cli.env["CONSORTIUM_DB"], m["chain_id"], m["contracts"]["ConsortiumGovernor"])


# Where the relayer dies: its batch's transaction never reached the node; the node has it (mined) but the
# relayer never heard; mined, and the relayer dies waiting for the receipt.
KILL_POINTS = [("eth_sendRawTransaction", False), ("eth_sendRawTransaction", True),
               ("eth_getTransactionReceipt", True)]


def test_a_relayer_killed_mid_batch_three_times_counts_every_ballot_once(cli, consortium, active, w3, proxy):
    proxy.quiet()
    first = [sign_only(cli, active, name) for name in ("f1", "f2", "r1")]
    relay = RelayProcess(cli, proxy.url)
    hold = proxy.hold(*KILL_POINTS[0])
    for ballot in first:
        assert relay.post(ballot)["status"] == "accepted"
    for number, (method, _) in enumerate(KILL_POINTS):
        assert hold.arrived.wait(60), f"the relayer never called {method}: {relay.log.read_text()}"
        relay.kill()
        proxy.release()
        if number + 1 < len(KILL_POINTS):  # armed before the restart, whose first submission settles the batch
            hold = proxy.hold(*KILL_POINTS[number + 1])
        relay = RelayProcess(cli, proxy.url)
    assert relay.post(sign_only(cli, active, "r2"))["status"] == "accepted"  # after three kills, business as usual
    wait_until_settled(relay_store(cli), 4)
    relay.stop()
    assert_counted_once(cli, w3, active, list(consortium.values()))


# ───────────────────────────── the node itself ─────────────────────────────

def stop_anvil(devnet: Devnet) -> None:
    """Stop anvil: it saves its chain to the --state file, and exits (Devnet runs the binary itself, so this
    waits for anvil, not for a launcher) after which its port is free."""
    devnet.process.terminate()
    devnet.process.wait(timeout=60)


def start_anvil(devnet: Devnet) -> None:
    """Start anvil again on the same port from its --state file: the same chain, block hashes included."""
    devnet.process = subprocess.Popen(devnet.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not Web3(Web3.HTTPProvider(devnet.url, request_kwargs={"timeout": 1})).is_connected():
        assert time.monotonic() < deadline, "anvil did not come back"
        time.sleep(0.1)


def test_anvil_stopped_mid_run_under_faults_loses_and_duplicates_nothing(cli, consortium, active, w3, devnet, proxy):
    """The relayer (serving) and the indexer (following) keep running through a faulty provider while the
    node goes away for a few seconds and comes back."""
    env = {**os.environ, **cli.env, **via(proxy.url)}
    with (cli.dir / "index.log").open("a") as log:
        follower = subprocess.Popen([sys.executable, "-m", "orchestrator.cli", "index", "--follow", "--interval",
                                     "0.3"], env=env, cwd=ROOT, stdout=log, stderr=log, preexec_fn=interruptible)
    relay = RelayProcess(cli, proxy.url)
    for name in ("f1", "f2"):
        assert relay.post(sign_only(cli, active, name))["status"] == "accepted"
    wait_until_settled(relay_store(cli), 2)
    hold = proxy.hold("eth_sendRawTransaction", False)
    assert relay.post(sign_only(cli, active, "r1"))["status"] == "accepted"
    assert hold.arrived.wait(30)  # r1's batch is signed and recorded, its broadcast in the proxy: now the node goes
    stop_anvil(devnet)
    proxy.release()
    time.sleep(3)
    start_anvil(devnet)
    assert relay.post(sign_only(cli, active, "r2"))["status"] == "accepted"
    wait_until_settled(relay_store(cli), 4)
    relay.stop()
    activity(cli)  # more for the follower to read after the outage
    head = w3.eth.block_number
    deadline = time.monotonic() + 60
    while (indexer(cli, w3).store.cursor() or 0) < head:
        assert follower.poll() is None and time.monotonic() < deadline, (cli.dir / "index.log").read_text()
        time.sleep(0.2)
    follower.send_signal(signal.SIGINT)
    assert follower.wait(timeout=30) == 0, (cli.dir / "index.log").read_text()
    assert_counted_once(cli, w3, active, list(consortium.values()))
    assert_index_is_the_chain(cli, w3)
    assert set(proxy.injected) >= {"http_error", "reset", "timeout"}, proxy.injected


def test_a_following_indexer_pauses_while_the_node_fails_and_resumes(cli, consortium, w3, monkeypatch):
    """An outage longer than the transport's retries: the follower logs it, keeps its index, goes on."""
    follower = indexer(cli, w3)
    real_sync, failures = follower.sync, iter([ChainError("batch refused"), RequestsConnectionError("refused")])

    def failing_twice(report):
        failure = next(failures, None)
        if failure:
            raise failure
        return real_sync(report)

    monkeypatch.setattr(follower, "sync", failing_twice)
    rounds = iter(range(3))
    follower.follow(0.01, lambda progress: None, stop=lambda: next(rounds, None) is None)
    assert follower.store.cursor() == w3.eth.block_number
