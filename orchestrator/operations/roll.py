"""The membership roll as people read it, from the chain: each member's identity (legal name and
jurisdiction from its metadata, checked against its hash), tier, status, seat, weight and dues.

A roll of 1,000 members is 4,000 view calls. They go out as JSON-RPC batches of raw, pre-encoded
eth_calls (BATCH per HTTP request): one web3 ContractFunction call costs a round trip plus about 14 ms
of ABI handling (see relay/relayer.py's _Views), which would make `member list` take a minute."""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from orchestrator import identity
from orchestrator.chain import artifacts
from orchestrator.errors import ChainError

BATCH = 250  # eth_calls per JSON-RPC batch; providers commonly allow a few hundred to a thousand
MEMBER = "(address,uint8,uint8,uint48,string,bytes32)"  # IMemberRegistry.Member
# Statuses whose seat was freed: the address's weight (getVotes) is no longer the member's.
SEAT_FREED = ("resigned", "expelled")


def status_names() -> tuple[str, ...]:
    """The registry's member statuses by name, from the contracts' own enum (index 0 is `none`)."""
    return artifacts.enum_names("IMemberRegistry", "Status")


@dataclass(frozen=True)
class Tier:
    id: int
    name: str
    weight: int  # as the tier table says (a tier that cannot vote has none)
    dues: int  # per dues period; zero: the tier owes nothing


@dataclass(frozen=True)
class Member:
    id: int
    seat: str
    tier: Tier
    status: str
    joined_at: int
    metadata_uri: str
    metadata_hash: bytes
    identity: identity.Identity
    weight: int  # now
    paid_until: int  # the treasury's paidUntil (the joining date if it never paid)
    dues_lapsed: bool  # the treasury's duesLapsed: unpaid past the grace period

    @property
    def label(self) -> str:
        return self.identity.label(self.id)


class Calls:
    """View calls to collect, then made together in as few JSON-RPC batches as possible."""

    def __init__(self, w3):
        self.w3 = w3
        self._pending: list[tuple[str, str, list[str]]] = []

    def add(self, to: str, signature: str, args: list, out_types: list[str]) -> int:
        """Queue `signature(args)` on `to`; returns its index in run()'s answers."""
        arg_types = signature[signature.index("(") + 1 : -1]
        data = "0x" + (function_signature_to_4byte_selector(signature) + encode(_split(arg_types), args)).hex()
        self._pending.append((to, data, out_types))
        return len(self._pending) - 1

    def run(self) -> list[tuple]:
        """Every queued call's decoded result, in order. A node that refuses batches is asked one by one."""
        pending, self._pending = self._pending, []
        provider = self.w3.provider
        answers: list[tuple] = []
        for start in range(0, len(pending), BATCH):
            chunk = pending[start : start + BATCH]
            requests = [("eth_call", [{"to": to, "data": data}, "latest"]) for to, data, _ in chunk]
            try:
                responses = provider.make_batch_request(requests)
            except (AttributeError, NotImplementedError, ValueError):
                responses = None
            if not isinstance(responses, list) or len(responses) != len(chunk):
                responses = [provider.make_request(method, params) for method, params in requests]
            for (to, _, out_types), response in zip(chunk, responses, strict=True):
                if response.get("error"):
                    raise ChainError(f"eth_call to {to} failed: {response['error']}")
                answers.append(decode(out_types, bytes.fromhex(response["result"][2:])))
        return answers


def _split(types: str) -> list[str]:
    """The argument types of a signature, splitting at top-level commas only (tuples stay whole)."""
    parts, depth, current = [], 0, ""
    for char in types:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += (char == "(") - (char == ")")
        current += char
    return [p for p in [*parts, current] if p]


def tiers(registry, treasury=None) -> list[Tier]:
    """The tier table, with each tier's dues when the treasury is given."""
    calls = Calls(registry.w3)
    count = registry.functions.tierCount().call()
    for t in range(count):
        calls.add(registry.address, "tier(uint8)", [t], ["(string,uint32,bool,bool)"])
        if treasury is not None:
            calls.add(treasury.address, "duesOf(uint8)", [t], ["uint256"])
    answers, per = calls.run(), 1 if treasury is None else 2
    return [Tier(t, answers[per * t][0][0], answers[per * t][0][1], answers[per * t + 1][0] if per == 2 else 0)
            for t in range(count)]


def read(registry, treasury=None, ids: list[int] | None = None) -> list[Member]:
    """Members `ids` (default: all) as the chain says now, in two rounds of batches. Without the treasury
    only the registry's record is read (weight and dues left at zero): enough to find a member by name."""
    if ids is None:
        ids = list(range(1, registry.functions.memberCount().call() + 1))
    table, statuses, full = tiers(registry, treasury), status_names(), treasury is not None
    calls = Calls(registry.w3)
    for member_id in ids:
        calls.add(registry.address, "member(uint256)", [member_id], [MEMBER])
        if full:
            calls.add(treasury.address, "paidUntil(uint256)", [member_id], ["uint48"])
            calls.add(treasury.address, "duesLapsed(uint256)", [member_id], ["bool"])
    per = 3 if full else 1
    first = calls.run()
    records = [first[i * per][0] for i in range(len(ids))]
    weights = [0] * len(ids)
    if full:  # the weight is the registry's, read per seat (ERC-5805 getVotes): a second round
        for seat, *_ in records:
            calls.add(registry.address, "getVotes(address)", [seat], ["uint256"])
        weights = [answer[0] for answer in calls.run()]
    members = []
    for i, member_id in enumerate(ids):
        seat, tier, status, joined, uri, digest = records[i]
        members.append(Member(
            id=member_id, seat=to_checksum_address(seat), tier=table[tier], status=statuses[status], joined_at=joined,
            metadata_uri=uri, metadata_hash=bytes(digest), identity=identity.read(uri, bytes(digest)),
            weight=0 if statuses[status] in SEAT_FREED else weights[i],
            paid_until=first[i * per + 1][0] if full else 0,
            dues_lapsed=first[i * per + 2][0] if full else False,
        ))
    return members
