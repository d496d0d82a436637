"""Stateful property test (brownie state machine over hypothesis) of voting: random sequences of
admissions, tier changes, suspensions, resignations, seat rotations, dues lapses, direct votes, relayed
batches and recusals before and after a proposal's snapshot, checked against a Python model of weights
at the snapshot. Invariants after every step: the tallies equal the sum of the ballots counted; no
member counts above the cap; the registry's total equals the sum of its members' weights; and at the
end of every run, no member is counted twice (the has-voted marks equal the model's). A resigned
member's old seat, and a rotated member's old seat, cannot vote; a member cannot vote again from a new
seat."""

import os

import brownie
import pytest
from brownie import accounts
from brownie.test import strategy

from tests.contracts.conftest import deploy_suite
from tests.contracts.test_registry_stateful import _state_machine
from tests.governance import latest_timestamp, next_block_at, reverts, sleep

EXAMPLES = 256  # `make test`; set CONSORTIUM_FUZZ_EXAMPLES for a longer, nightly-style run
TIER_WEIGHTS = {0: 3, 1: 1, 2: 0}
STATUSES = ["none", "active", "suspended", "resigned", "expelled", "lapsed"]
SEATED = ("active", "suspended", "lapsed")  # a seat that can still sign (MemberRegistry._isSeated)
ROSTER, ADMITTED = 7, 2  # member ids 1-7 from the roster, 8-9 admitted during a run
HASH = b"\x55" * 32


