"""Property test (hypothesis): a hostile proposer composes proposals from every typed action and from raw
calls (to the timelock, the governor, the bodies, the registry, the institutions and anywhere else), in
any combination and order, and the honest majority votes against each one. Whatever it composes:

- the electorate of a proposal never changes beyond the member it is about (its subject, if it is a
  member's case): nobody else is recused;
- a hostile bloc below half of the weight never gets a proposal past the honest majority, nor anything
  beyond ordinary business even when the others stay home; a tier's
  outvoted minority, even allied with every other tier, never gets a constitutional change or a member's
  case past that tier's majority;
- nothing executes outside the governor: a proposal cannot call the timelock's scheduling, execution,
  cancellation or role functions, or the governor's relay; and nobody can run a queued operation on the
  timelock directly.

The checks are made against oracles computed from the calls alone (which calls the rules refuse, which
are about a member), against members who stay home as well as those who vote against (a bloc below
half the weight must lose a member's case even then), and, when a proposal passes, by executing it:
the timelock refuses to run it directly, and the protected tier keeps every voter. A proposal the
governor refuses must be refused by name, as the oracle expects. Each example starts from the same
chain state (an EVM snapshot). `make test` runs 160 examples (`make fuzz` 3,000); CONSORTIUM_FUZZ_EXAMPLES sets it."""

import os
import warnings

import pytest
from brownie import accounts, chain, web3
from brownie.exceptions import BrownieTestWarning, VirtualMachineError
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from orchestrator.operations.deploy import CALL_RULES
from tests.contracts.conftest import deploy_suite
from tests.governance import AGAINST, FOR, MEMBER_CASE, ORDINARY, STATES, latest_timestamp, mine_at

EXAMPLES = int(os.environ.get("CONSORTIUM_FUZZ_EXAMPLES", 160))
WEIGHTS = {"founding": 3, "regular": 1}
ETH = "0x" + "00" * 20
HASH = b"\x42" * 32


class Arena:
    """Three founding members (weight 3) and six regular ones (weight 1), all with local keys so that any
    of them can sign a ballot, and an observer: total weight 15. Quorums are the defaults."""

    def __init__(self):
        self.roster = {"founding": [accounts.add() for _ in range(3)], "regular": [accounts.add() for _ in range(6)],
                       "observer": [accounts.add()], "outsider": accounts.add()}
        for account in [*self.roster["founding"], *self.roster["regular"]]:
            accounts[0].transfer(account, "1 ether")
        self.gov = deploy_suite(self.roster)
        self.voters = [*self.roster["founding"], *self.roster["regular"]]  # member ids 1..9
        self.tier_of = {a: t for t in WEIGHTS for a in self.roster[t]}
        self.total = sum(WEIGHTS[self.tier_of[a]] for a in self.voters)
        self.attacker = Account.create().address
        g = self.gov
        # The calls the deployment flags about a member (the chain's CallRuleSet), and the settings a
        # proposal may change on the governor and the timelock.
        self.about_member = {(getattr(g, attr if attr != "body_factory" else "bodies").address,
                              function_signature_to_4byte_selector(sig))
                             for attr, sig, _, about in CALL_RULES if about}
        self.governor_settings = {function_signature_to_4byte_selector(sig) for sig in (
            "setVotingDelay(uint48)", "setVotingPeriod(uint32)", "setLateQuorumVoteExtension(uint48)",
            "updateQuorumNumerator(uint256)", "setConstitutionalQuorum(uint256)", "setWeightCap(uint256)",
            "setCallRule(address,bytes4,bool,bool)")}
        self.timelock_settings = {function_signature_to_4byte_selector("updateDelay(uint256)")}
        self.snapshot = chain.snapshot()

    def weight(self, members) -> int:
        return sum(WEIGHTS[self.tier_of[a]] for a in members)


@pytest.fixture(scope="module")
def arena():
    return Arena()


# ───── what a hostile proposer can put in a proposal ─────

MEMBER = st.one_of(st.integers(1, 10), st.sampled_from([0, 2**32, 2**256 - 1]))
TIER = st.integers(0, 3)
SMALL = st.integers(0, 10**18)


