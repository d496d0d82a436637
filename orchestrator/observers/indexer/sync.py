"""Keeping the index up to date: from the cursor to `confirmations` blocks behind the head, range by
range, checking first that the chain still contains the cursor's block and unwinding if it does not.

A range is committed only if it was read from one chain, the one the index already holds: its last
block's hash is the same before and after its logs are read, every log's block hash is the chain's, and
its first block's parent is the block the cursor recorded. Otherwise the chain changed under the read
(a reorg, before or during it): nothing is committed, the fork is found and the range read again.
With each range the governor's state() of every proposal not yet final is read at the range's last
block (by hash, so from the very chain the range was read from) and committed with it. A node that keeps
no state that old (not an archive node) cannot answer for a range deep in a backfill: that range is
committed without states, which the ranges after it record; the range that reaches the head always
records them (an error there is raised)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from eth_abi import decode, encode
from eth_utils import function_abi_to_4byte_selector
from eth_utils import function_signature_to_4byte_selector as fn_selector
from requests.exceptions import RequestException
from web3 import Web3
from web3.exceptions import BlockNotFound

from orchestrator.chain import artifacts
from orchestrator.chain.proposals import STATES
from orchestrator.errors import ChainError
from orchestrator.observers.indexer.reader import Reader
from orchestrator.observers.indexer.store import IndexStore

log = logging.getLogger(__name__)
BATCH = 500


@cache
def selector(name: str) -> bytes:
    """The 4-byte selector of the governor's function `name`, from its compiled ABI."""
    (abi,) = [item for item in artifacts.load("ConsortiumGovernor").abi
              if item.get("type") == "function" and item["name"] == name]
    return function_abi_to_4byte_selector(abi)


@dataclass
class Progress:
    start: int
    head: int
    block: int
    events: int
    elapsed: float

    def __str__(self) -> str:
        done, total = self.block - self.start, max(1, self.head - self.start)
        rate = self.events / self.elapsed if self.elapsed else 0.0
        return (f"block {self.block:,} of {self.head:,} ({100 * done / total:.0f}%), {self.events:,} events, "
                f"{rate:,.0f} events/s")


