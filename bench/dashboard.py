"""The observers' dashboard at 1,000 members and 10,000 ballots: `python -m bench.run --only dashboard`.

The chain state is made on a fresh devnet with the project's own paths: the demo's deployment admits
1,000 members (names as data: URIs), the voting ones pay their dues, 14 proposals are opened and every
voting member's signed ballot is cast through the governor's castVoteBatch, 100 a transaction, until
10,000 ballots are counted. The index is then written by the indexer (`Indexer.sync`, as `consortium
index` does), on SQLite. Each page and API document is then fetched by one client over loopback from the
dashboard served by uvicorn as `consortium serve` serves it: once cold, then REPEAT times warm; p50 and p95
of the warm requests are reported against the goal p95 < GOAL_MS, and the cold request apart, against the
same goal. p95 excludes the cold request because it is a different case, not a rare one: what every page
shares (names, tier tables, the roll at a snapshot) is kept per head block, so the first request after the
index moves reads it afresh. Under `consortium index --follow` that is the first request after every new
block (every 12 s on mainnet), so the cold figure is what a reader sees often, and each path's cold request
is made cold on purpose: the per-block store is emptied before it, as a new block would."""

from __future__ import annotations

import statistics
import tempfile
import time
import urllib.request
from contextlib import ExitStack

from bench import chain
from orchestrator.observers.indexer.reader import Reader
from orchestrator.observers.indexer.store import IndexStore
from orchestrator.observers.indexer.sync import Indexer
from orchestrator.observers.observatory import forget_kept
from orchestrator.web import dashboard, serving

REPEAT, GOAL_MS = 40, 300


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
    return time.perf_counter() - started


def build(stack: ExitStack, url: str) -> dict:
    """The chain state and its index; what was made."""
    demo, made = chain.voted_roll(stack)
    started = time.monotonic()
    d, w3 = demo.session.deployment, demo.w3
    Indexer(w3, IndexStore(url, d.chain_id, d.governor), Reader(w3, d.contracts), d.block).sync()
    return {**made, "index_s": round(time.monotonic() - started, 1)}



def measure() -> dict:
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        url = f"sqlite:///{tmp}/index.db"
        made = build(stack, url)
        pid = made.pop("pids")[0]
        per_page = 50
        paths = {
            "home": "/", "members page 1": "/members?per_page=50",
            "members page 20 (last)": "/members?page=20&per_page=50", "proposal page": f"/proposals/{pid}",
            "proposal ballots, last page": f"/proposals/{pid}?page=15&per_page=50",
            "proposal chart (SVG)": f"/proposals/{pid}/chart.svg",
            "member page": "/members/500", "member page, participation page 2": "/members/500?page=2&per_page=5",
            "treasury page": "/treasury", "bodies page": "/bodies", "standards page": "/standards",
            "conduct page": "/conduct", "members.csv": "/members.csv", "proposals.csv": "/proposals.csv",
            "ballots.csv (one proposal)": f"/proposals/{pid}/ballots.csv",
            "member participation.csv": "/members/500/participation.csv", "api proposals": "/api/proposals",
            "api proposal": f"/api/proposals/{pid}", "api ballots page 10": f"/api/proposals/{pid}/ballots?page=10",
            "api members page 1": "/api/members?per_page=50", "api member": "/api/members/500",
        }
        figures = {}
        with serving.running(dashboard.app(url), dashboard.MAX_BODY) as base:
            for name, path in paths.items():
                forget_kept()  # as a new head block would: the cold request reads what pages share afresh
                cold = _get(base + path)
                times = sorted(_get(base + path) for _ in range(REPEAT))
                figures[name] = {"path": path, "cold_ms": round(1000 * cold, 1),
                                 "p50_ms": round(1000 * statistics.median(times), 1),
                                 "p95_ms": round(1000 * times[int(0.95 * len(times)) - 1], 1)}
        worst = max(figures.values(), key=lambda f: f["p95_ms"])
        coldest = max(figures, key=lambda n: figures[n]["cold_ms"])
        cold_ms = figures[coldest]["cold_ms"]
        cold_met = all(f["cold_ms"] < GOAL_MS for f in figures.values())
        return {**made, "database": "sqlite", "per_page": per_page, "repeat": REPEAT, "goal_p95_ms": GOAL_MS,
                "conditions": (
                    f"one client, sequential GETs over loopback to uvicorn (as `consortium serve`); per path one "
                    f"cold request, then {REPEAT} warm ones; SQLite index; 2 shared cores. p50 and p95 are of the "
                    f"warm requests and exclude the cold one, which is reported apart: what pages share is kept "
                    f"per head block, so under `index --follow` the first request after every new block is cold "
                    f"(each path's cold request here follows an emptied per-block store, as after a new block). "
                    f"Cold requests against the same {GOAL_MS} ms goal: "
                    + (f"every one under it (the slowest, {coldest}, {cold_ms} ms)" if cold_met else
                       f"**missed** by {sum(f['cold_ms'] >= GOAL_MS for f in figures.values())} (the slowest, "
                       f"{coldest}, {cold_ms} ms)")),
                "pages": figures, "worst_p95_ms": worst["p95_ms"],
                "goal_met": all(f["p95_ms"] < GOAL_MS for f in figures.values()),
                "worst_cold_ms": cold_ms, "cold_goal_met": cold_met}

if __name__ == "__main__":
    import json
    print(json.dumps(measure(), indent=2))
