"""Exact gas of our suite: votes (direct, by signature, in batches), propose / queue / execute,
admission, and the same per-vote figures at 10 to 10,000 members."""

from __future__ import annotations

from web3 import Web3

from bench.common import FOR, advance, all_counted, funded, keys, median
from orchestrator.chain.node import Sender
from orchestrator.chain.proposals import receipt_events
from orchestrator.operations.config import ZERO_ADDRESS, parse
from orchestrator.operations.deploy import contract, deploy
from orchestrator.relay import ballots

SETTINGS = {"voting_delay": 60, "voting_period": 86_400, "late_quorum_extension": 600, "quorum_percent": 10,
            "constitutional_quorum_percent": 30, "weight_cap_bps": 10_000, "timelock_delay": 60}
DIRECT_VOTERS = 25
BATCHES = (1, 10, 100, 250)


class Suite:
    """Our suite with `n` members: 5% founding (weight 3), the rest regular (weight 1)."""

    def __init__(self, w3: Web3, n: int):
        self.w3 = w3
        self.keys = keys("bench member", n)
        self.founding = max(1, n // 20)
        members = [{"seat": a.address, "tier": "founding" if i < self.founding else "regular",
                    "legal_name": f"Bench member {i}", "jurisdiction": "CH"} for i, a in enumerate(self.keys)]
        self.deployer = Sender(w3.eth.accounts[0])
        d = deploy(w3, self.deployer, parse({"name": "Bench", "governor": SETTINGS, "members": members}))
        self.governor = contract(w3, "ConsortiumGovernor", d.governor)
        self.registry = contract(w3, "MemberRegistry", d.registry)
        self.treasury = contract(w3, "Treasury", d.treasury)
        self.domain = ballots.domain("Bench", w3.eth.chain_id, d.governor)
        self.proposals = 0

    def propose(self) -> tuple[int, tuple, int]:
        """An ordinary proposal (a budget: one storage write, about no member), voting open on return:
        (id, operation, gas)."""
        self.proposals += 1
        fn = self.treasury.functions.setBudget(self.keys[1].address, ZERO_ADDRESS, self.proposals)
        data = bytes.fromhex(fn._encode_transaction_data()[2:])
        call = ([self.treasury.address], [0], [data], f"bench proposal {self.proposals}")
        # A different member each time: a member may have at most three proposals open (spam guard).
        proposer = self.keys[(self.proposals - 1) % len(self.keys)]
        receipt = funded(self.w3, proposer).transact(self.w3, self.governor.functions.propose(*call), "propose")
        proposal_id = receipt_events(self.governor, receipt, "ProposalCreated")[0]["args"]["proposalId"]
        advance(self.w3, SETTINGS["voting_delay"] + 1)
        return proposal_id, call, receipt["gasUsed"]

    def vote(self, proposal_id: int, index: int) -> int:
        fn = self.governor.functions.castVote(proposal_id, FOR)
        return funded(self.w3, self.keys[index]).transact(self.w3, fn, "castVote")["gasUsed"]

    def ballot(self, proposal_id: int, index: int) -> tuple:
        account = self.keys[index]
        typed = ballots.member_ballot(self.domain, proposal_id, FOR, account.address)
        return (account.address, FOR, "", ballots.sign(typed, account.key))

    def vote_by_sig(self, proposal_id: int, index: int) -> int:
        account = self.keys[index]
        nonce = self.governor.functions.nonces(account.address).call()
        signature = ballots.sign(ballots.oz_ballot(self.domain, proposal_id, FOR, account.address, nonce), account.key)
        fn = self.governor.functions.castVoteBySig(proposal_id, FOR, account.address, signature)
        return self.deployer.transact(self.w3, fn, "castVoteBySig")["gasUsed"]

    def batch(self, proposal_id: int, indices, layout: str = "compact") -> int:
        signed = [self.ballot(proposal_id, i) for i in indices]
        if layout == "compact":
            fn = self.governor.functions.castVoteBatch(
                proposal_id, [ballots.compact(v, s, sig) for v, s, _, sig in signed], [])
        else:
            fn = self.governor.functions.castVoteBatch(proposal_id, [], signed)
        before = self.governor.functions.proposalVotes(proposal_id).call()[1]
        receipt = self.deployer.transact(self.w3, fn, "castVoteBatch")
        return all_counted(self.governor, receipt, proposal_id, len(signed), before)

    def direct_votes_after_quorum(self, voters) -> list[int]:
        """Founding members vote first and reach quorum, then `voters` vote: every measured vote pays
        the same steady-state costs whatever the size of the consortium."""
        proposal_id, _, _ = self.propose()
        for i in range(self.founding):
            self.vote(proposal_id, i)
        return [self.vote(proposal_id, i) for i in voters]


def measure(w3: Web3) -> dict:
    suite = Suite(w3, 300)
    result = {}
    proposal_id, call, result["propose"] = suite.propose()
    votes = [suite.vote(proposal_id, i) for i in range(1, 1 + DIRECT_VOTERS)]
    result["castVote"] = {"median": median(votes), "first": votes[0], "samples": len(votes)}
    by_sig = [suite.vote_by_sig(proposal_id, i) for i in range(30, 30 + DIRECT_VOTERS)]
    result["castVoteBySig"] = {"median": median(by_sig), "samples": len(by_sig)}
    result["batch_per_ballot"], result["batch_per_ballot_full_layout"] = {}, {}
    for size in BATCHES:
        # Each batch opens a fresh proposal, so it also pays that proposal's one-off first writes.
        for layout, key in (("compact", "batch_per_ballot"), ("full", "batch_per_ballot_full_layout")):
            batch_id, _, _ = suite.propose()
            result[key][str(size)] = round(suite.batch(batch_id, range(40, 40 + size), layout) / size)
    steady_id, _, _ = suite.propose()
    suite.batch(steady_id, range(40, 50))
    result["batch_per_ballot_steady_100"] = round(suite.batch(steady_id, range(50, 150)) / 100)
    advance(w3, SETTINGS["voting_period"] + 1)
    operation = (*call[:3], w3.keccak(text=call[3]))
    result["queue"] = suite.deployer.transact(w3, suite.governor.functions.queue(*operation), "queue")["gasUsed"]
    advance(w3, SETTINGS["timelock_delay"] + 1)
    result["execute"] = suite.deployer.transact(w3, suite.governor.functions.execute(*operation), "x")["gasUsed"]
    result["admit_member"] = measure_admission(w3)
    return result


def measure_admission(w3: Web3) -> int:
    """Admitting one member: the gas of the registry call the timelock makes. Time moves on first, as
    between real admissions, so the total-weight history gains a checkpoint rather than updating one."""
    suite = Suite(w3, 10)
    admit = suite.registry.functions.admit((keys("bench newcomer", 1)[0].address, 1, "ipfs://x", b"\x00" * 32))
    advance(w3, 1)
    timelock = suite.registry.functions.governance().call()
    return w3.eth.estimate_gas({"from": timelock, "to": suite.registry.address,
                                "data": admit._encode_transaction_data()})


def measure_scale(w3: Web3) -> tuple[dict, dict]:
    per_vote, per_ballot = {}, {}
    for n in (10, 100, 1000, 10_000):
        suite = Suite(w3, n)
        voters = range(suite.founding, min(n, suite.founding + 8))
        per_vote[str(n)] = median(suite.direct_votes_after_quorum(voters))
        if n >= 100:
            batch_id, _, _ = suite.propose()
            per_ballot[str(n)] = round(suite.batch(batch_id, range(n - 100, n)) / 100)
    return per_vote, per_ballot
