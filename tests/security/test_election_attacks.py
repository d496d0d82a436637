"""Attacks on elections: votes that are not approval ballots, ballots the ledger must refuse (each with its
BallotRejected reason), proposals that pretend to be an election's ballot, a heavyweight member trying to
block or seat its own slate, contract wallets, and selectors that could be confused with the registry's.
The registry's own rules are in tests/contracts/test_elections.py."""

import json
from pathlib import Path

import brownie
import pytest
from brownie import TestWallet, accounts, web3
from eth_account import Account
from eth_utils import keccak

from orchestrator.operations.deploy import CONTRACTS, OPTIONAL_CONTRACTS
from tests.contracts.conftest import TIER_TABLE, deploy_suite
from tests.governance import ABSTAIN, AGAINST, FOR, STATES, error, mine_at, reverts

INVALID_SUPPORT, INVALID_SIGNATURE, NOT_ELIGIBLE, ALREADY_VOTED, RECUSED = range(5)
INVALID_APPROVALS = 8
PENDING, ACTIVE = STATES.index("Pending"), STATES.index("Active")
FOUNDING, REGULAR = 0, 1
CANCELLED = 5  # IElectionRegistry.Status


def state_bitmap(*states) -> bytes:
    return sum(1 << s for s in states).to_bytes(32, "big")


@pytest.fixture
def election(gov, roster):
    """A 1-of-1 council of f1; an election of one seat with candidates f2, r1, r2 (bits 0, 1, 2); its ballot
    proposed by r4 and Active."""
    f1, f2 = roster["founding"]
    r1, r2, _, r4 = roster["regular"]
    body = gov.elected_body([f1])
    eid = gov.open_election(body)
    return gov.election_ballot(eid, [f2, r1, r2], r4), eid, body


def approvals_of(gov, p, candidates=3):
    return [sum(gov.governor.proposalApprovals(p.id, c, t) for t in range(3)) for c in range(candidates)]


def propose_raw(gov, targets, values, calldatas, description, proposer):
    return gov.governor.propose(targets, values, calldatas, description, {"from": proposer})


# ───────────────────────── votes that are not approval ballots ─────────────────────────

def test_open_votes_on_an_election_ballot_are_refused(gov, roster, election):
    p, _, _ = election
    r1 = roster["regular"][0]
    refused = error("GovernorProposalIsElection", p.id)
    with reverts(refused):
        gov.governor.castVote(p.id, AGAINST, {"from": r1})
    with reverts(refused):
        gov.vote(p, r1, FOR, "for")
    with reverts(refused):
        gov.governor.castVoteBySig(p.id, AGAINST, r1, gov.oz_ballot(r1.private_key, p.id, AGAINST),
                                   {"from": accounts[0]})
    ballot = gov.member_ballot(r1.private_key, p.id, AGAINST)
    with reverts(refused):
        gov.cast_batch(p.id, [ballot], accounts[0])
    with reverts(refused):
        gov.cast_batch(p.id, [], accounts[0], compact=[gov.compact(ballot)])
    assert tuple(gov.governor.proposalVotes(p.id)) == (0, 0, 0)
    assert not gov.governor.hasVoted(p.id, r1)


def test_approval_ballots_on_an_open_or_a_sealed_proposal_are_refused(gov, roster):
    f1, r1 = roster["founding"][0], roster["regular"][0]
    open_ = gov.propose([gov.ordinary(1)], "open", f1)
    sealed = gov.propose([gov.ordinary(2)], "sealed #sealed", f1)
    gov.wait_snapshot(sealed)
    for p in (open_, sealed):
        with reverts(error("GovernorProposalNotElection", p.id)):
            gov.approve(p.id, r1, 1)
        with reverts(error("GovernorProposalNotElection", p.id)):
            gov.governor.castApprovals(p.id, [gov.approval_ballot(r1.private_key, p.id, 1)], {"from": accounts[0]})
    assert tuple(gov.governor.proposalVotes(open_.id)) == (0, 0, 0)


