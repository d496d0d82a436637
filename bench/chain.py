"""Chains the benchmarks measure on, made with the project's own paths on a fresh embedded devnet."""

from __future__ import annotations

import time
from contextlib import ExitStack

from orchestrator.chain.node import wait_for_receipt
from orchestrator.demo import Demo
from orchestrator.operations import governance
from orchestrator.operations.config import ZERO_ADDRESS
from orchestrator.operations.session import Options, Session
from orchestrator.relay import ballots

MEMBERS, BALLOTS, BATCH = 1000, 10_000, 100


def session(stack: ExitStack) -> Session:
    """A session on a fresh embedded devnet, as `consortium` without --rpc."""
    return Session(Options(), stack, lambda name: "")


def proposals(demo: Demo, proposers: list, count: int) -> list[int]:
    """`count` ordinary proposals (a budget each), one per proposer."""
    budget = governance.contract_call(demo.session.treasury, "setBudget", proposers[0].address, ZERO_ADDRESS, 1)
    return [demo._propose(proposers[i], [budget], f"server bench {time.time()} {i}") for i in range(count)]


def cast(demo: Demo, pid: int, voters: list) -> None:
    """Every voter's signed ballot (for, against, abstain in turn) through castVoteBatch, BATCH at a time."""
    relayer = demo._relayer
    sender, w3 = relayer.session.sender, demo.w3
    for i in range(0, len(voters), BATCH):
        chunk = voters[i:i + BATCH]
        supports = [2 if (i + n) % 7 == 0 else 1 if (i + n) % 3 else 0 for n in range(len(chunk))]
        compact = [ballots.compact(a.address, s, ballots.sign(ballots.member_ballot(relayer.domain, pid, s, a.address),
                                                              a.key)) for a, s in zip(chunk, supports, strict=True)]
        raw, tx_hash, _ = sender.sign(w3, relayer.session.governor.functions.castVoteBatch(pid, compact, []),
                                      "batch")
        w3.eth.send_raw_transaction(raw)
        wait_for_receipt(w3, tx_hash)


def voted_roll(stack: ExitStack) -> tuple[Demo, dict]:
    """A devnet holding MEMBERS members (the demo's deployment, dues paid) and BALLOTS signed ballots cast in
    batches over several proposals: what the dashboard's and the indexer's figures are measured on."""
    started = time.monotonic()
    demo = Demo(session(stack), MEMBERS, lambda line: None, contributions=False)
    demo._deploy()  # weight from tiers alone, as in every earlier run of these figures
    voters = demo.tier("founding") + demo.tier("regular")
    demo.late = demo.tier("observer")[0]  # the demo's story names one member who did not pay: an observer here
    demo._fund_and_pay_dues(voters)
    count = -(-BALLOTS // len(voters))
    pids = proposals(demo, voters[:count], count)
    demo._advance(61)
    counted = 0
    for pid in pids:
        take = voters[:min(len(voters), BALLOTS - counted)]
        cast(demo, pid, take)
        counted += len(take)
    return demo, {"members": MEMBERS, "ballots": counted, "proposals": len(pids), "pids": [str(p) for p in pids],
                  "chain_s": round(time.monotonic() - started, 1)}
