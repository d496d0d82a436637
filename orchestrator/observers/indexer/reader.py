"""Reading the suite's events: eth_getLogs over bounded block ranges that shrink when a provider
refuses a range (too many blocks or results) and grow back after successes. Any other error is raised:
an error is never taken for "no logs". Logs are decoded with the compiled ABIs; a string that is not
valid UTF-8 (anyone can emit one: the ABI's string is bytes on the wire) is decoded with U+FFFD for each
invalid byte rather than stopping the index at its range for good.

A range is read between two readings of its last block's hash: the hash before the logs is returned
with them, so the caller can tell that the chain changed while the range was read.

Speed: logs are fetched with a raw JSON-RPC request and decoded with eth-abi directly, skipping web3's
per-log result formatting and event-data machinery, which cost more than the node's own work."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from eth_abi import decoding, encoding
from eth_abi.codec import ABICodec
from eth_abi.registry import BaseEquals
from eth_utils import event_abi_to_log_topic, to_checksum_address
from web3 import Web3
from web3._utils.abi import build_strict_registry

from orchestrator.chain import artifacts
from orchestrator.errors import ChainError
from orchestrator.observers.indexer.decoding import Decoder, Unplanned

log = logging.getLogger(__name__)

CONTRACTS = ("MemberRegistry", "ConsortiumGovernor", "TimelockController", "Treasury", "BodyFactory",
             "StandardsRegistry", "ConductRecord", "AdvisoryRegistry", "ContributionLedger",  # the ledger: if deployed
             "ElectionRegistry")
BODY = "Body"  # bodies are created at run time: each is found from its factory's BodyCreated event
# What providers say when a range is too wide or returns too much (Alchemy, Infura, QuickNode, geth, …).
RANGE_ERRORS = ("range", "too many", "limit", "exceed", "more than", "response size", "too large", "timeout")
MIN_SPAN, START_SPAN, MAX_SPAN = 1, 2_000, 10_000


def lenient_codec() -> ABICodec:
    """web3's codec, but a string that is not valid UTF-8 decodes with U+FFFD where its bytes are invalid
    instead of raising UnicodeDecodeError. For events and for getters that return what anyone wrote."""
    registry = build_strict_registry()
    registry.unregister("string")
    registry.register(BaseEquals("string"), encoding.TextStringEncoder,
                      decoding.StringDecoder(handle_string_errors="replace"), label="string")
    return ABICodec(registry)


LENIENT = lenient_codec()


@dataclass(frozen=True)
class Event:
    tx_hash: str
    log_index: int
    block_number: int
    block_hash: str
    address: str
    contract: str
    event: str
    args: str  # JSON
    # The same arguments as json.loads(args) gives them, for what is derived from the event in the same pass
    # (parsing the JSON again cost as much as writing it).
    values: dict = field(default=None, compare=False, repr=False)

    def arguments(self) -> dict:
        return self.values if self.values is not None else json.loads(self.args)

    def row(self) -> dict:
        """The event as the events table stores it."""
        return {"tx_hash": self.tx_hash, "log_index": self.log_index, "block_number": self.block_number,
                "block_hash": self.block_hash, "address": self.address, "contract": self.contract,
                "event": self.event, "args": self.args}


JSON_SAFE = 2**53  # integers from here are stored as decimal strings: JSON readers keep no more exactly


def _json_form(abi_type: str) -> Callable:
    """How a decoded value of `abi_type` is stored in an event's JSON: addresses checksummed, bytes as
    0x-hex, integers past JSON's exact range as decimal strings, arrays as lists. One function per type,
    chosen once per event shape, instead of inspecting every value."""
    if abi_type.endswith("]"):
        element = _json_form(abi_type[:abi_type.rindex("[")])
        return lambda values: [element(v) for v in values]
    if abi_type == "address":
        return checksum
    if abi_type.startswith("bytes"):
        return lambda value: "0x" + bytes(value).hex()
    if (width := re.fullmatch(r"u?int(\d*)", abi_type)) and int(width[1] or 256) > 53:
        return lambda value: str(value) if abs(value) >= JSON_SAFE else value
    return lambda value: value  # bool, string, narrow integers


@dataclass(frozen=True)
class _Shape:
    """How to decode one event: its indexed inputs (from topics) and the rest (from data), each with the
    planned decoder (decoding.py) when its types have one, else eth-abi's."""
    name: str
    indexed: tuple[tuple[str, str], ...]
    data_names: tuple[str, ...]
    data_types: tuple[str, ...]
    order: tuple[str, ...]

    @classmethod
    def of(cls, abi: dict) -> _Shape:
        inputs = abi["inputs"]
        return cls(abi["name"], tuple((i["name"], canonical_type(i)) for i in inputs if i["indexed"]),
                   tuple(i["name"] for i in inputs if not i["indexed"]),
                   tuple(canonical_type(i) for i in inputs if not i["indexed"]), tuple(i["name"] for i in inputs))

    @cached_property
    def _planned(self) -> tuple[dict[str, Decoder], Decoder] | None:
        try:
            return ({t: Decoder((t,)) for _, t in self.indexed if not _hashed(t)}, Decoder(self.data_types))
        except Unplanned:
            return None

    def decode(self, topics: list[bytes], data: bytes) -> dict:
        if self._planned is not None:
            try:
                return self._decode(topics, data, *self._planned)
            except Unplanned:  # read by eth-abi instead, which decodes it or says why not
                pass
        return self._decode(topics, data, {}, lambda d: LENIENT.decode(list(self.data_types), d))

    @cached_property
    def _forms(self) -> dict[str, Callable]:
        """Each input's JSON form; a dynamic indexed value (string, bytes, array) is only its hash, as bytes."""
        forms = {name: _json_form("bytes32" if _hashed(t) else t) for name, t in self.indexed}
        forms.update({name: _json_form(t) for name, t in zip(self.data_names, self.data_types, strict=True)})
        return forms

    def _decode(self, topics: list[bytes], data: bytes, topic_decoders: dict, data_decoder) -> dict:
        """The arguments in their JSON form, keyed in sorted order (the stored JSON's order)."""
        values = {}
        for (name, abi_type), topic in zip(self.indexed, topics[1:], strict=True):
            if _hashed(abi_type):
                values[name] = topic
            else:
                read = topic_decoders.get(abi_type) or (lambda t, abi_type=abi_type: LENIENT.decode([abi_type], t))
                values[name] = read(topic)[0]
        values.update(zip(self.data_names, data_decoder(data), strict=True))
        forms = self._forms
        return {name: forms[name](values[name]) for name in sorted(values)}


