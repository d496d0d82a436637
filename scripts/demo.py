"""End to end on a local anvil: `make demo` (= `brownie run scripts/demo.py`).

Deploys a consortium of 5 founding, 20 regular and 10 observer members with the real deployment routine,
then runs an ordinary proposal (suspend a member) and a constitutional one (admit a newcomer): most
members sign ballots that a relayer submits in batches, some vote directly, one recuses. Both pass,
are queued and executed through the timelock, and a per-tier summary is printed. Member keys are
generated for the run and never written anywhere. Set DEMO_MEMBERS (default 35) to scale it.
"""

import os
import time

from brownie import web3
from eth_account import Account
from web3.logs import DISCARD

from orchestrator import ballots
from orchestrator.chain import Sender
from orchestrator.config import metadata_hash, parse
from orchestrator.deploy import contract, deploy

TIERS = ["founding", "regular", "observer"]
SUPPORT = {0: "against", 1: "for", 2: "abstain"}
STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"]
KINDS = ["ordinary", "constitutional"]
SETTINGS = {"voting_delay": 60, "voting_period": 3600, "late_quorum_extension": 600, "quorum_percent": 10,
            "constitutional_quorum_percent": 30, "weight_cap_bps": 2500, "timelock_delay": 60}
BATCH = 100


