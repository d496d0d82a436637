"""Signed ballots: OZ castVoteBySig (with nonce) and the nonce-free batch entry point, for EOAs and
ERC-1271 wallets, signed with eth-account from the full typed-data JSON, as wallets send it."""

import pytest
from brownie import TestWallet, accounts, web3
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from orchestrator.relay.relayer import ballot_batch_gas
from tests.contracts.conftest import deploy_suite
from tests.governance import ABSTAIN, AGAINST, FOR, reverts

INVALID_SUPPORT, INVALID_SIGNATURE, NOT_ELIGIBLE, ALREADY_VOTED, RECUSED = range(5)


@pytest.fixture
def active(gov, roster):
    p = gov.propose([gov.call(gov.registry, "suspend", 7, "")], "signed", roster["founding"][0])
    gov.wait_snapshot(p)
    return p


def keys(roster):
    return [a.private_key for a in roster["regular"]]


def rejections(tx):
    return [(e["voter"], e["reason"]) for e in tx.events["BallotRejected"]] if "BallotRejected" in tx.events else []


def test_cast_vote_by_sig_with_an_eth_account_signature(gov, roster, active):
    key, voter = keys(roster)[0], roster["regular"][0]
    signature = gov.oz_ballot(key, active.id, FOR)
    tx = gov.governor.castVoteBySig(active.id, FOR, voter, signature, {"from": accounts[0]})
    assert tx.events["VoteCast"]["voter"] == voter
    assert tx.events["VoteCast"]["weight"] == 1
    with reverts("GovernorInvalidSignature"):  # the nonce was used: no replay
        gov.governor.castVoteBySig(active.id, FOR, voter, signature, {"from": accounts[0]})


def test_cast_vote_by_sig_rejects_a_tampered_ballot(gov, roster, active):
    signature = gov.oz_ballot(keys(roster)[0], active.id, FOR)
    with reverts("GovernorInvalidSignature"):
        gov.governor.castVoteBySig(active.id, AGAINST, roster["regular"][0], signature, {"from": accounts[0]})


def test_batch_counts_every_valid_ballot(gov, roster, active):
    ballots = [gov.member_ballot(k, active.id, s, f"reason {i}") for i, (k, s) in
               enumerate(zip(keys(roster), [FOR, FOR, AGAINST, ABSTAIN], strict=True))]
    tx = gov.cast_batch(active.id, ballots, accounts[0])
    assert tx.return_value == 4
    assert [(e["voter"], e["support"], e["weight"], e["reason"]) for e in tx.events["VoteCast"]] == [
        (b[0], b[1], 1, b[2]) for b in ballots]
    assert rejections(tx) == []
    assert tuple(gov.governor.proposalTierVotes(active.id, 1)) == (1, 2, 1)
    assert all(gov.governor.hasVoted(active.id, b[0]) for b in ballots)


def test_batch_digest_matches_an_independent_eip712_implementation(gov, roster, active):
    key = keys(roster)[0]
    voter = Account.from_key(key).address
    typed = {"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                        {"name": "chainId", "type": "uint256"},
                                        {"name": "verifyingContract", "type": "address"}],
                       "MemberBallot": [{"name": "proposalId", "type": "uint256"},
                                        {"name": "support", "type": "uint8"},
                                        {"name": "voter", "type": "address"}, {"name": "reason", "type": "string"}]},
             "primaryType": "MemberBallot", "domain": gov.domain(),
             "message": {"proposalId": active.id, "support": FOR, "voter": voter, "reason": "yes"}}
    message = encode_typed_data(full_message=typed)
    expected = b"\x19" + message.version + message.header + message.body
    digest = keccak(expected)
    signature = Account.from_key(key).unsafe_sign_hash(digest).signature
    tx = gov.cast_batch(active.id, [(voter, FOR, "yes", signature)], accounts[0])
    assert tx.return_value == 1  # the contract computed the same digest


