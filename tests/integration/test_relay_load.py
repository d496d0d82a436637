"""The relayer under load, as it runs: `consortium relay serve` in its own process, 32 clients posting
signed ballots at once over loopback, and the relayer killed (SIGKILL) in the middle of a batch while they
post. The clients retry what the kill cut off, as a wallet page would; afterwards every ballot counted
exactly once on the chain. Small here (make test); bench/relay_load.py runs the same at 2,000+ ballots."""

import http.client
import json
import os
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_account import Account

from orchestrator.relay import ballots
from orchestrator.relay.ballot_file import BallotFile
from tests.fault_proxy import FaultyRPC
from tests.integration.test_faults import RelayProcess, assert_counted_once, relay_store, wait_until_settled
from tests.integration.test_relayer import HOLDER, proposal_id, relayer_for

# Voters, and one proposer: small in make test; make bench sets RELAY_LOAD_BALLOTS=2000.
MEMBERS = int(os.environ.get("RELAY_LOAD_BALLOTS", 47)) + 1
CLIENTS = 32


@pytest.fixture
def voters(cli):
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'load.db'}"
    proposer = cli.wallet("f1")
    others = [Account.create() for _ in range(MEMBERS - 1)]
    cli.deploy({proposer: "founding", **{a.address: "regular" for a in others}})
    pid = proposal_id(cli.ok("propose", "budget", HOLDER, "1 wei", "--description", "load", account="f1"))
    cli.advance(2)
    return pid, others


def post_until_taken(port_of, body: bytes) -> str:
    """Post until the relayer answers for the ballot: accepted, or already held (accepted before a kill cut
    off the answer). Connection refused or reset while the relayer restarts: try again."""
    for _ in range(600):
        request = urllib.request.Request(f"http://127.0.0.1:{port_of()}/ballots", data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())["status"]
        except urllib.error.HTTPError as refused:
            try:
                reason = json.loads(refused.read())["error"]
            except (http.client.HTTPException, ConnectionError, ValueError):
                continue  # the kill cut this refusal's body short too: ask again
            if refused.code == 422 and "already holds a ballot" in reason:
                return "held"
            assert refused.code == 503, reason
        except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException):
            pass  # HTTPException: the kill cut the answer's body short (IncompleteRead)
        time.sleep(0.05)
    raise AssertionError("the relayer never took the ballot")


def test_32_clients_and_a_kill_mid_batch_count_every_ballot_once(cli, voters, w3, devnet):
    pid, others = voters
    domain = relayer_for(cli).domain
    bodies = [json.dumps(BallotFile.signed(domain, int(pid), a.address, 1, "", ballots.sign(
        ballots.member_ballot(domain, int(pid), 1, a.address), a.key))).encode() for a in others]
    proxy = FaultyRPC(devnet.url, ["ok"], ["ok"])
    proxy.quiet()
    try:
        relay = RelayProcess(cli, proxy.url, "--batch-size", "8")
        hold = proxy.hold("eth_sendRawTransaction", True)  # the node mines the batch; the relayer never hears
        current = [relay]
        with ThreadPoolExecutor(CLIENTS) as clients:
            answers = clients.map(lambda body: post_until_taken(lambda: current[0].port, body), bodies)
            assert hold.arrived.wait(60), relay.log.read_text()
            relay.kill()  # mid-batch, with clients still posting
            proxy.release()
            current[0] = RelayProcess(cli, proxy.url, "--batch-size", "8")
            assert set(answers) <= {"accepted", "held"}
        wait_until_settled(relay_store(cli), MEMBERS - 1)
        current[0].stop()
    finally:
        proxy.close()
    assert_counted_once(cli, w3, pid, [a.address for a in others])
