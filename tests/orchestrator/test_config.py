"""The deployment config file: defaults, validation and the exact error messages."""

import pytest
from eth_utils import to_checksum_address

from orchestrator import identity
from orchestrator.errors import ConfigError
from orchestrator.identity import metadata_hash
from orchestrator.operations.config import DEFAULT_TIERS, load, parse

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


NAMED = {"legal_name": "Acme", "jurisdiction": "CH"}


@pytest.mark.parametrize("raw, message", [
    # typos: the section and the key in words, and the nearest known key
    ({"governor": {"voting_perod": 5}}, "[governor]: unknown setting 'voting_perod' (did you mean 'voting_period'?)"),
    ({"treasury": {"grace": 5}}, "[treasury]: unknown setting 'grace' (did you mean 'grace_period'?)"),
    ({"governor": {"colour": 5}}, "[governor]: unknown setting 'colour'; known: voting_delay, voting_period, "
     "late_quorum_extension, quorum_percent, constitutional_quorum_percent, weight_cap_bps, timelock_delay"),
    ({"govenor": {}}, "unknown section 'govenor' (did you mean 'governor'?)"),
    ({"nmae": "x"}, "unknown top-level setting 'nmae' (did you mean 'name'?)"),
    ({"extra": 1}, "unknown top-level setting 'extra'; known: name, governor, treasury, advisories, contributions, "
                   "tiers, members"),
    ({"tiers": [{"name": "gold", "wieght": 1, "can_propose": True, "can_vote": True}]},
     "[[tiers]] #1 ('gold'): unknown setting 'wieght' (did you mean 'weight'?)"),
    ({"members": [{"seat": SEAT, "tier": "regular", "legal_nam": "Acme", "jurisdiction": "CH"}]},
     f"[[members]] #1 ({SEAT}): unknown setting 'legal_nam' (did you mean 'legal_name'?)"),
    # wrong value types
    ({"governor": {"voting_period": "an hour"}}, "[governor]: voting_period must be a whole number of seconds, "
     "not 'an hour'"),
    ({"governor": {"quorum_percent": 12.5}}, "[governor]: quorum_percent must be a whole number of percent, not 12.5"),
    ({"governor": {"weight_cap_bps": True}}, "[governor]: weight_cap_bps must be a whole number of basis points, "
     "not True"),
    ({"governor": {"voting_delay": -1}}, "[governor]: voting_delay must be a whole number of seconds, not -1"),
    ({"treasury": {"dues_token": 0}}, "[treasury]: dues_token must be a string, not 0"),
    ({"treasury": {"dues_token": "0x12"}}, "[treasury]: dues_token '0x12' is not an address"),
    ({"treasury": {"dues_period": 0}}, "[treasury]: dues_period must be positive"),
    ({"governor": 5}, "[governor]: must be a table of settings, not 5"),
    ({"tiers": {"name": "x"}}, "tiers must be an array of tables ([[tiers]]), not {'name': 'x'}"),
    ({"name": 7}, "name must be a string, not 7"),
    ({"tiers": [{"name": "x", "weight": "1", "can_propose": True, "can_vote": True}]},
     "[[tiers]] #1 ('x'): weight must be a whole number, not '1'"),
    ({"tiers": [{"name": "x", "weight": 1, "can_propose": "yes", "can_vote": True}]},
     "[[tiers]] #1 ('x'): can_propose must be true or false, not 'yes'"),
    ({"tiers": [{"name": "x", "weight": 1, "can_propose": True, "can_vote": True, "dues": [1]}]},
     "[[tiers]] #1 ('x'): dues must be an amount (\"2 ether\", or wei), not [1]"),
    ({"members": [{"seat": SEAT, "tier": 1, **NAMED}]}, f"[[members]] #1 ({SEAT}): tier must be a string, not 1"),
    # missing and inconsistent values
    ({"members": [{"seat": "0x123", "tier": "regular"}]}, "[[members]] #1 (0x123): seat '0x123' is not an address"),
    ({"members": [{"seat": SEAT, "tier": "platinum", **NAMED}]},
     f"[[members]] #1 ({SEAT}): unknown tier 'platinum'; tiers are ['founding', 'regular', 'observer']"),
    ({"members": [{"seat": SEAT, "tier": "regular", "legal_name": "Acme"}]},
     f"[[members]] #1 ({SEAT}): lacks 'jurisdiction' (the member's public identity, committed on-chain)"),
    ({"tiers": [{"name": "x", "weight": 1, "can_propose": True}]}, "[[tiers]] #1 ('x'): lacks 'can_vote'"),
    ({"tiers": [{"name": "x", "weight": 0, "can_propose": True, "can_vote": True}]},
     "[[tiers]] #1 ('x'): a tier votes exactly when its weight is above zero"),
])
def test_bad_configs_are_refused_with_a_clear_message(raw, message):
    with pytest.raises(ConfigError) as info:
        parse(raw, source="c.toml")
    assert str(info.value) == f"c.toml: {message}"


def test_a_typo_in_a_file_names_the_file_section_key_and_suggestion(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[governor]\nvoting_perod = 3600\n")
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value) == f"{path}: [governor]: unknown setting 'voting_perod' (did you mean 'voting_period'?)"


def test_a_founding_member_without_a_uri_gets_its_identity_as_a_data_uri():
    config = parse({"members": [{"seat": SEAT, "tier": "regular", "legal_name": "Zürich Rück AG",
                                 "jurisdiction": "CH"}]})
    (member,) = config.members
    assert member.metadata_uri == identity.metadata_uri("Zürich Rück AG", "CH")
    assert identity.read(member.metadata_uri, member.metadata_hash) == identity.Identity("Zürich Rück AG", "CH", True)
    given = parse({"members": [{"seat": SEAT, "tier": "regular", **NAMED, "metadata_uri": "ipfs://x"}]}).members[0]
    assert given.metadata_uri == "ipfs://x" and given.metadata_hash == metadata_hash("Acme", "CH")


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [unclosed")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(bad)
    bad.write_text("name = " + "[" * 5000 + "]" * 5000)  # tomllib recurses per level: a RecursionError
    with pytest.raises(ConfigError, match=r"bad.toml: not valid TOML: nested too deep$"):
        load(bad)

