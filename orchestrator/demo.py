"""`consortium demo`: a realistic consortium end to end on a devnet, with the orchestrator's own parts.

Deploys 1/7 founding, 4/7 regular and 2/7 observer members (5 / 20 / 10 for 35), with dues per tier, and
runs two rounds of governance through the timelock, every institution at work:

1. Dues are paid for every voting member but one; a sponsorship and a grant come in. Round one: an
   ordinary proposal sets up the institutions (a secretariat with a budget, a technical committee that
   publishes drafts), a member's case suspends a member (its own proposal: the member is recused from it
   and from nothing else), and a constitutional one admits a newcomer. Five founding members vote
   directly (one recuses from the ordinary proposal); every other voting member signs a ballot that the
   relayer validates, stores and submits in batches.
2. The unpaid member's dues lapse and anyone's poke marks it. The secretariat pays a bill from its
   budget (2 of 3 approvals) and is refused a call outside its mandate; the technical committee
   publishes a draft standard; a member reports another's conduct. Members file industry advisories
   about non-members: a scam token on another chain and an exchange at risk of insolvency (a duplicate is
   withdrawn by its filer); the technical committee, which round one also named the advisories' confirmer,
   publishes both (2 of 3 approvals each) and the exchange replies from its own account. Round two adopts
   the standard by consensus (constitutional) and censures the reported member (a member's case, recused) in a
   sealed vote: members commit, the tally stays hidden, then they reveal, but for one whose commitment counts
   toward nothing; the lapsed member's ballot and the reported member's commitment are refused. Members attest
   compliance; the lapsed member pays and its vote is restored; the committee raises the token's advisory to
   critical and retracts the exchange's.
3. Contribution weight (the demo's config turns it on): three members sponsor the consortium from their seats,
   after round two's snapshots (so its tallies are the tiers' alone), and round three attributes the research
   grant's work to a member by a vote (a constitutional member's case, the member recused); its weight is then
   its tier's and its contribution part, as the ledger answers.
4. An election: a proposal creates a council, names the election registry its elector and opens an election of
   two seats, one reserved for a regular member. Two founding and three regular members nominate themselves and
   one withdraws; the council's ballot proposal is made as the registry fixes it, and members vote by approval:
   some from their own seats, the rest as signed ballots the relayer's account sends in batches. The two regular
   candidates tie, and the published rule (the lower keccak256(election id, member id)) gives one of them the
   reserved seat. Executing the ballot seats the winners; when the term ends, anyone vacates the seats.

Member keys exist in memory for the run only; the relayer's database is a temporary file."""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import rlp
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from orchestrator.chain.node import DEVNET_CHAIN_ID, Sender, like, raw_receipt
from orchestrator.chain.proposals import SEAL, Proposal, Standing, find, kind_name, receipt_events, standing
from orchestrator.chain.reverts import utc
from orchestrator.errors import ChainError, OrchestratorError
from orchestrator.observers.indexer.derived import STANDARD_STATUSES
from orchestrator.operations import advisories as advisory_ops
from orchestrator.operations import dues, governance, roll, sealed
from orchestrator.operations import elections as election_ops
from orchestrator.operations.config import ZERO_ADDRESS, parse
from orchestrator.operations.deploy import contract, deploy
from orchestrator.operations.governance import Call
from orchestrator.relay import ballots
from orchestrator.relay.ballot_file import ApprovalFile, BallotFile
from orchestrator.relay.relayer import BallotRefused, Relayer
from orchestrator.relay.store import RelayStore

SETTINGS = {"voting_delay": 60, "voting_period": 3600, "late_quorum_extension": 600, "quorum_percent": 10,
            "constitutional_quorum_percent": 30, "weight_cap_bps": 2500, "timelock_delay": 60}
DAY = 86400
TREASURY = {"dues_period": DAY, "grace_period": DAY}  # short, so a lapse happens within the demo
TIERS = [
    {"name": "founding", "weight": 3, "can_propose": True, "can_vote": True, "dues": "2 ether"},
    {"name": "regular", "weight": 1, "can_propose": True, "can_vote": True, "dues": "0.5 ether"},
    {"name": "observer", "weight": 0, "can_propose": False, "can_vote": False},
]
# part = sqrt(value / 1 ETH), halved each year: 9 ETH sponsored is a part of 3, 16 ETH of work attributed one of 4.
CONTRIBUTIONS = {"enabled": True, "unit": "1 ether"}
SPONSORSHIPS = (("founding", 2, 9), ("regular", 4, 4), ("regular", 6, 1))  # (tier, index in it, ETH)
GRANTEE, GRANT = 7, 16  # the regular member (index) to whom the grant's work is attributed, and its worth in ETH
DIRECT_VOTERS = 5
MIN_MEMBERS = 21
# Regular members who sign the adoption's ballot (turnout, not everyone): at least 100, and two in five at scale,
# since a constitutional proposal needs more than half of all weight for it, which the founding tier's alone is
# not once regular members are the most weight (from about 2,000 members with the demo's tiers).
ROUND_TWO_REGULAR_TURNOUT, ROUND_TWO_REGULAR_SHARE = 100, 0.4
# Every transaction mines a block of its own on the embedded devnet, and anvil's cost per block grows with the
# chain's state (about 0.13 s an empty block at 10,000 members, 2 ms at 100): the demo's batches are as large as an
# operator running a relayer for thousands of members would make them (`relay serve --batch-size 250`: about 3.6M
# gas of ballots, 12M of bound), and so are its dues payments (about 12.7M gas for 250 members, under the 15M at
# which a block raises the base fee; the deployment's founding roll already goes 50 members a chunk, 14.1M).
RELAY_BATCH = 250
DUES_CHUNK = 250
SECRETARIAT, TECHNICAL_COMMITTEE, COUNCIL = 3, 1, 0
COUNCIL_SEATS, TERM = 2, 2 * DAY
ETH = 10**18
SPEND_BUDGET = governance.selector("spendBudget(address,address,uint256,string)")
PUBLISH_DRAFT = governance.selector("publishDraft(string,string,bytes32,string,uint256)")
# What a confirmer of advisories does, all of it in the technical committee's mandate.
CONFIRMER_MANDATE = [governance.selector(f) for f in (
    "publish(uint256)", "dismiss(uint256,string)", "update(uint256,uint8,string,bytes32,string)",
    "retract(uint256,string)", "recordReply(uint256,string,bytes32)")]
