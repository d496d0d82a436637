"""The deployment config file (TOML): governor settings, treasury terms, the tier table (with each
tier's dues), contribution weight and the founding roll. Every mistake in it is named by section and key, in
words, with the nearest known key when one is close (a typo), never a Python exception."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from eth_utils import is_address, to_checksum_address

from orchestrator import identity
from orchestrator.errors import ConfigError, InputError
from orchestrator.identity import metadata_hash

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
class AdvisoriesConfig:
    filing_limit: int = 3  # advisories a member may file per window; zero closes filing
    filing_window: int = 7 * 86400


@dataclass(frozen=True)
class ContributionsConfig:
    """Contribution-weighted votes (contracts/institutions/ContributionLedger.sol). Off by default: no ledger is
    deployed, and weight is the tier's alone, at the gas it always cost."""
    enabled: bool = False
    unit: int = 10**18  # dues-token units (wei for ETH) worth one weight unit: part = sqrt(value / unit)
    period: int = 365 * 86400  # a contribution is worth half after each period boundary
    max_part: int = 0  # the most weight a member's contribution part may reach; zero: no cap of its own
    sponsorships: bool = True  # sponsorships paid in the dues token from an active member's seat count
    attributions: bool = True  # governance may attribute grants and work to a member


@dataclass(frozen=True)
class DeploymentConfig:
    name: str
    governor: GovernorConfig
    tiers: list[TierConfig]
    members: list[MemberConfig] = field(default_factory=list)
    treasury: TreasuryConfig = field(default_factory=TreasuryConfig)
    advisories: AdvisoriesConfig = field(default_factory=AdvisoriesConfig)
    contributions: ContributionsConfig = field(default_factory=ContributionsConfig)

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

# What each key holds, in the words its error uses ("voting_period must be a whole number of seconds").
SECONDS, PERCENT, BASIS_POINTS, WHOLE, FLAG, TEXT = ("a whole number of seconds", "a whole number of percent",
                                                     "a whole number of basis points", "a whole number",
                                                     "true or false", "a string")
KINDS = {
    "voting_delay": SECONDS, "voting_period": SECONDS, "late_quorum_extension": SECONDS, "timelock_delay": SECONDS,
    "quorum_percent": PERCENT, "constitutional_quorum_percent": PERCENT, "weight_cap_bps": BASIS_POINTS,
    "dues_period": SECONDS, "grace_period": SECONDS, "dues_token": TEXT,
    "filing_limit": WHOLE, "filing_window": SECONDS,
    "enabled": FLAG, "unit": None, "period": SECONDS, "max_part": WHOLE, "sponsorships": FLAG, "attributions": FLAG,
}
TIER_KEYS = {"name": TEXT, "weight": WHOLE, "can_propose": FLAG, "can_vote": FLAG, "dues": None}  # None: an amount
MEMBER_KEYS = {"seat": TEXT, "tier": TEXT, "legal_name": TEXT, "jurisdiction": TEXT, "metadata_uri": TEXT}
SECTIONS = {"name": "a setting", "governor": "a table", "treasury": "a table", "advisories": "a table",
            "contributions": "a table", "tiers": "an array of tables", "members": "an array of tables"}


