"""Reading proposals back from the chain: what was proposed (from ProposalCreated events since the
deployment block, read in bounded ranges), and where each stands (state, kind, quorum, tallies per tier)."""

from __future__ import annotations

from dataclasses import dataclass

from web3.logs import DISCARD

from orchestrator.chain import artifacts
from orchestrator.errors import InputError

STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"]
SUPPORT = {"against": 0, "for": 1, "abstain": 2}
LOG_RANGE = 5_000
# The governor seals a proposal whose description ends with these bytes (contracts/governance/DescriptionTags.sol):
# the proposer's choice, fixed with the proposal id. Whether a proposal is sealed is always asked of the chain
# (proposalRevealStart); this is only what a proposer writes.
SEAL = "#sealed"


def commits_open(now: int, reveal_start: int) -> bool:
    """Whether a commitment to a sealed proposal sent now lands before its reveal start: `now` is the latest
    block's time, and the commitment's own block comes after it."""
    return now + 1 < reveal_start


def reveals_open(now: int, reveal_start: int) -> bool:
    """Whether a reveal sent now is taken: a node estimates it at the latest block's time (chain/node.py), so
    that time must have reached the reveal start; waiting one block more shows nothing early, as commitments
    are closed by then. (The voting page's vote.js follows the same two rules.)"""
    return now >= reveal_start


def kind_name(kind: int) -> str:
    """A proposal kind in words ("member case"), from the contracts' own ProposalKind."""
    return artifacts.enum_names("IConsortiumGovernor", "ProposalKind")[kind]


def kind_text(kind: int, subject: int) -> str:
    """The kind as `proposalKind` and `classify` answer it: a member's case names its member."""
    return kind_name(kind) + (f" about member {subject}" if subject else "")


@dataclass(frozen=True)
class Proposal:
    id: int
    proposer: str
    targets: list[str]
    values: list[int]
    calldatas: list[bytes]
    description: str
    snapshot: int
    deadline: int

    @property
    def title(self) -> str:
        return self.description.strip().splitlines()[0] if self.description.strip() else "(no description)"

    def operation(self, w3) -> tuple:
        """(targets, values, calldatas, description hash): what queue, execute and cancel take."""
        return self.targets, self.values, self.calldatas, w3.keccak(text=self.description)


def logs(session, event_name: str, argument_filters: dict | None = None, contract=None) -> list:
    """The governor's (or another of the suite's contracts') `event_name` logs since the deployment block, read in
    bounded ranges."""
    w3, event = session.w3, getattr((contract or session.governor).events, event_name)()
    found, start, head = [], session.deployment.block, w3.eth.block_number
    while start <= head:
        end = min(start + LOG_RANGE - 1, head)
        found += event.get_logs(from_block=start, to_block=end, argument_filters=argument_filters)
        start = end + 1
    return found


def all_proposals(session) -> list[Proposal]:
    return [Proposal(a["proposalId"], a["proposer"], list(a["targets"]), list(a["values"]), list(a["calldatas"]),
                     a["description"], a["voteStart"], a["voteEnd"])
            for a in (log["args"] for log in logs(session, "ProposalCreated"))]


