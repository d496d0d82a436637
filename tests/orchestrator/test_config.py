"""The deployment config file: defaults, validation and the exact error messages."""

import pytest
from eth_utils import to_checksum_address

from orchestrator.errors import ConfigError
from orchestrator.operations.config import DEFAULT_TIERS, load, metadata_hash, parse

SEAT = "0x" + "ab" * 20


def test_example_config_loads():
    config = load("config/consortium.example.toml")
    assert config.name == "Example Industry Consortium"
    assert [t.name for t in config.tiers] == ["founding", "regular", "observer"]
    assert config.governor.weight_cap_bps == 2500
    assert config.members == []


def test_defaults_give_the_three_standard_tiers():
    config = parse({})
    assert config.tiers == DEFAULT_TIERS
    assert config.governor.quorum_percent == 10


def test_members_get_checksummed_seats_tier_ids_and_metadata_hashes():
    config = parse({"members": [{"seat": SEAT, "tier": "regular", "legal_name": "Acme", "jurisdiction": "CH"}]})
    (member,) = config.members
    assert member.seat == to_checksum_address(SEAT)
    assert member.tier == 1
    assert member.metadata_hash == metadata_hash("Acme", "CH")


@pytest.mark.parametrize("raw, message", [
    ({"members": [{"seat": "0x123", "tier": "regular"}]}, "member seat '0x123' is not an address"),
    ({"members": [{"seat": SEAT, "tier": "platinum"}]}, "unknown tier 'platinum'"),
    ({"tiers": [{"name": "x", "weight": 1, "can_propose": True}]}, "a tier lacks 'can_vote'"),
    ({"tiers": [{"name": "x", "weight": 0, "can_propose": True, "can_vote": True}]},
     "tier 'x': a tier votes exactly when its weight is above zero"),
    ({"governor": {"voting_dealy": 5}}, "[governor]: "),
])
def test_bad_configs_are_refused_with_a_clear_message(raw, message):
    with pytest.raises(ConfigError) as info:
        parse(raw, source="c.toml")
    assert message in str(info.value)
    assert str(info.value).startswith("c.toml")


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [unclosed")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(bad)