def actions(arena: Arena):
    """Strategies for one call, as (target, value, calldata), over every power of the suite."""
    g = arena.gov
    r, t, c, s, f, gv, tl = g.registry, g.treasury, g.conduct, g.standards, g.bodies, g.governor, g.timelock
    attacker = arena.attacker

    def call(contract, fn, *args):
        return st.tuples(*args).map(lambda a: g.call(contract, fn, *a))

    op = (r.address, 0, r.changeTier.encode_input(3, 0), b"\x00" * 32, HASH)
    suspend = r.suspend.signature
    return st.one_of(
        call(r, "suspend", MEMBER, st.just("x")), call(r, "expel", MEMBER, st.just("x")),
        call(r, "changeTier", MEMBER, TIER), call(r, "rotateSeatOf", MEMBER, st.just(attacker)),
        call(r, "reinstate", MEMBER), call(r, "setTier", TIER, st.just("t"), st.integers(0, 50), st.booleans(),
                                           st.booleans()),
        call(r, "admit", st.tuples(st.just(attacker), TIER, st.just(""), st.just(HASH))),
        call(r, "setDuesOracle", st.just(attacker)), call(r, "lapse", MEMBER),
        call(c, "censure", MEMBER, st.just("x"), st.just(0)),
        call(t, "spend", st.just(ETH), st.just(attacker), SMALL, st.just("x")),
        call(t, "setBudget", st.just(attacker), st.just(ETH), SMALL), call(t, "setDues", TIER, SMALL),
        call(t, "setDuesTerms", st.integers(1, 10**6), st.integers(0, 10**6)),
        call(t, "setAcceptedToken", st.just(attacker), st.booleans()),
        call(f, "create", st.integers(0, 3), st.just("b"), st.just(1), st.lists(st.integers(1, 9),
             min_size=1, max_size=2, unique=True), st.just([(r.address, suspend)])),
        call(s, "setPublisher", st.just(attacker), st.booleans()), call(s, "adopt", st.just(1)),
        call(gv, "setCallRule", st.sampled_from([r.address, c.address]), st.sampled_from([suspend,
             r.expel.signature, c.censure.signature]), st.booleans(), st.booleans()),
        call(gv, "updateQuorumNumerator", st.integers(0, 100)),
        call(gv, "setConstitutionalQuorum", st.integers(0, 100)),
        call(gv, "setWeightCap", st.integers(1, 10_000)), call(gv, "setVotingPeriod", st.integers(1, 10**6)),
        call(gv, "relay", st.just(r.address), st.just(0), st.just(r.suspend.encode_input(1, "x"))),
        call(gv, "updateTimelock", st.just(attacker)),
        call(tl, "grantRole", st.sampled_from([tl.PROPOSER_ROLE(), tl.EXECUTOR_ROLE(), tl.DEFAULT_ADMIN_ROLE()]),
             st.sampled_from([attacker, tl.address])),
        call(tl, "schedule", *map(st.just, op), st.just(0)), call(tl, "execute", *map(st.just, op)),
        call(tl, "cancel", st.just(HASH)), call(tl, "updateDelay", st.integers(0, 10**6)),
        # raw calls: any selector and arguments, to the suite's contracts or anywhere
        st.tuples(st.sampled_from([r.address, t.address, c.address, s.address, f.address, gv.address, tl.address,
                                   attacker]), st.integers(0, 1), st.binary(min_size=0, max_size=68)),
    )


def cases(arena: Arena):
    """A member's case as the rules allow it: one to three sanctions of the same member."""
    g = arena.gov
    r, c = g.registry, g.conduct

    def sanctions(member):
        return st.lists(st.one_of(
            st.just(g.call(r, "suspend", member, "x")), st.just(g.call(r, "expel", member, "x")),
            TIER.map(lambda t: g.call(r, "changeTier", member, t)),
            st.just(g.call(r, "rotateSeatOf", member, arena.attacker)), st.just(g.call(c, "censure", member, "x", 0))),
            min_size=1, max_size=3)
    return st.integers(1, 10).flatmap(sanctions)


