"""Attacks on sealed ballots (contracts/governance/SealedBallots.sol): copying another member's commitment,
a relayer swapping in an older signed commitment, front-running and replaying reveals, commitments and
signatures from another proposal, governor or chain, and weight acquired after the snapshot. Each attack
is refused with its named reason, and the honest votes are counted once."""

import pytest
from brownie import TestWallet, accounts, web3
from eth_account import Account

from orchestrator.relay import ballots
from tests.contracts.conftest import deploy_suite
from tests.governance import AGAINST, FOR

INVALID_SIGNATURE, NOT_ELIGIBLE, ALREADY_VOTED = 1, 2, 3
ALREADY_COMMITTED, REVEAL_MISMATCH = 6, 7


def salt(n: int) -> bytes:
    return n.to_bytes(32, "big")


def rejections(tx):
    return [(e["voter"], e["reason"]) for e in tx.events["BallotRejected"]] if "BallotRejected" in tx.events else []


def votes(governor, pid) -> tuple:
    return tuple(int(v) for v in governor.proposalVotes(pid))


@pytest.fixture
def sealed(gov, roster):
    p = gov.propose([gov.ordinary()], "sealed budget #sealed", roster["founding"][0])
    gov.wait_snapshot(p)
    return p


def test_a_copied_commitment_cannot_be_revealed_by_the_copier(gov, governor, roster, sealed):
    """B sees A's commitment in A's VoteCommitted event and commits the same bytes to vote as A does; once
    A reveals, B replays A's vote and salt. The commitment binds A's member id, so B's does not open."""
    a, b = roster["founding"]
    tx = gov.own_commit(sealed.id, a, FOR, salt(7))
    copied = tx.events["VoteCommitted"]["commitment"]
    assert governor.commitVotes(sealed.id, [(b.address, copied, b"")], {"from": b}).return_value == 1
    gov.wait_reveal(sealed)
    gov.reveal(sealed.id, [(a.address, FOR, salt(7))], a)
    tx = gov.reveal(sealed.id, [(b.address, FOR, salt(7))], b)
    assert tx.return_value == 0 and rejections(tx) == [(b.address, REVEAL_MISMATCH)]
    assert votes(governor, sealed.id) == (0, 3, 0)


def test_a_relayer_cannot_swap_in_an_older_signed_commitment(gov, governor, roster, sealed):
    """The member signed a commitment to FOR, changed its mind and committed AGAINST itself. A relayer that
    kept the first signature submits it: one commitment per member, so it is refused and AGAINST counts."""
    r0 = roster["regular"][0]
    older = gov.sealed_commit(r0.private_key, sealed.id, FOR, salt(1))
    gov.own_commit(sealed.id, r0, AGAINST, salt(2))
    tx = governor.commitVotes(sealed.id, [older], {"from": accounts[0]})
    assert tx.return_value == 0 and rejections(tx) == [(r0.address, ALREADY_COMMITTED)]
    gov.wait_reveal(sealed)
    tx = gov.reveal(sealed.id, [(r0.address, FOR, salt(1))], accounts[0])
    assert rejections(tx) == [(r0.address, REVEAL_MISMATCH)]
    assert gov.reveal(sealed.id, [(r0.address, AGAINST, salt(2))], r0).return_value == 1
    assert votes(governor, sealed.id) == (1, 0, 0)


def test_a_front_run_reveal_counts_the_members_own_vote_once(gov, governor, roster, sealed):
    """An observer copies a member's pending reveal and sends it first: it can only count the member's own
    committed vote, as the member's; the member's reveal then finds it voted; a replay does too."""
    r0, outsider = roster["regular"][0], roster["outsider"]
    gov.own_commit(sealed.id, r0, FOR, salt(3))
    gov.wait_reveal(sealed)
    tx = gov.reveal(sealed.id, [(r0.address, FOR, salt(3))], outsider)
    assert [(e["voter"], e["support"]) for e in tx.events["VoteCast"]] == [(r0.address, FOR)]
    for sender in (r0, outsider):
        tx = gov.reveal(sealed.id, [(r0.address, FOR, salt(3))], sender)
        assert tx.return_value == 0 and rejections(tx) == [(r0.address, ALREADY_VOTED)]
    assert votes(governor, sealed.id) == (0, 1, 0)


