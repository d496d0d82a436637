"""Keeping the index up to date: from the cursor to `confirmations` blocks behind the head, range by
range, checking first that the chain still contains the cursor's block and unwinding if it does not."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from requests.exceptions import RequestException
from web3 import Web3
from web3.exceptions import BlockNotFound

from ..errors import ChainError
from .reader import Reader, checksum
from .store import IndexStore

log = logging.getLogger(__name__)
BATCH = 500


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
    def __init__(self, w3: Web3, store: IndexStore, reader: Reader, deployment_block: int, confirmations: int = 0):
        self.w3, self.store, self.reader = w3, store, reader
        self.deployment_block, self.confirmations = deployment_block, confirmations

    def sync(self, report: Callable[[Progress], None] = lambda p: None) -> int:
        """Index up to the confirmed head; returns the number of events added."""
        head = self.w3.eth.block_number - self.confirmations
        position = self._check_reorg()
        start, added, began = position, 0, time.monotonic()
        while position < head:
            found, end = self.reader.read(position + 1, head)
            seen = self._verified_blocks(found, end)
            if seen is None:  # the chain changed under this read: look for the fork, read again
                position = self._check_reorg()
                continue
            self.store.commit_range(found, seen, end, self._vote_senders(found))
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

    def _verified_blocks(self, found, end: int) -> dict[int, tuple[str, int]] | None:
        """Hash and time of every block with events and of the range's end, read from the chain; None if
        a log's block hash is not the chain's (a reorg happened between reading logs and blocks)."""
        numbers = sorted({e.block_number for e in found} | {end})
        headers = self._batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        if any(h is None for h in headers):  # the chain got shorter since the logs were read
            return None
        seen = {n: (h["hash"], int(h["timestamp"], 16)) for n, h in zip(numbers, headers, strict=True)}
        if any(seen[e.block_number][0] != e.block_hash for e in found):
            return None
        return seen

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

    def _vote_senders(self, found) -> dict[str, str]:
        """Who sent each transaction that cast votes: a ballot sent by another account was relayed."""
        hashes = sorted({e.tx_hash for e in found if e.event == "VoteCast"})
        txs = self._batch([("eth_getTransactionByHash", [h]) for h in hashes])
        return {h: checksum(tx["from"]) for h, tx in zip(hashes, txs, strict=True) if tx}

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

