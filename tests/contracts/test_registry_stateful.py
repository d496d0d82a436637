"""Stateful property test (brownie state machine over hypothesis) of the MemberRegistry.

Random sequences of admit, tier change, suspend, reinstate, expel, resign, seat rotation and tier
re-weighing, checked against a Python model. Invariants: every member's weight matches the model, and
the sum of member weights equals the checkpointed total at every checkpoint ever written."""

import importlib.util
from pathlib import Path

import brownie.test
import pytest
from brownie import MemberRegistry, accounts, chain
from brownie.test import strategy


def _state_machine():
    """brownie's `state_machine`, loaded from its Python source: the compiled build of 1.22.2 rejects the
    subclass it generates itself (TypeError: _BrownieStateMachine object expected)."""
    source = Path(brownie.test.__file__).with_name("stateful.py")
    spec = importlib.util.spec_from_file_location("brownie_stateful_source", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.state_machine

TIERS = [("founding", 3, True, True), ("regular", 1, True, True), ("observer", 0, False, False)]
HASH = b"\x55" * 32
ACTIVE, SUSPENDED, RESIGNED, EXPELLED = 1, 2, 3, 4
EXAMPLES = 64


class RegistryMachine:
    st_seat = strategy("uint8", max_value=11)
    st_tier = strategy("uint8", max_value=2)
    st_pick = strategy("uint16")
    st_weight = strategy("uint8", min_value=1, max_value=9)

    def __init__(cls, governance, seats):
        cls.governance, cls.seats = governance, seats

    def setup(self):
        self.reg = MemberRegistry.deploy(self.governance, TIERS, {"from": self.governance})
        self.weights = {i: t[1] if t[3] else 0 for i, t in enumerate(TIERS)}
        self.members = {}  # member id -> {"seat", "tier", "status"}
        self.timepoints = []

    # ───── helpers ─────

    def _gov(self):
        return {"from": self.governance}

    def _current(self, pick):
        current = [m for m, rec in self.members.items() if rec["status"] in (ACTIVE, SUSPENDED)]
        return current[pick % len(current)] if current else None

    def _weight(self, rec):
        return self.weights[rec["tier"]] if rec["status"] == ACTIVE else 0

    def _record(self, tx):
        self.timepoints.append(tx.timestamp)

    # ───── rules ─────

    def rule_admit(self, st_seat, st_tier):
        seat = self.seats[st_seat]
        if any(r["seat"] == seat and r["status"] in (ACTIVE, SUSPENDED) for r in self.members.values()):
            return
        tx = self.reg.admit((seat, st_tier, "", HASH), self._gov())
        self.members[tx.events["MemberAdmitted"]["memberId"]] = {"seat": seat, "tier": st_tier, "status": ACTIVE}
        self._record(tx)

    def rule_change_tier(self, st_pick, st_tier):
        if (m := self._current(st_pick)) is not None:
            self._record(self.reg.changeTier(m, st_tier, self._gov()))
            self.members[m]["tier"] = st_tier

    def rule_suspend_or_reinstate(self, st_pick):
        if (m := self._current(st_pick)) is not None:
            if self.members[m]["status"] == ACTIVE:
                self._record(self.reg.suspend(m, "", self._gov()))
                self.members[m]["status"] = SUSPENDED
            else:
                self._record(self.reg.reinstate(m, self._gov()))
                self.members[m]["status"] = ACTIVE

    def rule_expel(self, st_pick):
        if (m := self._current(st_pick)) is not None:
            self._record(self.reg.expel(m, "", self._gov()))
            self.members[m]["status"] = EXPELLED

    def rule_resign(self, st_pick):
        if (m := self._current(st_pick)) is not None:
            self._record(self.reg.resign({"from": self.members[m]["seat"]}))
            self.members[m]["status"] = RESIGNED

    def rule_rotate(self, st_pick, st_seat):
        m, seat = self._current(st_pick), self.seats[st_seat]
        taken = {r["seat"] for r in self.members.values() if r["status"] in (ACTIVE, SUSPENDED)}
        if m is not None and seat not in taken:
            self._record(self.reg.rotateSeat(seat, {"from": self.members[m]["seat"]}))
            self.members[m]["seat"] = seat

    def rule_reweigh_tier(self, st_tier, st_weight):
        name, _, can_propose, can_vote = TIERS[st_tier]
        weight = st_weight if can_vote else 0
        self._record(self.reg.setTier(st_tier, name, weight, can_propose, can_vote, self._gov()))
        self.weights[st_tier] = weight

    # ───── invariants ─────

    def invariant_weights_match_the_model(self):
        for rec in self.members.values():
            if rec["status"] in (ACTIVE, SUSPENDED):
                assert self.reg.getVotes(rec["seat"]) == self._weight(rec)
        assert self.reg.totalWeight() == sum(self._weight(r) for r in self.members.values())

    def teardown(self):
        """The sum of member weights equals the total at every checkpoint written during the run."""
        chain.sleep(1)
        chain.mine()
        for t in sorted(set(self.timepoints)):
            member_sum = sum(self.reg.memberWeightAt(m, t) for m in self.members)
            assert member_sum == self.reg.getPastTotalSupply(t), f"at {t}"


@pytest.mark.stateful
def test_registry_total_is_the_sum_of_member_weights():
    seats = [accounts.add() for _ in range(12)]
    for seat in seats:
        accounts[0].transfer(seat, "1 ether")
    _state_machine()(RegistryMachine, accounts[9], seats,
                  settings={"max_examples": EXAMPLES, "stateful_step_count": 15})