def test_commitments_and_reveals_on_an_election_ballot_are_refused(gov, roster, election):
    p, _, _ = election
    r1 = roster["regular"][0]
    with reverts(error("GovernorProposalNotSealed", p.id)):
        gov.own_commit(p.id, r1, FOR, b"\x01" * 32)
    with reverts(error("GovernorProposalNotSealed", p.id)):
        gov.reveal(p.id, [(r1.address, FOR, b"\x01" * 32)], accounts[0])
    assert gov.governor.castApprovals(p.id, [(r1.address, 1, b"")], {"from": r1}).return_value == 1


def test_approval_ballots_are_counted_only_while_the_ballot_is_active(gov, roster):
    f1, r1 = roster["founding"][0], roster["regular"][0]
    eid = gov.open_election(gov.elected_body([f1]))
    gov.elections.nominate(eid, {"from": r1})
    gov.close_nominations(eid)
    p = gov.propose_ballot(eid, f1)
    with reverts(error("GovernorUnexpectedProposalState", p.id, PENDING, state_bitmap(ACTIVE))):
        gov.approve(p.id, r1, 1)
    gov.wait_snapshot(p)
    gov.approve(p.id, f1, 1)
    gov.wait_deadline(p)
    with reverts(error("GovernorUnexpectedProposalState", p.id, STATES.index("Succeeded"), state_bitmap(ACTIVE))):
        gov.approve(p.id, r1, 1)


# ───────────────────────── proposals pretending to be a ballot ─────────────────────────

def _two_calls(gov, eid, p, proposer):
    return [*p.targets, *p.targets], [0, 0], [*p.calldatas, *p.calldatas], p.description


def _a_value(gov, eid, p, proposer):
    return p.targets, [1], p.calldatas, p.description


def _another_selector(gov, eid, p, proposer):
    return p.targets, [0], [gov.elections.cancel.encode_input(eid)], p.description


def _trailing_bytes(gov, eid, p, proposer):
    return p.targets, [0], [p.calldatas[0] + "00" * 32], p.description


def _a_rival_description(gov, eid, p, proposer):
    return p.targets, [0], p.calldatas, "Seat our slate: approve candidates.#election"


def _a_stale_round(gov, eid, p, proposer):
    return p.targets, [0], p.calldatas, p.description.replace("round 1", "round 0")


def _reserved_for_its_proposer(gov, eid, p, proposer):
    return p.targets, [0], p.calldatas, f"{p.description}#proposer={proposer.address.lower()}"


def _another_election(gov, eid, p, proposer):
    return p.targets, [0], [gov.elections.seat.encode_input(eid + 1)], p.description


RIVALS = [_two_calls, _a_value, _another_selector, _trailing_bytes, _a_rival_description, _a_stale_round,
          _reserved_for_its_proposer, _another_election]


@pytest.mark.parametrize("rival", RIVALS, ids=[r.__name__[1:] for r in RIVALS])
def test_an_election_tagged_proposal_other_than_the_registrys_ballot_is_refused(gov, roster, rival):
    f1, r1, r3 = roster["founding"][0], roster["regular"][0], roster["regular"][2]
    body = gov.elected_body([f1])
    eid = gov.open_election(body)
    gov.open_election(body)  # a second election, balloting too, whose ballot is another proposal
    for e in (eid, eid + 1):
        gov.elections.nominate(e, {"from": r1})
    gov.close_nominations(eid + 1)
    p = gov.ballot_proposal(eid)
    targets, values, calldatas, description = rival(gov, eid, p, r3)
    pid = gov.governor.hashProposal(targets, values, calldatas, keccak(text=description))
    with reverts(error("GovernorInvalidElectionBallot", pid)):
        propose_raw(gov, targets, values, calldatas, description, r3)
    assert gov.governor.proposalSnapshot(pid) == 0
    propose_raw(gov, p.targets, p.values, p.calldatas, p.description, r3)  # the real one still can be made


