"""The deployment config file (TOML): governor settings, treasury terms, the tier table (with each
tier's dues) and the founding roll."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from eth_utils import is_address, to_checksum_address

from orchestrator.errors import ConfigError

BPS = 10_000
ZERO_ADDRESS = "0x" + "00" * 20


@dataclass(frozen=True)
class TierConfig:
    name: str
    weight: int
    can_propose: bool
    can_vote: bool
    dues: int = 0  # wei (or token units) per dues period; zero: the tier owes nothing


@dataclass(frozen=True)
class MemberConfig:
    seat: str
    tier: int
    metadata_uri: str
    metadata_hash: bytes


@dataclass(frozen=True)
class GovernorConfig:
    voting_delay: int = 60
    voting_period: int = 3600
    late_quorum_extension: int = 600
    quorum_percent: int = 10
    constitutional_quorum_percent: int = 30
    weight_cap_bps: int = BPS
    timelock_delay: int = 60


@dataclass(frozen=True)
class TreasuryConfig:
    dues_token: str = ZERO_ADDRESS  # zero: dues in ETH; else the ERC-20's address
    dues_period: int = 30 * 86400
    grace_period: int = 14 * 86400


@dataclass(frozen=True)
class DeploymentConfig:
    name: str
    governor: GovernorConfig
    tiers: list[TierConfig]
    members: list[MemberConfig] = field(default_factory=list)
    treasury: TreasuryConfig = field(default_factory=TreasuryConfig)

    def tier_id(self, name: str) -> int:
        for i, tier in enumerate(self.tiers):
            if tier.name == name:
                return i
        raise ConfigError(f"unknown tier {name!r}; tiers are {[t.name for t in self.tiers]}")


DEFAULT_TIERS = [
    TierConfig("founding", 3, True, True),
    TierConfig("regular", 1, True, True),
    TierConfig("observer", 0, False, False),
]


def metadata_hash(legal_name: str, jurisdiction: str) -> bytes:
    """A content hash of a member's public identity, as committed on-chain next to its metadata URI."""
    return hashlib.sha256(f"{legal_name}\n{jurisdiction}".encode()).digest()


def load(path: Path) -> DeploymentConfig:
    """Read and validate a deployment config file."""
    try:
        raw = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse(raw, source=str(path))


def parse(raw: dict, source: str = "config") -> DeploymentConfig:
    try:
        governor = GovernorConfig(**raw.get("governor", {}))
    except TypeError as exc:
        raise ConfigError(f"{source}: [governor]: {exc}") from None
    try:
        treasury = TreasuryConfig(**raw.get("treasury", {}))
    except TypeError as exc:
        raise ConfigError(f"{source}: [treasury]: {exc}") from None
    if not is_address(treasury.dues_token):
        raise ConfigError(f"{source}: [treasury]: dues_token {treasury.dues_token!r} is not an address")
    if treasury.dues_period <= 0 or treasury.grace_period < 0:
        raise ConfigError(f"{source}: [treasury]: dues_period must be positive and grace_period not negative")
    tiers = [_tier(t, source) for t in raw.get("tiers", [])] or list(DEFAULT_TIERS)
    config = DeploymentConfig(name=raw.get("name", "Consortium"), governor=governor, tiers=tiers)
    members = [_member(m, config, source) for m in raw.get("members", [])]
    return DeploymentConfig(config.name, governor, tiers, members, treasury)


def _tier(raw: dict, source: str) -> TierConfig:
    from orchestrator.errors import InputError
    from orchestrator.operations.amounts import parse_amount

    try:
        tier = TierConfig(str(raw["name"]), int(raw["weight"]), bool(raw["can_propose"]), bool(raw["can_vote"]),
                          parse_amount(str(raw.get("dues", 0))))
    except KeyError as exc:
        raise ConfigError(f"{source}: a tier lacks {exc.args[0]!r}") from None
    except InputError as exc:
        raise ConfigError(f"{source}: tier {raw['name']!r}: dues: {exc}") from None
    if tier.can_vote != (tier.weight > 0):
        raise ConfigError(f"{source}: tier {tier.name!r}: a tier votes exactly when its weight is above zero")
    return tier


def _member(raw: dict, config: DeploymentConfig, source: str) -> MemberConfig:
    seat = raw.get("seat", "")
    if not is_address(seat):
        raise ConfigError(f"{source}: member seat {seat!r} is not an address")
    try:
        tier = config.tier_id(raw.get("tier", ""))
    except ConfigError as exc:
        raise ConfigError(f"{source}: member {seat}: {exc}") from None
    return MemberConfig(
        seat=to_checksum_address(seat),
        tier=tier,
        metadata_uri=raw.get("metadata_uri", ""),
        metadata_hash=metadata_hash(raw.get("legal_name", ""), raw.get("jurisdiction", "")),
    )
