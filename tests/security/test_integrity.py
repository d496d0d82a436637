"""Governance integrity: each attack a hostile founding member, an outvoted majority, a malicious wallet
or an outsider found against the deployed defaults, as a named test that passes because the attack
fails, with the error it gets. Numbered after the governance-integrity issue's scenarios."""

import pytest
from brownie import Body, TestFeeToken, TestHollowToken, TestHostileWallet, TestToken, accounts, web3
from brownie.exceptions import VirtualMachineError
from eth_account import Account

from tests.contracts.conftest import deploy_suite
from tests.governance import AGAINST, FOR, MEMBER_CASE, error, reverts, selector, sleep

ETH = "0x" + "00" * 20
HASH = b"\x21" * 32
FOUNDING, REGULAR = 0, 1
INVALID_SIGNATURE = 1
HONEST, BURN_WHEN_A_CONTRACT_ASKS = 0, 1  # TestHostileWallet.Mode


def member_ids(gov, accounts_):
    return [gov.member_id(a) for a in accounts_]


def voting_members(roster):
    return [*roster["founding"], *roster["regular"]]


def vote_all(gov, p, votes: dict):
    gov.wait_snapshot(p)
    for voter, support in votes.items():
        gov.vote(p, voter, support)
    gov.wait_deadline(p)


# ───── 1. Recusal used as a weapon ─────


def test_1_a_proposal_expelling_every_other_member_is_refused_as_a_bundled_case(gov, roster):
    """Before: every member named in an 'about a member' call was recused from the whole proposal, so a
    founder (30%) expelling everyone else voted alone and won."""
    f1 = roster["founding"][0]
    others = member_ids(gov, [m for m in voting_members(roster) if m != f1])
    calls = [gov.call(gov.registry, "expel", m, "hostile takeover") for m in others]
    with reverts(error("GovernorMemberCaseBundled", others[0], 1)):
        gov.propose(calls, "Expel everyone else", f1)


def test_1_no_op_tier_changes_cannot_silence_a_tier_on_a_constitutional_change(gov, roster):
    regulars = member_ids(gov, roster["regular"])
    calls = [gov.call(gov.registry, "changeTier", m, REGULAR) for m in regulars]
    calls.append(gov.call(gov.registry, "setTier", FOUNDING, "founding", 30, True, True))
    with reverts("GovernorMemberCaseBundled"):
        gov.propose(calls, "Triple the founding weight without the regular tier", roster["founding"][0])


def test_1_suspend_and_reinstate_pairs_cannot_carry_a_spend(gov, roster):
    f1, f2 = roster["founding"]
    calls = []
    for m in member_ids(gov, [f2, *roster["regular"]]):
        calls += [gov.call(gov.registry, "suspend", m, "pro forma"), gov.call(gov.registry, "reinstate", m)]
    calls.append(gov.call(gov.treasury, "spend", ETH, f1, 10**18, "to the proposer"))
    with reverts("GovernorMemberCaseBundled"):
        gov.propose(calls, "Pay me while nobody else can vote", f1)


def test_1_a_case_recuses_its_member_from_that_case_and_from_nothing_else(gov, roster):
    subject = roster["regular"][3]
    sid = gov.member_id(subject)
    case = gov.propose([gov.call(gov.registry, "suspend", sid, "x"), gov.call(gov.conduct, "censure", sid, "x", 0)],
                       "Suspend and censure one member", roster["founding"][0])
    other = gov.propose([gov.ordinary()], "Meanwhile, a budget", roster["founding"][0])
    assert tuple(gov.governor.proposalKind(case.id)) == (MEMBER_CASE, sid)
    for m in range(1, gov.registry.memberCount() + 1):
        assert gov.governor.memberMarks(case.id, m) == (False, m == sid)
        assert gov.governor.memberMarks(other.id, m) == (False, False)
    gov.wait_snapshot(other)
    assert gov.vote(other, subject, AGAINST).events["VoteCast"]["weight"] == 1


def test_1_a_bloc_below_half_the_weight_cannot_sanction_the_member_it_recuses(gov, roster):
    """A 40% bloc suspends a 30% founder: the founder is recused, the others stay home. The bloc wins
    every relative test (4 to 0, quorum 30%), so before a member's case needed more than half of all
    weight, it removed the founder; at exactly half it still fails; above half it passes."""
    f1, f2 = roster["founding"]
    r1, r2, r3, _ = roster["regular"]
    target = gov.member_id(f2)
    for description, voters, outcome in [("40% of the weight", (f1, r1), "Defeated"),
                                         ("exactly half", (f1, r1, r2), "Defeated"),
                                         ("more than half", (f1, r1, r2, r3), "Succeeded")]:
        p = gov.propose([gov.call(gov.registry, "suspend", target, description)], description, f1)
        vote_all(gov, p, {v: FOR for v in voters})
        assert gov.state(p) == outcome, description