@pytest.mark.parametrize("target", ["treasury", "outsider", "governor"])
def test_an_election_tagged_proposal_to_something_else_than_a_registry_is_refused(gov, roster, target):
    """The governor asks the target for the election's ballot; a contract without `ballot(uint256)`, or an
    account without code, cannot answer, and the proposal is not made."""
    r3 = roster["regular"][2]
    address = {"treasury": gov.treasury.address, "outsider": roster["outsider"].address,
               "governor": gov.governor.address}[target]
    calldata = gov.elections.seat.encode_input(1)
    description = "Ballot of election 1, round 1: approve any number of candidates.#election"
    pid = gov.governor.hashProposal([address], [0], [calldata], keccak(text=description))
    with brownie.reverts():
        propose_raw(gov, [address], [0], [calldata], description, r3)
    assert gov.governor.proposalSnapshot(pid) == 0


def _fake_registry(gov, shape):
    """A contract (raw bytecode) answering every call with (the id of the proposal `shape(its address)` gives, 3
    candidates): a registry that merely claims a ballot. Deployed by a fresh account, so its address (hence
    that proposal's id) is known before it exists. Returns the proposal and its id."""
    deployer = accounts.add()
    accounts[0].transfer(deployer, "1 ether")
    sender = bytes.fromhex(deployer.address[2:])
    address = web3.to_checksum_address(keccak(b"\xd6\x94" + sender + b"\x80")[12:])  # CREATE at nonce 0
    targets, values, calldatas, description = shape(address)
    pid = gov.governor.hashProposal(targets, values, calldatas, keccak(text=description))
    # PUSH32 id, PUSH1 0, MSTORE, PUSH1 3, PUSH1 32, MSTORE, PUSH1 64, PUSH1 0, RETURN
    runtime = b"\x7f" + pid.to_bytes(32, "big") + bytes.fromhex("600052600360205260406000f3")
    # PUSH1 len, DUP1, PUSH1 11 (where the runtime starts), PUSH1 0, CODECOPY, PUSH1 0, RETURN
    init = bytes([0x60, len(runtime), 0x80, 0x60, 11, 0x60, 0, 0x39, 0x60, 0, 0xF3]) + runtime
    assert deployer.transfer(data=init.hex()).contract_address == address
    return (targets, values, calldatas, description), pid


FAKE_DESCRIPTION = "Ballot of election 1, round 1: approve any number of candidates.#election"


def test_a_contract_claiming_to_be_a_registry_makes_a_ballot_that_can_only_call_itself(gov, roster, election):
    """The governor trusts the target's answer for its own ballot only: the fake's ballot is an election
    (approval ballots only), and passing it only makes the timelock call `seat(1)` on the fake, which carries
    no value and no power. It seats nobody in the real election, which the dashboard and the index tell
    apart by the registry's address (ElectionBallotProposed's `elections`)."""
    real, eid, body = election
    f1, f2 = roster["founding"]
    seat = gov.elections.seat.encode_input(1)
    (targets, values, calldatas, description), pid = _fake_registry(
        gov, lambda fake: ([fake], [0], [seat], FAKE_DESCRIPTION))
    fake = targets[0]
    tx = propose_raw(gov, targets, values, calldatas, description, roster["regular"][2])
    e = tx.events["ElectionBallotProposed"]
    assert (e["proposalId"], e["elections"], e["electionId"], e["candidates"]) == (pid, fake, 1, 3)
    p = type(real)(pid, targets, values, calldatas, description)
    gov.wait_snapshot(p)
    with reverts(error("GovernorProposalIsElection", pid)):
        gov.governor.castVote(pid, AGAINST, {"from": f1})
    gov.approve(pid, f1, 0b111)
    gov.wait_deadline(p)
    gov.queue(p, f1)
    tx = gov.execute(p, f1)
    assert [e.address for e in tx.logs] == [gov.timelock.address, gov.governor.address]  # CallExecuted, Executed
    assert gov.elections.status(eid) == 2 and list(body.members()) == [gov.member_id(f1)]
    assert gov.state(real) == "Defeated" and approvals_of(gov, real) == [0, 0, 0]


def _fake_with_a_value(gov, seat):
    return lambda fake: ([fake], [1], [seat], FAKE_DESCRIPTION)