def test_batch_skips_bad_ballots_with_a_reason_and_counts_the_rest(gov, roster, active):
    k = keys(roster)
    r = roster["regular"]
    gov.vote(active, r[3], FOR)  # already voted directly
    gov.governor.recuse(active.id, "conflict", {"from": roster["founding"][1]})
    stranger = Account.create()
    good = gov.member_ballot(k[0], active.id, FOR)
    tampered = (*gov.member_ballot(k[1], active.id, FOR)[:2], "a reason the voter never signed",
                gov.member_ballot(k[1], active.id, FOR)[3])
    ballots = [
        good,
        good,                                                   # duplicate inside the batch
        gov.member_ballot(k[2], active.id, 3),                  # no such support value
        tampered,
        gov.member_ballot(stranger.key, active.id, FOR),        # not a member
        gov.member_ballot(k[3], active.id, AGAINST),            # voted directly already
        (r[2].address, FOR, "", b"\x01\x02\x03"),              # garbage signature bytes
        (r[2].address, FOR, "", b""),                           # empty signature
    ]
    tx = gov.cast_batch(active.id, ballots, accounts[0])
    assert tx.return_value == 1
    assert rejections(tx) == [(r[0], ALREADY_VOTED), (r[2], INVALID_SUPPORT), (r[1], INVALID_SIGNATURE),
                              (stranger.address, NOT_ELIGIBLE), (r[3], ALREADY_VOTED),
                              (r[2], INVALID_SIGNATURE), (r[2], INVALID_SIGNATURE)]
    assert tuple(gov.governor.proposalVotes(active.id)) == (0, 2, 0)


def test_batch_rejects_recused_members(gov, roster):
    p = gov.propose([gov.call(gov.registry, "suspend", 7, "")], "recusal", roster["founding"][0])
    r0 = roster["regular"][0]
    gov.governor.recuse(p.id, "conflict", {"from": r0})
    gov.wait_snapshot(p)
    tx = gov.cast_batch(p.id, [gov.member_ballot(r0.private_key, p.id, FOR)], accounts[0])
    assert rejections(tx) == [(r0, RECUSED)]


def test_replayed_batch_counts_nothing_twice(gov, roster, active):
    ballots = [gov.member_ballot(k, active.id, FOR) for k in keys(roster)]
    gov.cast_batch(active.id, ballots, accounts[0])
    tx = gov.cast_batch(active.id, ballots, accounts[0])
    assert tx.return_value == 0
    assert [reason for _, reason in rejections(tx)] == [ALREADY_VOTED] * 4
    assert tuple(gov.governor.proposalVotes(active.id)) == (0, 4, 0)


def test_ballot_for_another_proposal_wrong_chain_or_contract_is_rejected(gov, roster, active):
    k = keys(roster)[0]
    other = gov.propose([gov.call(gov.registry, "suspend", 7, "")], "another", roster["founding"][0])
    wrong_chain = {**gov.domain(), "chainId": 1}
    wrong_contract = {**gov.domain(), "verifyingContract": gov.registry.address}
    for ballot in [gov.member_ballot(k, other.id, FOR), gov.member_ballot(k, active.id, FOR, domain=wrong_chain),
                   gov.member_ballot(k, active.id, FOR, domain=wrong_contract)]:
        tx = gov.cast_batch(active.id, [ballot], accounts[0])
        assert rejections(tx) == [(roster["regular"][0], INVALID_SIGNATURE)]


def test_high_s_signature_is_rejected(gov, roster, active):
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    voter, support, reason, sig = gov.member_ballot(keys(roster)[0], active.id, FOR)
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    malleable = r + (n - s).to_bytes(32, "big") + bytes([55 - v])  # same signer, the other s
    tx = gov.cast_batch(active.id, [(voter, support, reason, malleable)], accounts[0])
    assert rejections(tx) == [(voter, INVALID_SIGNATURE)]
    assert gov.cast_batch(active.id, [(voter, support, reason, sig)], accounts[0]).return_value == 1


def test_batch_needs_an_active_proposal(gov, roster):
    p = gov.propose([gov.call(gov.registry, "suspend", 7, "")], "pending", roster["founding"][0])
    with reverts("GovernorUnexpectedProposalState"):
        gov.cast_batch(p.id, [gov.member_ballot(keys(roster)[0], p.id, FOR)], accounts[0])


@pytest.fixture
def wallet_vote(roster):
    """A suite whose extra regular member is a 1-of-1 contract wallet, and an Active proposal."""
    owner = Account.create()
    wallet = TestWallet.deploy(owner.address, {"from": accounts[0]})
    suite = deploy_suite(roster, extra_members=[(wallet.address, "regular")])
    p = suite.propose([suite.call(suite.registry, "suspend", 7, "")], "wallet", roster["founding"][0])
    suite.wait_snapshot(p)
    return owner, wallet, suite, p


def test_erc1271_wallet_member_votes_by_signature(wallet_vote):
    owner, wallet, suite, p = wallet_vote
    forged = suite.member_ballot(Account.create().key, p.id, FOR, voter=wallet.address)
    tx = suite.cast_batch(p.id, [forged], accounts[0])
    assert rejections(tx) == [(wallet, INVALID_SIGNATURE)]
    valid = suite.member_ballot(owner.key, p.id, FOR, voter=wallet.address)
    tx = suite.cast_batch(p.id, [valid], accounts[0])
    assert tx.events["VoteCast"]["voter"] == wallet
    assert tx.events["VoteCast"]["weight"] == 1