def test_1_a_bloc_below_half_cannot_first_weaken_the_rules_while_the_others_stay_home(gov, roster):
    """The red team's two steps: a 40% bloc makes suspension an ordinary call (a constitutional vote the
    founders do not attend: 4 for, 0 against, quorum 30%), then suspends a founder by an ordinary vote.
    A constitutional change, too, needs more than half of all weight: step one fails."""
    f1, _ = roster["founding"]
    r = gov.registry
    p = gov.propose([gov.call(gov.governor, "setCallRule", r.address, r.suspend.signature, False, False)],
                    "Suspension is an ordinary matter", roster["regular"][0])
    vote_all(gov, p, {v: FOR for v in roster["regular"]})
    assert tuple(gov.governor.proposalVotes(p.id)) == (0, 4, 0)
    assert gov.state(p) == "Defeated"
    assert gov.governor.classify([r.address], [r.suspend.encode_input(gov.member_id(f1), "x")])[0] == MEMBER_CASE


# ───── 2. The code-hash pin cannot be skipped ─────


def timelock_operation(gov, p):
    salt = (int.from_bytes(bytes.fromhex(gov.governor.address[2:]).ljust(32, b"\x00"), "big")
            ^ int.from_bytes(p.description_hash, "big")).to_bytes(32, "big")
    return p.targets, p.values, p.calldatas, b"\x00" * 32, salt


def test_2_nobody_runs_a_queued_proposal_on_the_timelock_directly(gov, roster):
    p = gov.queued_by_founders(roster, [gov.ordinary(7)], "A queued budget")
    assert gov.timelock.isOperationReady(gov.timelock.hashOperationBatch(*timelock_operation(gov, p)))
    for caller in (accounts[9], roster["founding"][0]):
        with reverts("AccessControlUnauthorizedAccount"):
            gov.timelock.executeBatch(*timelock_operation(gov, p), {"from": caller})
    tx = gov.execute_now(p, accounts[9])  # through the governor, anyone may
    assert tx.events["ProposalExecuted"]["proposalId"] == p.id
    assert gov.state(p) == "Executed"


def test_2_a_contract_deployed_at_an_empty_target_after_the_vote_is_not_run(gov, roster):
    empty = Account.create().address  # a CREATE2 address, say, whose code appears after the vote
    p = gov.queued_by_founders(roster, [(empty, 0, TestToken.signatures["mint"] + "00" * 64)], "Call an empty address")
    code = web3.eth.get_code(TestToken.deploy({"from": accounts[0]}).address).hex()
    web3.provider.make_request("anvil_setCode", [empty, code])
    with reverts(error("GovernorTargetCodeChanged", p.id)):
        gov.execute_now(p, roster["founding"][0])
    with reverts("AccessControlUnauthorizedAccount"):
        gov.timelock.executeBatch(*timelock_operation(gov, p), {"from": accounts[9]})


def test_2_a_wei_sent_to_a_fresh_target_does_not_block_its_proposal(gov, roster):
    """An account without code pins as zero whether or not it exists: before, 1 wei sent by anyone to a
    fresh payee changed its EXTCODEHASH (0 to keccak256("")) and the passed payment could never run."""
    payee = Account.create().address
    accounts[0].transfer(gov.timelock, 10**18)
    p = gov.queued_by_founders(roster, [(payee, 10**17, b"")], "Pay a fresh payee from the timelock")
    accounts[9].transfer(payee, 1)
    gov.execute_now(p, accounts[9])
    assert web3.eth.get_balance(payee) == 10**17 + 1


# ───── 3. A tier's voters cannot be removed by votes that tier lost ─────