def _suggest(key: str, known) -> str:
    """The nearest known key when `key` looks like a typo or a shortening of it, else every known key."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    close = close or [k for k in known if len(key) >= 3 and key.lower() in k]
    return f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(known)}"


def _unknown(where: str, key: str, known) -> ConfigError:
    return ConfigError(f"{where}unknown setting {key!r}{_suggest(key, known)}")


def _check_keys(where: str, raw, known) -> dict:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}must be a table of settings, not {raw!r}")
    for key in raw:
        if key not in known:
            raise _unknown(where, key, known)
    return raw


def _value(where: str, key: str, value, kind: str):
    """`value` checked against what `key` holds; TOML already typed it, so only a wrong kind is refused."""
    if kind == TEXT:
        ok = isinstance(value, str)
    elif kind == FLAG:
        ok = isinstance(value, bool)
    else:  # whole numbers: not booleans (a bool is an int in Python), not negative
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if not ok:
        raise ConfigError(f"{where}{key} must be {kind}, not {value!r}")
    return value


def _settings(source: str, section: str, raw, cls):
    where = f"{source}: [{section}]: "
    known = [f.name for f in fields(cls)]
    raw = _check_keys(where, raw, known)
    return cls(**{key: _value(where, key, value, KINDS[key]) for key, value in raw.items()})


def load(path: Path) -> DeploymentConfig:
    """Read and validate a deployment config file."""
    try:
        raw = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per nested array or table
        raise ConfigError(f"{path}: not valid TOML: nested too deep") from None
    return parse(raw, source=str(path))


def parse(raw: dict, source: str = "config") -> DeploymentConfig:
    for key, value in raw.items():
        if key not in SECTIONS:
            what = "section" if isinstance(value, dict | list) else "top-level setting"
            raise ConfigError(f"{source}: unknown {what} {key!r}{_suggest(key, SECTIONS)}")
    name = _value(f"{source}: ", "name", raw.get("name", "Consortium"), TEXT)
    for key in ("tiers", "members"):
        if not isinstance(raw.get(key, []), list):
            raise ConfigError(f"{source}: {key} must be an array of tables ([[{key}]]), not {raw[key]!r}")
    governor = _settings(source, "governor", raw.get("governor", {}), GovernorConfig)
    treasury = _settings(source, "treasury", raw.get("treasury", {}), TreasuryConfig)
    if not is_address(treasury.dues_token):
        raise ConfigError(f"{source}: [treasury]: dues_token {treasury.dues_token!r} is not an address")
    if treasury.dues_period <= 0:
        raise ConfigError(f"{source}: [treasury]: dues_period must be positive")
    advisories = _settings(source, "advisories", raw.get("advisories", {}), AdvisoriesConfig)
    if advisories.filing_window <= 0 or advisories.filing_limit >= 2**32 or advisories.filing_window >= 2**48:
        raise ConfigError(f"{source}: [advisories]: filing_window must be positive, and both must fit the contract")
    contributions = _contributions(source, raw.get("contributions", {}))
    tiers = [_tier(t, i, source) for i, t in enumerate(raw.get("tiers", []), 1)] or list(DEFAULT_TIERS)
    config = DeploymentConfig(name=name, governor=governor, tiers=tiers)
    members = [_member(m, i, config, source) for i, m in enumerate(raw.get("members", []), 1)]
    return DeploymentConfig(config.name, governor, tiers, members, treasury, advisories, contributions)


def _amount(where: str, key: str, value) -> int:
    """An amount setting: "2 ether", or a whole number of wei (token units)."""
    from orchestrator.chain.amounts import parse_amount

    if isinstance(value, bool) or not isinstance(value, int | str) or (isinstance(value, int) and value < 0):
        raise ConfigError(f"{where}{key} must be an amount (\"2 ether\", or wei), not {value!r}")
    if isinstance(value, int):  # a bare number is wei (token units)
        return value
    try:
        return parse_amount(value)
    except InputError as exc:
        raise ConfigError(f"{where}{key}: {exc}") from None


def _contributions(source: str, raw) -> ContributionsConfig:
    where = f"{source}: [contributions]: "
    raw = _check_keys(where, raw, [f.name for f in fields(ContributionsConfig)])
    values = {key: _amount(where, key, value) if key == "unit" else _value(where, key, value, KINDS[key])
              for key, value in raw.items()}
    config = ContributionsConfig(**values)
    if config.unit <= 0 or config.period <= 0:
        raise ConfigError(f"{where}unit and period must be positive")
    if config.max_part >= 2**32 or config.period >= 2**48:
        raise ConfigError(f"{where}max_part and period must fit the contract (max_part below 2^32)")
    return config


def _tier(raw, number: int, source: str) -> TierConfig:
    from orchestrator.chain.amounts import parse_amount

    label = f"[[tiers]] #{number}"
    if isinstance(raw, dict) and isinstance(raw.get("name"), str):
        label += f" ({raw['name']!r})"
    where = f"{source}: {label}: "
    raw = _check_keys(where, raw, TIER_KEYS)
    for key in ("name", "weight", "can_propose", "can_vote"):
        if key not in raw:
            raise ConfigError(f"{where}lacks {key!r}")
        _value(where, key, raw[key], TIER_KEYS[key])
    dues = raw.get("dues", 0)
    if isinstance(dues, bool) or not isinstance(dues, int | str):
        raise ConfigError(f"{where}dues must be an amount (\"2 ether\", or wei), not {dues!r}")
    try:
        tier = TierConfig(raw["name"], raw["weight"], raw["can_propose"], raw["can_vote"], parse_amount(str(dues)))
    except InputError as exc:
        raise ConfigError(f"{where}dues: {exc}") from None
    if tier.can_vote != (tier.weight > 0):
        raise ConfigError(f"{where}a tier votes exactly when its weight is above zero")
    return tier


def _member(raw, number: int, config: DeploymentConfig, source: str) -> MemberConfig:
    label = f"[[members]] #{number}"
    if isinstance(raw, dict) and isinstance(raw.get("seat"), str):
        label += f" ({raw['seat']})"
    where = f"{source}: {label}: "
    raw = _check_keys(where, raw, MEMBER_KEYS)
    for key, value in raw.items():
        _value(where, key, value, MEMBER_KEYS[key])
    seat = raw.get("seat", "")
    if not is_address(seat):
        raise ConfigError(f"{where}seat {seat!r} is not an address")
    try:
        tier = config.tier_id(raw.get("tier", ""))
    except ConfigError as exc:
        raise ConfigError(f"{where}{exc}") from None
    # The legal name is how people will know the member: it is committed on-chain, so it must be given.
    for key in ("legal_name", "jurisdiction"):
        if not raw.get(key, "").strip():
            raise ConfigError(f"{where}lacks {key!r} (the member's public identity, committed on-chain)")
    name, jurisdiction = raw["legal_name"], raw["jurisdiction"]
    return MemberConfig(
        seat=to_checksum_address(seat),
        tier=tier,
        # No URI of its own: the identity itself, readable from the chain (see identity.py).
        metadata_uri=raw.get("metadata_uri") or identity.metadata_uri(name, jurisdiction),
        metadata_hash=metadata_hash(name, jurisdiction),
    )
