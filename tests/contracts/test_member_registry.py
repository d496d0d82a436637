"""MemberRegistry on its own, with an externally owned account standing in for governance."""

import pytest
from brownie import MemberRegistry, accounts, chain

from orchestrator.chain.electors import unpack
from tests.governance import reverts, sleep

TIERS = [("founding", 3, True, True), ("regular", 1, True, True), ("observer", 0, False, False)]
ACTIVE, SUSPENDED, RESIGNED, EXPELLED = 1, 2, 3, 4
HASH = b"\x11" * 32


@pytest.fixture(scope="module")
def governance():
    return accounts[9]


@pytest.fixture(scope="module")
def reg(governance):
    return MemberRegistry.deploy(governance, TIERS, {"from": accounts[0]})


def admit(reg, governance, seat, tier=1, uri="ipfs://m"):
    tx = reg.admit((seat, tier, uri, HASH), {"from": governance})
    return tx.events["MemberAdmitted"]["memberId"]


def test_constructor_sets_tiers_governance_and_bootstrapper(reg, governance):
    assert reg.governance() == governance
    assert reg.bootstrapper() == accounts[0]
    assert reg.tierCount() == 3
    assert tuple(reg.tier(0)) == ("founding", 3, True, True)
    assert tuple(reg.tier(2)) == ("observer", 0, False, False)
    assert reg.CLOCK_MODE() == "mode=timestamp"
    assert reg.clock() == chain[-1].timestamp


def test_constructor_rejects_zero_governance():
    with reverts("RegistryUnauthorized"):
        MemberRegistry.deploy("0x" + "00" * 20, TIERS, {"from": accounts[0]})


def test_tier_of_unknown_id_reverts(reg):
    with reverts("RegistryUnknownTier"):
        reg.tier(3)


def test_admit_records_member_weight_and_event(reg, governance):
    tx = reg.admit((accounts[1], 0, "ipfs://one", HASH), {"from": governance})
    assert tx.events["MemberAdmitted"] == {
        "memberId": 1, "seat": accounts[1], "tier": 0, "metadataURI": "ipfs://one", "metadataHash": "0x" + "11" * 32
    }
    assert tx.events["TotalWeightChanged"] == {"oldWeight": 0, "newWeight": 3}
    assert tuple(reg.member(1)) == (accounts[1], 0, ACTIVE, chain[-1].timestamp, "ipfs://one", "0x" + "11" * 32)
    assert reg.memberIdOf(accounts[1]) == 1
    assert reg.memberCount() == 1
    assert reg.getVotes(accounts[1]) == 3
    assert reg.totalWeight() == 3
    assert reg.delegates(accounts[1]) == accounts[1]
    assert reg.delegates(accounts[2]) == "0x" + "00" * 20
    assert reg.canPropose(accounts[1])


def test_admit_is_governance_only(reg):
    with reverts("RegistryUnauthorized"):
        reg.admit((accounts[1], 0, "", HASH), {"from": accounts[1]})


def test_admit_rejects_zero_seat_taken_seat_and_unknown_tier(reg, governance):
    with reverts("RegistryInvalidSeat"):
        reg.admit(("0x" + "00" * 20, 0, "", HASH), {"from": governance})
    admit(reg, governance, accounts[1])
    with reverts("RegistrySeatTaken"):
        reg.admit((accounts[1], 0, "", HASH), {"from": governance})
    with reverts("RegistryUnknownTier"):
        reg.admit((accounts[2], 7, "", HASH), {"from": governance})


def test_observer_has_no_weight_and_cannot_propose(reg, governance):
    admit(reg, governance, accounts[1], tier=2)
    assert reg.getVotes(accounts[1]) == 0
    assert reg.totalWeight() == 0
    assert not reg.canPropose(accounts[1])


def test_bootstrap_admits_then_ends_for_good(reg, governance):
    tx = reg.bootstrapAdmit([(accounts[1], 0, "", HASH), (accounts[2], 1, "", HASH)], {"from": accounts[0]})
    assert len(tx.events["MemberAdmitted"]) == 2
    assert reg.totalWeight() == 4
    tx = reg.endBootstrap({"from": accounts[0]})
    assert tx.events["BootstrapEnded"]["bootstrapper"] == accounts[0]
    assert reg.bootstrapper() == "0x" + "00" * 20
    with reverts("RegistryBootstrapOver"):
        reg.bootstrapAdmit([(accounts[3], 0, "", HASH)], {"from": accounts[0]})
    with reverts("RegistryBootstrapOver"):
        reg.endBootstrap({"from": accounts[0]})


