
"""Ballot typed data and the compact form, checked against eth-account's own EIP-712 encoding."""

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

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