def _fake_with_a_second_call(gov, seat):
    spend = gov.ordinary(10**18)  # a budget for an outside address
    return lambda fake: ([fake, spend[0]], [0, 0], [seat, spend[2]], FAKE_DESCRIPTION)


def _fake_with_another_function(gov, seat):
    return lambda fake: ([fake], [0], ["0x12345678" + seat[10:]], FAKE_DESCRIPTION)


def _fake_with_trailing_bytes(gov, seat):
    return lambda fake: ([fake], [0], [seat + "00" * 32], FAKE_DESCRIPTION)


FAKE_SHAPES = [_fake_with_a_value, _fake_with_a_second_call, _fake_with_another_function, _fake_with_trailing_bytes]


@pytest.mark.parametrize("shape", FAKE_SHAPES, ids=[f.__name__[1:] for f in FAKE_SHAPES])
def test_a_fake_registry_answering_its_own_proposals_id_cannot_make_it_more_than_one_seat_call(gov, roster, shape):
    """Against a registry that answers whatever id it likes, the governor's own checks of the proposal's shape are
    what keep an `#election` proposal (which nobody can vote against) to one `seat(uint256)` call without value:
    else it could carry the timelock's ether or any other call past the members."""
    (targets, values, calldatas, description), pid = _fake_registry(gov, shape(gov, gov.elections.seat.encode_input(1)))
    with reverts(error("GovernorInvalidElectionBallot", pid)):
        propose_raw(gov, targets, values, calldatas, description, roster["regular"][2])


# ───────────────────────── ballots the ledger refuses ─────────────────────────

def test_each_refused_approval_ballot_is_named_and_counts_nothing(gov, roster, election):
    p, _, _ = election
    f1 = roster["founding"][0]
    r1, r2, r3, r4 = roster["regular"]
    stranger = Account.create()
    ballots = [
        gov.approval_ballot(r1.private_key, p.id, 0b1000),  # bit 3 of 3 candidates
        gov.approval_ballot(r1.private_key, p.id, 1 << 255),
        gov.approval_ballot(stranger.key, p.id, 0b001, voter=r1.address),  # another key
        gov.approval_ballot(r1.private_key, p.id + 1, 0b001),  # signed for another proposal
        (r1.address, 0b011, gov.approval_ballot(r1.private_key, p.id, 0b001)[2]),  # signed for other approvals
        gov.approval_ballot(r1.private_key, p.id, 0b001, domain={**gov.domain(), "chainId": 1}),
        gov.approval_ballot(r1.private_key, p.id, 0b001,
                            domain={**gov.domain(), "verifyingContract": gov.registry.address}),
        gov.approval_ballot(r1.private_key, p.id, 0b001, domain={**gov.domain(), "name": "Another Consortium"}),
        (r1.address, 0b001, gov.member_ballot(r1.private_key, p.id, FOR)[3]),  # an open ballot's signature
        (r1.address, 0b001, b""),  # an own ballot sent by somebody else
        gov.approval_ballot(stranger.key, p.id, 0b001),  # no seat
        gov.approval_ballot(r2.private_key, p.id, 0b010),  # counted
        gov.approval_ballot(r2.private_key, p.id, 0b100),  # twice in one batch
    ]
    tx = gov.governor.castApprovals(p.id, ballots, {"from": accounts[0]})
    assert tx.return_value == 1
    assert gov.rejections(tx) == [(r1.address, INVALID_APPROVALS)] * 2 + [(r1.address, INVALID_SIGNATURE)] * 8 + [
        (stranger.address, NOT_ELIGIBLE), (r2.address, ALREADY_VOTED)]
    assert approvals_of(gov, p) == [0, 1, 0]

    observer = roster["observer"][0]  # a member without weight
    tx = gov.approve(p.id, observer, 0b001)
    assert tx.return_value == 0 and gov.rejections(tx) == [(observer.address, NOT_ELIGIBLE)]
    tx = gov.approve(p.id, r2, 0b001)  # again, from its seat
    assert gov.rejections(tx) == [(r2.address, ALREADY_VOTED)]
    gov.approve(p.id, r1, 0b001)  # r1's refused ballots did not use its vote
    tx = gov.governor.castApprovals(p.id, [gov.approval_ballot(r1.private_key, p.id, 0b100)], {"from": accounts[0]})
    assert gov.rejections(tx) == [(r1.address, ALREADY_VOTED)]
    gov.governor.recuse(p.id, "the candidates are my partners", {"from": r3})
    tx = gov.approve(p.id, r3, 0b001)
    assert gov.rejections(tx) == [(r3.address, RECUSED)]
    # a member's new seat cannot vote again
    gov.approve(p.id, r4, 0b100)
    new_seat = accounts.add()
    accounts[0].transfer(new_seat, "1 ether")
    gov.registry.rotateSeat(new_seat, {"from": r4})
    tx = gov.governor.castApprovals(p.id, [(new_seat.address, 0b001, b"")], {"from": new_seat})
    assert tx.return_value == 0 and gov.rejections(tx) == [(new_seat.address, ALREADY_VOTED)]
    assert approvals_of(gov, p) == [1, 1, 1]
    assert tuple(gov.governor.proposalVotes(p.id)) == (0, 3, 0)
    assert not gov.governor.hasVoted(p.id, f1)


