"""`consortium demo`: a realistic consortium end to end on a devnet, with the orchestrator's own parts.

Deploys 1/7 founding, 4/7 regular and 2/7 observer members (5 / 20 / 10 for 35), then runs an ordinary
proposal (suspend a member) and a constitutional one (admit a newcomer). Five founding members vote
directly (one of them recuses from the ordinary proposal); every other voting member signs a ballot
that the relayer validates, stores and submits in batches. Both proposals are queued and executed
through the timelock. Member keys exist in memory for the run only; the relayer's database is a
temporary file."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from eth_account import Account

from . import ballots, governance
from .chain import DEVNET_CHAIN_ID, Sender
from .config import parse
from .deploy import deploy
from .errors import OrchestratorError
from .proposals import Proposal, Standing, find, receipt_events, standing
from .relay_store import RelayStore
from .relayer import FORMAT, Relayer

SETTINGS = {"voting_delay": 60, "voting_period": 3600, "late_quorum_extension": 600, "quorum_percent": 10,
            "constitutional_quorum_percent": 30, "weight_cap_bps": 2500, "timelock_delay": 60}
TIERS = ["founding", "regular", "observer"]
DIRECT_VOTERS = 5


@dataclass
class Report:
    proposals: list[tuple[Proposal, Standing]] = field(default_factory=list)
    gas: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0


class Demo:
    def __init__(self, session, members: int, say: Callable[[str], None]):
        if members < 7:
            raise OrchestratorError("the demo needs at least 7 members (founding, regular and observer)")
        self.session, self.w3, self.say = session, session.w3, say
        if self.w3.eth.chain_id != DEVNET_CHAIN_ID:
            raise OrchestratorError(
                "the demo runs on a devnet (chain 31337): omit --rpc or point it at `consortium devnet`"
            )
        founding, observers = members // 7, (2 * members) // 7
        tiers = ["founding"] * founding + ["regular"] * (members - founding - observers) + ["observer"] * observers
        self.members = [(Account.create(), tier) for tier in tiers]
        self.report = Report()

    def tier(self, name: str) -> list:
        return [a for a, t in self.members if t == name]

    def run(self) -> Report:
        started = time.monotonic()
        self._deploy()
        founding, regular = self.tier("founding"), self.tier("regular")
        suspended = regular[-1]
        r = self.session.registry
        suspend = governance.registry_call(r, "suspend", r.functions.memberIdOf(suspended.address).call(),
                                           "missed three plenaries")
        admission = governance.admit(r, Account.create().address, 1, "Newcomer Analytics", "SG",
                                     "ipfs://demo-newcomer")
        ordinary = self._propose(founding[0], suspend, "Suspend the member that missed three plenaries")
        constitutional = self._propose(founding[0], admission, "Admit Newcomer Analytics as a regular member")
        self._send(founding[1], self.session.governor.functions.recuse(ordinary, "advises the member concerned"),
                   "recuse")
        self.say("a founding member declared a conflict of interest on the ordinary proposal and recused")
        self._advance(SETTINGS["voting_delay"] + 1)

        # A few founding members vote directly; everyone else signs a ballot for the relayer.
        direct, signing = founding[:DIRECT_VOTERS], founding[DIRECT_VOTERS:] + regular
        self._vote_directly(ordinary, [(a, 1) for a in direct if a != founding[1]])
        self._vote_directly(constitutional, [(a, 1) for a in direct])
        self._relay(ordinary, [(a, 0 if i % 4 == 0 else 1) for i, a in enumerate(signing) if a != suspended])
        self._relay(constitutional, [(a, 2 if i % 5 == 0 else 1) for i, a in enumerate(signing)])

        self._advance(SETTINGS["voting_period"] + SETTINGS["late_quorum_extension"] + 1)
        for pid in (ordinary, constitutional):
            self._operation(pid, "queue")
        self._advance(SETTINGS["timelock_delay"] + 1)
        for pid in (ordinary, constitutional):
            self._operation(pid, "execute")
        self.say("both proposals were queued and executed through the timelock")
        self.report.proposals = [self._summary(pid) for pid in (ordinary, constitutional)]
        self.report.wall_s = time.monotonic() - started
        return self.report

    # ───── steps ─────

    def _deploy(self) -> None:
        counts = ", ".join(f"{len(self.tier(t))} {t}" for t in TIERS)
        self.say(f"deploying the suite and admitting {len(self.members)} members ({counts})")
        roll = [{"seat": a.address, "tier": t, "legal_name": f"Member {i + 1} Ltd", "jurisdiction": "CH",
                 "metadata_uri": f"ipfs://demo-member-{i + 1}"} for i, (a, t) in enumerate(self.members)]
        config = parse({"name": "Demo Consortium", "governor": SETTINGS, "members": roll})
        deployment = deploy(self.w3, self.session.sender, config)
        self.session.deployment = deployment  # the session's manifest is this run's, never written to disk

    def _member(self, account) -> Sender:
        self.w3.provider.make_request("anvil_setBalance", [account.address, hex(10**19)])  # devnet gas money
        return Sender.local(account)

    def _send(self, account, fn, what: str) -> dict:
        receipt = self._member(account).transact(self.w3, fn, what)
        self._add_gas(what, receipt)
        return receipt

    def _propose(self, proposer, call: governance.Call, description: str) -> int:
        g = self.session.governor
        receipt = self._send(proposer, g.functions.propose([call.target], [call.value], [call.data], description),
                             "propose")
        pid = receipt_events(g, receipt, "ProposalCreated")[0]["args"]["proposalId"]
        kind = governance.KINDS[g.functions.proposalKind(pid).call()]
        self.say(f"proposed '{description}': {kind}")
        return pid

    def _vote_directly(self, pid: int, votes: list) -> None:
        for account, support in votes:
            self._send(account, self.session.governor.functions.castVote(pid, support), "castVote")
        self.say(f"{len(votes)} founding members voted directly with their own transactions")

    def _relay(self, pid: int, votes: list) -> None:
        """Each member signs a ballot (as its wallet would); the relayer validates, stores and batches."""
        relayer = self._relayer
        for i, (account, support) in enumerate(votes, 1):
            typed = ballots.member_ballot(relayer.domain, pid, support, account.address)
            relayer.receive({"format": FORMAT, "chain_id": relayer.domain["chainId"],
                             "governor": relayer.domain["verifyingContract"], "proposal_id": str(pid),
                             "voter": account.address, "support": support, "reason": "",
                             "signature": "0x" + ballots.sign(typed, account.key).hex()})
            if i % 100 == 0 or i == len(votes):
                self.say(f"  relayer accepted {i}/{len(votes)} signed ballots")
        for tx_hash in relayer.submit():
            receipt = self.w3.eth.get_transaction_receipt(tx_hash)
            self._add_gas("castVoteBatch (relayer)", receipt)
            counted = len(receipt_events(self.session.governor, receipt, "VoteCast"))
            self.say(f"  relayer submitted a batch: {counted} ballots counted in transaction {tx_hash[:18]}…")

    @cached_property
    def _relayer(self) -> Relayer:
        self._tmpdir = tempfile.TemporaryDirectory(prefix="consortium-demo-")
        store = RelayStore(f"sqlite:///{Path(self._tmpdir.name) / 'relay.db'}", self.w3.eth.chain_id,
                           self.session.deployment.governor)
        return Relayer(self.session, store)

    def _operation(self, pid: int, action: str) -> None:
        proposal = find(self.session, str(pid))
        fn = getattr(self.session.governor.functions, action)(*proposal.operation(self.w3))
        self._add_gas(action, self.session.sender.transact(self.w3, fn, action))

    def _add_gas(self, what: str, receipt) -> None:
        self.report.gas[what] = self.report.gas.get(what, 0) + receipt["gasUsed"]

    def _advance(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])

    def _summary(self, pid: int) -> tuple[Proposal, Standing]:
        proposal = find(self.session, str(pid))
        return proposal, standing(self.session, proposal)
