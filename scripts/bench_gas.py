"""Gas of the governance core, measured exactly on anvil: `make bench-gas`
(= `brownie run scripts/bench_gas.py`). Writes bench/gas-core.json.

Measures, for our suite: direct castVote (median over many voters), castVoteBySig as one transaction,
signed-ballot batches of 1, 10, 100 and 250 (gas per ballot), propose, queue, execute, admitting a
member, and gas per vote at 10, 100, 1,000 and 10,000 members. Gas is deterministic, so one run is
exact; medians only smooth the first-vote-of-a-proposal and first-ballot-in-a-bitmap-word effects.
"""

import json
import statistics
import time
from pathlib import Path

from brownie import web3
from eth_account import Account
from eth_utils import keccak
from web3.logs import DISCARD

from orchestrator import ballots
from orchestrator.chain import Sender
from orchestrator.config import parse
from orchestrator.deploy import contract, deploy

FOR = 1
OUT = Path("bench/gas-core.json")
SETTINGS = {"voting_delay": 60, "voting_period": 86_400, "late_quorum_extension": 600, "quorum_percent": 10,
            "constitutional_quorum_percent": 30, "weight_cap_bps": 10_000, "timelock_delay": 60}
DIRECT_VOTERS = 25


def rpc(method, *params):
    response = web3.provider.make_request(method, list(params))
    if "error" in response:
        raise RuntimeError(response["error"])
    return response.get("result")


def advance(seconds):
    rpc("evm_increaseTime", seconds)
    rpc("evm_mine")