def test_bootstrap_is_deployer_only(reg):
    with reverts("RegistryUnauthorized"):
        reg.bootstrapAdmit([(accounts[3], 0, "", HASH)], {"from": accounts[3]})
    with reverts("RegistryUnauthorized"):
        reg.endBootstrap({"from": accounts[3]})


def test_set_tier_adds_and_reweighs_in_one_step(reg, governance):
    admit(reg, governance, accounts[1], tier=1)
    admit(reg, governance, accounts[2], tier=1)
    tx = reg.setTier(1, "regular", 2, True, True, {"from": governance})
    assert tx.events["TierSet"] == {"tierId": 1, "name": "regular", "weight": 2, "canPropose": True, "canVote": True}
    assert tx.events["TotalWeightChanged"] == {"oldWeight": 2, "newWeight": 4}
    assert reg.getVotes(accounts[1]) == 2
    reg.setTier(3, "associate", 1, False, True, {"from": governance})
    assert reg.tierCount() == 4


def test_set_tier_rejects_gaps_overflow_and_weightless_voting(reg, governance):
    with reverts("RegistryInvalidTier"):
        reg.setTier(4, "gap", 1, True, True, {"from": governance})
    with reverts("RegistryInvalidTier"):
        reg.setTier(1, "weightless", 0, True, True, {"from": governance})
    with reverts("RegistryUnauthorized"):
        reg.setTier(1, "regular", 5, True, True, {"from": accounts[1]})
    for i in range(3, 16):
        reg.setTier(i, f"t{i}", 1, False, True, {"from": governance})
    with reverts("RegistryInvalidTier"):
        reg.setTier(16, "too many", 1, False, True, {"from": governance})


def test_tier_without_vote_right_gives_no_weight(reg, governance):
    admit(reg, governance, accounts[1], tier=1)
    reg.setTier(1, "regular", 1, True, False, {"from": governance})
    assert reg.getVotes(accounts[1]) == 0
    assert reg.totalWeight() == 0


def test_change_tier_moves_weight_and_emits(reg, governance):
    mid = admit(reg, governance, accounts[1], tier=1)
    tx = reg.changeTier(mid, 0, {"from": governance})
    assert tx.events["MemberTierChanged"] == {"memberId": mid, "oldTier": 1, "newTier": 0}
    assert reg.getVotes(accounts[1]) == 3
    assert reg.totalWeight() == 3


def test_change_tier_reverts(reg, governance):
    mid = admit(reg, governance, accounts[1])
    with reverts("RegistryUnauthorized"):
        reg.changeTier(mid, 0, {"from": accounts[1]})
    with reverts("RegistryUnknownMember"):
        reg.changeTier(99, 0, {"from": governance})
    with reverts("RegistryUnknownMember"):
        reg.changeTier(0, 0, {"from": governance})
    with reverts("RegistryUnknownTier"):
        reg.changeTier(mid, 9, {"from": governance})
    reg.expel(mid, "fraud", {"from": governance})
    with reverts("RegistryInvalidStatus"):
        reg.changeTier(mid, 0, {"from": governance})


def test_suspend_and_reinstate(reg, governance):
    mid = admit(reg, governance, accounts[1], tier=0)
    tx = reg.suspend(mid, "unpaid dues", {"from": governance})
    assert tx.events["MemberSuspended"] == {"memberId": mid, "reason": "unpaid dues"}
    assert reg.member(mid)[2] == SUSPENDED
    assert reg.getVotes(accounts[1]) == 0
    assert reg.totalWeight() == 0
    assert not reg.canPropose(accounts[1])
    with reverts("RegistryInvalidStatus"):
        reg.suspend(mid, "again", {"from": governance})
    tx = reg.reinstate(mid, {"from": governance})
    assert tx.events["MemberReinstated"]["memberId"] == mid
    assert reg.getVotes(accounts[1]) == 3
    with reverts("RegistryInvalidStatus"):
        reg.reinstate(mid, {"from": governance})
    with reverts("RegistryUnauthorized"):
        reg.suspend(mid, "", {"from": accounts[2]})
    with reverts("RegistryUnauthorized"):
        reg.reinstate(mid, {"from": accounts[2]})


