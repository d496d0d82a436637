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


def all_proposals(session) -> list[Proposal]:
    w3, governor = session.w3, session.governor
    event = governor.events.ProposalCreated()
    found, start, head = [], session.deployment.block, w3.eth.block_number
    while start <= head:
        end = min(start + LOG_RANGE - 1, head)
        for log in event.get_logs(from_block=start, to_block=end):
            a = log["args"]
            found.append(Proposal(a["proposalId"], a["proposer"], list(a["targets"]), list(a["values"]),
                                  list(a["calldatas"]), a["description"], a["voteStart"], a["voteEnd"]))
        start = end + 1
    return found


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
    )


def describe_call(session, target: str, value: int, data: bytes) -> str:
    """A call in words: the function and arguments when the target is one of the suite's contracts."""
    known = {session.deployment.registry: session.registry, session.deployment.governor: session.governor,
             session.deployment.timelock: session.timelock}
    contract = known.get(target)
    text = f"{target} 0x{data[:4].hex()}…" if data else f"{target} (plain transfer)"
    if contract is not None and len(data) >= 4:
        try:
            fn, args = contract.decode_function_input(data)
            text = f"{fn.fn_name}({', '.join(f'{k}={v!r}' for k, v in args.items())}) on {target}"
        except ValueError:
            pass
    return text + (f" with {value} wei" if value else "")


def receipt_events(contract, receipt, name: str) -> list:
    return list(getattr(contract.events, name)().process_receipt(receipt, errors=DISCARD))