@st.composite
def attacks(draw, arena: Arena):
    """(mode, hostile members, protected tier, absent members, proposer, calls). `minority`: any bloc below
    half of the weight. `tier`: a tier's outvoted minority allied with every member of the other tier; the
    tier's majority is protected. Some of the others may stay home."""
    mode = draw(st.sampled_from(["minority", "tier"]))
    tier = None
    if mode == "minority":
        hostile = draw(st.permutations(arena.voters))[: draw(st.integers(1, len(arena.voters)))]
        while 2 * arena.weight(hostile) >= arena.total:  # any one member is below half
            hostile.pop()
    else:
        tier = draw(st.sampled_from(list(WEIGHTS)))
        members = arena.roster[tier]
        minority = draw(st.lists(st.sampled_from(members), max_size=(len(members) - 1) // 2, unique=True))
        hostile = [a for a in arena.voters if arena.tier_of[a] != tier] + minority
    others = [a for a in arena.voters if a not in hostile]
    absent = draw(st.lists(st.sampled_from(others), unique=True)) if others and draw(st.booleans()) else []
    proposer = draw(st.sampled_from(hostile))
    calls = draw(st.one_of(cases(arena), st.lists(actions(arena), min_size=1, max_size=4)))
    return mode, hostile, tier, absent, proposer, calls


def _bytes(data) -> bytes:
    return bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)


def selector(data) -> bytes:
    """The selector the governor reads: the first four bytes, zero-padded."""
    return _bytes(data)[:4].ljust(4, b"\x00")


def first_word(data) -> int:
    """The member a call about a member names: its first argument; zero if it has none."""
    data = _bytes(data)
    return int.from_bytes(data[4:36], "big") if len(data) >= 36 else 0


def expected_refusal(arena: Arena, targets, datas) -> str | None:
    """The refusal the rules call for, computed from the calls alone: a call to the governor or the
    timelock that is not one of their settings; else a member's case bundled with anything else."""
    gov = arena.gov
    for target, data in zip(targets, datas, strict=True):
        allowed = {gov.governor.address: arena.governor_settings, gov.timelock.address: arena.timelock_settings}
        if target in allowed and selector(data) not in allowed[target]:
            return "GovernorForbiddenCall"
    about = [(t, d) for t, d in zip(targets, datas, strict=True) if (t, selector(d)) in arena.about_member]
    if about and (len(about) < len(targets) or len({first_word(d) for _, d in about}) > 1):
        return "GovernorMemberCaseBundled"
    return None


with warnings.catch_warnings():  # brownie warns whoever uses hypothesis' given; see why just below
    warnings.simplefilter("ignore", BrownieTestWarning)
    examples = given(data=st.data())


# Hypothesis directly, not brownie's `given`: its per-example isolation wrapper costs a quarter second an
# example, and each example here reverts to the arena's snapshot itself. No target phase: nothing is
# optimised, so the phase would only re-run examples.
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])
@examples
def test_a_hostile_proposer_never_beats_the_honest_majority_nor_moves_the_electorate(arena, data):
    mode, hostile, tier, absent, proposer, calls = data.draw(attacks(arena))
    chain.revert()
    gov = arena.gov
    targets, values, datas = (list(x) for x in zip(*calls, strict=True))
    expected = expected_refusal(arena, targets, datas)
    try:  # a call first: a refusal is decoded without a transaction and its trace
        gov.governor.propose.call(targets, values, datas, "hostile", {"from": proposer})
    except VirtualMachineError as exc:
        refusal = (exc.revert_msg or "").split(":")[0]
        assert refusal == expected, (exc.revert_msg, calls)
        event(f"refused: {refusal}")
        return
    assert expected is None, (expected, calls)
    pid = gov.governor.propose(targets, values, datas, "hostile", {"from": proposer}).events["ProposalCreated"][
        "proposalId"]
    kind, subject = gov.governor.proposalKind(pid)

    # A member's case holds only calls about its member, who alone is recused; nothing else recuses anyone.
    about = [first_word(d) for t, d in zip(targets, datas, strict=True) if (t, selector(d)) in arena.about_member]
    assert (kind == MEMBER_CASE) == bool(about)
    assert subject == (about[0] if about and about[0] < 2**32 else 0)
    recused = {m for m in range(1, 11) if gov.governor.memberMarks(pid, m)[1]}
    assert recused == ({subject} if 0 < subject <= 10 else set())
    # Calls to the governor or the timelock (their settings) are never ordinary.
    if any(target in (gov.governor.address, gov.timelock.address) for target in targets):
        assert kind != ORDINARY

    # The hostile bloc votes for, the others against (but those who stay home), in one relayed batch.
    voting = [a for a in arena.voters if a not in absent and gov.member_id(a) not in recused]
    ballots = [gov.compact(gov.member_ballot(a.private_key, pid, FOR if a in hostile else AGAINST)) for a in voting]
    mine_at(gov.governor.proposalSnapshot(pid) + 1)
    gov.cast_batch(pid, [], accounts[0], compact=ballots)
    mine_at(max(gov.governor.proposalDeadline(pid), latest_timestamp()) + 1)
    state = STATES[gov.governor.state(pid)]
    kind_name = ["ordinary", "constitutional", "member case"][kind]
    event(f"{mode} bloc, {kind_name} proposal, {'some stay home' if absent else 'all vote'}: {state}")
    protected = [a for a in arena.roster.get(tier, []) if a not in hostile]  # the tier's majority, if any
    if mode == "minority" and (kind != ORDINARY or not absent):
        # below half of all weight: nothing beyond ordinary business, and nothing the others vote against
        assert state == "Defeated", (mode, kind, subject, calls, absent)
    if mode == "tier" and kind != ORDINARY and not set(protected) & set(absent):
        assert state == "Defeated", (mode, tier, kind, subject, calls)  # concurrent majorities
    if state != "Succeeded":
        return

    # What passes runs only through the governor, and never removes the protected tier's voters.
    weights = {a: gov.registry.getVotes(a) for a in protected}
    description_hash = web3.keccak(text="hostile")
    gov.governor.queue(targets, values, datas, description_hash, {"from": proposer})
    mine_at(latest_timestamp() + gov.timelock.getMinDelay() + 1)
    salt = (int.from_bytes(bytes.fromhex(gov.governor.address[2:]).ljust(32, b"\x00"), "big")
            ^ int.from_bytes(description_hash, "big")).to_bytes(32, "big")
    with pytest.raises(VirtualMachineError, match="AccessControlUnauthorizedAccount"):
        gov.timelock.executeBatch(targets, values, datas, b"\x00" * 32, salt, {"from": proposer})
    try:
        gov.governor.execute(targets, values, datas, description_hash, {"from": proposer})
    except VirtualMachineError:
        return  # a call failed: nothing ran
    if mode == "tier" and not set(protected) & set(absent):
        assert {a: gov.registry.getVotes(a) for a in protected} == weights, (tier, calls)