def test_a_member_admitted_after_the_snapshot_cannot_approve(gov, roster, election):
    """Beanstalk's flash weight: an admission decided after the ballot's snapshot has no weight there."""
    p, _, _ = election
    newcomer = accounts.add()
    accounts[0].transfer(newcomer, "1 ether")
    gov.registry.admit((newcomer.address, 0, "ipfs://x", b"\x01" * 32), {"from": gov.as_governance()})
    assert gov.registry.getVotes(newcomer) == 3
    tx = gov.approve(p.id, newcomer, 0b001)
    assert tx.return_value == 0 and gov.rejections(tx) == [(newcomer.address, NOT_ELIGIBLE)]
    tx = gov.governor.castApprovals(p.id, [gov.approval_ballot(newcomer.private_key, p.id, 0b001)],
                                    {"from": accounts[0]})
    assert gov.rejections(tx) == [(newcomer.address, NOT_ELIGIBLE)]
    assert approvals_of(gov, p) == [0, 0, 0]


@pytest.fixture(scope="module")
def strict(roster):
    return deploy_suite(roster, quorum_percent=30)  # 3 of 10


def test_an_empty_approval_ballot_abstains_toward_quorum_and_approves_nobody(gov, roster, election):
    p, _, _ = election
    r1 = roster["regular"][0]
    tx = gov.approve(p.id, r1, 0)
    e = tx.events["VoteCastWithParams"]
    assert (e["voter"], e["support"], e["weight"], e["reason"]) == (r1.address, ABSTAIN, 1, "")
    assert e["params"] == "0x" + "00" * 32
    assert tuple(gov.governor.proposalVotes(p.id)) == (0, 0, 1)
    assert approvals_of(gov, p) == [0, 0, 0]
    gov.wait_deadline(p)
    assert gov.state(p) == "Defeated"  # quorum reached (1 of 10), but nobody approved anybody


def test_abstentions_complete_the_quorum_of_an_approving_minority(strict, roster):
    gov = strict
    f1, r1, r2, r3 = roster["founding"][0], *roster["regular"][:3]
    eid = gov.open_election(gov.elected_body([f1]))
    p = gov.election_ballot(eid, [r1, r2], f1)
    gov.approve(p.id, r1, 0b10)
    gov.approve(p.id, r2, 0)
    gov.approve(p.id, r3, 0)  # 1 for and 2 abstentions: the 3 needed
    gov.wait_deadline(p)
    gov.queue(p, f1)
    tx = gov.execute(p, f1)
    assert [(e["memberId"], e["approvals"]) for e in tx.events["CandidateElected"]] == [(gov.member_id(r2), 1)]