def test_erc1271_wallet_member_uses_cast_vote_by_sig(wallet_vote):
    owner, wallet, suite, p = wallet_vote
    forged = suite.oz_ballot(Account.create().key, p.id, AGAINST, voter=wallet.address)
    with reverts("GovernorInvalidSignature"):
        suite.governor.castVoteBySig(p.id, AGAINST, wallet.address, forged, {"from": accounts[0]})
    signature = suite.oz_ballot(owner.key, p.id, AGAINST, voter=wallet.address)
    tx = suite.governor.castVoteBySig(p.id, AGAINST, wallet.address, signature, {"from": accounts[0]})
    assert tx.events["VoteCast"]["voter"] == wallet


def is_wallet(suite, seat, timepoint) -> bool:
    """Bit 72 of the registry's VoterWord: the seat is a contract wallet."""
    return (suite.registry.electorAt(seat, timepoint) >> 72) & 1 == 1


def test_a_wallet_seat_is_asked_first_and_an_account_with_code_still_signs_with_its_key(roster):
    """The registry marks a seat that has code when seated; its ballots ask the wallet before recovering.
    The order saves a wallet's ballot the recovery (bench: the ERC-1271 batch) and changes no answer: an
    account that has code (as under EIP-7702) still votes with its own key."""
    owner, coded, delegated = Account.create(), Account.create(), Account.create()
    wallet = TestWallet.deploy(owner.address, {"from": accounts[0]})
    foreign = TestWallet.deploy(Account.create().address, {"from": accounts[0]})
    web3.provider.make_request("anvil_setCode", [coded.address, web3.eth.get_code(foreign.address).hex()])
    # An EIP-7702 delegation (0xef0100 and the delegate's address) is an account's: not marked a wallet.
    web3.provider.make_request("anvil_setCode", [delegated.address, "0xef0100" + foreign.address[2:]])
    suite = deploy_suite(roster, extra_members=[(a, "regular") for a in (wallet.address, coded.address,
                                                                         delegated.address)])
    p = suite.propose([suite.call(suite.registry, "suspend", 7, "")], "wallet first", roster["founding"][0])
    suite.wait_snapshot(p)
    snapshot = suite.governor.proposalSnapshot(p.id)
    seats = (wallet, coded.address, delegated.address, roster["regular"][0])
    assert [is_wallet(suite, seat, snapshot) for seat in seats] == [True, True, False, False]
    ballots = [suite.member_ballot(owner.key, p.id, FOR, voter=wallet.address),
               suite.member_ballot(coded.key, p.id, AGAINST, "my own key")]
    tx = suite.cast_batch(p.id, ballots, accounts[0])
    assert rejections(tx) == []
    assert [(e["voter"], e["support"]) for e in tx.events["VoteCast"]] == [(wallet, FOR), (coded.address, AGAINST)]


def test_a_rotated_seat_is_a_wallet_if_the_new_address_is(roster):
    suite = deploy_suite(roster)
    member, owner = roster["regular"][0], accounts.add()
    accounts[0].transfer(owner, "1 ether")
    wallet = TestWallet.deploy(owner.address, {"from": accounts[0]})
    suite.registry.rotateSeat(wallet, {"from": member})
    p = suite.propose([suite.call(suite.registry, "suspend", 7, "")], "rotated", roster["founding"][0])
    suite.wait_snapshot(p)
    assert is_wallet(suite, wallet, suite.governor.proposalSnapshot(p.id))
    back = Account.create()
    wallet.execute(suite.registry, suite.registry.rotateSeat.encode_input(back.address), {"from": owner})
    assert not is_wallet(suite, back.address, suite.governor.proposalSnapshot(p.id))


def test_compact_ballots_count_like_full_ones(gov, roster, active):
    k = keys(roster)
    supports = [FOR, AGAINST, FOR]
    compact = [gov.compact(gov.member_ballot(key, active.id, s)) for key, s in zip(k[:3], supports, strict=True)]
    full = [gov.member_ballot(k[3], active.id, ABSTAIN, "with a reason")]
    tx = gov.cast_batch(active.id, full, accounts[0], compact=compact)
    assert tx.return_value == 4
    assert [e["voter"] for e in tx.events["VoteCast"]] == [a.address for a in roster["regular"]]
    assert tuple(gov.governor.proposalTierVotes(active.id, 1)) == (1, 2, 1)