class Suite:
    """A deployed suite with `n` members: 5% founding (weight 3), the rest regular (weight 1)."""

    def __init__(self, n):
        # Throwaway devnet accounts derived from their index, so signatures (and the calldata gas they
        # cost, which depends on their zero bytes) are the same in every run.
        self.keys = [Account.from_key(keccak(text=f"bench member {i}")) for i in range(n)]
        founding = self.founding = max(1, n // 20)
        members = [{"seat": a.address, "tier": "founding" if i < founding else "regular"}
                   for i, a in enumerate(self.keys)]
        self.deployer = Sender(web3.eth.accounts[0])
        d = deploy(web3, self.deployer, parse({"name": "Bench", "governor": SETTINGS, "members": members}))
        self.governor = contract(web3, "ConsortiumGovernor", d.governor)
        self.registry = contract(web3, "MemberRegistry", d.registry)
        self.proposals = 0

    def fund(self, account):
        rpc("anvil_setBalance", account.address, hex(10**20))
        return Sender.local(account)

    def propose(self, proposer_index=0):
        self.proposals += 1
        suspend = self.registry.functions.suspend(2, "bench")._encode_transaction_data()
        call = ([self.registry.address], [0], [suspend], f"bench proposal {self.proposals}")
        sender = self.fund(self.keys[proposer_index])
        receipt = sender.transact(web3, self.governor.functions.propose(*call), "propose")
        created = self.governor.events.ProposalCreated().process_receipt(receipt, errors=DISCARD)
        proposal_id = created[0]["args"]["proposalId"]
        advance(61)
        return proposal_id, call, receipt["gasUsed"]

    def vote(self, proposal_id, index):
        sender = self.fund(self.keys[index])
        return sender.transact(web3, self.governor.functions.castVote(proposal_id, FOR), "castVote")["gasUsed"]

    def domain(self):
        return ballots.domain("Bench", web3.eth.chain_id, self.governor.address)

    def ballot(self, proposal_id, index):
        account = self.keys[index]
        typed = ballots.member_ballot(self.domain(), proposal_id, FOR, account.address)
        return (account.address, FOR, "", ballots.sign(typed, account.key))

    def vote_by_sig(self, proposal_id, index):
        account = self.keys[index]
        nonce = self.governor.functions.nonces(account.address).call()
        typed = ballots.oz_ballot(self.domain(), proposal_id, FOR, account.address, nonce)
        signature = ballots.sign(typed, account.key)
        fn = self.governor.functions.castVoteBySig(proposal_id, FOR, account.address, signature)
        return self.deployer.transact(web3, fn, "castVoteBySig")["gasUsed"]

    def batch(self, proposal_id, indices, layout="compact"):
        """Relay signed ballots of members `indices` in one castVoteBatch; returns gas used."""
        ballots = [self.ballot(proposal_id, i) for i in indices]
        if layout == "compact":
            fn = self.governor.functions.castVoteBatch(proposal_id, [compact(b) for b in ballots], [])
        else:
            fn = self.governor.functions.castVoteBatch(proposal_id, [], ballots)
        return self.deployer.transact(web3, fn, "batch")["gasUsed"]


def compact(ballot):
    voter, support, _, signature = ballot
    return ballots.compact(voter, support, signature)


def direct_votes(suite, voters):
    """Founding members vote first and reach quorum, then the measured regular members vote: every
    measured vote pays the same steady-state costs whatever the size of the consortium."""
    proposal_id, _, _ = suite.propose()
    for i in range(suite.founding):
        suite.vote(proposal_id, i)
    return [suite.vote(proposal_id, i) for i in voters]


def measure_core():
    suite = Suite(300)
    result = {}
    proposal_id, call, result["propose"] = suite.propose()
    votes = [suite.vote(proposal_id, i) for i in range(1, 1 + DIRECT_VOTERS)]
    result["castVote"] = {"median": statistics.median(votes), "first": votes[0], "samples": len(votes)}
    by_sig = [suite.vote_by_sig(proposal_id, i) for i in range(30, 30 + DIRECT_VOTERS)]
    result["castVoteBySig"] = {"median": statistics.median(by_sig), "samples": len(by_sig)}
    start = 40
    result["batch_per_ballot"], result["batch_per_ballot_full_layout"] = {}, {}
    # Steady state: a batch of 100 on a proposal that already has votes pays no one-off costs.
    steady_id, _, _ = suite.propose()
    suite.batch(steady_id, range(start, start + 10))
    result["batch_per_ballot_steady_100"] = round(suite.batch(steady_id, range(start + 10, start + 110)) / 100)
    for size in (1, 10, 100, 250):
        # Each batch opens a fresh proposal, so it also pays the proposal's one-off costs (counters
        # word, first tally and bitmap words): the figures are upper bounds for later batches.
        for layout, key in (("compact", "batch_per_ballot"), ("full", "batch_per_ballot_full_layout")):
            batch_id, _, _ = suite.propose()
            result[key][str(size)] = round(suite.batch(batch_id, range(start, start + size), layout) / size)
    advance(86_400 + 1)
    queue = suite.deployer.transact(web3, suite.governor.functions.queue(*call[:3], web3.keccak(text=call[3])), "q")
    advance(61)
    execute = suite.deployer.transact(web3, suite.governor.functions.execute(*call[:3], web3.keccak(text=call[3])), "x")
    result["queue"], result["execute"] = queue["gasUsed"], execute["gasUsed"]
    return result


def measure_admission():
    """Admitting one member through governance: the gas of the registry call inside execute. Time moves
    on first, as it does between real admissions, so the total-weight history gains a new checkpoint
    (measured in the same second it would update the last one in place, 20,000 gas less)."""
    suite = Suite(10)
    newcomer = Account.from_key(keccak(text="bench newcomer")).address
    admit = suite.registry.functions.admit((newcomer, 1, "ipfs://x", b"\x00" * 32))
    advance(1)
    return web3.eth.estimate_gas({"from": suite.registry.functions.governance().call(), "to": suite.registry.address,
                                  "data": admit._encode_transaction_data()})


def measure_scale():
    per_vote, per_ballot = {}, {}
    for n in (10, 100, 1000, 10_000):
        suite = Suite(n)
        voters = range(max(1, n // 20), min(n, max(1, n // 20) + 8))  # regular members
        per_vote[str(n)] = statistics.median(direct_votes(suite, voters))
        if n >= 100:
            batch_id, _, _ = suite.propose()
            per_ballot[str(n)] = round(suite.batch(batch_id, range(n - 100, n)) / 100)
    return per_vote, per_ballot


def main():
    started = time.time()
    core = measure_core()
    core["admit_member"] = measure_admission()
    per_vote, per_ballot = measure_scale()
    solc = json.loads(Path("build/contracts/ConsortiumGovernor.json").read_text())["compiler"]
    results = {"ours": core, "scale_per_vote": per_vote, "scale_batch_per_ballot_100": per_ballot,
               "env": {"solc": solc["version"], "evm_version": solc.get("evm_version", "cancun"),
                       "anvil": web3.client_version, "optimizer_runs": solc["optimizer"]["runs"]},
               "wall_s": round(time.time() - started, 1)}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