def test_a_counted_approval_ballot_carries_its_bitmap(gov, roster, election):
    p, _, _ = election
    r1 = roster["regular"][0]
    tx = gov.governor.castApprovals(p.id, [gov.approval_ballot(r1.private_key, p.id, 0b101)], {"from": accounts[0]})
    e = tx.events["VoteCastWithParams"]
    assert (e["voter"], e["proposalId"], e["support"], e["weight"]) == (r1.address, p.id, FOR, 1)
    assert e["params"] == "0x" + (5).to_bytes(32, "big").hex()


def test_a_ballot_without_quorum_is_defeated_and_the_next_round_elects(strict, roster):
    gov = strict
    f1, r1, r2 = roster["founding"][0], *roster["regular"][:2]
    eid = gov.open_election(gov.elected_body([f1]))
    first = gov.election_ballot(eid, [r1, r2], r1)
    gov.approve(first.id, r1, 0b01)  # 1 of the 3 needed
    old = gov.approval_ballot(r2.private_key, first.id, 0b10)
    gov.wait_deadline(first)
    assert gov.state(first) == "Defeated"
    with reverts("GovernorUnexpectedProposalState"):
        gov.approve(first.id, f1, 0b01)
    gov.elections.nextRound(eid, {"from": roster["outsider"]})
    second = gov.propose_ballot(eid, r1)
    gov.wait_snapshot(second)
    tx = gov.governor.castApprovals(second.id, [old], {"from": accounts[0]})  # the first round's signature
    assert gov.rejections(tx) == [(r2.address, INVALID_SIGNATURE)]
    gov.approve(second.id, f1, 0b10)
    gov.wait_deadline(second)
    gov.queue(second, f1)
    tx = gov.execute(second, f1)
    assert [(e["memberId"], e["approvals"]) for e in tx.events["CandidateElected"]] == [(gov.member_id(r2), 3)]


# ───────────────────────── a heavyweight member ─────────────────────────

@pytest.fixture(scope="module")
def heavy(roster):
    """A member of weight 4 of 14 (29%) under a 40% quorum (5): it cannot reach quorum alone."""
    member = accounts.add()
    accounts[0].transfer(member, "1 ether")
    tiers = [*TIER_TABLE, {"name": "anchor", "weight": 4, "can_propose": True, "can_vote": True}]
    return deploy_suite(roster, extra_members=[(member.address, "anchor")], tiers=tiers, quorum_percent=40), member


def test_a_heavyweight_member_can_neither_vote_against_nor_block_nor_cancel(heavy, roster):
    gov, h = heavy
    f1, f2 = roster["founding"]
    r1 = roster["regular"][0]
    eid = gov.open_election(gov.elected_body([f1]))
    for candidate in (h, r1):
        gov.elections.nominate(eid, {"from": candidate})
    gov.close_nominations(eid)
    p = gov.propose_ballot(eid, f1)
    with reverts(error("GovernorUnableToCancel", p.id, h)):  # Pending, made by another member
        gov.governor.cancel(p.targets, p.values, p.calldatas, p.description_hash, {"from": h})
    gov.wait_snapshot(p)
    with reverts(error("GovernorProposalIsElection", p.id)):
        gov.vote(p, h, AGAINST)
    gov.approve(p.id, h, 0b01)
    gov.approve(p.id, f1, 0b10)
    gov.approve(p.id, f2, 0b10)
    gov.wait_deadline(p)
    gov.queue(p, f1)
    tx = gov.execute(p, f1)
    assert [(e["memberId"], e["approvals"]) for e in tx.events["CandidateElected"]] == [(gov.member_id(r1), 6)]


def test_a_heavyweight_member_cannot_seat_its_slate_alone_nor_make_a_rival_ballot(heavy, roster):
    gov, h = heavy
    f1 = roster["founding"][0]
    body = gov.elected_body([f1])
    eid = gov.open_election(body)
    p = gov.election_ballot(eid, [h], h)
    rival = gov.ballot_proposal(eid)
    description = "Our slate.#election"
    pid = gov.governor.hashProposal(rival.targets, [0], rival.calldatas, keccak(text=description))
    with reverts(error("GovernorInvalidElectionBallot", pid)):
        propose_raw(gov, rival.targets, [0], rival.calldatas, description, h)
    direct = gov.propose([gov.call(gov.elections, "seat", eid)], "Seat me", h)
    gov.wait_snapshot(direct)
    with reverts(error("GovernorProposalIsElection", p.id)):
        gov.vote(p, h, FOR)
    gov.approve(p.id, h, 1)
    gov.vote(direct, h, FOR)
    gov.wait_deadline(direct)
    assert (gov.state(p), gov.state(direct)) == ("Defeated", "Defeated")  # 4 of the 5 needed
    assert list(body.members()) == [gov.member_id(f1)]