class Indexer:
    @classmethod
    def of(cls, w3: Web3, deployment, db_url: str, confirmations: int = 0) -> Indexer:
        """The indexer of a deployment (operations/deploy.py's Deployment) into the database at `db_url`."""
        store = IndexStore(db_url, deployment.chain_id, deployment.governor)
        # Bodies come from the index itself (no contract call: the chain may be mid-reorg); new ones are found
        # as their BodyCreated events are read.
        reader = Reader(w3, deployment.contracts, store.body_addresses())
        indexer = cls(w3, store, reader, deployment.block, confirmations)
        indexer.ledger = (deployment.contribution_ledger, deployment.registry)
        return indexer

    def __init__(self, w3: Web3, store: IndexStore, reader: Reader, deployment_block: int, confirmations: int = 0):
        self.w3, self.store, self.reader = w3, store, reader
        self.deployment_block, self.confirmations = deployment_block, confirmations
        # (the deployment's contribution ledger, the registry): whose parts each range reads; (None, …): none
        self.ledger: tuple[str | None, str | None] = (None, None)

    def sync(self, report: Callable[[Progress], None] = lambda p: None) -> int:
        """Index up to the confirmed head; returns the number of events added."""
        head = self.w3.eth.block_number - self.confirmations
        position = self._check_reorg()
        self._state_unstated(position)
        start, added, began = position, 0, time.monotonic()
        while position < head:
            found, end, pinned = self.reader.read(position + 1, head)
            seen = self._verified_blocks(found, position, end, pinned)
            states = None if seen is None else self._states(found, end, seen[end][0], required=end >= head)
            parts = None if states is None else self._parts(found, end, *seen[end], required=end >= head)
            if parts is None:  # the chain changed under this read: look for the fork, read again
                log.warning("the chain changed while blocks %s-%s were read; reading again", position + 1, end)
                head = min(head, self.w3.eth.block_number - self.confirmations)
                position = self._check_reorg()
                continue
            self.store.commit_range(found, seen, end, self._relayed(found), states, parts)
            position, added = end, added + len(found)
            report(Progress(start, head, end, added, time.monotonic() - began))
        return added

    def follow(self, interval: float, report: Callable[[Progress], None], stop: Callable[[], bool]) -> None:
        """Sync every `interval` seconds. A node that fails or goes away pauses the index, which keeps
        what it committed and picks up from there when the node answers again."""
        while not stop():
            try:
                self.sync(report)
            except (ChainError, RequestException) as exc:
                log.warning("the node failed (%s); indexing again in %.1f s", exc, interval)
            time.sleep(interval)

    def _verified_blocks(self, found, position: int, end: int,
                         pinned: str | None) -> dict[int, tuple[str, int]] | None:
        """Hash and time of every block with events and of the range's end, read from the chain after
        the logs; None if the range was not read from one chain continuing the index's: the end block's
        hash changed since before the logs were read (`pinned`), a log's block hash is not the chain's,
        or the first block's parent is not the cursor's recorded block."""
        start, with_events = position + 1, {e.block_number for e in found}
        numbers = sorted(with_events | {start, end})
        headers = self._batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        if any(h is None for h in headers):  # the chain got shorter since the logs were read
            return None
        by_number = dict(zip(numbers, headers, strict=True))
        if by_number[end]["hash"] != pinned:  # blocks of the range were replaced while it was read
            return None
        if any(by_number[e.block_number]["hash"] != e.block_hash for e in found):
            return None
        parent = self.store.block_hash(position)
        if parent is not None and by_number[start]["parentHash"] != parent:  # replaced before this read
            return None
        return {n: (h["hash"], int(h["timestamp"], 16)) for n, h in by_number.items()
                if n == end or n in with_events}

    def _batch(self, calls: list[tuple[str, list]]) -> list[dict | None]:
        """Results of JSON-RPC calls (None where the node has none), sent in batches: one HTTP round trip
        per BATCH calls."""
        results = []
        for i in range(0, len(calls), BATCH):
            responses = self.w3.provider.make_batch_request(calls[i : i + BATCH])
            if not isinstance(responses, list):  # the whole batch was refused
                raise ChainError(f"batch of {len(calls[i:i + BATCH])} RPC calls failed: {responses.get('error')}")
            for response in responses:
                if response.get("error"):
                    raise ChainError(f"RPC call failed in a batch: {response['error']}")
                results.append(response.get("result"))
        return results

    def _relayed(self, found) -> dict:
        """Per transaction that cast votes, whether it called the governor's castVoteBatch: only then were
        its ballots relayed. The sender says nothing: a contract wallet's vote is sent by its owner. Per
        (transaction, voter in lower case) of an approval ballot, whether the transaction called the governor's
        castApprovals from another account than the voter's (a relayer sending signed ballots); a member's own
        from its seat, or a contract wallet's through its owner's call to the wallet, is not relayed."""
        voters: dict[str, list[str]] = {}
        for e in found:
            if e.contract == "ConsortiumGovernor" and e.event in ("VoteCast", "VoteCastWithParams"):
                voters.setdefault(e.tx_hash, [])
                if e.event == "VoteCastWithParams":
                    voters[e.tx_hash].append(e.arguments()["voter"].lower())
        hashes = sorted(voters)
        txs = self._batch([("eth_getTransactionByHash", [h]) for h in hashes])
        governor = self.store.governor.lower()
        batch, approvals = ("0x" + selector(name).hex() for name in ("castVoteBatch", "castApprovals"))
        relayed: dict = {}
        for h, tx in zip(hashes, txs, strict=True):
            to_governor = bool(tx) and (tx.get("to") or "").lower() == governor
            data = (tx.get("input") or tx.get("data") or "").lower() if tx else ""
            relayed[h] = to_governor and data.startswith(batch)
            sender = (tx.get("from") or "").lower() if tx else ""
            for voter in voters[h]:
                relayed[(h, voter)] = to_governor and data.startswith(approvals) and sender != voter
        return relayed

    def _states(self, found, block: int, block_hash: str,
                required: bool) -> dict[str, tuple[str, int | None]] | None:
        """The governor's state() (and, past the snapshot, proposalQuorum()) of every proposal not yet
        final, the range's new ones included, at the range's last block, by its hash: those that differ
        from what the index last recorded. None if that block is no longer the chain's (a reorg); none
        at all if the node cannot answer for that block and the states are not `required`."""
        known = self.store.open_proposals()
        for e in found:
            if e.contract == "ConsortiumGovernor" and e.event == "ProposalCreated":
                known.setdefault(str(e.arguments()["proposalId"]), (None, None))
        ids = sorted(known)
        try:
            states = {i: STATES[int(a, 16)] for i, a in zip(ids, self._calls("state", ids, block_hash), strict=True)}
            fixed = [i for i in ids if states[i] not in ("Pending", "Canceled") and known[i][1] is None]
            quorums = {i: int(a, 16) for i, a in zip(fixed, self._calls("proposalQuorum", fixed, block_hash),
                                                     strict=True)}
        except ChainError as exc:
            if self.reader.block_hash(block) != block_hash:
                return None
            if required:
                raise
            log.info("no proposal states at block %s (%s): the next ranges record them", block, exc)
            return {}
        read = {i: (states[i], quorums.get(i, known[i][1])) for i in ids}
        return {i: answer for i, answer in read.items() if answer != known[i]}

    def _parts(self, found, block: int, block_hash: str, timestamp: int,
               required: bool) -> dict[int, tuple[int, int | None]] | None:
        """The contribution ledger's own partsAt (every member with a contribution, this range's included) and
        totalPartAt at the range's last block and its time, with the registry's totalWeight(), by the block's
        hash: those that differ from what the index last recorded (member 0: the whole). As _states: None on a
        reorg, none when an old block cannot be read and they are not `required`, none without a ledger."""
        ledger, registry = self.ledger
        if ledger is None:
            return {}
        known = self.store.latest_parts()
        ids = sorted({m for m in known if m} | {int(e.arguments()["memberId"]) for e in found
                                                   if e.contract == "ContributionLedger"})
        calls = [(ledger, "partsAt(uint256[],uint256)", encode(["uint256[]", "uint256"], [ids, timestamp])),
                 (ledger, "totalPartAt(uint256)", encode(["uint256"], [timestamp])),
                 (registry, "totalWeight()", b"")]
        try:
            answers = self._batch([("eth_call", [{"to": to, "data": "0x" + (fn_selector(sig) + data).hex()},
                                                 {"blockHash": block_hash}]) for to, sig, data in calls])
        except ChainError:
            if self.reader.block_hash(block) != block_hash:
                return None
            if required:
                raise
            return {}
        (parts,) = decode(["uint256[]"], bytes.fromhex(answers[0][2:]))
        read = {i: (p, None) for i, p in zip(ids, parts, strict=True)}
        read[0] = (int(answers[1], 16), int(answers[2], 16))
        return {i: answer for i, answer in read.items() if answer != known.get(i)}

    def _calls(self, function: str, ids: list[str], block_hash: str) -> list[str]:
        """The governor's answers to `function`(id) for each id, at the block with hash `block_hash`."""
        data = ["0x" + (selector(function) + encode(["uint256"], [int(i)])).hex() for i in ids]
        return self._batch([("eth_call", [{"to": self.store.governor, "data": d}, {"blockHash": block_hash}])
                            for d in data])

    def _state_unstated(self, position: int) -> None:
        """An index written before states were recorded: its proposals' states, read at its cursor."""
        block_hash = self.store.block_hash(position)
        if block_hash is not None and self.store.unstated():
            states = self._states([], position, block_hash, required=False)
            if states:
                self.store.record_states(states, position)

    def _chain_hash(self, number: int) -> str | None:
        try:
            return "0x" + bytes(self.w3.eth.get_block(number)["hash"]).hex()
        except BlockNotFound:  # the new chain is shorter than the old one
            return None

    def _check_reorg(self) -> int:
        """The cursor, after unwinding to the newest recorded block that is still on the chain. A block
        whose hash matches vouches for all its ancestors, so checking newest-first is enough."""
        position = self.store.cursor()
        if position is None:
            return self.deployment_block - 1
        for number, recorded in self.store.stored_blocks(position):
            if self._chain_hash(number) == recorded:
                if number < position:
                    removed = self.store.unwind(number)
                    log.warning("reorg: unwound %s events above block %s", removed, number)
                return number
        fallback = self.deployment_block - 1
        if position > fallback:
            removed = self.store.unwind(fallback)
            log.warning("reorg deeper than the recorded blocks: unwound all %s events, re-reading", removed)
        return fallback