class VotingMachine:
    st_member = strategy("uint8", max_value=ROSTER + ADMITTED - 1)
    st_support = strategy("uint8", max_value=2)
    st_tier = strategy("uint8", max_value=2)
    st_seconds = strategy("uint16", min_value=1, max_value=1500)
    st_subset = strategy("uint8", min_value=1, max_value=15)

    def __init__(cls, gov, roster):
        """Runs once, before brownie's snapshot: every run starts from this proposal, still Pending."""
        cls.gov, cls.roster = gov, roster
        cls.timelock = accounts.at(gov.timelock.address, force=True)
        cls.roster_seats = [*roster["founding"], *roster["regular"], *roster["observer"]]  # member ids 1..7
        cls.fresh = [accounts.add() for _ in range(8)]  # keys for admissions and seat rotations
        for account in cls.fresh:
            accounts[0].transfer(account, "1 ether")
        cls.p = gov.propose([gov.call(gov.registry, "reinstate", 7)], "invariants", roster["founding"][0])
        cls.snapshot = gov.governor.proposalSnapshot(cls.p.id)
        cls.initial = {m: (0, *((r := gov.registry.member(m))[1], STATUSES[r[2]])) for m in range(1, 8)}

    def setup(self):
        # member id -> [(time, tier, status)], status one of active, suspended, lapsed, resigned
        self.standing = {m: [entry] for m, entry in self.initial.items()}
        self.seats = list(self.roster_seats)  # by member id - 1; rotations replace, admissions append
        self.unused = list(self.fresh)
        self.counted = {}  # member id -> (tier at snapshot, support, weight)
        self.cap = 0  # the proposal's cap, fixed at its snapshot
        self.recused = set()

    # ───── the model ─────

    def _at_snapshot(self, member_id):
        """(tier, weight) at the snapshot; a member admitted after it has none."""
        before = [(t, s) for ts, t, s in self.standing[member_id] if ts <= self.snapshot]
        if not before:
            return None, 0
        tier, status = before[-1]
        return tier, TIER_WEIGHTS[tier] if status == "active" else 0

    def _status(self, member_id):
        return self.standing[member_id][-1][2] if member_id in self.standing else "none"

    def _change(self, member_id, tx, tier=None, status=None):
        _, old_tier, old_status = self.standing[member_id][-1]
        self.standing[member_id].append((tx.timestamp, old_tier if tier is None else tier, status or old_status))

    def _near_a_boundary_else_pin_the_next_block(self):
        """Votes right at the snapshot or the deadline depend on the next block's exact time: skip them. Away
        from both, the next transaction is mined one second after the latest block, whatever the wall clock
        did meanwhile: the model reads the proposal's state at the latest block, and a stalled host must not
        move the transaction across a boundary."""
        now, deadline = latest_timestamp(), self.gov.governor.proposalDeadline(self.p.id)
        if abs(now - self.snapshot) <= 3 or abs(now - deadline) <= 3:
            return True
        next_block_at(now + 1)
        return False

    def _countable(self, member_id):
        """Active proposal, weight at the snapshot, a seat now (a resigned member's seat is gone), not yet
        counted, not recused."""
        _, weight = self._at_snapshot(member_id)
        return (self.gov.governor.state(self.p.id) == 1 and weight > 0 and self._status(member_id) in SEATED
                and member_id not in self.counted and member_id not in self.recused)

    def _count(self, member_id, support, event_weight):
        tier, weight = self._at_snapshot(member_id)
        assert event_weight == min(weight, self.gov.governor.proposalWeightCap(self.p.id))
        self.counted[member_id] = (tier, support, event_weight)

    # ───── rules ─────

    def rule_admit(self, st_tier):
        if len(self.seats) == ROSTER + ADMITTED:
            return
        seat = self.unused.pop()
        tx = self.gov.registry.admit((seat, st_tier, "", HASH), {"from": self.timelock})
        member_id = tx.events["MemberAdmitted"]["memberId"]
        assert member_id == len(self.seats) + 1
        self.seats.append(seat)
        self.standing[member_id] = [(tx.timestamp, st_tier, "active")]

    def rule_resign(self, st_member):
        """A member that resigns cannot vote any more, whatever its weight at the snapshot."""
        member_id = st_member + 1
        if self._status(member_id) in SEATED:
            seat = self.seats[member_id - 1]
            self._change(member_id, self.gov.registry.resign({"from": seat}), status="resigned")
            if not self._near_a_boundary_else_pin_the_next_block():
                with brownie.reverts():
                    self.gov.governor.castVote(self.p.id, 1, {"from": seat})

    def rule_rotate_seat(self, st_member):
        """The member's weight, history and marks move with it to the new seat: the old seat cannot vote,
        and a member that voted cannot vote again from the new one."""
        member_id = st_member + 1
        if self._status(member_id) in SEATED and self.unused:
            old_seat, new_seat = self.seats[member_id - 1], self.unused.pop()
            self.gov.registry.rotateSeat(new_seat, {"from": old_seat})
            self.seats[member_id - 1] = new_seat
            if not self._near_a_boundary_else_pin_the_next_block():
                with brownie.reverts():
                    self.gov.governor.castVote(self.p.id, 1, {"from": old_seat})
                if member_id in self.counted:
                    next_block_at(latest_timestamp() + 1)
                    with reverts("GovernorAlreadyCastVote"):
                        self.gov.governor.castVote(self.p.id, 1, {"from": new_seat})

    def rule_change_tier(self, st_member, st_tier):
        member_id = st_member + 1
        if self._status(member_id) not in SEATED:
            return
        self._change(member_id, self.gov.registry.changeTier(member_id, st_tier, {"from": self.timelock}), st_tier)

    def rule_suspend_or_reinstate(self, st_member):
        member_id = st_member + 1
        registry = self.gov.registry
        if self._status(member_id) not in SEATED:
            return
        if self._status(member_id) == "suspended":
            self._change(member_id, registry.reinstate(member_id, {"from": self.timelock}), status="active")
        else:
            self._change(member_id, registry.suspend(member_id, "machine", {"from": self.timelock}),
                         status="suspended")

    def rule_lapse_dues(self, st_member):
        """Nobody pays dues here (100 s of grace): anyone may mark an active member lapsed."""
        member_id = st_member + 1
        if self._status(member_id) == "active" and self.gov.treasury.duesLapsed(member_id):
            self._change(member_id, self.gov.registry.lapse(member_id, {"from": accounts[9]}), status="lapsed")

    def rule_advance(self, st_seconds):
        sleep(st_seconds)

    def rule_vote(self, st_member, st_support):
        member_id = st_member + 1
        if self._near_a_boundary_else_pin_the_next_block() or member_id > len(self.seats):
            return
        seat = self.seats[member_id - 1]
        if self._countable(member_id):
            tx = self.gov.governor.castVote(self.p.id, st_support, {"from": seat})
            self._count(member_id, st_support, tx.events["VoteCast"]["weight"])
        else:
            with brownie.reverts():
                self.gov.governor.castVote(self.p.id, st_support, {"from": seat})

    def rule_relay_batch(self, st_subset, st_support):
        """Signed ballots of regular members (ids 3-6) chosen by the bits of st_subset, in one batch."""
        if self._near_a_boundary_else_pin_the_next_block():
            return
        chosen = [3 + bit for bit in range(4) if st_subset >> bit & 1]
        ballots = [self.gov.member_ballot(self.seats[m - 1].private_key, self.p.id, st_support) for m in chosen]
        if self.gov.governor.state(self.p.id) != 1:
            with brownie.reverts():
                self.gov.cast_batch(self.p.id, ballots, accounts[0])
            return
        expected = {m for m in chosen if self._countable(m)}
        tx = self.gov.cast_batch(self.p.id, ballots, accounts[0])
        cast = {self.gov.member_id(e["voter"]): e["weight"] for e in tx.events["VoteCast"]} if "VoteCast" in \
            tx.events else {}
        assert set(cast) == expected
        for member_id, weight in cast.items():
            self._count(member_id, st_support, weight)

    def rule_recuse(self, st_member):
        member_id = st_member + 1
        if self._near_a_boundary_else_pin_the_next_block() or member_id > len(self.seats):
            return
        seat = self.seats[member_id - 1]
        allowed = (self.gov.governor.state(self.p.id) in (0, 1) and member_id not in self.counted
                   and member_id not in self.recused and self._status(member_id) in SEATED)
        if allowed:
            self.gov.governor.recuse(self.p.id, "machine", {"from": seat})
            self.recused.add(member_id)
        else:
            with brownie.reverts():
                self.gov.governor.recuse(self.p.id, "machine", {"from": seat})

    # ───── invariants ─────

    def invariant_tallies_are_the_sum_of_counted_ballots(self):
        for tier in range(3):
            expected = [0, 0, 0]
            for t, support, weight in self.counted.values():
                if t == tier:
                    expected[support] += weight
            assert tuple(self.gov.governor.proposalTierVotes(self.p.id, tier)) == tuple(expected)

    def teardown(self):
        """No member counted twice: the has-voted marks match the model exactly (checked once per run;
        a second count would also break the tallies, checked after every step)."""
        for member_id in range(1, len(self.seats) + 1):
            voted, recused = self.gov.governor.memberMarks(self.p.id, member_id)
            assert voted == (member_id in self.counted)
            assert not (voted and recused and member_id in self.recused)

    def invariant_no_member_counts_above_the_cap(self):
        if self.counted:
            cap = self.cap or self.gov.governor.proposalWeightCap(self.p.id)
            self.cap = cap
            assert all(weight <= cap for _, _, weight in self.counted.values())

    def invariant_total_weight_is_the_sum_of_member_weights(self):
        now = sum(TIER_WEIGHTS[s[-1][1]] if s[-1][2] == "active" else 0 for s in self.standing.values())
        assert self.gov.registry.totalWeight() == now


@pytest.mark.stateful
def test_votes_keep_their_invariants(roster):
    # Total weight 10: nobody counts for more than 2. Dues lapse 100 s after joining, unpaid.
    gov = deploy_suite(roster, weight_cap_bps=2000, treasury={"dues_period": 1000, "grace_period": 100})
    examples = int(os.environ.get("CONSORTIUM_FUZZ_EXAMPLES", EXAMPLES))
    _state_machine()(VotingMachine, gov, roster, settings={"max_examples": examples, "stateful_step_count": 6})