# ───────────────────────── contract wallets ─────────────────────────

def test_a_contract_wallet_member_approves_through_a_relayer_with_erc1271(roster):
    owner = Account.create()
    wallet = TestWallet.deploy(owner.address, {"from": accounts[0]})
    gov = deploy_suite(roster, extra_members=[(wallet.address, "regular")])
    f1, r1 = roster["founding"][0], roster["regular"][0]
    eid = gov.open_election(gov.elected_body([f1]))
    p = gov.election_ballot(eid, [r1], f1)
    forged = gov.approval_ballot(Account.create().key, p.id, 1, voter=wallet.address)
    good = gov.approval_ballot(owner.key, p.id, 1, voter=wallet.address)
    tx = gov.governor.castApprovals(p.id, [forged, good, good], {"from": accounts[0]})
    assert tx.return_value == 1
    assert gov.rejections(tx) == [(wallet.address, INVALID_SIGNATURE), (wallet.address, ALREADY_VOTED)]
    assert tx.events["VoteCastWithParams"]["voter"] == wallet.address
    assert approvals_of(gov, p, 1) == [1]


# ───────────────────────── selectors ─────────────────────────

def test_only_the_election_registry_answers_the_ballot_and_seat_selectors():
    """The timelock executes `seat(uint256)` on whatever an `#election` proposal targets, once the target has
    answered `ballot(uint256)`: no other contract of the suite may have either selector (or a fallback that
    answers anything), so no ballot can reach another contract's function."""
    wanted = {keccak(text=s)[:4].hex(): s for s in ("seat(uint256)", "ballot(uint256)")}
    names = [*CONTRACTS, *OPTIONAL_CONTRACTS, "Body"]
    holders = {}
    for name in names:
        abi = json.loads(Path(f"build/contracts/{name}.json").read_text())["abi"]
        assert not [e for e in abi if e["type"] == "fallback"], name
        for entry in abi:
            if entry["type"] == "function":
                signature = f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"
                selector = keccak(text=signature)[:4].hex()
                if selector in wanted:
                    holders.setdefault(wanted[selector], []).append((name, signature))
    assert holders == {"seat(uint256)": [("ElectionRegistry", "seat(uint256)")],
                       "ballot(uint256)": [("ElectionRegistry", "ballot(uint256)")]}


# ───────────────────────── the red team's findings, each now refused ─────────────────────────

def _cancel(gov, p, sender):
    return gov.governor.cancel(p.targets, p.values, p.calldatas, p.description_hash, {"from": sender})


def test_nobody_cancels_an_election_ballot_not_even_its_proposer(roster):
    """OZ lets a proposer cancel its proposal while Pending. A griefer who made the ballot first could cancel it,
    start the next round and make that ballot too, for ever (its open-proposal slots free at each deadline): the
    governor refuses every cancellation of an election's ballot, and the ballot goes to the vote."""
    gov = deploy_suite(roster, voting_delay=3600, voting_period=3600)
    f1 = roster["founding"][0]
    griefer, candidate = roster["regular"][0], roster["regular"][1]
    eid = gov.open_election(gov.elected_body([f1]))
    gov.elections.nominate(eid, {"from": candidate})
    gov.close_nominations(eid)
    p = gov.propose_ballot(eid, griefer)
    mine_at(gov.governor.proposalSnapshot(p.id) - 5)  # the last moments of Pending
    with reverts(error("GovernorUnableToCancel", p.id, griefer.address)):
        _cancel(gov, p, griefer)
    with reverts(error("ElectionBallotStillLive", eid, p.id)):
        gov.elections.nextRound(eid, {"from": griefer})
    gov.wait_snapshot(p)
    assert gov.approve(p.id, f1, 1).return_value == 1
    # an ordinary proposal's proposer still cancels it while Pending
    q = gov.propose([gov.ordinary()], "an ordinary budget", griefer)
    _cancel(gov, q, griefer)
    assert STATES[gov.governor.state(q.id)] == "Canceled"