def test_3_a_majority_cannot_suspend_another_tiers_members_against_that_tier(gov, roster):
    """The founders hold 60%. Before, suspension was ordinary: they could empty the regular tier one
    member at a time, each case recusing only its subject, and then pass constitutional changes the
    empty tier could not oppose. Now every suspension is a member's case: concurrent majorities."""
    f1, f2 = roster["founding"]
    r1, r2, r3, r4 = roster["regular"]
    p = gov.propose([gov.call(gov.registry, "suspend", gov.member_id(r1), "inconvenient")], "Suspend r1", f1)
    vote_all(gov, p, {f1: FOR, f2: FOR, r2: AGAINST, r3: AGAINST, r4: AGAINST})
    assert tuple(gov.governor.proposalVotes(p.id)) == (3, 6, 0)  # 6 of 9 is two thirds, and 6 of 10 a majority
    assert gov.state(p) == "Defeated"  # but the regular tier said no
    assert gov.registry.getVotes(r1) == 1


# ───── 4. One wallet cannot sink a batch ─────


@pytest.fixture(scope="module")
def crowd(roster):
    """60 regular members with local keys, and one member seated at a hostile contract wallet that burns
    every unit of gas it is given when a contract (a batch) asks it to check a signature."""
    keys = [Account.create() for _ in range(60)]
    owner = Account.create()
    burner = TestHostileWallet.deploy(owner.address, 0, BURN_WHEN_A_CONTRACT_ASKS, {"from": accounts[0]})
    heavy = TestHostileWallet.deploy(owner.address, 150_000, HONEST, {"from": accounts[0]})
    suite = deploy_suite(roster, extra_members=[(k.address, "regular") for k in keys]
                         + [(burner.address, "regular"), (heavy.address, "regular")])
    return suite, keys, owner, burner, heavy


def test_4_a_wallet_that_burns_gas_cannot_sink_a_batch_of_honest_ballots(crowd, roster):
    suite, keys, owner, burner, _ = crowd
    p = suite.propose([suite.ordinary()], "Sixty honest voters", roster["founding"][0])
    suite.wait_snapshot(p)
    compact = [suite.compact(suite.member_ballot(k.key, p.id, FOR)) for k in keys]
    hostile = suite.member_ballot(owner.key, p.id, FOR, voter=burner.address)
    tx = suite.governor.castVoteBatch(p.id, compact, [hostile], {"from": accounts[0], "gas_limit": 3_000_000})
    assert tx.return_value == 60
    assert [(e["voter"], e["reason"]) for e in tx.events["BallotRejected"]] == [(burner, INVALID_SIGNATURE)]
    assert tx.gas_used < 60 * 20_000 + 250_000  # the wallet spent its 200,000 allowance and no more


def test_4_an_underfunded_batch_reverts_rather_than_reject_a_valid_wallet(crowd, roster):
    """A valid but costly wallet (150,000 gas to check) in a batch sent with too little gas: whatever the
    gas limit, the batch either counts the wallet's ballot or reverts; it never rejects it."""
    suite, keys, owner, _, heavy = crowd
    p = suite.propose([suite.ordinary(2)], "A costly wallet", roster["founding"][0])
    suite.wait_snapshot(p)
    compact = [suite.compact(suite.member_ballot(k.key, p.id, FOR)) for k in keys[:5]]
    ballot = suite.member_ballot(owner.key, p.id, FOR, voter=heavy.address)
    fn = suite.governor.castVoteBatch
    needed = fn.estimate_gas(p.id, compact, [ballot], {"from": accounts[0]})
    reverts_seen = set()
    for limit in range(needed - 260_000, needed + 10_000, 10_000):
        try:
            tx = fn(p.id, compact, [ballot], {"from": accounts[0], "gas_limit": limit})
        except VirtualMachineError as exc:
            reverts_seen.add((exc.revert_msg or "").split(":")[0])
            continue
        assert heavy.address in [e["voter"] for e in tx.events["VoteCast"]], limit  # counted, never rejected
        break
    assert tx.status == 1
    assert error("GovernorBatchUnderfunded") in reverts_seen


# ───── 5. Nothing reaches execution but through the governor ─────


def forbidden_calls(gov):
    t, g = gov.timelock, gov.governor
    operation = ([gov.registry.address], [0], [gov.registry.changeTier.encode_input(3, FOUNDING)], b"\x00" * 32, HASH)
    single = (gov.registry.address, 0, gov.registry.changeTier.encode_input(3, FOUNDING), b"\x00" * 32, HASH)
    return [
        (t, "grantRole", (t.PROPOSER_ROLE(), t.address)), (t, "revokeRole", (t.PROPOSER_ROLE(), g.address)),
        (t, "renounceRole", (t.EXECUTOR_ROLE(), t.address)), (t, "schedule", (*single, 0)),
        (t, "scheduleBatch", (*operation, 0)), (t, "execute", single), (t, "executeBatch", operation),
        (t, "cancel", (HASH,)), (g, "relay", (gov.registry.address, 0, b"")), (g, "updateTimelock", (accounts[9],)),
        (g, "setProposalThreshold", (1,)),
    ]


