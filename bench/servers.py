"""The relay API and the dashboard under 32 concurrent clients, on SQLite and on PostgreSQL, next to what
the node itself does in the same run:

- accepted/s: 32 clients POST pre-signed ballots (BALLOTS of them, over PROPOSALS proposals) over loopback to
  `consortium relay serve` running in its own process; each is validated (three eth_calls in two round trips,
  a signature recovery) and committed before its 202.
- submitted/s: the relayer then submits them all (batches of 100: sign with a gas bound, record, send, up to 8
  awaiting their receipts; each settled from its receipt).
- the node: sequential `eth_call`s per second (the reads validation makes), and batched ballots mined per
  second when the same kind of batches are sent pre-signed (no database): all at once, and one at a time.
- dashboard: 32 clients GET a mix of pages and API documents from the index of that chain; requests/s
  and the 95th percentile latency."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from bench import chain
from orchestrator.chain.node import free_port, wait_for_receipt
from orchestrator.demo import Demo
from orchestrator.observers.indexer.reader import Reader
from orchestrator.observers.indexer.store import IndexStore
from orchestrator.observers.indexer.sync import Indexer
from orchestrator.relay import ballots
from orchestrator.relay.ballot_file import BallotFile
from orchestrator.relay.relayer import Relayer
from orchestrator.relay.store import RelayStore
from orchestrator.web import dashboard, serving
from tests.postgres import PostgresServer

CLIENTS = 32
PROPOSALS = 5  # per backend; a member may have 3 proposals open, so each has its own proposer


def _post(base: str, body: bytes) -> int:
    request = urllib.request.Request(f"{base}/ballots", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status


def _get(url: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
    return time.monotonic() - started


def _signed(relayer: Relayer, pid: int, voters: list) -> list[bytes]:
    return [json.dumps(BallotFile.signed(relayer.domain, pid, a.address, 1, "", ballots.sign(
        ballots.member_ballot(relayer.domain, pid, 1, a.address), a.key))).encode() for a in voters]


def node_rates(demo: Demo, relayer: Relayer, pids: list[int], voters: list, calls: int = 2000) -> dict:
    """The node's own speed: sequential eth_calls (what a ballot's validation makes), and batches of 100 ballots
    mined when sent as signed bytes, each batch's signing (which the relayer also does) left out, and its receipt
    read unformatted: sent all at once and the last receipt awaited (the node's capacity, `mined_ballots_per_s`),
    and one at a time, each receipt awaited before the next is sent (`mined_ballots_per_s_one_at_a_time`). One
    proposal each, in `pids`."""
    started = time.monotonic()
    for _ in range(calls):
        relayer.views.state(pids[0])
    call_rate = calls / (time.monotonic() - started)
    w3, series = demo.w3, relayer.session.sender.series(demo.w3)
    signed = {}
    for pid in pids:
        signed[pid] = []
        for i in range(0, len(voters), 100):
            compact = [ballots.compact(a.address, 1, ballots.sign(
                ballots.member_ballot(relayer.domain, pid, 1, a.address), a.key)) for a in voters[i:i + 100]]
            raw, tx_hash, _ = series.sign(relayer.session.governor.functions.castVoteBatch(pid, compact, []), "batch")
            series.taken()
            signed[pid].append((raw, tx_hash))
    started = time.monotonic()
    for raw, _ in signed[pids[0]]:
        w3.eth.send_raw_transaction(raw)
    wait_for_receipt(w3, signed[pids[0]][-1][1], raw=True)  # the node's JSON, unformatted: its speed, not web3's
    at_once = time.monotonic() - started
    started = time.monotonic()
    for raw, tx_hash in signed[pids[1]]:
        w3.eth.send_raw_transaction(raw)
        wait_for_receipt(w3, tx_hash, raw=True)
    one_at_a_time = time.monotonic() - started
    return {"eth_call_per_s": round(call_rate, 1), "mined_ballots_per_s": round(len(voters) / at_once, 1),
            "mined_ballots_per_s_one_at_a_time": round(len(voters) / one_at_a_time, 1)}


def relay_rates(demo: Demo, url: str, bodies: list[bytes], workdir: Path) -> dict:
    """Accepted: `consortium relay serve` in a process of its own, as an operator runs it (its submission
    interval set past the measurement), and the 32 clients in this one, so neither side's Python competes for
    the other's interpreter lock. The server is then killed (every ballot was committed before its 202) and
    the same database's ballots submitted by a relayer here: submitted/s."""
    session = demo._relayer.session
    manifest = workdir / f"manifest-{len(list(workdir.iterdir()))}.json"
    session.deployment.write(manifest)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "orchestrator.cli", "--rpc", demo.w3.provider.endpoint_uri, "--deployment",
         str(manifest), "--db", url, "relay", "serve", "--port", str(port), "--interval", "86400"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/health", server)
        with ThreadPoolExecutor(CLIENTS) as pool:
            started = time.monotonic()
            statuses = list(pool.map(lambda body: _post(base, body), bodies))
            accepted_s = time.monotonic() - started
    finally:
        server.kill()
        server.wait()
    assert statuses == [202] * len(bodies), set(statuses)
    relayer = Relayer(session, RelayStore(url, demo.w3.eth.chain_id, session.deployment.governor))
    started = time.monotonic()
    relayer.submit()
    submitted_s = time.monotonic() - started
    return {"ballots": len(bodies), "accepted_per_s": round(len(bodies) / accepted_s, 1),
            "submitted_per_s": round(len(bodies) / submitted_s, 1), "server": "its own process"}


def _wait_for(url: str, server: subprocess.Popen, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"relay serve exited: {server.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"relay serve did not answer {url} within {within} s")


def dashboard_rates(demo: Demo, url: str, pids: list[int], requests: int = 640) -> dict:
    d, w3 = demo.session.deployment, demo.w3
    Indexer(w3, IndexStore(url, d.chain_id, d.governor), Reader(w3, d.contracts), d.block).sync()
    paths = ["/", "/api/proposals", "/members", "/api/members", *[f"/api/proposals/{p}" for p in pids[:2]],
             f"/proposals/{pids[0]}", "/treasury"]
    with serving.running(dashboard.app(url), dashboard.MAX_BODY) as base, ThreadPoolExecutor(CLIENTS) as pool:
        _get(f"{base}/")  # warm: the first request builds the engine
        started = time.monotonic()
        latencies = sorted(pool.map(lambda i: _get(base + paths[i % len(paths)]), range(requests)))
        wall = time.monotonic() - started
    return {"requests": requests, "paths": paths, "requests_per_s": round(requests / wall, 1),
            "p95_ms": round(1000 * latencies[int(0.95 * len(latencies)) - 1], 1),
            "median_ms": round(1000 * statistics.median(latencies), 1)}


def measure(voters_per_proposal: int = 2000) -> dict:
    """BALLOTS = PROPOSALS × voters_per_proposal per backend; the roll is sized for it."""
    members = (voters_per_proposal * 7 + 4) // 5 + 1  # founding and regular are 5/7 of the roll
    results: dict = {"clients": CLIENTS, "proposals_per_backend": PROPOSALS,
                     "ballots_per_backend": PROPOSALS * voters_per_proposal}
    with ExitStack() as stack:
        demo = Demo(chain.session(stack), members, lambda line: None, contributions=False)
        demo._deploy()  # weight from tiers alone, as in every earlier run of these figures
        voters = (demo.tier("founding") + demo.tier("regular"))[:voters_per_proposal]
        proposers = demo.tier("founding") + demo.tier("regular")  # both tiers may propose
        pids = {"sqlite": chain.proposals(demo, proposers[:PROPOSALS], PROPOSALS),
                "postgresql": chain.proposals(demo, proposers[PROPOSALS:2 * PROPOSALS], PROPOSALS)}
        node_pids = chain.proposals(demo, proposers[2 * PROPOSALS:2 * PROPOSALS + 2], 2)
        demo._advance(61)
        relayer = demo._relayer
        bodies = {backend: [b for pid in ids for b in _signed(relayer, pid, voters)]
                  for backend, ids in pids.items()}
        results["node"] = node_rates(demo, relayer, node_pids, voters)
        postgres = stack.enter_context(_postgres())
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        urls = {"sqlite": (f"sqlite:///{tmp}/relay.db", f"sqlite:///{tmp}/index.db"),
                "postgresql": (postgres.url(postgres.create_database()), postgres.url(postgres.create_database()))}
        for backend, (relay_url, index_url) in urls.items():
            results[backend] = {"relay": relay_rates(demo, relay_url, bodies[backend], Path(tmp)),
                                "dashboard": dashboard_rates(demo, index_url, pids[backend])}
    return results


class _postgres:
    def __enter__(self) -> PostgresServer:
        self.server = PostgresServer().start()
        return self.server

    def __exit__(self, *exc) -> None:
        self.server.stop()


if __name__ == "__main__":
    import sys
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 2000), indent=2))