SCAM_TOKEN = "eip155:56:0x5ca1ab1e0000000000000000000000000000dead"  # CAIP-10: a token on BNB Smart Chain
EXCHANGE = "Shady Exchange Ltd"


@dataclass
class Report:
    proposals: list[tuple[Proposal, Standing]] = field(default_factory=list)
    institutions: list[str] = field(default_factory=list)
    gas: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0


class Demo:
    def __init__(self, session, members: int, say: Callable[[str], None], contributions: bool = True):
        if members < MIN_MEMBERS:
            raise OrchestratorError(f"the demo needs at least {MIN_MEMBERS} members: three founding ones sit on a "
                                    "committee")
        self.session, self.w3, self.say = session, session.w3, say
        if self.w3.eth.chain_id != DEVNET_CHAIN_ID:
            raise OrchestratorError(
                "the demo runs on a devnet (chain 31337): omit --rpc, or point it at `consortium devnet` (anvil) "
                "or at `npx hardhat node`"
            )
        founding, observers = members // 7, (2 * members) // 7
        tiers = ["founding"] * founding + ["regular"] * (members - founding - observers) + ["observer"] * observers
        self.members = [(Account.create(), tier) for tier in tiers]
        self.report = Report()
        # Off: no ledger, no third round (a benchmark measuring what weight alone costs may want that).
        self.contributions = contributions

    def tier(self, name: str) -> list:
        return [a for a, t in self.members if t == name]

    def member_id(self, account) -> int:
        known = self._member_ids.get(account.address)  # the founding roll's, read once
        return known if known is not None else self.session.registry.functions.memberIdOf(account.address).call()

    @cached_property
    def _member_ids(self) -> dict[str, int]:
        """The founding roll's member ids as the registry gives them, read once in JSON-RPC batches (no seat
        of the roll moves in the story): one call per member made a fifth of a large demo's time."""
        calls = roll.Calls(self.w3)
        for account, _ in self.members:
            calls.add(self.session.registry.address, "memberIdOf(address)", [account.address], ["uint256"])
        return {account.address: answer[0] for (account, _), answer in zip(self.members, calls.run(), strict=True)}

    def run(self) -> Report:
        started = time.monotonic()
        self._deploy()
        founding, regular = self.tier("founding"), self.tier("regular")
        self.late = regular[-2]  # never pays its dues
        self._fund_and_pay_dues([a for a in founding + regular if a != self.late])
        round_one = self._round_one(founding, regular)
        self._lapse()
        self._institutions_at_work(founding, regular)
        self._advisories_filed(founding, regular)
        self._round_two(founding, regular)
        self._attest_and_restore(founding, regular)
        self._advisories_revised(founding)
        round_three = [self._contribution_weight(founding, regular)] if self.contributions else []
        round_four = self._election(founding, regular)
        self.report.proposals = [self._summary(pid)
                                 for pid in (*round_one, *self.round_two, *round_three, *round_four)]
        self._summarise_institutions()
        self.report.wall_s = time.monotonic() - started
        return self.report

    # ───── the story ─────

    def _deploy(self) -> None:
        counts = ", ".join(f"{len(self.tier(t['name']))} {t['name']}" for t in TIERS)
        self.say(f"deploying the suite and admitting {len(self.members)} members ({counts})")
        # No metadata URI: each identity goes on-chain as a data: URI, so results and reports name members.
        roll = [{"seat": a.address, "tier": t, "legal_name": f"Firm {i + 1} Ltd", "jurisdiction": "CH"}
                for i, (a, t) in enumerate(self.members)]
        config = parse({"name": "Demo Consortium", "governor": SETTINGS, "treasury": TREASURY, "tiers": TIERS,
                        "contributions": CONTRIBUTIONS if self.contributions else {}, "members": roll})
        deployment = deploy(self.w3, self.session.sender, config)
        self.session.deployment = deployment  # the session's manifest is this run's, never written to disk
        self.deployed_at = self.w3.eth.get_block("latest")["timestamp"]

    def _fund_and_pay_dues(self, payers: list) -> None:
        t = self.session.treasury.functions
        self._transact(self.session.sender, t.contribute(0, ZERO_ADDRESS, 50 * ETH, "Gold sponsor 2026"),
                       "contribute", value=50 * ETH)
        self._transact(self.session.sender, t.contribute(1, ZERO_ADDRESS, 20 * ETH, "Open-source research grant"),
                       "contribute", value=20 * ETH)
        self.say("a 50 ETH sponsorship and a 20 ETH grant came into the treasury")
        ids = [self.member_id(a) for a in payers]
        # A tier's dues, read once per tier (they depend on the tier alone); each member's tier from the chain.
        calls = roll.Calls(self.w3)
        for member in ids:
            calls.add(self.session.registry.address, "member(uint256)", [member], [roll.MEMBER])
        tiers = [answer[0][1] for answer in calls.run()]
        owed_by_tier = {tier: t.duesOf(tier).call() for tier in set(tiers)}
        gas = None  # the first chunk estimated, the next like it (node.like)
        for i in range(0, len(ids), DUES_CHUNK):
            chunk = ids[i : i + DUES_CHUNK]
            owed = sum(owed_by_tier[tier] for tier in tiers[i : i + DUES_CHUNK])
            gas = like(self._transact(self.session.sender, t.payDuesMany(chunk, 1), "payDuesMany", value=owed, gas=gas))
        self.say(f"dues paid for {len(ids)} voting members through the collecting agent (payDuesMany); "
                 f"member {self.member_id(self.late)} did not pay")

    def _round_one(self, founding: list, regular: list) -> tuple[int, int, int]:
        r, f, s = self.session.registry, self.session.body_factory, self.session.standards
        t, a = self.session.treasury, self.session.advisories
        self.suspended = regular[-1]
        self.secretariat, self.committee = self._next_bodies(2)
        calls = [
            governance.contract_call(f, "create", SECRETARIAT, "Secretariat", 2,
                                     [self.member_id(a) for a in regular[:3]],
                                     [(t.address, SPEND_BUDGET)]),
            governance.contract_call(f, "create", TECHNICAL_COMMITTEE, "Technical Committee", 2,
                                     [self.member_id(a) for a in founding[:3]],
                                     [(s.address, PUBLISH_DRAFT), *[(a.address, c) for c in CONFIRMER_MANDATE]]),
            governance.contract_call(t, "setBudget", self.secretariat, ZERO_ADDRESS, 5 * ETH),
            governance.contract_call(s, "setPublisher", self.committee, True),
            governance.contract_call(a, "setConfirmer", self.committee, True),
        ]
        ordinary = self._propose(founding[0], calls, "Set up the secretariat (5 ETH budget) and the technical "
                                 "committee")
        suspended = self.member_id(self.suspended)
        suspension = self._propose(founding[0], [governance.contract_call(r, "suspend", suspended,
                                                                          "missed three plenaries")],
                                   f"Suspend member {suspended}, which missed three plenaries")
        self.newcomer = Account.create()
        admission = governance.admit(r, self.newcomer.address, 1, "Newcomer Analytics", "SG",
                                     "ipfs://demo-newcomer")
        constitutional = self._propose(founding[0], [admission], "Admit Newcomer Analytics as a regular member")
        self.say(f"member {suspended}, whom the suspension is about, is recused from that proposal alone")
        self._send(founding[1], self.session.governor.functions.recuse(ordinary, "advises the member concerned"),
                   "recuse")
        self.say("a founding member declared a conflict of interest on the ordinary proposal and recused")
        self._advance(SETTINGS["voting_delay"] + 1)

        # A few founding members vote directly; everyone else signs a ballot for the relayer.
        direct, signing = founding[:DIRECT_VOTERS], founding[DIRECT_VOTERS:] + regular
        self._vote_directly(ordinary, [(a, 1) for a in direct if a != founding[1]])
        self._vote_directly(suspension, [(a, 1) for a in direct])
        self._vote_directly(constitutional, [(a, 1) for a in direct])
        self._relay(ordinary, [(a, 0 if i % 4 == 0 else 1) for i, a in enumerate(signing)])
        self._relay(suspension, [(a, 0 if i % 4 == 0 else 1) for i, a in enumerate(signing) if a != self.suspended])
        self._relay(constitutional, [(a, 2 if i % 5 == 0 else 1) for i, a in enumerate(signing)])
        self._enact([ordinary, suspension, constitutional])
        newcomer = self.member_id(self.newcomer)
        self._transact(self._member(self.newcomer), self.session.treasury.functions.payDues(newcomer, 1),
                       "payDues", value=ETH // 2)
        self.say(f"the newcomer, member {newcomer}, paid its first dues")
        return ordinary, suspension, constitutional

    def _lapse(self) -> None:
        now = self.w3.eth.get_block("latest")["timestamp"]
        self._advance(self.deployed_at + DAY + DAY // 2 - now)  # past the unpaid member's grace period only
        marked = dues.poke(self.session)
        self.say(f"a day and a half later, member(s) {', '.join(map(str, marked))} lapsed for unpaid dues "
                 "(marked by a permissionless poke; no vote on proposals snapshotted from now)")

    def _institutions_at_work(self, founding: list, regular: list) -> None:
        t, s = self.session.treasury, self.session.standards
        secretariat = self.session.body(self.secretariat)
        pay = _data(t.functions.spendBudget(ZERO_ADDRESS, regular[5].address, int(1.2 * ETH), "plenary venue"))
        receipt = self._send(regular[0], secretariat.functions.propose(t.address, pay, "Pay the plenary venue"),
                             "body propose")
        action = receipt_events(secretariat, receipt, "ActionProposed")[0]["args"]["actionId"]
        self._send(regular[1], secretariat.functions.approve(action), "body approve")
        self.say("the secretariat paid the plenary venue 1.2 ETH from its budget: 2 of 3 approvals, no member vote")
        outside = _data(t.functions.spend(ZERO_ADDRESS, regular[0].address, ETH, "a bonus"))
        try:
            self._send(regular[0], secretariat.functions.propose(t.address, outside, "Pay ourselves"), "body propose")
        except ChainError as exc:
            self.say(f"the secretariat tried to spend outside its mandate and was refused: {exc}")
        committee = self.session.body(self.committee)
        self.content = b"Proof of Reserves v1.0: members publish Merkle-tree liabilities and on-chain assets monthly."
        draft = _data(s.functions.publishDraft("Proof of Reserves", "1.0", hashlib.sha256(self.content).digest(),
                                               "ipfs://demo-proof-of-reserves-1.0", 0))
        receipt = self._send(founding[0], committee.functions.propose(s.address, draft, "Publish PoR 1.0"),
                             "body propose")
        action = receipt_events(committee, receipt, "ActionProposed")[0]["args"]["actionId"]
        self._send(founding[1], committee.functions.approve(action), "body approve")
        self.say("the technical committee published the draft standard 'Proof of Reserves' v1.0")
        self.reported = regular[3]
        evidence = hashlib.sha256(b"exchange outage report, undisclosed for 30 days").digest()
        c = self.session.conduct.functions
        self._send(regular[0], c.fileReport(self.member_id(self.reported), "ipfs://demo-evidence", evidence),
                   "fileReport")
        self.say(f"a member filed a public conduct report about member {self.member_id(self.reported)}")

    def _advisories_filed(self, founding: list, regular: list) -> None:
        a = self.session.advisories
        kind, severity = advisory_ops.parse, advisory_ops.parse
        self.exchange = Account.create()  # the exchange's own account here, from which it replies
        filings = [
            (regular[0], "Scam", "High", SCAM_TOKEN, ZERO_ADDRESS, "Honeypot token: only the deployer can sell",
             b"transfer() reverts for every seller but the deployer"),
            (regular[1], "insolvency-risk", "Medium", EXCHANGE, self.exchange.address,
             "Withdrawals halted for 5 days; reserves unproven", b"withdrawal queue, 5 days unprocessed"),
            (regular[2], "Scam", "High", SCAM_TOKEN, ZERO_ADDRESS, "Honeypot token", b"a second report"),
        ]
        for filer, k, sev, subject, account, summary, evidence in filings:
            self._send(filer, a.functions.file(kind("Kind", k), severity("Severity", sev), subject, account, summary,
                                               f"ipfs://demo-advisory-{hashlib.sha256(evidence).hexdigest()[:12]}",
                                               hashlib.sha256(evidence).digest()), "file advisory")
        self.say(f"member {self.member_id(regular[0])} filed advisory 1 (scam, high) about {SCAM_TOKEN}, a token on "
                 "another chain")
        self.say(f"member {self.member_id(regular[1])} filed advisory 2 (insolvency risk, medium) about {EXCHANGE}, "
                 "naming its account here")
        self._send(regular[2], a.functions.withdraw(3), "withdraw advisory")
        self.say(f"member {self.member_id(regular[2])} filed advisory 3 about the same token, then withdrew it as a "
                 "duplicate")
        for advisory_id in (1, 2):
            self._committee_acts(founding, a.functions.publish(advisory_id), f"Publish advisory {advisory_id}")
        self.say("the technical committee, named the advisories' confirmer in round one, published advisories 1 and "
                 "2: 2 of 3 approvals each, no member vote")
        reply = b"Withdrawals resumed; reserves attested by an auditor, report attached."
        self._send(self.exchange, a.functions.reply(2, "https://shady.example/reply",
                                                    hashlib.sha256(reply).digest()), "reply to advisory")
        self.say(f"{EXCHANGE} replied to advisory 2 from its own account")

    def _advisories_revised(self, founding: list) -> None:
        a = self.session.advisories.functions
        trace = hashlib.sha256(b"drainer contract traced: 4,000 holders affected").digest()
        self._committee_acts(founding, a.update(1, advisory_ops.parse("Severity", "critical"), "ipfs://demo-trace",
                                                trace, "4,000 holders affected"), "Raise advisory 1 to critical")
        self._committee_acts(founding, a.retract(2, "the auditor's attestation in the subject's reply"),
                             "Retract advisory 2")
        self.say("the technical committee raised advisory 1 to critical (revision 1) and retracted advisory 2 after "
                 "the exchange's reply")

    def _contribution_weight(self, founding: list, regular: list) -> int:
        """Sponsorships from members' seats, then round three: the research grant's work attributed to a member by
        a vote. Returns the proposal's id."""
        t, r = self.session.treasury.functions, self.session.registry.functions
        ledger = contract(self.w3, "ContributionLedger", self.session.deployment.contribution_ledger)
        sponsors = [(self.tier(tier)[index], eth) for tier, index, eth in SPONSORSHIPS]
        for account, eth in sponsors:
            self._transact(self._member(account), t.contribute(0, ZERO_ADDRESS, eth * ETH, "Member sponsorship"),
                           "contribute", value=eth * ETH)
        now = self.w3.eth.get_block("latest")["timestamp"]
        parts = [f"member {self.member_id(a)} {eth} ETH (part {ledger.functions.partAt(self.member_id(a), now).call()})"
                 for a, eth in sponsors]
        self.say(f"members sponsored from their seats: {', '.join(parts)}; each part counts from the next snapshot")
        grantee = regular[GRANTEE]
        gid = self.member_id(grantee)
        call = governance.contract_call(ledger, "attribute", gid, GRANT * ETH, "the open-source research grant's work")
        pid = self._propose(founding[0], [call], f"Attribute the research grant's work ({GRANT} ETH) to member {gid}")
        self._advance(SETTINGS["voting_delay"] + 1)
        self._vote_directly(pid, [(a, 1) for a in founding[:DIRECT_VOTERS]])
        voting = [a for a in regular if a not in (self.suspended, grantee)]
        turnout = max(ROUND_TWO_REGULAR_TURNOUT, int(len(voting) * ROUND_TWO_REGULAR_SHARE))
        self._relay(pid, [(a, 1) for a in founding[DIRECT_VOTERS:] + voting[:turnout]])
        self._enact([pid])
        now = self.w3.eth.get_block("latest")["timestamp"]
        weight, part = r.getVotes(grantee.address).call(), ledger.functions.partAt(gid, now).call()
        tier_weight = r.tier(r.member(gid).call()[1]).call()[1]
        self.say(f"member {gid}'s weight is now {weight}: tier weight {tier_weight} + contribution part {part} "
                 f"(the ledger's own: sqrt({GRANT} ETH / 1 ETH))")
        return pid

    def _election(self, founding: list, regular: list) -> tuple[int, int]:
        """Round four: the council's election, from its opening to the seats falling vacant. Returns the ids of the
        proposal that opened it and of its ballot."""
        g, e, r = self.session.governor, self.session.elections, self.session.registry
        council = self._next_bodies(1)[0]
        regular_tier = [t["name"] for t in TIERS].index("regular")
        nominations_end = self.w3.eth.get_block("latest")["timestamp"] + DAY
        calls = [governance.contract_call(self.session.body_factory, "create", COUNCIL, "Council", 1,
                                          [self.member_id(founding[0])], []),
                 Call(council, 0, _data(self.session.body(council).functions.setElector(e.address))),
                 governance.contract_call(e, "open", council, COUNCIL_SEATS, [(regular_tier, 1)], nominations_end,
                                          nominations_end + DAY + TERM, "Council 2027")]
        opened = self._propose(founding[0], calls, f"Elect a council of {COUNCIL_SEATS} (one seat for a regular "
                               "member), chaired by a founding member")
        self._advance(SETTINGS["voting_delay"] + 1)
        self._vote_directly(opened, [(a, 1) for a in founding[:DIRECT_VOTERS]])
        self._relay(opened, [(a, 1) for a in founding[DIRECT_VOTERS:] + regular[:ROUND_TWO_REGULAR_TURNOUT]
                             if a not in (self.suspended,)])
        self._enact([opened])
        eid = e.functions.electionCount().call()
        candidates = [founding[1], founding[2], regular[0], regular[1], regular[2]]
        for account in candidates:
            self._send(account, e.functions.nominate(eid), "nominate")
        self._send(regular[2], e.functions.withdraw(eid), "withdraw")
        self.say(f"members {', '.join(str(self.member_id(a)) for a in candidates)} stood for election {eid}; member "
                 f"{self.member_id(regular[2])} withdrew")
        self._advance(nominations_end - self.w3.eth.get_block("latest")["timestamp"])
        operation = election_ops.ballot_proposal(e, eid)
        receipt = self._send(regular[3], g.functions.propose(*operation), "propose")
        ballot = receipt_events(g, receipt, "ProposalCreated")[0]["args"]["proposalId"]
        self.say(f"member {self.member_id(regular[3])} made the election's ballot proposal, as the registry fixes it")
        self._advance(SETTINGS["voting_delay"] + 1)
        election = election_ops.get(e, eid)
        # Founding members approve both founding candidates; everyone approves both regular ones or neither, so
        # the two tie for the reserved seat.
        both_regular = [self.member_id(regular[0]), self.member_id(regular[1])]
        founders_slate = election_ops.approvals_bitmap(election, [self.member_id(founding[1]),
                                                                  self.member_id(founding[2]), *both_regular])
        for account in founding[:DIRECT_VOTERS]:
            self._send(account, g.functions.castApprovals(ballot, [(account.address, founders_slate, b"")]),
                       "castApprovals (own)")
        regular_voters = [a for a in regular if a != self.suspended]
        turnout = max(ROUND_TWO_REGULAR_TURNOUT, int(len(regular_voters) * ROUND_TWO_REGULAR_SHARE))
        voting = founding[DIRECT_VOTERS:] + regular_voters[:turnout]
        slates = [election_ops.approvals_bitmap(election, [self.member_id(founding[1]), *both_regular]),
                  election_ops.approvals_bitmap(election, [self.member_id(founding[1]), self.member_id(founding[2])]),
                  election_ops.approvals_bitmap(election, [])]
        self._relay_approvals(ballot, [(a, slates[i % 3]) for i, a in enumerate(voting)])
        self.say(f"{DIRECT_VOTERS} founding members cast their approval ballots from their seats and {len(voting)} "
                 "members through the relayer (a third of them approving nobody: an abstention)")
        tallies = election_ops.tallies(g, ballot, len(election.candidates), r.functions.tierCount().call())
        self.say("  approvals per candidate: " + ", ".join(
            f"member {c.member_id} {sum(tallies[c.index])}" for c in election.candidates if not c.withdrawn))
        self._enact([ballot])
        seated = receipt_events(e, self.w3.eth.get_transaction_receipt(self._last_execute), "CandidateElected")
        tie_keys = {m: e.functions.tieKey(eid, m).call().hex()[:10] for m in both_regular}
        self.say("elected: " + ", ".join(
            f"member {x['args']['memberId']} ({x['args']['approvals']} approvals"
            f"{', the reserved regular seat' if x['args']['reservedSeat'] else ''})" for x in seated)
            + f"; members {both_regular[0]} and {both_regular[1]} tied for the reserved seat, and the lower tie "
            f"key won ({', '.join(f'member {m}: 0x{k}…' for m, k in tie_keys.items())})")
        self._advance(e.functions.election(eid).call()[4] - self.w3.eth.get_block("latest")["timestamp"])
        receipt = self._send(regular[4], e.functions.vacate(eid), "vacate")
        vacated = [x["args"]["memberId"] for x in receipt_events(e, receipt, "SeatVacated")]
        self.say(f"the term ended and member {self.member_id(regular[4])} vacated the elected seats (members "
                 f"{', '.join(map(str, vacated))}); the council keeps its chair")
        return opened, ballot

    def _committee_acts(self, founding: list, fn, description: str) -> None:
        """The technical committee calls `fn`: a founding member proposes the action, another approves it
        (2 of 3), which executes it."""
        committee = self.session.body(self.committee)
        target = fn.address
        receipt = self._send(founding[0], committee.functions.propose(target, _data(fn), description),
                             "body propose")
        action = receipt_events(committee, receipt, "ActionProposed")[0]["args"]["actionId"]
        self._send(founding[1], committee.functions.approve(action), "body approve")

    def _round_two(self, founding: list, regular: list) -> None:
        s, c = self.session.standards, self.session.conduct
        adopt = self._propose(founding[0], [governance.contract_call(s, "adopt", 1)],
                              "Adopt Proof of Reserves v1.0 as an industry standard")
        reported = self.member_id(self.reported)
        # Sealed (#sealed): nobody sees how the vote on a member's censure stands until the reveals, so no member
        # follows or is pressed to follow another.
        censure = self._propose(founding[0], [governance.contract_call(
            c, "censure", reported, "outage undisclosed for 30 days", 1)], f"Censure member {reported} {SEAL}")
        self._advance(SETTINGS["voting_delay"] + 1)
        direct = founding[:DIRECT_VOTERS]
        voting = [a for a in regular if a not in (self.suspended, self.late)]
        self._vote_directly(adopt, [(a, 1) for a in direct])
        turnout = max(ROUND_TWO_REGULAR_TURNOUT, int(len(voting) * ROUND_TWO_REGULAR_SHARE))
        self._relay(adopt, [(a, 1) for a in founding[DIRECT_VOTERS:] + voting[:turnout]])
        try:
            self._relayer.receive(self._ballot(adopt, self.late, 1))
        except BallotRefused as exc:
            self.say(f"  the relayer refused member {self.member_id(self.late)}'s ballot: {exc}")
        # A member's case needs more than half of all weight: everyone with a vote is asked.
        self._sealed_vote(censure, [(a, 1) for a in direct],
                          [(a, 0 if i % 6 == 0 else 1) for i, a in enumerate(founding[DIRECT_VOTERS:] + voting)
                           if a != self.reported])
        self._enact([adopt, censure])
        self.round_two = (adopt, censure)

    def _sealed_vote(self, pid: int, own: list, signed: list) -> None:
        """A sealed proposal's vote: members commit (`own` from their seats, `signed` as SealedBallots the relayer's
        account submits in batches), each salt derived from the member's key; the tally stays hidden; from the reveal
        start the members reveal (`own` themselves, `signed` through the relayer, with the vote and salt each gave
        it), but for one that never does, whose commitment counts toward nothing. The case's subject is refused."""
        g = self.session.governor
        relayer = self._relayer.session.sender
        domain = self._relayer.domain
        salts = {a.address: sealed.salt(domain, pid, a) for a, _ in own + signed}

        def commitment(account, support: int) -> bytes:
            return sealed.commitment(domain, pid, self.member_id(account), support, salts[account.address])
        for account, support in own:
            self._send(account, g.functions.commitVotes(pid, [(account.address, commitment(account, support), b"")]),
                       "commitVotes (own)")
        gas = None  # the first batch estimated, the next like it (node.like)
        for start in range(0, len(signed), RELAY_BATCH):
            committed = [(a, commitment(a, v)) for a, v in signed[start:start + RELAY_BATCH]]
            batch = [(a.address, c, ballots.sign(ballots.sealed_ballot(domain, pid, a.address, c), a.key))
                     for a, c in committed]
            gas = like(self._transact(relayer, g.functions.commitVotes(pid, batch), "commitVotes (relayer)", gas=gas))
        _, refused = sealed.commit_own(_RelayerSession(self.session, self._member(self.reported)), pid, b"\x01" * 32)
        self.say(f"  the governor refused member {self.member_id(self.reported)}'s commitment: {refused}")
        reveal_start = g.functions.proposalRevealStart(pid).call()
        against, for_, abstain = g.functions.proposalVotes(pid).call()
        self.say(f"{len(own)} members committed from their seats and {len(signed)} through the relayer to the sealed "
                 f"censure; its tally stays hidden: {for_} for, {against} against, {abstain} abstain until the reveals "
                 f"open at {utc(reveal_start)}")
        self._advance(reveal_start - self.w3.eth.get_block("latest")["timestamp"])
        for account, support in own:
            self._send(account, g.functions.revealVotes(pid, [(account.address, support, salts[account.address])]),
                       "revealVotes (own)")
        silent, *revealing = signed  # one member never reveals
        gas = None
        for start in range(0, len(revealing), RELAY_BATCH):
            batch = [(a.address, v, salts[a.address]) for a, v in revealing[start:start + RELAY_BATCH]]
            gas = like(self._transact(relayer, g.functions.revealVotes(pid, batch), "revealVotes (relayer)", gas=gas))
        against, for_, abstain = g.functions.proposalVotes(pid).call()
        self.say(f"  revealed: {len(own)} by their members, {len(revealing)} through the relayer; the tally is now "
                 f"{for_} for, {against} against, {abstain} abstain; member {self.member_id(silent[0])} never "
                 "revealed: its commitment counts toward nothing")

    def _attest_and_restore(self, founding: list, regular: list) -> None:
        attesting = founding[:2] + regular[:3]
        for account in attesting:
            self._send(account, self.session.standards.functions.attest(1, f"ipfs://por-audit-{account.address[:8]}"),
                       "attest")
        self.say(f"{len(attesting)} members attested compliance with Proof of Reserves v1.0, with evidence")
        t = self.session.treasury.functions
        late = self.member_id(self.late)
        receipt = self._transact(self._member(self.late), t.payDues(late, 2), "payDues", value=ETH)
        restored = bool(receipt_events(self.session.registry, receipt, "MemberRestored"))
        self.say(f"member {late} paid its arrears; vote restored: {'yes' if restored else 'no'}")

    def _summarise_institutions(self) -> None:
        t, s, c = self.session.treasury.functions, self.session.standards.functions, self.session.conduct.functions
        balance = self.w3.eth.get_balance(self.session.treasury.address)
        lines = [f"treasury: {balance / ETH:.2f} ETH held; secretariat budget left "
                 f"{t.budgetOf(self.secretariat, ZERO_ADDRESS).call() / ETH:.2f} ETH"]
        for address in self.session.body_factory.functions.bodies().call():
            b = self.session.body(address).functions
            lines.append(f"body: {b.name().call()}, {b.threshold().call()} of {len(b.members().call())}, "
                         f"{b.actionCount().call()} action(s)")
        title, version, _, _, status, *_ = s.standard(1).call()
        lines.append(f"standard 1: {title} v{version}, {STANDARD_STATUSES[status]}, "
                     f"{len(s.attesters(1).call())} member(s) attest compliance")
        member_id, report_id, reason, _ = c.censureRecord(1).call()
        lines.append(f"censure 1: member {member_id} (report {report_id}): {reason}")
        for x in election_ops.read(self.session.elections):
            elected = ", ".join(map(str, x.seated)) or "none"
            lines.append(f"election {x.id}: {x.title}, {x.seats} seats, {len(x.candidates)} candidates, "
                         f"members {elected} seated, now {x.status}")
        for x in advisory_ops.read(self.session.advisories):
            revision = f" (revision {x.revision})" if x.revision else ""
            replies = f", {len(x.replies)} reply" if x.replies else ""
            lines.append(f"advisory {x.id}: {x.kind}, {x.severity}, about {x.subject}: {x.status}{revision}{replies}")
        self.report.institutions = lines

    def index(self) -> int:
        """Index the run's events into the session's database (--db), where `consortium results` and
        `consortium report` read them after the devnet is gone. Returns the number of events."""
        from orchestrator.observers.indexer.sync import Indexer

        indexer = Indexer.of(self.w3, self.session.deployment, self.session.options.db)
        indexer.sync()
        return indexer.store.count()

    # ───── steps ─────

    def _next_bodies(self, count: int) -> list[str]:
        """The addresses the next `count` bodies will get: the factory creates them with CREATE, whose
        address follows from the factory's nonce (1 + bodies so far), so one proposal can create a body
        and give it a budget or a right."""
        factory = self.session.body_factory
        nonce = len(factory.functions.bodies().call()) + 1
        sender = bytes.fromhex(factory.address[2:])
        return [to_checksum_address(keccak(rlp.encode([sender, nonce + i]))[12:]) for i in range(count)]

    def _member(self, account) -> Sender:
        self._rpc("hardhat_setBalance", account.address, hex(10**19))  # devnet gas money
        return Sender.local(account)

    def _rpc(self, method: str, *params) -> None:
        """A devnet's own method: only those that anvil and Hardhat Network both answer (hardhat_setBalance,
        evm_increaseTime, evm_mine), so that the demo runs on either."""
        response = self.w3.provider.make_request(method, list(params))
        if response.get("error"):
            raise ChainError(f"this node does not answer {method}, which the demo needs: {response['error']}")

    def _send(self, account, fn, what: str) -> dict:
        return self._transact(self._member(account), fn, what)

    def _transact(self, sender: Sender, fn, what: str, value: int = 0, gas: int | None = None) -> dict:
        receipt = sender.transact(self.w3, fn, what, value=value, gas=gas)
        self._add_gas(what, receipt)
        return receipt

    def _propose(self, proposer, calls: list[governance.Call], description: str) -> int:
        g = self.session.governor
        targets, values, datas = [c.target for c in calls], [c.value for c in calls], [c.data for c in calls]
        receipt = self._send(proposer, g.functions.propose(targets, values, datas, description), "propose")
        pid = receipt_events(g, receipt, "ProposalCreated")[0]["args"]["proposalId"]
        kind = kind_name(g.functions.proposalKind(pid).call()[0])
        self.say(f"proposed '{description}': {kind}")
        return pid

    def _vote_directly(self, pid: int, votes: list) -> None:
        for account, support in votes:
            self._send(account, self.session.governor.functions.castVote(pid, support), "castVote")
        self.say(f"{len(votes)} founding members voted directly with their own transactions")

    def _ballot(self, pid: int, account, support: int) -> dict:
        """A ballot as a member's wallet signs it (its EIP-712 digest, computed as the governor computes it:
        BallotDigest, tested equal to the typed data's) and hands it to the relayer."""
        digest = self._relayer.digest(pid, support, account.address, "")
        return BallotFile.signed(self._relayer.domain, pid, account.address, support, "",
                                 ballots.sign_digest(digest, account.key))

    def _relay(self, pid: int, votes: list) -> None:
        """Each member signs a ballot (as its wallet would); the relayer validates, stores and batches."""
        relayer = self._relayer
        # As `relay serve` takes ballots that arrive together (at most 256 a group: relay/intake.py).
        for start in range(0, len(votes), RELAY_BATCH):
            group = votes[start:start + RELAY_BATCH]
            for outcome in relayer.receive_many([self._ballot(pid, account, support) for account, support in group]):
                if isinstance(outcome, Exception):
                    raise outcome
            self.say(f"  relayer accepted {start + len(group)}/{len(votes)} signed ballots")
        for tx_hash in relayer.submit():
            receipt = raw_receipt(self.w3, tx_hash)  # unformatted: only its gas and logs are read
            self._add_gas("castVoteBatch (relayer)", receipt)
            counted = sum(outcome is None for outcome in relayer.outcomes(receipt).values())
            self.say(f"  relayer submitted a batch: {counted} ballots counted in transaction {tx_hash[:18]}…")

    def _relay_approvals(self, pid: int, ballots_: list) -> None:
        """Each member signs an approval ballot (as its wallet would); the relayer validates, stores and batches them
        (castApprovals)."""
        relayer, domain = self._relayer, self._relayer.domain
        files = [ApprovalFile.signed(domain, pid, a.address, bits,
                                     ballots.sign(ballots.approval_ballot(domain, pid, a.address, bits), a.key))
                 for a, bits in ballots_]
        for outcome in relayer.receive_approvals(files):
            if isinstance(outcome, Exception):
                raise outcome
        for tx_hash in relayer.submit():
            receipt = raw_receipt(self.w3, tx_hash)  # unformatted: only its gas and logs are read
            self._add_gas("castApprovals (relayer)", receipt)
            counted = sum(outcome is None for outcome in relayer.outcomes(receipt).values())
            self.say(f"  relayer submitted a batch: {counted} approval ballots counted in transaction {tx_hash[:18]}…")

    @property
    def relay_database(self) -> Path:
        """The relayer's database file, in a temporary directory that lives as long as the demo."""
        if not hasattr(self, "_tmpdir"):
            self._tmpdir = tempfile.TemporaryDirectory(prefix="consortium-demo-")
        return Path(self._tmpdir.name) / "relay.db"

    @cached_property
    def _relayer(self) -> Relayer:
        """The relayer, with a wallet of its own (in memory, funded), as an operator runs `relay --account`:
        it signs each batch before sending it, which a node-held account cannot do on Hardhat Network."""
        store = RelayStore(f"sqlite:///{self.relay_database}", self.w3.eth.chain_id, self.session.deployment.governor)
        return Relayer(_RelayerSession(self.session, self._member(Account.create())), store, batch_size=RELAY_BATCH)

    def _enact(self, pids: list[int]) -> None:
        self._advance(SETTINGS["voting_period"] + SETTINGS["late_quorum_extension"] + 1)
        for pid in pids:
            self._operation(pid, "queue")
        self._advance(SETTINGS["timelock_delay"] + 1)
        for pid in pids:
            self._operation(pid, "execute")
        self.say(f"{len(pids)} proposals were queued and executed through the timelock")

    def _operation(self, pid: int, action: str) -> None:
        proposal = find(self.session, str(pid))
        fn = getattr(self.session.governor.functions, action)(*proposal.operation(self.w3))
        receipt = self._transact(self.session.sender, fn, action)
        self._last_execute = receipt["transactionHash"]

    def _add_gas(self, what: str, receipt) -> None:
        self.report.gas[what] = self.report.gas.get(what, 0) + receipt["gasUsed"]

    def _advance(self, seconds: int) -> None:
        self._rpc("evm_increaseTime", seconds)
        self._rpc("evm_mine")

    def _summary(self, pid: int) -> tuple[Proposal, Standing]:
        proposal = find(self.session, str(pid))
        return proposal, standing(self.session, proposal)


class _RelayerSession:
    """The demo's session as its relayer sees it: the same chain and deployment, its own sender."""

    def __init__(self, session, sender: Sender):
        self._session, self.sender = session, sender

    def __getattr__(self, name: str):
        return getattr(self._session, name)


def _data(fn) -> bytes:
    return bytes.fromhex(fn._encode_transaction_data()[2:])