def test_5_a_proposal_cannot_schedule_execute_cancel_or_grant_roles_on_the_timelock(gov, roster):
    """Before: granting the timelock the proposer role and calling timelock.schedule(changeTier(3, …))
    was 'constitutional' but recused nobody, so member 3 carried its own promotion past the governor."""
    t = gov.timelock
    escape = [gov.call(t, "grantRole", t.PROPOSER_ROLE(), t.address),
              gov.call(t, "schedule", *forbidden_calls(gov)[3][2])]
    with reverts(error("GovernorForbiddenCall", t, selector(t, "grantRole"))):
        gov.propose(escape, "Promote member 3 through the timelock", roster["regular"][0])
    for contract, fn, args in forbidden_calls(gov):
        with reverts(error("GovernorForbiddenCall", contract, selector(contract, fn))):
            gov.propose([gov.call(contract, fn, *args)], f"forbidden {fn}", roster["founding"][0])


def test_5_the_governor_and_timelock_settings_remain_constitutional_proposals(gov, roster):
    g, t = gov.governor, gov.timelock
    for contract, fn, args in [(t, "updateDelay", (120,)), (g, "setVotingDelay", (30,)),
                               (g, "setVotingPeriod", (7200,)), (g, "setLateQuorumVoteExtension", (60,)),
                               (g, "updateQuorumNumerator", (5,)),
                               (g, "setConstitutionalQuorum", (40,)), (g, "setWeightCap", (5000,)),
                               (g, "setCallRule", (accounts[9], "0x12345678", False, False))]:
        call = gov.call(contract, fn, *args)
        assert tuple(g.classify([call[0]], [call[2]])) == (1, 0), fn


# ───── 6. Stale body approvals ─────


@pytest.fixture
def secretariat(gov, roster):
    r1, r2, r3, _ = roster["regular"]
    calls = [gov.call(gov.bodies, "create", 3, "Secretariat", 2, member_ids(gov, (r1, r2, r3)),
                      [(gov.treasury.address, gov.treasury.spendBudget.signature)])]
    _, tx = gov.by_founders(roster, calls, "A secretariat")
    body = Body.at(tx.events["BodyCreated"]["body"])
    gov.by_founders(roster, [gov.call(gov.treasury, "setBudget", body, ETH, 10**18)], "Its budget")
    gov.treasury.contribute(0, ETH, 10**18, "funds", {"from": accounts[0], "value": 10**18})
    return body


def test_6_an_expelled_members_approval_no_longer_counts(gov, roster, secretariat):
    """A body member proposes paying itself; governance removes it from the body and expels it; before,
    one more approval executed the payment on the strength of the expelled member's approval."""
    r1, r2, r3, _ = roster["regular"]
    pay = gov.treasury.spendBudget.encode_input(ETH, r1, 10**17, "to myself")
    action = secretariat.propose(gov.treasury, pay, "Pay me", {"from": r1}).events["ActionProposed"]["actionId"]
    rid = gov.member_id(r1)
    gov.by_founders(roster, [gov.call(secretariat, "remove", rid)], "Remove r1 from the secretariat")
    gov.by_founders(roster, [gov.call(gov.registry, "expel", rid, "self-dealing")], "Expel r1")
    tx = secretariat.approve(action, {"from": r2})
    assert tx.events["ActionApproved"]["approvals"] == 1 and "ActionExecuted" not in tx.events
    assert secretariat.action(action)[3] == 1  # r2's alone


def test_6_an_expelled_members_approval_no_longer_counts_even_if_it_still_sits_on_the_body(gov, roster, secretariat):
    r1, r2, _, _ = roster["regular"]
    pay = gov.treasury.spendBudget.encode_input(ETH, r1, 10**17, "to myself")
    action = secretariat.propose(gov.treasury, pay, "Pay me", {"from": r1}).events["ActionProposed"]["actionId"]
    rid = gov.member_id(r1)
    gov.by_founders(roster, [gov.call(gov.registry, "expel", rid, "self-dealing")], "Expel r1")
    assert secretariat.isMember(rid)  # nobody removed it from the body
    tx = secretariat.approve(action, {"from": r2})
    assert tx.events["ActionApproved"]["approvals"] == 1 and "ActionExecuted" not in tx.events


