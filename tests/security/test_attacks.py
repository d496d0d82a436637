"""The governance attack suite: each known attack on on-chain governance, reproduced against the suite,
must fail. Named after the incidents they mirror."""

import pytest
from brownie import Body, TestToken, TestWallet, accounts, web3
from brownie.exceptions import VirtualMachineError

from tests.contracts.conftest import deploy_suite
from tests.governance import AGAINST, FOR, next_block_at, reverts, sleep

ETH = "0x" + "00" * 20


@pytest.fixture(scope="module")
def strict(roster):
    """Quorum 30%, late-quorum extension 600 s: the shape a low-turnout takeover has to beat."""
    return deploy_suite(roster, quorum_percent=30)


def test_flash_membership_weight_cannot_be_borrowed_or_bought_after_the_snapshot(gov, roster):
    """Beanstalk: weight acquired for one transaction. Weight here is neither transferable nor
    delegable, and weight granted after a proposal's snapshot does not vote on it."""
    r, f1, f2 = gov.registry, *roster["founding"]
    for fn, args in [("transfer", (f1, 1)), ("transferFrom", (f2, f1, 1)), ("delegate", (f1,)),
                     ("delegateBySig", (f1, 0, 0, 27, b"\x00" * 32, b"\x00" * 32))]:
        with reverts("RegistryWeightNotTransferable"):
            getattr(r, fn)(*args, {"from": f2})
    newcomer = accounts.add()
    admission = gov.queue_passed([gov.call(r, "admit", (newcomer.address, 0, "ipfs://x", b"\x01" * 32))],
                                 "Admit a heavyweight", f1, {f1: FOR, f2: FOR})
    target = gov.propose([gov.call(r, "suspend", 7, "x")], "The proposal it wants to swing", f1)
    sleep(gov.timelock.getMinDelay() + 1)
    gov.execute_now(admission, f1)  # admitted after the target's snapshot
    assert r.getVotes(newcomer) == 3
    accounts[0].transfer(newcomer, "1 ether")
    with reverts("GovernorIneligibleVoter"):
        gov.vote(target, newcomer, FOR)


def test_a_target_whose_code_changes_after_the_vote_is_not_executed(gov, roster):
    """Tornado Cash: the proposal's contract was replaced between the vote and execution. The code
    hashes of the targets are pinned at propose and checked before execution."""
    token = TestToken.deploy({"from": accounts[0]})
    p = gov.queued_by_founders(roster, [gov.call(token, "mint", accounts[5], 1)], "Mint one token")
    swapped = TestWallet.deploy(accounts[0], {"from": accounts[0]})
    web3.provider.make_request("anvil_setCode", [token.address, web3.eth.get_code(swapped.address).hex()])
    with reverts("GovernorTargetCodeChanged"):
        gov.execute_now(p, roster["founding"][0])
    web3.provider.make_request("anvil_setCode", [token.address, web3.eth.get_code(
        TestToken.deploy({"from": accounts[0]}).address).hex()])
    gov.execute_now(p, roster["founding"][0])  # the same code again: it runs


def test_a_low_turnout_takeover_fails_for_quorum_and_a_late_quorum_is_extended(strict, roster):
    """Build Finance: a proposal pushed through while nobody watched. A quorum floor stops a lone
    voter; reaching quorum at the last minute extends voting so the others can answer."""
    gov, r1 = strict, roster["regular"][0]
    lone = gov.propose([gov.call(gov.registry, "suspend", 7, "x")], "Quiet takeover", r1)
    gov.wait_snapshot(lone)
    gov.vote(lone, r1, FOR)
    gov.wait_deadline(lone)
    assert gov.state(lone) == "Defeated"  # weight 1 of the 3 needed

    late = gov.propose([gov.call(gov.registry, "suspend", 7, "y")], "Last-minute takeover", r1)
    gov.wait_snapshot(late)
    for voter in roster["regular"][:2]:
        gov.vote(late, voter, FOR)
    next_block_at(gov.governor.proposalDeadline(late.id) - 5)
    tx = gov.vote(late, roster["regular"][2], FOR)  # the third weight, the quorum, 5 s before the deadline
    assert tx.events["ProposalExtended"]["extendedDeadline"] == tx.timestamp + 600
    sleep(300)
    for founder in roster["founding"]:
        gov.vote(late, founder, AGAINST)
    gov.wait_deadline(late)
    assert gov.state(late) == "Defeated"


