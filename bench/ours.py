"""Exact gas of our suite: votes (direct, by signature, in batches), propose / queue / execute,
admission, and the same per-vote figures at 10 to 10,000 members."""

from __future__ import annotations

import random

from web3 import Web3
from web3.exceptions import Web3Exception

from bench.common import FOR, BenchError, advance, all_counted, all_rejected, funded, keys, median, rpc
from orchestrator.chain.node import Sender
from orchestrator.chain.proposals import receipt_events
from orchestrator.operations.config import ZERO_ADDRESS, parse
from orchestrator.operations.deploy import contract, deploy
from orchestrator.relay import ballots

SETTINGS = {"voting_delay": 60, "voting_period": 86_400, "late_quorum_extension": 600, "quorum_percent": 10,
            "constitutional_quorum_percent": 30, "weight_cap_bps": 10_000, "timelock_delay": 60}
DIRECT_VOTERS = 25
BATCHES = (1, 10, 100, 250)
LARGEST_BATCH = 1_000  # or the largest that fits in a block (anvil's 30M gas)
REASONS = (0, 32, 140)  # characters of the reason a full-layout ballot carries
# A whole proposal: members, the share that votes, in random order, submitted as `relay serve` submits.
TURNOUT_MEMBERS, TURNOUT, TURNOUT_SEED = 10_000, 0.30, 15
RELAY_BATCH = 100  # `relay serve --batch-size`'s default


