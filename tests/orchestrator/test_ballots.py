
"""Ballot typed data and the compact form, checked against eth-account's own EIP-712 encoding."""

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.relay import ballot_file, ballots

GOVERNOR = "0x" + "11" * 20


def test_member_ballot_is_what_a_wallet_signs():
    account = Account.create()
    domain = ballots.domain("C", 31337, GOVERNOR)
    typed = ballots.member_ballot(domain, 7, 1, account.address, "yes")
    assert typed["primaryType"] == "MemberBallot"
    assert [f["name"] for f in typed["types"]["MemberBallot"]] == ["proposalId", "support", "voter", "reason"]
    signature = ballots.sign(typed, account.key)
    recovered = Account.recover_message(encode_typed_data(full_message=typed), signature=signature)
    assert recovered == account.address


@settings(max_examples=200, deadline=None)
@given(chain_id=st.integers(1, 2**64), governor=st.binary(min_size=20, max_size=20),
       proposal_id=st.integers(0, 2**256 - 1), support=st.integers(0, 255), voter=st.binary(min_size=20, max_size=20),
       reason=st.text(max_size=60), name=st.text(max_size=12))
def test_the_relayers_digest_is_eip712s(chain_id, governor, proposal_id, support, voter, reason, name):
    """BallotDigest (the relayer's fast path) against eth-account's typed-data encoding of the same ballot."""
    domain = ballots.domain(name, chain_id, to_checksum_address(governor))
    voter = to_checksum_address(voter)
    expected = ballots.digest(ballots.member_ballot(domain, proposal_id, support, voter, reason))
    assert ballots.BallotDigest(domain)(proposal_id, support, voter, reason) == expected


def test_signing_a_ballots_digest_gives_the_wallets_signature():
    account = Account.create()
    domain = ballots.domain("C", 31337, GOVERNOR)
    typed = ballots.member_ballot(domain, 2**255 + 7, 2, account.address, "")
    digest = ballots.BallotDigest(domain)(2**255 + 7, 2, account.address, "")
    assert ballots.sign_digest(digest, account.key) == ballots.sign(typed, account.key)


def test_recover_names_the_signer_or_none():
    account = Account.create()
    typed = ballots.member_ballot(ballots.domain("C", 1, GOVERNOR), 1, 2, account.address)
    signature = ballots.sign(typed, account.key)
    assert ballots.recover(ballots.digest(typed), signature) == account.address
    assert ballots.recover(ballots.digest(typed), bytes(64) + b"\x1b") is None


def test_compact_form_is_eip2098():
    account = Account.create()
    typed = ballots.member_ballot(ballots.domain("C", 1, GOVERNOR), 1, 2, account.address)
    signature = ballots.sign(typed, account.key)
    word, r, vs = ballots.compact(account.address, 2, signature)
    assert word & ((1 << 160) - 1) == int(account.address, 16)
    assert word >> 160 == 2
    assert r == signature[:32]
    assert int.from_bytes(vs, "big") >> 255 == signature[64] - 27
    assert int.from_bytes(vs, "big") & ((1 << 255) - 1) == int.from_bytes(signature[32:64], "big")


def test_a_ballot_file_without_a_field_names_it_in_words():
    """Once `malformed ballot: KeyError 'signature'`: a missing field is named as missing."""
    ballot = {"format": ballot_file.FORMAT, "chain_id": 1, "governor": "0x" + "11" * 20, "proposal_id": 1,
              "voter": "0x" + "22" * 20, "support": 1, "reason": ""}
    with pytest.raises(ValueError) as refused:
        ballot_file.parse(ballot)
    assert str(refused.value) == "malformed ballot: signature is missing"
    with pytest.raises(ValueError) as refused:
        ballot_file.parse({k: v for k, v in ballot.items() if k != "voter"} | {"signature": "0x00"})
    assert str(refused.value) == "malformed ballot: voter is missing"
