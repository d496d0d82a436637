"""The EIP-712 negative suite, on-chain: each way a signed ballot can be wrong, named, sent through
castVoteBatch in both layouts where it has one, and refused with `BallotRejected(InvalidSignature)` while
nothing is counted. The relayer's side of the same cases is in tests/integration/test_relayer.py
(test_the_eip712_negative_cases_are_refused_by_the_relayer)."""

import brownie
import pytest
from brownie import TestWallet, accounts
from eth_account import Account

from tests.contracts.conftest import deploy_suite
from tests.governance import FOR

INVALID_SIGNATURE = 1
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@pytest.fixture
def suite(roster):
    """A suite whose last regular member is a 1-of-1 contract wallet (ERC-1271), an Active proposal, and
    a second one to replay onto."""
    owner = Account.create()
    wallet = TestWallet.deploy(owner.address, {"from": accounts[0]})
    gov = deploy_suite(roster, extra_members=[(wallet.address, "regular")])
    calls = [gov.call(gov.registry, "suspend", 7, "")]
    active = gov.propose(calls, "signed ballots", roster["founding"][0])
    other = gov.propose(calls, "another proposal", roster["founding"][1])
    gov.wait_snapshot(other)
    return gov, active, other, owner, wallet


def high_s(signature: bytes) -> bytes:
    """The malleable twin of a low-s signature: same signer, s' = n - s, v flipped."""
    s = int.from_bytes(signature[32:64], "big")
    return signature[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - signature[64]])


def wrong_chain_id(gov, active, other, key, voter, owner, wallet):
    return gov.member_ballot(key, active.id, FOR, domain={**gov.domain(), "chainId": 1})


def wrong_verifying_contract(gov, active, other, key, voter, owner, wallet):
    return gov.member_ballot(key, active.id, FOR, domain={**gov.domain(), "verifyingContract": gov.registry.address})


def replay_on_another_proposal(gov, active, other, key, voter, owner, wallet):
    ballot = gov.member_ballot(key, other.id, FOR)
    assert gov.cast_batch(other.id, [ballot], accounts[0]).return_value == 1  # counted where it was signed for
    return ballot


def high_s_malleable_signature(gov, active, other, key, voter, owner, wallet):
    v, support, reason, signature = gov.member_ballot(key, active.id, FOR)
    return v, support, reason, high_s(signature)


def signer_is_not_the_voter(gov, active, other, key, voter, owner, wallet):
    return gov.member_ballot(Account.create().key, active.id, FOR, voter=voter)


def erc1271_wallet_that_does_not_vouch(gov, active, other, key, voter, owner, wallet):
    return gov.member_ballot(Account.create().key, active.id, FOR, voter=wallet.address)


def truncated_signature(gov, active, other, key, voter, owner, wallet):
    v, support, reason, signature = gov.member_ballot(key, active.id, FOR)
    return v, support, reason, signature[:63]


def garbage_signature(gov, active, other, key, voter, owner, wallet):
    return voter, FOR, "", bytes(range(65))


CASES = [wrong_chain_id, wrong_verifying_contract, replay_on_another_proposal, high_s_malleable_signature,
         signer_is_not_the_voter, erc1271_wallet_that_does_not_vouch, truncated_signature, garbage_signature]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_a_bad_ballot_is_rejected_as_an_invalid_signature(suite, roster, case):
    gov, active, other, owner, wallet = suite
    member = roster["regular"][0]
    ballot = case(gov, active, other, member.private_key, member.address, owner, wallet)
    tx = gov.cast_batch(active.id, [ballot], accounts[0])
    assert tx.return_value == 0
    assert [(e["voter"], e["reason"]) for e in tx.events["BallotRejected"]] == [(ballot[0], INVALID_SIGNATURE)]
    assert tuple(gov.governor.proposalVotes(active.id)) == (0, 0, 0)
    signature = ballot[3]
    if ballot[2] == "" and len(signature) == 65 and signature[64] in (27, 28) and ballot[0] != wallet.address:
        # the compact layout (EIP-2098) refuses it too
        tx = gov.cast_batch(active.id, [], accounts[0], compact=[gov.compact(ballot)])
        assert [e["reason"] for e in tx.events["BallotRejected"]] == [INVALID_SIGNATURE]


def test_replay_after_a_chain_id_change_is_rejected(suite, roster):
    """A fork that changes the chain id: ballots signed before it are for the old chain's domain."""
    gov, active, _, _, _ = suite
    member = roster["regular"][0]
    ballot = gov.member_ballot(member.private_key, active.id, FOR)
    chain_id = brownie.web3.eth.chain_id
    brownie.web3.provider.make_request("anvil_setChainId", [chain_id + 1])
    try:
        # Calls, not transactions: brownie's local signer keeps the chain id it started with.
        assert brownie.web3.eth.chain_id == chain_id + 1
        assert gov.governor.castVoteBatch.call(active.id, [], [ballot], {"from": accounts[0]}) == 0
        resigned = gov.member_ballot(member.private_key, active.id, FOR)  # for the new chain's domain
        assert gov.governor.castVoteBatch.call(active.id, [], [resigned], {"from": accounts[0]}) == 1
    finally:
        brownie.web3.provider.make_request("anvil_setChainId", [chain_id])


def test_a_valid_erc1271_ballot_is_counted(suite):
    gov, active, _, owner, wallet = suite
    tx = gov.cast_batch(active.id, [gov.member_ballot(owner.key, active.id, FOR, voter=wallet.address)], accounts[0])
    assert tx.return_value == 1
    assert tx.events["VoteCast"]["voter"] == wallet