class Suite:
    """Our suite with `n` members: 5% founding (weight 3), the rest regular (weight 1). The last `wallets`
    members are seated as contract wallets (contracts/test/TestWallet.sol, ERC-1271) owned by their keys.
    Member i (from 0) has member id i + 1."""

    def __init__(self, w3: Web3, n: int, wallets: int = 0):
        self.w3 = w3
        self.keys = keys("bench member", n)
        self.founding = max(1, n // 20)
        self.deployer = Sender(w3.eth.accounts[0])
        self.seats = [a.address for a in self.keys[:n - wallets]] + [
            self.deployer.transact(w3, contract(w3, "TestWallet").constructor(a.address), "wallet")["contractAddress"]
            for a in self.keys[n - wallets:]]
        members = [{"seat": seat, "tier": "founding" if i < self.founding else "regular",
                    "legal_name": f"Bench member {i}", "jurisdiction": "CH"} for i, seat in enumerate(self.seats)]
        d = deploy(w3, self.deployer, parse({"name": "Bench", "governor": SETTINGS, "members": members}))
        self.governor = contract(w3, "ConsortiumGovernor", d.governor)
        self.registry = contract(w3, "MemberRegistry", d.registry)
        self.treasury = contract(w3, "Treasury", d.treasury)
        self.deployment = d
        self.domain = ballots.domain("Bench", w3.eth.chain_id, d.governor)
        self.proposals = 0

    def propose(self, sealed: bool = False) -> tuple[int, tuple, int]:
        """An ordinary proposal (a budget: one storage write, about no member), voting open on return:
        (id, operation, gas). `sealed`: its description ends with #sealed."""
        self.proposals += 1
        fn = self.treasury.functions.setBudget(self.keys[1].address, ZERO_ADDRESS, self.proposals)
        data = bytes.fromhex(fn._encode_transaction_data()[2:])
        call = ([self.treasury.address], [0], [data], f"bench proposal {self.proposals}{' #sealed' if sealed else ''}")
        # A different member each time: a member may have at most three proposals open (spam guard).
        proposer = self.keys[(self.proposals - 1) % len(self.keys)]
        receipt = funded(self.w3, proposer).transact(self.w3, self.governor.functions.propose(*call), "propose")
        proposal_id = receipt_events(self.governor, receipt, "ProposalCreated")[0]["args"]["proposalId"]
        advance(self.w3, SETTINGS["voting_delay"] + 1)
        return proposal_id, call, receipt["gasUsed"]

    def vote(self, proposal_id: int, index: int) -> int:
        fn = self.governor.functions.castVote(proposal_id, FOR)
        return funded(self.w3, self.keys[index]).transact(self.w3, fn, "castVote")["gasUsed"]

    def ballot(self, proposal_id: int, index: int, reason: str = "") -> tuple:
        """Member `index`'s signed ballot (a SignedBallot): its key signs for its seat, account or wallet."""
        seat = self.seats[index]
        typed = ballots.member_ballot(self.domain, proposal_id, FOR, seat, reason)
        return (seat, FOR, reason, ballots.sign(typed, self.keys[index].key))

    def quorum_reached(self, proposal_id: int) -> bool:
        _, for_votes, abstain = self.governor.functions.proposalVotes(proposal_id).call()
        return for_votes + abstain >= self.governor.functions.proposalQuorum(proposal_id).call()

    def vote_by_sig(self, proposal_id: int, index: int) -> int:
        account = self.keys[index]
        nonce = self.governor.functions.nonces(account.address).call()
        signature = ballots.sign(ballots.oz_ballot(self.domain, proposal_id, FOR, account.address, nonce), account.key)
        fn = self.governor.functions.castVoteBySig(proposal_id, FOR, account.address, signature)
        return self.deployer.transact(self.w3, fn, "castVoteBySig")["gasUsed"]

    def batch(self, proposal_id: int, indices, layout: str = "compact", reason: str = "") -> int:
        return self.send(proposal_id, [self.ballot(proposal_id, i, reason) for i in indices], layout)

    def send(self, proposal_id: int, signed: list[tuple], layout: str = "compact", refused: str = "") -> int:
        """One castVoteBatch of `signed` ballots: its gas, checked to have counted all of them, or, with
        `refused`, to have refused all of them for that reason."""
        before = self.governor.functions.proposalVotes(proposal_id).call()[1]
        receipt = self.deployer.transact(self.w3, self._batch_call(proposal_id, signed, layout), "castVoteBatch")
        if refused:
            return all_rejected(self.governor, receipt, proposal_id, len(signed), before, refused)
        return all_counted(self.governor, receipt, proposal_id, len(signed), before)

    def _batch_call(self, proposal_id: int, signed: list[tuple], layout: str):
        if layout == "compact":
            return self.governor.functions.castVoteBatch(
                proposal_id, [ballots.compact(v, s, sig) for v, s, _, sig in signed], [])
        return self.governor.functions.castVoteBatch(proposal_id, [], signed)

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
    votes, quorum_vote = [], None
    for i in range(1, 1 + DIRECT_VOTERS):
        reached = suite.quorum_reached(proposal_id)
        votes.append(suite.vote(proposal_id, i))
        if not reached and suite.quorum_reached(proposal_id):
            quorum_vote = votes[-1]  # late-quorum protection records the time quorum was reached
    by_sig = [suite.vote_by_sig(proposal_id, i) for i in range(30, 30 + DIRECT_VOTERS)]
    # The first voter of a fresh 128-member marks word (member ids 128 and 256, both regular) on a proposal
    # that already has votes pays for a new storage word.
    first_in_word = [suite.vote(proposal_id, member_id - 1) for member_id in (128, 256)]
    result["castVote"] = {"median": median(votes), "first": votes[0], "samples": len(votes),
                          "max": max(votes[1:] + first_in_word), "first_in_word": first_in_word[0],
                          "quorum_reaching": quorum_vote}
    result["castVoteBySig"] = {"median": median(by_sig), "samples": len(by_sig)}
    result["batch_per_ballot"], result["batch_per_ballot_full_layout"] = {}, {}
    for size in BATCHES:
        # Each batch opens a fresh proposal, so it also pays that proposal's one-off first writes.
        for layout, key in (("compact", "batch_per_ballot"), ("full", "batch_per_ballot_full_layout")):
            batch_id, _, _ = suite.propose()
            result[key][str(size)] = round(suite.batch(batch_id, range(40, 40 + size), layout) / size)
    result["batch_per_ballot_full_layout_reason"] = full_layout_reasons(suite)
    steady_id, _, _ = suite.propose()
    suite.batch(steady_id, range(40, 50))
    result["batch_per_ballot_steady_100"] = round(suite.batch(steady_id, range(50, 150)) / 100)
    result["rejected_per_ballot"] = rejected(suite)
    result["sealed"] = undone(w3, sealed_votes, suite)
    result["election"] = undone(w3, approval_votes, suite)
    advance(w3, SETTINGS["voting_period"] + 1)
    operation = (*call[:3], w3.keccak(text=call[3]))
    result["queue"] = suite.deployer.transact(w3, suite.governor.functions.queue(*operation), "queue")["gasUsed"]
    advance(w3, SETTINGS["timelock_delay"] + 1)
    result["execute"] = suite.deployer.transact(w3, suite.governor.functions.execute(*operation), "x")["gasUsed"]
    result["admit_member"] = measure_admission(w3)
    result["erc1271_batch_100"] = undone(w3, wallet_ballots)
    result["largest_batch"] = undone(w3, largest_batch)
    result["batch_per_ballot"][str(result["largest_batch"]["size"])] = result["largest_batch"]["per_ballot"]
    result["turnout"] = undone(w3, turnout)
    result["turnout_per_ballot"] = result["turnout"]["relayer_policy"]
    return result


def undone(w3: Web3, measurement, *args):
    """Run `measurement(w3, *args)`, then put the chain back as it was: a 10,000-member roll left in the node's
    state slows every block it mines after (the reference's 1,001-block voting period then timed out)."""
    before = rpc(w3, "evm_snapshot")
    try:
        return measurement(w3, *args)
    finally:
        rpc(w3, "evm_revert", before)


def sealed_votes(w3: Web3, suite: Suite, size: int = 100) -> dict:
    """A sealed proposal (its description ends with #sealed): members 1..25 commit from their own seats, one
    transaction each, then a relayer commits members 40..139 in one batch; at the reveal start members 1..25
    reveal their own (a batch of one each), then the relayer reveals the batch. A sealed vote costs one commit
    and one reveal; the first reveal also writes the proposal's counters, as the first open vote does."""
    pid, _, propose_gas = suite.propose(sealed=True)
    governor = suite.governor.functions
    salt = [i.to_bytes(32, "big") for i in range(len(suite.keys))]

    def commitment(i: int) -> bytes:
        return ballots.commitment(w3.eth.chain_id, suite.governor.address, pid, i + 1, FOR, salt[i])

    def counted(receipt, what: str, n: int) -> int:
        events = receipt_events(suite.governor, receipt, what)
        if len(events) != n:
            raise BenchError(f"{what}: {len(events)} of {n} in the transaction: its gas measures nothing")
        return receipt["gasUsed"]

    def own(i: int, fn, what: str) -> int:
        return counted(funded(w3, suite.keys[i]).transact(w3, fn, what), what, 1)

    own_commits = [own(i, governor.commitVotes(pid, [(suite.seats[i], commitment(i), b"")]), "VoteCommitted")
                   for i in range(1, 1 + DIRECT_VOTERS)]
    relayed = [(suite.seats[i], commitment(i), ballots.sign(
        ballots.sealed_ballot(suite.domain, pid, suite.seats[i], commitment(i)), suite.keys[i].key))
        for i in range(40, 40 + size)]
    commit_batch = counted(suite.deployer.transact(w3, governor.commitVotes(pid, relayed), "commit"), "VoteCommitted",
                           size)
    advance(w3, governor.proposalRevealStart(pid).call() - w3.eth.get_block("latest")["timestamp"])
    own_reveals = [own(i, governor.revealVotes(pid, [(suite.seats[i], FOR, salt[i])]), "VoteCast")
                   for i in range(1, 1 + DIRECT_VOTERS)]
    reveals = [(suite.seats[i], FOR, salt[i]) for i in range(40, 40 + size)]
    reveal_batch = counted(suite.deployer.transact(w3, governor.revealVotes(pid, reveals), "reveal"), "VoteCast", size)
    return {"propose": propose_gas, "own_commit": median(own_commits), "own_reveal": median(own_reveals),
            "first_reveal": own_reveals[0], "own_vote": median(own_commits) + median(own_reveals),
            "batch_commit_per_ballot": round(commit_batch / size),
            "batch_reveal_per_ballot": round(reveal_batch / size),
            "batch_per_vote": round((commit_batch + reveal_batch) / size), "batch": size, "samples": DIRECT_VOTERS}


def pass_calls(w3: Web3, suite: Suite, calls: list[tuple], description: str) -> dict:
    """Pass and execute `calls` ((contract function, …)) by the founding members' votes; the execute receipt."""
    targets = [fn.address for fn in calls]
    data = [bytes.fromhex(fn._encode_transaction_data()[2:]) for fn in calls]
    operation = (targets, [0] * len(calls), data, description)
    proposer = funded(w3, suite.keys[0])
    receipt = proposer.transact(w3, suite.governor.functions.propose(*operation), "propose")
    pid = receipt_events(suite.governor, receipt, "ProposalCreated")[0]["args"]["proposalId"]
    advance(w3, SETTINGS["voting_delay"] + 1)
    for i in range(suite.founding):
        suite.vote(pid, i)
    advance(w3, SETTINGS["voting_period"] + 1)
    hashed = (*operation[:3], w3.keccak(text=description))
    suite.deployer.transact(w3, suite.governor.functions.queue(*hashed), "queue")
    advance(w3, SETTINGS["timelock_delay"] + 1)
    return suite.deployer.transact(w3, suite.governor.functions.execute(*hashed), "execute")


ELECTION_CANDIDATES, ELECTION_SEATS, APPROVED_EACH = 10, 3, 3


def approval_votes(w3: Web3, suite: Suite, size: int = 100) -> dict:
    """An election on the same suite: governance creates a 1-of-1 council, names the election registry its elector
    and opens an election of 3 seats; members 2..11 nominate themselves (10 candidates). On the ballot proposal,
    members 12..36 cast their own approval ballot (one transaction each), then a relayer sends members 41..140's
    signed ballots in one batch; every ballot approves 3 of the 10 candidates. Executing the ballot proposal seats
    the 3 winners in the council."""
    d = suite.deployment
    factory = contract(w3, "BodyFactory", d.body_factory)
    elections = contract(w3, "ElectionRegistry", d.elections)
    created = pass_calls(w3, suite, [factory.functions.create(0, "Council", 1, [1], [])], "bench: a council")
    body = contract(w3, "Body", receipt_events(factory, created, "BodyCreated")[0]["args"]["body"])
    now = w3.eth.get_block("latest")["timestamp"]
    nominations_end = now + 3 * SETTINGS["voting_period"]
    pass_calls(w3, suite, [body.functions.setElector(elections.address),
                           elections.functions.open(body.address, ELECTION_SEATS, [], nominations_end,
                                                    nominations_end + 365 * 86_400, "Council")],
               "bench: elect the council")
    nominate = [funded(w3, suite.keys[i]).transact(w3, elections.functions.nominate(1), "nominate")["gasUsed"]
                for i in range(1, 1 + ELECTION_CANDIDATES)]
    advance(w3, nominations_end - w3.eth.get_block("latest")["timestamp"])
    description = elections.functions.ballotDescription(1).call()
    seat = bytes.fromhex(elections.encode_abi("seat", [1])[2:])
    operation = ([elections.address], [0], [seat], description)
    receipt = funded(w3, suite.keys[0]).transact(w3, suite.governor.functions.propose(*operation), "propose ballot")
    pid = receipt_events(suite.governor, receipt, "ProposalCreated")[0]["args"]["proposalId"]
    propose_gas = receipt["gasUsed"]
    advance(w3, SETTINGS["voting_delay"] + 1)
    governor = suite.governor.functions

    def approvals(i: int) -> int:
        return sum(1 << ((i + k * 3) % ELECTION_CANDIDATES) for k in range(APPROVED_EACH))

    def counted(receipt, n: int) -> int:
        cast = receipt_events(suite.governor, receipt, "VoteCastWithParams")
        if len(cast) != n:
            raise BenchError(f"approval ballots: {len(cast)} of {n} counted in one transaction: no measure")
        return receipt["gasUsed"]

    first = 1 + ELECTION_CANDIDATES
    own = [counted(funded(w3, suite.keys[i]).transact(
        w3, governor.castApprovals(pid, [(suite.seats[i], approvals(i), b"")]), "approve"), 1)
        for i in range(first, first + DIRECT_VOTERS)]
    signed = [(suite.seats[i], approvals(i), ballots.sign(
        ballots.approval_ballot(suite.domain, pid, suite.seats[i], approvals(i)), suite.keys[i].key))
        for i in range(40, 40 + size)]
    batch = counted(suite.deployer.transact(w3, governor.castApprovals(pid, signed), "approvals"), size)
    advance(w3, SETTINGS["voting_period"] + 1)
    hashed = (*operation[:3], w3.keccak(text=description))
    suite.deployer.transact(w3, governor.queue(*hashed), "queue")
    advance(w3, SETTINGS["timelock_delay"] + 1)
    executed = suite.deployer.transact(w3, governor.execute(*hashed), "execute")
    elected = receipt_events(elections, executed, "CandidateElected")
    if len(elected) != ELECTION_SEATS:
        raise BenchError(f"the election seated {len(elected)} of {ELECTION_SEATS}: its gas measures no election")
    return {"candidates": ELECTION_CANDIDATES, "seats": ELECTION_SEATS, "approved_each": APPROVED_EACH,
            "nominate": median(nominate), "propose": propose_gas, "own_ballot": median(own), "first_own": own[0],
            "batch_per_ballot": round(batch / size), "batch": size, "samples": DIRECT_VOTERS,
            "execute_and_seat": executed["gasUsed"]}


def full_layout_reasons(suite: Suite, size: int = 100) -> dict:
    """A batch of `size` full-layout (SignedBallot) ballots on a fresh proposal, each carrying a reason of
    0, 32 or 140 ASCII characters: gas per ballot by reason length."""
    result = {}
    for length in REASONS:
        pid, _, _ = suite.propose()
        reason = ("I vote for this proposal as my board resolved. " * 3)[:length]
        result[str(length)] = round(suite.batch(pid, range(40, 40 + size), "full", reason) / size)
    return result


def rejected(suite: Suite, size: int = 100) -> dict:
    """Gas per refused ballot in a batch whose `size` ballots are all refused, each with its BallotRejected:
    already voted (the same signed ballots sent a second time) or a bad signature (signed for another domain)."""
    pid, _, _ = suite.propose()
    signed = [suite.ballot(pid, i) for i in range(40, 40 + size)]
    suite.send(pid, signed)
    already = suite.send(pid, signed, refused="AlreadyVoted")
    domain, suite.domain = suite.domain, {**suite.domain, "chainId": suite.domain["chainId"] + 1}
    forged = [suite.ballot(pid, i) for i in range(40 + size, 40 + 2 * size)]
    suite.domain = domain
    bad = suite.send(pid, forged, refused="InvalidSignature")
    return {"already_voted": round(already / size), "bad_signature": round(bad / size), "batch": size}


def wallet_ballots(w3: Web3, size: int = 100) -> dict:
    """A batch of `size` ballots from contract wallets (ERC-1271, each wallet a member; full layout, no
    reason), next to a batch of `size` ballots from accounts in the same layout on the same suite: both
    the first batch on a fresh proposal."""
    suite = Suite(w3, 40 + 2 * size, wallets=size)
    accounts_id, _, _ = suite.propose()
    accounts = suite.batch(accounts_id, range(40, 40 + size), "full")
    wallets_id, _, _ = suite.propose()
    wallets = suite.batch(wallets_id, range(40 + size, 40 + 2 * size), "full")
    return {"wallet_per_ballot": round(wallets / size), "account_per_ballot": round(accounts / size),
            "batch": size}


def largest_batch(w3: Web3, sizes=(LARGEST_BATCH, 750, 500)) -> dict:
    """A compact batch of 1,000 consecutive voters on a fresh proposal, or, if it does not fit in a block,
    the largest of `sizes` that does."""
    suite = Suite(w3, 40 + sizes[0])
    limit = w3.eth.get_block("latest")["gasLimit"]
    for size in sizes:
        pid, _, _ = suite.propose()
        signed = [suite.ballot(pid, i) for i in range(40, 40 + size)]
        call = {"from": suite.deployer.address, "to": suite.governor.address,
                "data": suite._batch_call(pid, signed, "compact")._encode_transaction_data()}
        try:
            fits = w3.eth.estimate_gas(call) <= limit
        except (ValueError, Web3Exception):  # the node's "exceeds the block gas limit" is an error
            fits = False
        if fits:
            gas = suite.send(pid, signed)
            return {"size": size, "gas": gas, "per_ballot": round(gas / size), "block_gas_limit": limit,
                    "fits": size == sizes[0]}
    raise RuntimeError(f"no batch of {sizes} fits in a block of {limit:,} gas")


def turnout(w3: Web3, members: int = TURNOUT_MEMBERS, share: float = TURNOUT, seed: int = TURNOUT_SEED,
            batch: int = RELAY_BATCH) -> dict:
    """A whole proposal: `share` of `members` vote (chosen at random with a fixed seed), their ballots
    arriving in random order. Under the relayer's own policy (`relay serve`: every pass sends the accepted
    ballots in batches of --batch-size sorted by member id), modelled as every `batch` arrivals making one
    batch sorted by member id; and, for comparison, every ballot held to the end and sent sorted. Gas of
    all batches / voters, each batch checked to have counted all its ballots."""
    suite = Suite(w3, members)
    pid, _, _ = suite.propose()
    arrivals = random.Random(seed).sample(range(members), round(members * share))
    signed = {i: suite.ballot(pid, i) for i in arrivals}

    def total(batches) -> int:
        return sum(suite.send(pid, [signed[i] for i in sorted(b)]) for b in batches)

    def chunks(order):
        return [order[i:i + batch] for i in range(0, len(order), batch)]

    before = rpc(w3, "evm_snapshot")
    policy = total(chunks(arrivals))
    rpc(w3, "evm_revert", before)
    held = total(chunks(sorted(arrivals)))
    return {"members": members, "voters": len(arrivals), "seed": seed, "batch": batch,
            "relayer_policy": round(policy / len(arrivals)), "hold_and_sort": round(held / len(arrivals))}


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