def canonical_type(item: dict) -> str:
    """An ABI input's type as eth-abi reads it: a struct ("tuple", "tuple[]" in the ABI) written out as its
    components, "(uint8,uint8)[]" (an election's reserved seats)."""
    if not item["type"].startswith("tuple"):
        return item["type"]
    return "(" + ",".join(canonical_type(c) for c in item["components"]) + ")" + item["type"][len("tuple"):]


def _hashed(abi_type: str) -> bool:
    return abi_type in ("string", "bytes") or abi_type.endswith("]") or abi_type.startswith("(")


@lru_cache(maxsize=1 << 16)
def checksum(address: str) -> str:
    """EIP-55 form, cached: the same few thousand addresses recur in every range, and each checksum is a
    keccak in pure Python."""
    return to_checksum_address(address)


class Reader:
    def __init__(self, w3: Web3, addresses: dict[str, str], bodies=()):
        """`addresses`: contract name -> address of the suite's contracts (names outside CONTRACTS, such
        as the libraries, are ignored); `bodies`: addresses of bodies that exist already."""
        self.w3 = w3
        self.by_address = {Web3.to_checksum_address(a): name for name, a in addresses.items() if name in CONTRACTS}
        self.by_address.update({Web3.to_checksum_address(b): BODY for b in bodies})
        self.shapes: dict[tuple[str, bytes], _Shape] = {}
        for name in (*CONTRACTS, BODY):
            for item in artifacts.load(name).abi:
                if item.get("type") == "event" and not item.get("anonymous"):
                    self.shapes[(name, bytes(event_abi_to_log_topic(item)))] = _Shape.of(item)
        self.span = START_SPAN

    @property
    def addresses(self) -> list[str]:
        return list(self.by_address)

    def read(self, start: int, end: int) -> tuple[list[Event], int, str | None]:
        """Events of blocks start..(returned end), at most `end`, and the hash the end block had before
        they were read (None if the chain has no such block now); the range is cut to the current span.
        A body created inside the range is watched from then on, and its events in the range are read
        too, so no body's first actions are missed."""
        while True:
            stop = min(end, start + self.span - 1)
            pinned = self.block_hash(stop)
            try:
                found = self._logs(start, stop, self.addresses)
                created = [Web3.to_checksum_address(e.arguments()["body"]) for e in found
                           if e.contract == "BodyFactory" and e.event == "BodyCreated"]
                new = [a for a in created if a not in self.by_address]
                if new:
                    self.by_address.update({a: BODY for a in new})
                    found = sorted(found + self._logs(start, stop, new), key=lambda e: (e.block_number, e.log_index))
            except ChainError:
                raise
            except Exception as exc:  # providers signal a refused range in many shapes
                if self.span > MIN_SPAN and any(m in str(exc).lower() for m in RANGE_ERRORS):
                    self.span = max(MIN_SPAN, self.span // 2)
                    log.info("provider refused blocks %s-%s (%s); span now %s", start, stop, exc, self.span)
                    continue
                raise ChainError(f"eth_getLogs {start}-{stop} failed: {exc}") from None
            self.span = min(MAX_SPAN, self.span * 2)
            return found, stop, pinned

    def block_hash(self, number: int) -> str | None:
        response = self.w3.provider.make_request("eth_getBlockByNumber", [hex(number), False])
        if "error" in response:
            raise ChainError(f"eth_getBlockByNumber {number} failed: {response['error']}")
        return response["result"]["hash"] if response.get("result") else None

    def _logs(self, start: int, stop: int, addresses: list[str]) -> list[Event]:
        return [self._decode(entry) for entry in self.fetch(start, stop, addresses)]

    def fetch(self, start: int, stop: int, addresses: list[str]) -> list[dict]:
        """Raw eth_getLogs: the node's JSON, unformatted. An error response is raised with its message."""
        response = self.w3.provider.make_request(
            "eth_getLogs", [{"fromBlock": hex(start), "toBlock": hex(stop), "address": addresses}])
        if "error" in response:
            raise ValueError(response["error"])
        return response["result"]

    def _decode(self, entry: dict) -> Event:
        address = checksum(entry["address"])
        contract = self.by_address[address]
        topics = [bytes.fromhex(t[2:]) for t in entry["topics"]]
        shape = self.shapes.get((contract, topics[0])) if topics else None
        if shape is None:  # kept, not dropped: an event our ABIs do not know is still part of the record
            name, values = "unknown", {"data": entry["data"], "topics": entry["topics"]}
        else:
            name, values = shape.name, shape.decode(topics, bytes.fromhex(entry["data"][2:]))
        return Event(entry["transactionHash"], int(entry["logIndex"], 16), int(entry["blockNumber"], 16),
                     entry["blockHash"], address, contract, name, json.dumps(values), values)