def test_6_a_suspended_members_approval_no_longer_counts(gov, roster, secretariat):
    r1, r2, r3, _ = roster["regular"]
    pay = gov.treasury.spendBudget.encode_input(ETH, accounts[6], 10**17, "a vendor")
    action = secretariat.propose(gov.treasury, pay, "Pay a vendor", {"from": r1}).events["ActionProposed"]["actionId"]
    gov.by_founders(roster, [gov.call(gov.registry, "suspend", gov.member_id(r1), "inquiry")], "Suspend r1")
    tx = secretariat.approve(action, {"from": r2})
    assert "ActionExecuted" not in tx.events and secretariat.approvalsOf(action) == 1
    tx = secretariat.approve(action, {"from": r3})  # two current, active members: it runs
    assert "ActionExecuted" in tx.events


# ───── 7. The treasury records what arrived ─────


def test_7_a_fee_on_transfer_dues_token_cannot_buy_a_full_period(roster):
    fee = TestFeeToken.deploy({"from": accounts[0]})
    suite = deploy_suite(roster, treasury={"dues_token": fee.address})
    payer, member = accounts[9], suite.member_id(roster["regular"][0])
    fee.mint(payer, 10**19, {"from": payer})
    fee.approve(suite.treasury, 10**19, {"from": payer})
    with reverts(error("TreasuryShortfall", fee, 10**18, 9 * 10**17)):
        suite.treasury.payDues(member, 1, {"from": payer})


def test_7_a_contribution_records_what_arrived_in_listed_tokens_only(gov, roster):
    hollow, fee = TestHollowToken.deploy({"from": accounts[0]}), TestFeeToken.deploy({"from": accounts[0]})
    t, outsider = gov.treasury, accounts[9]
    with reverts(error("TreasuryTokenNotAccepted", hollow)):  # the 10^30 'sponsorship'
        t.contribute(0, hollow, 10**30, "a fortune", {"from": outsider})
    gov.by_founders(roster, [gov.call(t, "setAcceptedToken", hollow, True), gov.call(t, "setAcceptedToken", fee, True)],
                    "List two tokens")
    with reverts("TreasuryZeroAmount"):  # listed, but nothing arrives
        t.contribute(0, hollow, 10**30, "a fortune", {"from": outsider})
    fee.mint(outsider, 1000, {"from": outsider})
    fee.approve(t, 1000, {"from": outsider})
    assert t.contribute(1, fee, 1000, "a grant", {"from": outsider}).events["Contributed"]["amount"] == 900


# ───── 9. Past answers never change ─────


def test_9_past_votes_of_a_seat_never_change_after_a_rotation_or_a_resignation(gov, roster):
    r = gov.registry
    r1, r2 = roster["regular"][:2]
    sleep(10)
    before = web3.eth.get_block("latest")["timestamp"] - 5
    answers = (r.getPastVotes(r1, before), r.getPastVotes(r2, before))
    assert answers == (1, 1)
    fresh = Account.create().address
    r.rotateSeat(fresh, {"from": r1})
    r.resign({"from": r2})
    sleep(2)
    assert (r.getPastVotes(r1, before), r.getPastVotes(r2, before)) == answers
    assert r.getPastVotes(fresh, before) == 0  # the new seat did not hold the weight then


def test_9_has_voted_keeps_its_answer_after_a_rotation_and_the_member_cannot_vote_again(gov, roster):
    r1 = roster["regular"][0]
    p = gov.propose([gov.ordinary()], "A vote, then a new key", roster["founding"][0])
    gov.wait_snapshot(p)
    gov.vote(p, r1, FOR)
    new_seat = accounts.add()
    accounts[0].transfer(new_seat, "1 ether")
    gov.registry.rotateSeat(new_seat, {"from": r1})
    assert gov.governor.hasVoted(p.id, r1)  # the VoteCast from the old seat stays true
    assert gov.governor.hasVoted(p.id, new_seat)  # its member has voted
    with reverts("GovernorAlreadyCastVote"):
        gov.vote(p, new_seat, AGAINST)


def test_9_the_registry_answers_erc5805s_nonces_and_refuses_delegation_by_signature(gov, roster):
    r = gov.registry
    assert r.nonces(roster["founding"][0]) == 0 and r.nonces(accounts[9]) == 0
    with reverts("RegistryWeightNotTransferable"):
        r.delegateBySig(roster["founding"][0], 0, 2**40, 27, HASH, HASH, {"from": accounts[9]})