def test_expel_frees_the_seat_and_is_final(reg, governance):
    mid = admit(reg, governance, accounts[1], tier=0)
    tx = reg.expel(mid, "market abuse", {"from": governance})
    assert tx.events["MemberExpelled"] == {"memberId": mid, "reason": "market abuse"}
    assert reg.member(mid)[2] == EXPELLED
    assert reg.memberIdOf(accounts[1]) == 0
    assert reg.totalWeight() == 0
    with reverts("RegistryInvalidStatus"):
        reg.expel(mid, "twice", {"from": governance})
    with reverts("RegistryInvalidStatus"):
        reg.reinstate(mid, {"from": governance})
    with reverts("RegistryUnauthorized"):
        reg.expel(mid, "", {"from": accounts[2]})
    assert admit(reg, governance, accounts[1]) == mid + 1  # readmission is a new member


def test_suspended_member_can_be_expelled(reg, governance):
    mid = admit(reg, governance, accounts[1], tier=0)
    reg.suspend(mid, "", {"from": governance})
    reg.expel(mid, "", {"from": governance})
    assert reg.member(mid)[2] == EXPELLED


def test_resign_by_the_member_itself(reg, governance):
    mid = admit(reg, governance, accounts[1], tier=0)
    tx = reg.resign({"from": accounts[1]})
    assert tx.events["MemberResigned"]["memberId"] == mid
    assert reg.member(mid)[2] == RESIGNED
    assert reg.memberIdOf(accounts[1]) == 0
    assert reg.totalWeight() == 0
    with reverts("RegistryNotMember"):
        reg.resign({"from": accounts[1]})


def test_rotate_seat_keeps_weight_and_history(reg, governance):
    mid = admit(reg, governance, accounts[1], tier=0)
    sleep(10)
    before = chain[-1].timestamp - 5  # the block's time, not brownie's wall-clock estimate: it runs ahead
    tx = reg.rotateSeat(accounts[2], {"from": accounts[1]})
    assert tx.events["SeatRotated"] == {"memberId": mid, "oldSeat": accounts[1], "newSeat": accounts[2]}
    assert reg.memberIdOf(accounts[2]) == mid
    assert reg.memberIdOf(accounts[1]) == 0
    assert reg.member(mid)[0] == accounts[2]
    sleep(2)
    chain.mine()  # a block after the rotation: `after` is in the past of the clock a view reads, however slow the run
    after = chain[-1].timestamp - 1
    # The member's voice moves: a governor counts the member seated at an address now, with its past weight.
    assert unpack(reg.electorAt(accounts[2], before)) == (mid, 0, 3)
    assert unpack(reg.electorAt(accounts[1], before))[0] == 0  # the retired key cannot vote
    # ERC-5805's per-address history does not change: the old seat held the weight then, the new one now.
    assert reg.getPastVotes(accounts[1], before) == 3 and reg.getPastVotes(accounts[2], before) == 0
    assert reg.getPastVotes(accounts[1], after) == 0 and reg.getPastVotes(accounts[2], after) == 3
    assert reg.memberIdAt(accounts[1], before) == mid and reg.memberIdAt(accounts[2], after) == mid
    assert reg.totalWeight() == 3


def test_rotate_seat_reverts(reg, governance):
    admit(reg, governance, accounts[1])
    admit(reg, governance, accounts[2])
    with reverts("RegistryInvalidSeat"):
        reg.rotateSeat("0x" + "00" * 20, {"from": accounts[1]})
    with reverts("RegistrySeatTaken"):
        reg.rotateSeat(accounts[2], {"from": accounts[1]})
    with reverts("RegistryNotMember"):
        reg.rotateSeat(accounts[4], {"from": accounts[3]})