def test_a_bloc_counts_no_more_than_the_weight_cap_per_member(roster):
    """Compound 289: a whale bloc. No member counts for more than the cap (here 20% of the total)."""
    gov = deploy_suite(roster, weight_cap_bps=2000)
    f1, f2 = roster["founding"]
    p = gov.propose([gov.call(gov.registry, "suspend", 7, "x")], "Bloc vote", f1)
    gov.wait_snapshot(p)
    for founder in (f1, f2):
        assert gov.vote(p, founder, FOR).events["VoteCast"]["weight"] == 2  # 3 capped to 2
    for member in roster["regular"]:
        gov.vote(p, member, AGAINST)
    assert tuple(gov.governor.proposalVotes(p.id)) == (4, 4, 0)
    gov.wait_deadline(p)
    assert gov.state(p) == "Defeated"  # the bloc's 6 would have won; capped, it ties


def test_no_contract_can_be_reinitialised(gov, roster):
    """Audius: governance re-initialised through an exposed initialiser. There is none: every contract
    is constructed once, and the registry's one-off bootstrap rights are over."""
    for contract in (gov.governor, gov.registry, gov.timelock, gov.treasury, gov.bodies, gov.standards, gov.conduct):
        names = {item.get("name", "") for item in contract.abi}
        assert not {n for n in names if n.lower().startswith(("initiali", "init", "setup"))}, contract
        with pytest.raises(VirtualMachineError):  # no fallback accepts an initialiser's selector
            accounts[0].transfer(contract, 0, data="0x8129fc1c")  # initialize()
    with reverts("RegistryBootstrapOver"):
        gov.registry.bootstrapAdmit([(accounts[9].address, 0, "", b"\x00" * 32)], {"from": accounts[0]})
    with reverts("RegistryBootstrapOver"):
        gov.registry.setDuesOracle(accounts[0], {"from": accounts[0]})


def test_a_proposal_id_cannot_be_front_run(gov, roster):
    """An attacker who sees a proposal in the mempool and proposes it first takes its id (and can cancel
    it). A description ending in #proposer=<address> can only be proposed by that address."""
    honest, attacker = roster["founding"][0], roster["regular"][0]
    description = f"Suspend the observer #proposer={honest.address.lower()}"
    call = gov.call(gov.registry, "suspend", 7, "x")
    with reverts("GovernorRestrictedProposer"):
        gov.propose([call], description, attacker)
    p = gov.propose([call], description, honest)
    with reverts("GovernorUnableToCancel"):
        gov.governor.cancel(p.targets, p.values, p.calldatas, p.description_hash, {"from": attacker})


def test_lowering_the_quorum_does_not_revive_a_defeated_proposal(strict, roster):
    """A defeated proposal is judged by the quorum in force at its snapshot; changing the quorum later
    cannot turn it into a success."""
    gov, r1 = strict, roster["regular"][0]
    weak = gov.propose([gov.call(gov.registry, "suspend", 7, "x")], "Too few voters", r1)
    gov.wait_snapshot(weak)
    gov.vote(weak, r1, FOR)  # 1 of the 3 needed
    gov.wait_deadline(weak)
    assert gov.state(weak) == "Defeated"
    gov.by_founders(roster, [gov.call(gov.governor, "updateQuorumNumerator", 1)], "Lower the quorum")
    assert gov.governor.quorumNumerator() == 1
    assert gov.state(weak) == "Defeated"
    with reverts("GovernorUnexpectedProposalState"):
        gov.queue(weak, r1)


def test_one_member_cannot_flood_the_agenda(gov, roster):
    """Proposal spam: at most three proposals per member whose voting has not ended."""
    r1 = roster["regular"][0]
    open_ = [gov.propose([gov.call(gov.registry, "suspend", 7, str(i))], f"spam {i}", r1) for i in range(3)]
    with reverts("GovernorTooManyOpenProposals"):
        gov.propose([gov.call(gov.registry, "suspend", 7, "3")], "spam 3", r1)
    gov.propose([gov.call(gov.registry, "suspend", 7, "other")], "another member's", roster["regular"][1])
    gov.wait_deadline(open_[-1])
    gov.propose([gov.call(gov.registry, "suspend", 7, "4")], "after the others ended", r1)


def test_a_body_cannot_act_beyond_its_mandate_or_its_targets_rules(gov, roster):
    """A body acting outside its mandate reverts; and a mandate cannot grant what the target refuses
    (the registry answers only to the timelock, whatever a body's mandate lists)."""
    r = gov.registry
    calls = [gov.call(gov.bodies, "create", 0, "Council", 1, [gov.member_id(roster["regular"][0])],
                      [(r.address, r.suspend.signature)])]
    _, tx = gov.by_founders(roster, calls, "A council that thinks it may suspend")
    council = Body.at(tx.events["BodyCreated"]["body"])
    member = {"from": roster["regular"][0]}
    with reverts("BodyOutsideMandate"):
        council.propose(gov.treasury, gov.treasury.spend.encode_input(ETH, accounts[6], 1, "x"), "spend", member)
    with reverts("RegistryUnauthorized"):
        council.propose(r, r.suspend.encode_input(7, "x"), "suspend", member)