def test_every_ballot_of_a_batch_is_read_whole_though_each_reuses_the_last_ones_memory(roster):
    """The batch frees what a ballot allocated for the next (BatchBallots.count): reasons long and short, in both
    layouts, each come out exactly as signed."""
    extra = [Account.create() for _ in range(3)]
    suite = deploy_suite(roster, extra_members=[(a.address, "regular") for a in extra])
    p = suite.propose([suite.call(suite.registry, "suspend", 7, "")], "memory", roster["founding"][0])
    suite.wait_snapshot(p)
    signers = [*keys(roster), *(a.key for a in extra)]
    reasons = ["", "a long reason " * 30, "short", "", "another " * 60]
    full = [suite.member_ballot(key, p.id, i % 3, reason)
            for i, (key, reason) in enumerate(zip(signers[2:], reasons, strict=True))]
    compact = [suite.compact(suite.member_ballot(key, p.id, AGAINST)) for key in signers[:2]]
    tx = suite.cast_batch(p.id, full, accounts[0], compact=compact)
    assert [(e["voter"], e["support"], e["weight"], e["reason"]) for e in tx.events["VoteCast"]] == [
        *[(Account.from_key(key).address, AGAINST, 1, "") for key in signers[:2]],
        *[(b[0], b[1], 1, b[2]) for b in full]]


def test_compact_ballot_with_a_forged_or_high_s_signature_is_rejected(gov, roster, active):
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    word, r, vs = gov.compact(gov.member_ballot(keys(roster)[0], active.id, FOR))
    s = int.from_bytes(vs, "big") & ((1 << 255) - 1)
    forged = (word, r, (int.from_bytes(vs, "big") ^ 1).to_bytes(32, "big"))
    high_s = (word, r, (n - s).to_bytes(32, "big"))
    wrong_support = (word ^ (1 << 160), r, vs)  # signed FOR, claims AGAINST
    tx = gov.cast_batch(active.id, [], accounts[0], compact=[forged, high_s, wrong_support])
    assert [reason for _, reason in rejections(tx)] == [INVALID_SIGNATURE] * 3
    assert gov.cast_batch(active.id, [], accounts[0], compact=[(word, r, vs)]).return_value == 1


def test_the_relayers_unestimated_gas_limit_covers_ballots_that_each_open_a_fresh_word(roster):
    """The relayer sends batches of open ballots without an estimate: their gas limit is ballot_batch_gas.
    Its worst case: the proposal's first batch, each voter the first of its 128-member has-voted word (a
    fresh storage slot each), half of them with a 140-character reason. Ten such ballots fit it with room."""
    voters = [Account.from_key(keccak(text=f"voter {i}")) for i in range(10 * 128)]
    g = deploy_suite(roster, extra_members=[(v.address, "regular") for v in voters])
    p = g.propose([g.call(g.registry, "suspend", 7, "")], "fresh words", roster["founding"][0])
    g.wait_snapshot(p)
    chosen = voters[::128]  # member ids 8, 136, 264, …: ten words
    assert len({g.member_id(v.address) // 128 for v in chosen}) == 10
    compact = [g.compact(g.member_ballot(v.key, p.id, FOR)) for v in chosen[:5]]
    full = [g.member_ballot(v.key, p.id, AGAINST, "r" * 140) for v in chosen[5:]]
    data = bytes.fromhex(g.governor.castVoteBatch.encode_input(p.id, compact, full)[2:])
    bound = ballot_batch_gas(10, data)
    tx = g.governor.castVoteBatch(p.id, compact, full, {"from": accounts[0], "gas_limit": bound})
    assert len(tx.events["VoteCast"]) == 10
    assert tx.gas_used <= 0.7 * bound, (tx.gas_used, bound)


def test_the_relayers_unestimated_gas_limit_covers_a_reason_as_long_as_a_relayed_transaction_allows(gov, roster,
                                                                                                     active):
    """A member may give any reason: the relayer bounds a batch only by the 128 KiB a node relays. A reason of
    60,000 characters is copied, hashed and logged (and memory grows quadratically): the bound still holds it."""
    k = keys(roster)
    compact = [gov.compact(gov.member_ballot(key, active.id, FOR)) for key in k[:3]]
    full = [gov.member_ballot(k[3], active.id, AGAINST, "r" * 60_000)]
    data = bytes.fromhex(gov.governor.castVoteBatch.encode_input(active.id, compact, full)[2:])
    bound = ballot_batch_gas(4, data)
    tx = gov.governor.castVoteBatch(active.id, compact, full, {"from": accounts[0], "gas_limit": bound})
    assert len(tx.events["VoteCast"]) == 4
    assert tx.gas_used <= 0.8 * bound, (tx.gas_used, bound)