def find(session, text: str) -> Proposal:
    """A proposal by its full id (decimal or 0x hex) or by a unique decimal prefix of 6 or more digits."""
    proposals = all_proposals(session)
    try:
        wanted = int(text, 0)
    except ValueError:
        raise InputError(f"proposal id {text!r} is not a number") from None
    exact = [p for p in proposals if p.id == wanted]
    if exact:
        return exact[0]
    matches = [p for p in proposals if len(text) >= 6 and str(p.id).startswith(text)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise InputError(f"proposal id prefix {text} matches {len(matches)} proposals; give more digits")
    raise InputError(f"no proposal {text} in this deployment")


@dataclass(frozen=True)
class Standing:
    state: str
    kind: str
    deadline: int
    quorum: int | None  # None while the snapshot is in the future
    quorum_votes: int
    tallies: dict[str, tuple[int, int, int]]  # tier name -> (for, against, abstain)
    eta: int
    reveal_start: int = 0  # a sealed proposal's (proposalRevealStart); 0: open

    @property
    def sealed(self) -> bool:
        return self.reveal_start != 0


def standing(session, proposal: Proposal) -> Standing:
    g, r = session.governor.functions, session.registry.functions
    now = session.w3.eth.get_block("latest")["timestamp"]
    tallies = {}
    for t in range(r.tierCount().call()):
        against, for_, abstain = g.proposalTierVotes(proposal.id, t).call()
        tallies[r.tier(t).call()[0]] = (for_, against, abstain)
    quorum = g.proposalQuorum(proposal.id).call() if proposal.snapshot < now else None
    return Standing(
        state=STATES[g.state(proposal.id).call()],
        kind=kind_text(*g.proposalKind(proposal.id).call()),
        deadline=g.proposalDeadline(proposal.id).call(),
        quorum=quorum,
        quorum_votes=sum(f + ab for f, _, ab in tallies.values()),
        tallies=tallies,
        eta=g.proposalEta(proposal.id).call(),
        reveal_start=g.proposalRevealStart(proposal.id).call(),
    )


@dataclass(frozen=True)
class Recusal:
    member_id: int
    automatic: bool  # the proposal is about the member (SubjectRecused), else a declared conflict
    reason: str


SUBJECT_REASON = "the proposal is about this member"  # what the indexer records for SubjectRecused too


def recusals(session, proposal: Proposal) -> list[Recusal]:
    """Who may not vote on `proposal`, from the governor's own events: the member a case is about
    (SubjectRecused) and every declared conflict (VoterRecused, with its public reason), in chain order."""
    found = [(e["blockNumber"], e["logIndex"], Recusal(e["args"]["memberId"], True, SUBJECT_REASON))
             for e in logs(session, "SubjectRecused", {"proposalId": proposal.id})]
    found += [(e["blockNumber"], e["logIndex"], Recusal(e["args"]["memberId"], False, e["args"]["reason"]))
              for e in logs(session, "VoterRecused", {"proposalId": proposal.id})]
    return [r for *_, r in sorted(found, key=lambda x: x[:2])]


def defeat_reasons(session, proposal: Proposal, s: Standing) -> list[str]:
    """Why a Defeated proposal lost, from the chain's answers: its quorum (proposalQuorum) against the for +
    abstain weight counted toward it, then the conditions of its kind's rule (ProposalKinds.succeeded) on
    its tallies per tier and the total weight at its snapshot. The governor answers only "Defeated"
    (state()); this names which of the conditions it checks failed, and never decides the outcome."""
    if s.quorum is not None and s.quorum_votes < s.quorum:
        return [f"quorum not reached ({s.quorum_votes} of {s.quorum} needed)"]
    for_, against = sum(t[0] for t in s.tallies.values()), sum(t[1] for t in s.tallies.values())
    kind, _ = session.governor.functions.proposalKind(proposal.id).call()
    if kind_name(kind) == "ordinary":
        return [f"for did not exceed against ({for_} for, {against} against)"] if for_ <= against else []
    # Constitutional and member cases: a majority in every tier that cast for or against, two thirds of
    # for + against, and for above half of all weight at the snapshot.
    reasons = [f"the {tier} tier {'voted against' if a > f else 'was split evenly'} ({f} for, {a} against; "
               "every tier that votes needs a majority for: concurrent majority)"
               for tier, (f, a, _) in s.tallies.items() if f + a > 0 and f <= a]
    if for_ * 3 < (for_ + against) * 2:
        reasons.append(f"for is less than two thirds of for + against ({for_} of {for_ + against})")
    total = session.registry.functions.getPastTotalSupply(proposal.snapshot).call()
    if for_ * 2 <= total:
        reasons.append(f"for is not more than half of all weight ({for_} of {total})")
    return reasons


def receipt_events(contract, receipt, name: str) -> list:
    return list(getattr(contract.events, name)().process_receipt(receipt, errors=DISCARD))
