"""Where the gas of a vote and of a batch goes, by opcode and call depth: `python -m bench.profile`.
Runs its own anvil with --steps-tracing (needed for debug_traceTransaction's struct logs)."""

from __future__ import annotations

from collections import Counter

from bench.common import fix_block_times, funded
from bench.ours import Suite
from orchestrator.chain.node import Devnet, connect
from orchestrator.relay import ballots

CALLS = ("CALL", "STATICCALL", "DELEGATECALL")  # their gasCost includes gas forwarded to the callee


def profile(w3, tx_hash: str, label: str, divisor: int = 1) -> None:
    trace = w3.provider.make_request(
        "debug_traceTransaction", [tx_hash, {"disableStorage": True, "disableMemory": True, "disableStack": True}]
    )["result"]
    by_op, by_depth = Counter(), Counter()
    for step in trace["structLogs"]:
        if step["op"] not in CALLS:
            by_op[step["op"]] += step["gasCost"]
            by_depth[step["depth"]] += step["gasCost"]
    print(f"\n{label}: execution gas by opcode (÷{divisor}); precompiles such as ecrecover are not listed")
    for op, gas in by_op.most_common(16):
        print(f"  {op:14} {gas / divisor:10.0f}")
    print("  by call depth:", {d: round(g / divisor) for d, g in sorted(by_depth.items())})


def main() -> None:
    with Devnet(extra_args=("--steps-tracing",)) as node:
        w3 = connect(node.url)
        fix_block_times(w3)
        suite = Suite(w3, 300)
        pid, _, _ = suite.propose()
        for i in range(1, 12):
            suite.vote(pid, i)
        receipt = funded(w3, suite.keys[20]).transact(w3, suite.governor.functions.castVote(pid, 1), "castVote")
        profile(w3, receipt["transactionHash"].hex(), f"castVote ({receipt['gasUsed']} gas)")
        batch_id, _, _ = suite.propose()
        compact = [ballots.compact(v, s, sig) for v, s, _, sig in (suite.ballot(batch_id, i) for i in range(100, 200))]
        receipt = suite.deployer.transact(w3, suite.governor.functions.castVoteBatch(batch_id, compact, []), "batch")
        profile(w3, receipt["transactionHash"].hex(), f"batch of 100 ({receipt['gasUsed']} gas)", divisor=100)


if __name__ == "__main__":
    main()