def test_a_candidate_takes_a_reserved_seat_by_its_tier_when_seated(gov, roster):
    """A seat is reserved for a regular member; a candidate who nominated as regular and was then made founding
    does not take it: the regular candidate does (the registry reads each candidate's tier when it seats)."""
    f1, f2 = roster["founding"]
    r1, r2 = roster["regular"][:2]
    body = gov.elected_body([f1])
    eid = gov.open_election(body, seats=1, reserved=[(REGULAR, 1)])
    for candidate in (r1, r2):
        gov.elections.nominate(eid, {"from": candidate})
    gov.registry.changeTier(gov.member_id(r1), FOUNDING, {"from": gov.as_governance()})
    assert gov.elections.candidates(eid)[0][1] == REGULAR  # the list says the tier it nominated with
    gov.close_nominations(eid)
    p = gov.propose_ballot(eid, f1)
    gov.wait_snapshot(p)
    for voter, bits in ((f1, 0b01), (f2, 0b01), (r2, 0b10)):
        gov.approve(p.id, voter, bits)
    gov.wait_deadline(p)
    gov.queue(p, f1)
    tx = gov.execute(p, f1)
    assert [(e["memberId"], e["approvals"], e["reservedSeat"]) for e in tx.events["CandidateElected"]] == [
        (gov.member_id(r2), 1, True)]
    assert sorted(body.members()) == sorted([gov.member_id(f1), gov.member_id(r2)])


def test_a_body_dissolved_before_seating_ends_its_election_and_the_ballot_executes(gov, roster):
    """The body is dissolved while its ballot is voted on: executing the ballot cancels the election (nobody can
    sit on a dissolved body) instead of reverting for ever and leaving the election stuck."""
    f1, f2 = roster["founding"]
    r1 = roster["regular"][0]
    body = gov.elected_body([f1])
    eid = gov.open_election(body)
    gov.elections.nominate(eid, {"from": r1})
    gov.close_nominations(eid)
    p = gov.propose_ballot(eid, f1)
    gov.wait_snapshot(p)
    gov.approve(p.id, f1, 1)
    gov.approve(p.id, f2, 1)
    body.dissolve({"from": gov.as_governance()})
    gov.wait_deadline(p)
    gov.queue(p, f1)
    tx = gov.execute(p, f1)
    assert tx.events["ElectionCancelled"]["electionId"] == eid and "CandidateElected" not in tx.events
    assert STATES[gov.governor.state(p.id)] == "Executed"
    assert gov.elections.status(eid) == CANCELLED


def test_rounds_end_with_a_named_error_after_255(roster):
    """Every round's ballot defeated (nobody votes): after round 255 the registry refuses another by name
    (ElectionTooManyRounds) rather than overflowing; governance then cancels the election."""
    gov = deploy_suite(roster)
    proposers = [*roster["founding"], *roster["regular"]]
    f1, r1 = roster["founding"][0], roster["regular"][0]
    eid = gov.open_election(gov.elected_body([f1]))
    gov.elections.nominate(eid, {"from": r1})
    gov.close_nominations(eid)
    for round_ in range(1, 256):
        p = gov.propose_ballot(eid, proposers[round_ % len(proposers)])
        gov.wait_deadline(p)
        assert STATES[gov.governor.state(p.id)] == "Defeated"
        if round_ < 255:
            gov.elections.nextRound(eid, {"from": r1})
    assert gov.elections.election(eid)[2] == 255
    with reverts(error("ElectionTooManyRounds", eid, 255)):
        gov.elections.nextRound(eid, {"from": r1})
    gov.elections.cancel(eid, {"from": gov.as_governance()})
    assert gov.elections.status(eid) == CANCELLED
