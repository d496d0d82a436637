"""`make bench`: both stacks side by side on one anvil, the scale figures, the demo and the relayer.
Writes bench/results.json and renders bench/RESULTS.md from it, so the two always agree."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import yaml

from bench import cli, dashboard, ours, reference, report, servers, system
from bench.common import fix_block_times
from orchestrator.chain import artifacts
from orchestrator.chain.node import Devnet, connect

OUT = Path(__file__).resolve().parent


def environment(w3) -> dict:
    compiler = json.loads((artifacts.BUILD_DIR / "ConsortiumGovernor.json").read_text())["compiler"]
    package = json.loads((artifacts.PROJECT_ROOT / "node_modules/@openzeppelin/contracts/package.json").read_text())
    return {"solc": compiler["version"], "evm_version": compiler.get("evm_version") or "cancun",
            "optimizer_runs": compiler["optimizer"]["runs"], "via_ir": _via_ir(),
            "anvil": w3.client_version,
            "openzeppelin": package["version"], "python": sys.version.split()[0]}


def _via_ir() -> bool:
    """brownie's build records no viaIR setting: its config says."""
    config = yaml.safe_load((artifacts.PROJECT_ROOT / "brownie-config.yaml").read_text())
    return bool(config["compiler"]["solc"].get("viaIR"))


def gas(results: dict) -> None:
    """Both stacks' exact gas on one anvil, and our per-vote figures from 10 to 10,000 members."""
    with Devnet() as node:
        w3 = connect(node.url)
        fix_block_times(w3)
        results["env"] = environment(w3)
        print("measuring our suite …", flush=True)
        results["ours"] = ours.measure(w3)
        print("measuring the OpenZeppelin reference stack …", flush=True)
        results["reference_oz"] = reference.measure(w3)
        print("measuring gas per vote at 10 to 10,000 members …", flush=True)
        results["scale_per_vote"], results["scale_batch_per_ballot_100"] = ours.measure_scale(w3)


def demo_and_relayer(results: dict) -> None:
    print("timing the demo (median of 3; once at 10,000 members) and the relayer …", flush=True)
    results["demo_wall_s"] = {**{str(n): system.demo_wall_s(n) for n in (100, 1000)},
                              "10000": system.demo_wall_s(10_000, runs=1)}
    relayer = system.relayer_ballots_per_s()
    results["relayer_ballots_per_s"] = relayer["end_to_end_per_s"]
    results.setdefault("relayer", {}).update(relayer)  # beside the servers part's figures under 32 clients


def serving(results: dict) -> None:
    print("the relay API and the dashboard under 32 clients, on SQLite and PostgreSQL …", flush=True)
    results["servers"] = servers.measure()
    relay_keys(results)
    print("the relayer killed mid-batch while 32 clients post 2,000 ballots …", flush=True)
    results["relay_kill_load"] = system.relay_kill_load(2000)


def relay_keys(results: dict) -> None:
    """The performance issue's keys, from the servers part: the relay API on SQLite under 32 clients, and the
    node in the same run."""
    s = results["servers"]
    results.setdefault("relayer", {}).update({"clients": s["clients"],
                                              "accepted_per_s": s["sqlite"]["relay"]["accepted_per_s"],
                                              "submitted_per_s": s["sqlite"]["relay"]["submitted_per_s"]})
    results["node"] = s["node"]


def indexer(results: dict) -> None:
    print("timing the indexer's backfill against raw eth_getLogs …", flush=True)
    results["indexer"] = system.indexer_rates()
    results["indexer"]["follow_latency"] = system.follow_latency_s()


def dashboard_pages(results: dict) -> None:
    print("the dashboard at 1,000 members and 10,000 ballots …", flush=True)
    results["dashboard"] = dashboard.measure()


def cli_and_year(results: dict) -> None:
    print("the CLI's start-up, and a year of a consortium through it …", flush=True)
    results["cli"] = cli.measure()


# The parts of a run, in order: `python -m bench.run --only indexer,cli` re-measures those alone and keeps every
# other committed figure.
PARTS = {"gas": gas, "demo": demo_and_relayer, "servers": serving, "indexer": indexer,
         "dashboard": dashboard_pages, "cli": cli_and_year}


def main() -> None:
    args = sys.argv[1:]
    if args and (len(args) != 2 or args[0] != "--only" or not set(args[1].split(",")) <= set(PARTS)):
        sys.exit(f"usage: python -m bench.run [--only PART[,PART…]]  (parts: {', '.join(PARTS)})")
    only = args[1].split(",") if args else list(PARTS)
    results = json.loads((OUT / "results.json").read_text()) if args else {}
    started = time.monotonic()
    for name in only:
        PARTS[name](results)
    if not args:
        results["bench_wall_s"] = round(time.monotonic() - started, 1)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (OUT / "RESULTS.md").write_text(report.render(results))
    print(f"wrote {', '.join(only)} into {OUT / 'results.json'} and {OUT / 'RESULTS.md'} in "
          f"{time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