def test_commitments_and_signatures_from_elsewhere_do_not_open_or_count(gov, governor, roster, sealed):
    """A commitment made for another proposal or another governor does not reveal here; a commitment
    signed in another chain's or contract's domain is refused as an invalid signature."""
    r0, r1, r2 = roster["regular"][:3]
    other = gov.propose([gov.ordinary(2)], "another sealed budget #sealed", roster["founding"][1])
    gov.wait_snapshot(other)
    elsewhere = ballots.commitment(web3.eth.chain_id, gov.registry.address, sealed.id, gov.member_id(r1), FOR, salt(4))
    commits = [
        gov.sealed_commit(r0.private_key, sealed.id, FOR, salt(4),
                          commitment=gov.commitment(other.id, r0, FOR, salt(4))),
        gov.sealed_commit(r1.private_key, sealed.id, FOR, salt(4), commitment=elsewhere),
        gov.sealed_commit(r2.private_key, sealed.id, FOR, salt(4), domain={**gov.domain(), "chainId": 1}),
        gov.sealed_commit(r2.private_key, sealed.id, FOR, salt(4),
                          domain={**gov.domain(), "verifyingContract": gov.registry.address}),
        gov.sealed_commit(r2.private_key, other.id, FOR, salt(4)),  # signed for the other proposal
    ]
    tx = governor.commitVotes(sealed.id, commits, {"from": accounts[0]})
    assert tx.return_value == 2  # r0's and r1's, with commitments that will not open
    assert rejections(tx) == [(r2.address, INVALID_SIGNATURE)] * 3
    gov.wait_reveal(sealed)
    tx = gov.reveal(sealed.id, [(r0.address, FOR, salt(4)), (r1.address, FOR, salt(4))], accounts[0])
    assert tx.return_value == 0 and rejections(tx) == [(r0.address, REVEAL_MISMATCH), (r1.address, REVEAL_MISMATCH)]


def test_weight_acquired_after_the_snapshot_cannot_commit(gov, roster):
    """A heavyweight admitted after a sealed proposal's snapshot (Beanstalk's flash weight) has no weight
    there: its commitment is refused, as its open vote would be."""
    f1, f2 = roster["founding"]
    newcomer = accounts.add()
    accounts[0].transfer(newcomer, "1 ether")
    admit = gov.call(gov.registry, "admit", (newcomer.address, 0, "ipfs://x", b"\x01" * 32))
    admission = gov.queue_passed([admit], "Admit a heavyweight", f1, {f1: FOR, f2: FOR})
    target = gov.propose([gov.ordinary()], "The sealed vote it wants to swing #sealed", f2)
    gov.wait_snapshot(target)
    gov.execute(admission, f1)  # admitted after the target's snapshot
    assert gov.registry.getVotes(newcomer) == 3
    tx = gov.own_commit(target.id, newcomer, FOR, salt(1))
    assert tx.return_value == 0 and rejections(tx) == [(newcomer.address, NOT_ELIGIBLE)]


def test_a_contract_wallet_member_commits_through_a_relayer_with_erc1271(roster):
    owner = Account.create()
    wallet = TestWallet.deploy(owner.address, {"from": accounts[0]})
    gov = deploy_suite(roster, extra_members=[(wallet.address, "regular")])
    p = gov.propose([gov.ordinary()], "sealed #sealed", roster["founding"][0])
    gov.wait_snapshot(p)
    good = gov.sealed_commit(owner.key, p.id, FOR, salt(1), voter=wallet.address)
    forged = gov.sealed_commit(Account.create().key, p.id, FOR, salt(2), voter=wallet.address)
    tx = gov.governor.commitVotes(p.id, [forged, good], {"from": accounts[0]})
    assert tx.return_value == 1 and rejections(tx) == [(wallet.address, INVALID_SIGNATURE)]
    gov.wait_reveal(p)
    assert gov.reveal(p.id, [(wallet.address, FOR, salt(1))], accounts[0]).return_value == 1