def step(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def advance(seconds):
    web3.provider.make_request("evm_increaseTime", [seconds])
    web3.provider.make_request("evm_mine", [])


class Demo:
    def __init__(self, n):
        founding, observers = max(1, n // 7), max(1, (2 * n) // 7)
        tiers = ["founding"] * founding + ["regular"] * (n - founding - observers) + ["observer"] * observers
        self.members = [(Account.create(), tier) for tier in tiers]
        roll = [{"seat": a.address, "tier": t, "legal_name": f"Member {i + 1} Ltd", "jurisdiction": "CH",
                 "metadata_uri": f"ipfs://demo-member-{i + 1}"} for i, (a, t) in enumerate(self.members)]
        self.operator = Sender(web3.eth.accounts[0])
        step(f"deploying the suite and admitting {n} members ({founding} founding, "
             f"{n - founding - observers} regular, {observers} observers)")
        d = deploy(web3, self.operator, parse({"name": "Demo Consortium", "governor": SETTINGS, "members": roll}))
        self.governor = contract(web3, "ConsortiumGovernor", d.governor)
        self.registry = contract(web3, "MemberRegistry", d.registry)
        self.gas = {}

    def member(self, account):
        """A member acting for itself: funded for gas on the devnet only."""
        web3.provider.make_request("anvil_setBalance", [account.address, hex(10**19)])
        return Sender.local(account)

    def send(self, sender, fn, what):
        receipt = sender.transact(web3, fn, what)
        self.gas[what] = self.gas.get(what, 0) + receipt["gasUsed"]
        return receipt

    def propose(self, proposer, calls, description):
        targets, values, datas = zip(*calls, strict=False)
        fn = self.governor.functions.propose(list(targets), list(values), list(datas), description)
        receipt = self.send(self.member(proposer), fn, "propose")
        pid = self.governor.events.ProposalCreated().process_receipt(receipt, errors=DISCARD)[0]["args"]["proposalId"]
        kind = KINDS[self.governor.functions.proposalKind(pid).call()]
        step(f"proposed '{description}' as {kind} (id {str(pid)[:12]}…)")
        return {"id": pid, "calls": (list(targets), list(values), list(datas)), "description": description}

    def signed_ballot(self, account, proposal_id, support):
        """A member's wallet signs; the relayer gets the compact form."""
        domain = ballots.domain("Demo Consortium", web3.eth.chain_id, self.governor.address)
        signature = ballots.sign(ballots.member_ballot(domain, proposal_id, support, account.address), account.key)
        return ballots.compact(account.address, support, signature)

    def vote(self, p, direct, signed, recusing=None):
        if recusing is not None:
            fn = self.governor.functions.recuse(p["id"], "advises the member concerned")
            self.send(self.member(recusing), fn, "recuse")
            step("one founding member declared a conflict of interest and recused")
        advance(SETTINGS["voting_delay"] + 1)
        for account, support in direct:
            self.send(self.member(account), self.governor.functions.castVote(p["id"], support), "castVote")
        step(f"{len(direct)} members voted directly")
        ballots = [self.signed_ballot(a, p["id"], s) for a, s in signed]
        for i in range(0, len(ballots), BATCH):
            fn = self.governor.functions.castVoteBatch(p["id"], ballots[i:i + BATCH], [])
            receipt = self.send(self.operator, fn, "castVoteBatch (relayer)")
            counted = len(self.governor.events.VoteCast().process_receipt(receipt, errors=DISCARD))
            step(f"relayer submitted {len(ballots[i:i + BATCH])} signed ballots in one transaction: {counted} counted")

    def conclude(self, p):
        advance(SETTINGS["voting_period"] + SETTINGS["late_quorum_extension"] + 1)
        desc_hash = web3.keccak(text=p["description"])
        self.send(self.operator, self.governor.functions.queue(*p["calls"], desc_hash), "queue")
        advance(SETTINGS["timelock_delay"] + 1)
        self.send(self.operator, self.governor.functions.execute(*p["calls"], desc_hash), "execute")
        step(f"'{p['description']}' queued and executed through the timelock")

    def summary(self, p):
        g, pid = self.governor.functions, p["id"]
        kind = KINDS[g.proposalKind(pid).call()]
        against, for_, abstain = g.proposalVotes(pid).call()
        print(f"\n  {p['description']}\n  kind {kind}, state {STATES[g.state(pid).call()]}, "
              f"quorum {g.proposalQuorum(pid).call()} needed (for + abstain = {for_ + abstain})")
        print(f"  {'tier':10} {'for':>6} {'against':>8} {'abstain':>8}")
        for t, name in enumerate(TIERS):
            a, f, ab = g.proposalTierVotes(pid, t).call()
            print(f"  {name:10} {f:>6} {a:>8} {ab:>8}")
        print(f"  {'total':10} {for_:>6} {against:>8} {abstain:>8}")


def main():
    started = time.time()
    demo = Demo(int(os.environ.get("DEMO_MEMBERS", "35")))
    founding = [a for a, t in demo.members if t == "founding"]
    regular = [a for a, t in demo.members if t == "regular"]
    registry = demo.registry

    target = registry.functions.memberIdOf(regular[-1].address).call()
    suspension = registry.functions.suspend(target, "missed three plenaries")._encode_transaction_data()
    suspend = (registry.address, 0, suspension)
    ordinary = demo.propose(founding[0], [suspend], "Suspend the member that missed three plenaries")
    direct = [(founding[1], 1), (founding[2 % len(founding)], 0)] if len(founding) > 2 else [(founding[-1], 1)]
    signed = [(a, 1 if i % 4 else 0) for i, a in enumerate(regular[:-1])]
    demo.vote(ordinary, direct, signed, recusing=founding[0])

    newcomer = Account.create().address
    admission = (newcomer, 1, "ipfs://demo-newcomer", metadata_hash("Newcomer Analytics", "SG"))
    admit = (registry.address, 0, registry.functions.admit(admission)._encode_transaction_data())
    constitutional = demo.propose(founding[0], [admit], "Admit Newcomer Analytics as a regular member")
    demo.vote(constitutional, [(a, 1) for a in founding], [(a, 1 if i % 5 else 2) for i, a in enumerate(regular)])

    demo.conclude(ordinary)
    demo.conclude(constitutional)
    for p in (ordinary, constitutional):
        demo.summary(p)
    print(f"\n  newcomer admitted: weight {registry.functions.getVotes(newcomer).call()}; "
          f"suspended member's weight: {registry.functions.getVotes(regular[-1].address).call()}")
    print("  gas used: " + ", ".join(f"{k} {v:,}" for k, v in demo.gas.items()))
    print(f"  wall time {time.time() - started:.1f} s")
