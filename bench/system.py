"""Wall-clock figures of the whole system, which are noisy: the demo's lifecycle (median of 3 runs),
the relayer's throughput (ballots validated, stored and submitted per second), the indexer's backfill
rate and its follow-mode latency."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from bench import chain
from orchestrator.demo import Demo
from orchestrator.observers.indexer.reader import Reader, checksum
from orchestrator.observers.indexer.store import IndexStore
from orchestrator.observers.indexer.sync import Indexer
from orchestrator.operations import governance
from orchestrator.operations.config import ZERO_ADDRESS
from orchestrator.relay import ballots
from orchestrator.relay.ballot_file import BallotFile

ROOT = Path(__file__).resolve().parents[1]


def demo_wall_s(members: int, runs: int = 3) -> float:
    walls = []
    for _ in range(runs):
        with ExitStack() as stack:
            walls.append(Demo(chain.session(stack), members, lambda line: None).run().wall_s)
    return round(statistics.median(walls), 2)


def indexer_rates() -> dict:
    """Backfill of a fresh SQLite index over the dashboard benchmark's chain (1,000 members, dues, 10,000 batched
    ballots), against what the node itself serves in the same run: its raw eth_getLogs over the same range,
    the JSON parsed and nothing else (the rate no reader of the node can beat); and that plus our decoding,
    nothing stored. Each the median of 3."""
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        demo, made = chain.voted_roll(stack)
        d, w3 = demo.session.deployment, demo.w3
        reader = Reader(w3, d.contracts, demo.session.body_factory.functions.bodies().call())
        end = w3.eth.block_number
        raw, decoded, backfill = [], [], []
        for run in range(3):
            started = time.monotonic()
            logs = reader.fetch(d.block, end, reader.addresses)
            raw.append(time.monotonic() - started)
            checksum.cache_clear()  # each side starts cold
            started = time.monotonic()
            events = [reader._decode(entry) for entry in reader.fetch(d.block, end, reader.addresses)]
            decoded.append(time.monotonic() - started)
            indexer = Indexer(w3, IndexStore(f"sqlite:///{tmp}/index-{run}.db", d.chain_id, d.governor),
                              Reader(w3, d.contracts), d.block)
            checksum.cache_clear()
            started = time.monotonic()
            added = indexer.sync()
            backfill.append(time.monotonic() - started)
    assert added == len(events) == len(logs), (added, len(events), len(logs))
    rate = {name: round(len(logs) / statistics.median(times), 1)
            for name, times in (("raw", raw), ("decoded", decoded), ("backfill", backfill))}
    return {"events": added, "raw_events": len(logs), "blocks": end - d.block + 1, "chain": made,
            "events_per_s": rate["backfill"], "raw_getlogs_per_s": rate["raw"],
            "raw_getlogs_events_per_s": rate["decoded"],
            "ratio_to_raw": round(rate["backfill"] / rate["raw"], 2)}


def relayer_ballots_per_s(members: int = 700) -> dict:
    """Pre-signed ballots (members sign on their own machines) through receive() and submit()."""
    with ExitStack() as stack:
        demo = Demo(chain.session(stack), members, lambda line: None, contributions=False)
        demo._deploy()  # weight from tiers alone, as in every earlier run of these figures
        founding, regular = demo.tier("founding"), demo.tier("regular")
        budget = governance.contract_call(demo.session.treasury, "setBudget", founding[0].address, ZERO_ADDRESS, 1)
        pid = demo._propose(founding[0], [budget], "relayer bench")
        demo._advance(61)
        relayer = demo._relayer
        signed = []
        for account in regular:
            typed = ballots.member_ballot(relayer.domain, pid, 1, account.address)
            signed.append(BallotFile.signed(relayer.domain, pid, account.address, 1, "",
                                            ballots.sign(typed, account.key)))
        started = time.monotonic()
        for ballot in signed:
            relayer.receive(ballot)
        accepted = time.monotonic()
        relayer.submit()
        done = time.monotonic()
    return {"ballots": len(signed), "validated_per_s": round(len(signed) / (accepted - started), 1),
            "end_to_end_per_s": round(len(signed) / (done - started), 1)}


def follow_latency_s(blocks: int = 20) -> dict:
    """In follow mode, how long after a block is mined its rows can be queried: an indexer follows the
    head (polling every 0.1 s) in a thread while blocks with one treasury contribution each are mined;
    for each, the time from its receipt to its row in the database. Median and maximum."""
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        session = chain.session(stack)
        demo = Demo(session, 21, lambda line: None)
        demo._deploy()
        d, w3 = session.deployment, session.w3
        store = IndexStore(f"sqlite:///{tmp}/index.db", d.chain_id, d.governor)
        indexer = Indexer(w3, store, Reader(w3, d.contracts), d.block)
        stopping = threading.Event()
        thread = threading.Thread(target=indexer.follow, args=(0.1, lambda p: None, stopping.is_set), daemon=True)
        thread.start()
        latencies = []
        treasury = session.treasury.functions
        for i in range(blocks):
            receipt = session.sender.transact(w3, treasury.contribute(1, ZERO_ADDRESS, 1, f"latency {i}"),
                                              "contribute", value=1)
            mined, key = time.monotonic(), "0x" + bytes(receipt["transactionHash"]).hex().removeprefix("0x")
            while key not in {k[0] for k in store.keys()}:
                time.sleep(0.005)
            latencies.append(time.monotonic() - mined)
        stopping.set()
        thread.join(timeout=5)
    return {"median_s": round(statistics.median(latencies), 3), "max_s": round(max(latencies), 3),
            "blocks": blocks}


def relay_kill_load(ballots: int) -> dict:
    """tests/integration/test_relay_load.py at `ballots` ballots: 32 clients, the relayer killed mid-batch."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:pytest-brownie", "-q",
                           "tests/integration/test_relay_load.py"], capture_output=True, text=True,
                          env={**os.environ, "RELAY_LOAD_BALLOTS": str(ballots)}, cwd=ROOT)
    return {"ballots": ballots, "clients": 32, "passed": done.returncode == 0,
            "wall_s": round(time.monotonic() - started, 1)}
