"""What both stacks' measurements share: devnet controls, deterministic throwaway keys, the medians."""

from __future__ import annotations

import statistics

from eth_account import Account
from eth_utils import keccak
from web3 import Web3

from orchestrator.chain import artifacts
from orchestrator.chain.node import Sender
from orchestrator.chain.proposals import receipt_events

FOR = 1


def rpc(w3: Web3, method: str, *params):
    response = w3.provider.make_request(method, list(params))
    if "error" in response:
        raise RuntimeError(f"{method}: {response['error']}")
    return response.get("result")


def fix_block_times(w3: Web3) -> None:
    """Every block one second after the last, whatever the wall clock: how many blocks share a timestamp
    decides how many weight checkpoints exist, and so how deep the binary searches behind a batch's
    quorum and cap go. Fixed block times make every gas figure the same in every run."""
    rpc(w3, "anvil_setBlockTimestampInterval", 1)


def advance(w3: Web3, seconds: int) -> None:
    """Mine a block `seconds` after the latest one."""
    rpc(w3, "evm_setNextBlockTimestamp", w3.eth.get_block("latest")["timestamp"] + seconds)
    rpc(w3, "evm_mine")


def mine(w3: Web3, blocks: int) -> None:
    rpc(w3, "anvil_mine", hex(blocks))


def keys(label: str, n: int) -> list:
    """Throwaway devnet accounts derived from their index: the same signatures (and so the same
    calldata gas, which depends on zero bytes) in every run."""
    return [Account.from_key(keccak(text=f"{label} {i}")) for i in range(n)]


def funded(w3: Web3, account) -> Sender:
    rpc(w3, "anvil_setBalance", account.address, hex(10**20))
    return Sender.local(account)


def all_counted(governor, receipt, proposal_id: int, ballots_sent: int, tallied_before: int) -> int:
    """A batch's gas, once it is checked to have counted every ballot it carried: one VoteCast each, and the
    proposal's for-tally grown by their weights. A batch that counts nothing (signed for another domain, say)
    is cheaper, and its gas is no measure of a batch."""
    cast = receipt_events(governor, receipt, "VoteCast")
    tallied = governor.functions.proposalVotes(proposal_id).call()[1] - tallied_before
    if len(cast) != ballots_sent or tallied != sum(e["args"]["weight"] for e in cast):
        raise BenchError(f"the batch counted {len(cast)} of its {ballots_sent} ballots (tallies grew by {tallied}): "
                         "its gas measures no batch")
    return receipt["gasUsed"]


def all_rejected(governor, receipt, proposal_id: int, ballots_sent: int, tallied_before: int, reason: str) -> int:
    """A batch's gas, once it is checked to have refused every ballot it carried for `reason` (a
    BallotRejection name): one BallotRejected each, no VoteCast, the tallies unchanged. A batch that reverted,
    or counted some of them, would measure something else."""
    refused = receipt_events(governor, receipt, "BallotRejected")
    cast = receipt_events(governor, receipt, "VoteCast")
    tallied = governor.functions.proposalVotes(proposal_id).call()[1] - tallied_before
    wanted = REJECTIONS.index(reason)
    matching = sum(1 for e in refused if e["args"]["reason"] == wanted and e["args"]["proposalId"] == proposal_id)
    if matching != ballots_sent or cast or tallied:
        raise BenchError(f"the batch refused {matching} of its {ballots_sent} ballots as {reason} (counted "
                         f"{len(cast)}, tallies grew by {tallied}): its gas measures no batch of refused ballots")
    return receipt["gasUsed"]


# IConsortiumGovernor.BallotRejection's names, in its declaration order (the event carries the index), read from
# the contracts' source ("invalid support" → "InvalidSupport").
REJECTIONS = tuple(name.title().replace(" ", "")
                   for name in artifacts.enum_names("IConsortiumGovernor", "BallotRejection"))


class BenchError(RuntimeError):
    """A measurement that would not measure what its name says."""


def median(values: list[int]) -> int:
    return int(statistics.median(values))
