"""A proposal's calls in words from the index alone (no node): operations/calls.py's sentences, with the
names they need read from the index instead of the chain. The suite's contracts are known by address from
the events the index holds (each row says which contract emitted it), their ABIs from the compiled
artifacts; members are named by their verified legal name, tiers by the name the tier table gave them,
bodies and standards by the name and title their events recorded. An ERC-20 amount is shown in base units
with the token's address (the index does not hold a token's decimals)."""

from __future__ import annotations

from functools import cached_property

from eth_utils import to_checksum_address
from sqlalchemy import select
from web3 import Web3

from orchestrator.chain import artifacts
from orchestrator.chain.amounts import ETH
from orchestrator.observers.advisories import Advisories
from orchestrator.observers.indexer.schema import MAX_ID, bodies, events, standards
from orchestrator.operations.calls import GOVERNED, Words, describe
from orchestrator.operations.config import ZERO_ADDRESS

_NAMES = {"MemberRegistry": "the member registry", "ConsortiumGovernor": "the governor",
          "TimelockController": "the timelock", "Treasury": "the treasury", "BodyFactory": "the body factory",
          "StandardsRegistry": "the standards registry", "ConductRecord": "the conduct record",
          "AdvisoryRegistry": "the advisory registry"}
_OFFLINE = Web3()  # decoding calldata needs an ABI, not a node


class IndexWords(Words):
    def __init__(self, obs):
        super().__init__(session=None)
        self.obs = obs

    @cached_property
    def contracts(self) -> dict[str, str]:
        """address -> contract name, for the suite's contracts that emitted an event the index holds."""
        def read() -> dict[str, str]:
            with self.obs.engine.connect() as db:
                return {to_checksum_address(r.address): r.contract for r in db.execute(
                    select(events.c.address, events.c.contract).distinct())}
        return self.obs._kept("contracts", read)

    @cached_property
    def names(self) -> dict[str, str]:
        return {a: _NAMES[c] for a, c in self.contracts.items() if c in _NAMES}

    @cached_property
    def bodies(self) -> dict[str, str]:
        with self.obs.engine.connect() as db:
            return {to_checksum_address(r.address): r.name for r in db.execute(select(bodies.c.address, bodies.c.name))}

    def contract_name(self, address: str) -> str | None:
        address = to_checksum_address(address)
        if address in self.bodies:
            return "Body"
        name = self.contracts.get(address)
        return name if name in GOVERNED else None

    def contract_at(self, address: str):
        name = self.contract_name(address)
        return None if name is None else _OFFLINE.eth.contract(address=to_checksum_address(address),
                                                               abi=artifacts.load(name).abi)

    def member(self, member_id: int) -> str:
        return self.obs.label(member_id)

    @cached_property
    def tier_names(self) -> list[str]:
        return self.obs.tier_names()

    def amount(self, token: str, value: int) -> str:
        return ETH.format(value) if int(token, 16) == 0 else f"{value:,} base units of token {token}"

    def dues_amount(self, value: int) -> str:
        return f"{value:,} base units of the dues asset"

    def token(self, token: str) -> str:
        return "ETH" if token == ZERO_ADDRESS or int(token, 16) == 0 else f"token {token}"

    def seat(self, address: str) -> str:
        seat = self.obs.seat_holder(address)
        if seat is None:
            return address
        member_id, current = seat
        # Only a member's current seat is its seat (as the chain's memberIdOf says): a rotated-away key may
        # be lost or sold, and whoever holds it now does not act for the member.
        return f"{address} ({'the' if current else 'a former'} seat of {self.member(member_id)})"

    def standard(self, standard_id: int) -> str:
        if not 0 <= standard_id <= MAX_ID:  # a proposal's call may name any uint256
            return f"standard {standard_id}"
        with self.obs.engine.connect() as db:
            row = db.execute(select(standards.c.title, standards.c.version)
                             .where(standards.c.standard_id == standard_id)).first()
        return f"standard {standard_id}" if row is None else f"standard {standard_id} '{row.title}' v{row.version}"


    def advisory(self, advisory_id: int) -> str:
        """As the chain's Words names it, from the index: its kind and current severity, and its subject."""
        try:
            found = Advisories(self.obs).one(advisory_id)
        except LookupError:
            return f"advisory {advisory_id}"
        return f"advisory {advisory_id} ({found['kind']}, {found['severity']}, about {found['subject']})"


def describe_indexed(obs, calls: list[dict]) -> list[str]:
    """The calls of an indexed proposal ([{target, value, data}]) in words."""
    words = IndexWords(obs)
    return [describe(words, c["target"], int(c["value"]), bytes.fromhex(c["data"].removeprefix("0x")))
            for c in calls]
