"""`python -m bench.advisories_feed [N]`: the advisories' feed and pages on an index of N synthetic advisories
(default 10,000; rows written straight into a fresh SQLite index, no chain): a third published and revised with a
reply, a sixth published then retracted, a sixth dismissed, a third pending. Each path is asked 40 times over
HTTP, every other request after forgetting what is kept per head block (as after a new block); prints the median
and p95 of each, and the whole CSV's time. Not part of `make bench` (its figures are quoted in the README)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import insert

from orchestrator.db import engine
from orchestrator.observers.indexer.schema import advisories, advisory_changes, blocks, cursor, member_changes, metadata
from orchestrator.observers.observatory import forget_kept
from orchestrator.web import dashboard, serving

T0 = 1_700_000_000
BLANK = {"status": None, "old_status": None, "by_account": None, "revision": None, "severity": None,
         "old_severity": None, "reply_index": None, "by_subject": None, "uri": "", "content_hash": None, "text": ""}
CONFIRMER = "0x" + "55" * 20


def index(n: int) -> str:
    """A fresh index of `n` advisories filed by 100 members, four blocks apart; its URL."""
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'advisories.db'}"
    db_engine = engine(url)
    metadata.create_all(db_engine)
    head = 4 * n + 10
    filed, changes = [], []
    for i in range(1, n + 1):
        block = 10 + 4 * i
        filed.append({"tx_hash": f"0xa{i:063x}", "log_index": 0, "block_number": block, "timestamp": T0 + block,
                      "advisory_id": i, "filer": 1 + i % 100, "kind": ("scam", "exploit", "other")[i % 3],
                      "severity": ("low", "medium", "high", "critical")[i % 4], "subject": f"eip155:1:0x{i:040x}",
                      "subject_key": f"eip155:1:0x{i:040x}", "subject_hash": "0x" + "00" * 32,
                      "subject_account": None, "summary": "s" * 200, "evidence_uri": "ipfs://evidence",
                      "evidence_hash": "0x" + "11" * 32})

        def change(step: int, i=i, block=block, **row) -> None:
            changes.append({"tx_hash": f"0xc{i:055x}{step:08x}", "log_index": 0, "block_number": block + step,
                            "timestamp": T0 + block + step, "advisory_id": i, **BLANK, **row})
        kind = i % 6
        if kind in (0, 1, 2):
            change(1, change="status", status="published", old_status="pending", by_account=CONFIRMER)
        if kind in (0, 1):
            change(2, change="updated", revision=1, severity="critical", old_severity="low", uri="ipfs://v2",
                   content_hash="0x" + "22" * 32)
            change(3, change="replied", reply_index=0, by_subject=0, uri="https://reply.example",
                   content_hash="0x" + "33" * 32)
        elif kind == 2:
            change(2, change="status", status="retracted", old_status="published", by_account=CONFIRMER, text="no")
        elif kind == 3:
            change(1, change="status", status="dismissed", old_status="pending", by_account=CONFIRMER, text="no")
    with db_engine.begin() as db:
        db.execute(insert(cursor).values(governor="0x" + "22" * 20, chain_id=31337, block=head))
        db.execute(insert(blocks).values(number=head, hash="0x" + "ab" * 32, timestamp=T0 + head))
        db.execute(insert(member_changes), [
            {"tx_hash": f"0x{m:064x}", "log_index": 0, "block_number": 1, "timestamp": T0, "member_id": m,
             "change": "admitted", "seat": f"0x{m:040x}", "tier": 0, "status": "active", "detail": ""}
            for m in range(1, 101)])
        db.execute(insert(advisories), filed)
        db.execute(insert(advisory_changes), changes)
    return url


def main(n: int) -> None:
    url = index(n)
    paths = ["/api/advisories", "/api/advisories?status=published",
             "/api/advisories?status=published&min_severity=high&page=2", f"/api/advisories?since={4 * n - 40}",
             f"/api/advisories?subject=eip155:1:0x{n // 2:040x}", f"/api/advisories/{n // 2}", "/advisories",
             "/advisories?status=retracted&page=2"]
    print(f"{n:,} advisories ({len(paths)} paths, 40 requests each, every other one cold)")
    with serving.running(dashboard.app(url), dashboard.MAX_BODY) as base:
        for path in paths:
            times = []
            for request in range(40):
                if request % 2:
                    forget_kept()
                start = time.perf_counter()
                with urllib.request.urlopen(base + path) as response:
                    response.read()
                times.append(1000 * (time.perf_counter() - start))
            times.sort()
            print(f"  {path:60} median {statistics.median(times):6.1f} ms  p95 {times[37]:6.1f} ms")
        start = time.perf_counter()
        with urllib.request.urlopen(base + "/advisories.csv") as response:
            size = len(response.read())
        print(f"  /advisories.csv ({size // 1024:,} KiB) {1000 * (time.perf_counter() - start):.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
