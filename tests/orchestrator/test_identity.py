"""A member's identity on the chain: the data: URI round trip, unicode, a forged name, a foreign URI."""

import hashlib

import pytest

from orchestrator import identity
from orchestrator.identity import Identity, metadata_hash, metadata_uri, read


def test_the_hash_is_sha256_of_name_newline_jurisdiction():
    assert metadata_hash("Acme Ltd", "CH") == hashlib.sha256(b"Acme Ltd\nCH").digest()


def test_a_data_uri_round_trips_and_is_verified():
    uri = metadata_uri("Acme Ltd", "CH")
    assert uri.startswith(identity.DATA_PREFIX)
    assert read(uri, metadata_hash("Acme Ltd", "CH")) == Identity("Acme Ltd", "CH", True)
    assert read(uri, metadata_hash("Acme Ltd", "CH")).label(3) == "Acme Ltd"


@pytest.mark.parametrize("name, jurisdiction", [
    ("Zürich Rück AG", "CH"), ("株式会社テスト", "JP"), ("Ωmega, \"Quoted\" & Co.\n2nd line", "GR/EU"), ("", ""),
    ("100% {json}: [x]", "US-DE"),
])
def test_unicode_and_characters_uris_use_survive(name, jurisdiction):
    uri = metadata_uri(name, jurisdiction)
    assert " " not in uri and "\n" not in uri  # one URI token, whatever the name holds
    assert read(uri, metadata_hash(name, jurisdiction)) == Identity(name, jurisdiction, True)


def test_a_forged_name_is_shown_but_flagged_unverified():
    forged = metadata_uri("Trusted Bank plc", "UK")
    found = read(forged, metadata_hash("Shell Co", "KY"))
    assert found == Identity("Trusted Bank plc", "UK", False)
    assert found.label(7) == "Trusted Bank plc (unverified)"


@pytest.mark.parametrize("uri", ["ipfs://bafy123", "https://example.org/acme.json", "",
                                 "data:application/json,not-json", "data:application/json,%5B%5D",
                                 "data:application/json,%7B%22legal_name%22%3A1%2C%22jurisdiction%22%3A%22CH%22%7D",
                                 "data:text/plain,Acme"])
def test_a_foreign_or_malformed_uri_is_unknown(uri):
    found = read(uri, metadata_hash("Acme", "CH"))
    assert found == Identity(None, None, False)
    assert found.label(4) == "member 4"


@pytest.mark.parametrize("levels", [2_000, 30_000])
def test_a_uri_nested_too_deep_for_the_json_parser_is_unknown_not_an_error(levels):
    """A member may write any metadata URI: 2,000 nested arrays (4 KB) would raise Python's RecursionError."""
    assert read(identity.DATA_PREFIX + "[" * levels + "]" * levels, b"\0" * 32) == Identity(None, None, False)
    assert read(identity.DATA_PREFIX + "%5B" * levels + "%5D" * levels, b"\0" * 32) == Identity(None, None, False)


def test_a_name_that_is_half_a_surrogate_pair_is_unknown_not_an_error():
    """`{"legal_name": "\\ud800"}` parses to a str no encoder takes: hashing it raised UnicodeEncodeError."""
    uri = identity.DATA_PREFIX + '{"legal_name":"\\ud800","jurisdiction":"CH"}'
    assert read(uri, b"\0" * 32) == Identity(None, None, False)