def test_governance_rotates_a_lost_seat(reg, governance):
    mid = admit(reg, governance, accounts[1])
    tx = reg.rotateSeatOf(mid, accounts[3], {"from": governance})
    assert tx.events["SeatRotated"]["newSeat"] == accounts[3]
    with reverts("RegistryUnauthorized"):
        reg.rotateSeatOf(mid, accounts[4], {"from": accounts[3]})
    reg.resign({"from": accounts[3]})
    with reverts("RegistryInvalidStatus"):
        reg.rotateSeatOf(mid, accounts[4], {"from": governance})


def test_update_metadata_by_the_member(reg, governance):
    mid = admit(reg, governance, accounts[1])
    tx = reg.updateMetadata("ipfs://renamed", b"\x22" * 32, {"from": accounts[1]})
    assert tx.events["MetadataUpdated"] == {"memberId": mid, "metadataURI": "ipfs://renamed",
                                            "metadataHash": "0x" + "22" * 32}
    assert reg.member(mid)[4] == "ipfs://renamed"
    with reverts("RegistryNotMember"):
        reg.updateMetadata("x", HASH, {"from": accounts[5]})


def test_weight_is_not_transferable(reg, governance):
    admit(reg, governance, accounts[1])
    for call in (lambda: reg.delegate(accounts[2], {"from": accounts[1]}),
                 lambda: reg.delegateBySig(accounts[2], 0, 0, 27, HASH, HASH, {"from": accounts[1]}),
                 lambda: reg.transfer(accounts[2], 1, {"from": accounts[1]}),
                 lambda: reg.transferFrom(accounts[1], accounts[2], 1, {"from": accounts[1]})):
        with reverts("RegistryWeightNotTransferable"):
            call()


def test_past_lookups_follow_checkpoints(reg, governance):
    mid = admit(reg, governance, accounts[1], tier=1)
    t_admitted = chain[-1].timestamp
    sleep(10)
    reg.changeTier(mid, 0, {"from": governance})
    t_promoted = chain[-1].timestamp
    sleep(10)
    reg.suspend(mid, "", {"from": governance})
    t_suspended = chain[-1].timestamp
    sleep(10)
    reg.setTier(0, "founding", 5, True, True, {"from": governance})
    reg.reinstate(mid, {"from": governance})
    t_reweighed = chain[-1].timestamp
    sleep(10)
    assert reg.getPastVotes(accounts[1], t_admitted - 1) == 0
    assert reg.getPastVotes(accounts[1], t_admitted) == 1
    assert reg.getPastVotes(accounts[1], t_promoted) == 3
    assert reg.getPastVotes(accounts[1], t_suspended) == 0
    assert reg.getPastVotes(accounts[1], t_reweighed) == 5
    assert unpack(reg.electorAt(accounts[1], t_promoted)) == (mid, 0, 3)
    assert unpack(reg.electorAt(accounts[1], t_admitted)) == (mid, 1, 1)
    assert reg.memberWeightAt(mid, t_promoted) == 3
    assert reg.getPastTotalSupply(t_admitted) == 1
    assert reg.getPastTotalSupply(t_suspended) == 0
    assert reg.getPastTotalSupply(t_reweighed) == 5


def test_future_lookups_revert(reg, governance):
    admit(reg, governance, accounts[1])
    now = chain.time() + 100
    with reverts("RegistryFutureLookup"):
        reg.getPastVotes(accounts[1], now)
    with reverts("RegistryFutureLookup"):
        reg.getPastTotalSupply(now)
    with reverts("RegistryFutureLookup"):
        reg.electorAt(accounts[1], now)
    with reverts("RegistryFutureLookup"):
        reg.memberWeightAt(1, now)


def test_voters_at_packs_many_seats_in_one_call(reg, governance):
    a = admit(reg, governance, accounts[1], tier=0)
    b = admit(reg, governance, accounts[2], tier=1)
    sleep(1)
    t = chain[-1].timestamp - 1  # after b's block and before the clock a view reads, however slow the run
    packed = reg.electorate([accounts[1], accounts[3], accounts[2]], t)
    assert list(packed) == [a | (0 << 32) | (3 << 40), 0, b | (1 << 32) | (1 << 40)]
    assert [unpack(w) for w in packed] == [(a, 0, 3), (0, 0, 0), (b, 1, 1)]  # orchestrator/chain/electors.py reads it
    with reverts("RegistryFutureLookup"):
        reg.electorate([accounts[1]], chain.time() + 100)
