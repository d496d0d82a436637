"""Where the gas of one transaction goes, by opcode and call depth: `brownie run scripts/profile_gas.py`.
Profiles a direct castVote and a 100-ballot batch on a 300-member suite (uses bench_gas's Suite)."""

from collections import Counter

from brownie import web3

from scripts.bench_gas import Suite, compact


def profile(tx_hash, label, divisor=1):
    trace = web3.provider.make_request(
        "debug_traceTransaction", [tx_hash, {"disableStorage": True, "disableMemory": True, "disableStack": True}]
    )["result"]
    by_op, by_depth = Counter(), Counter()
    for step in trace["structLogs"]:
        if step["op"] in ("CALL", "STATICCALL", "DELEGATECALL"):
            continue  # their gasCost includes the gas forwarded to the callee, counted at its own depth
        by_op[step["op"]] += step["gasCost"]
        by_depth[step["depth"]] += step["gasCost"]
    print(f"\n{label}: gasUsed {trace['gas']} (execution only, per unit ÷{divisor})")
    for op, gas in by_op.most_common(24):
        print(f"  {op:14} {gas / divisor:10.0f}")
    print("  by depth:", {d: round(g / divisor) for d, g in sorted(by_depth.items())})


def main():
    suite = Suite(300)
    pid, _, _ = suite.propose()
    for i in range(1, 12):
        suite.vote(pid, i)
    sender = suite.fund(suite.keys[20])
    receipt = sender.transact(web3, suite.governor.functions.castVote(pid, 1), "castVote")
    profile(receipt["transactionHash"].hex(), f"castVote ({receipt['gasUsed']} gas)")
    pid2, _, _ = suite.propose()
    ballots = [compact(suite.ballot(pid2, i)) for i in range(100, 200)]
    receipt = suite.deployer.transact(web3, suite.governor.functions.castVoteBatch(pid2, ballots, []), "batch")
    profile(receipt["transactionHash"].hex(), f"batch of 100 ({receipt['gasUsed']} gas)", divisor=100)
