"""Elections as the chain holds them (IElectionRegistry and the governor's approval tallies), read in JSON-RPC
batches, and a member's own approval ballot. Statuses are named from the contract's own enum; the winners'
rule (reserved seats, the tie key) is the registry's, never re-implemented here: what is shown as elected is
what the registry's CandidateElected events say, and the tallies are the governor's `proposalApprovals`.

An approval ballot is a bitmap over the election's candidate list: bit c approves `candidates[c]`. On the
command line and in ballot files candidates are named by member id; `approvals_bitmap` turns the ids into the
bitmap against the list the chain holds."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address

from orchestrator.chain import artifacts
from orchestrator.chain.proposals import STATES, receipt_events
from orchestrator.chain.proposals import logs as governor_logs
from orchestrator.errors import InputError
from orchestrator.operations.roll import Calls
from orchestrator.operations.sealed import rejection

INTERFACE = "IElectionRegistry"
ELECTION = "(address,uint8,uint8,uint48,uint48,uint8,string)"
CANDIDATES = "(uint32,uint8,bool)[]"
RESERVATIONS = "(uint8,uint8)[]"


def statuses() -> tuple[str, ...]:
    """The election statuses in words, in the contract's order."""
    return artifacts.enum_names(INTERFACE, "Status")


@dataclass(frozen=True)
class Candidate:
    index: int  # its bit in an approval ballot
    member_id: int
    tier: int  # when it nominated itself
    withdrawn: bool


@dataclass(frozen=True)
class Election:
    id: int
    body: str
    seats: int
    round: int
    nominations_end: int
    term_end: int
    status: str
    title: str
    reserved: tuple[tuple[int, int], ...]  # (tier, seats)
    candidates: tuple[Candidate, ...]
    seated: tuple[int, ...]  # member ids the election appointed (winners already sitting are not listed)


def count(registry) -> int:
    return registry.functions.electionCount().call()


def read(registry, ids: list[int] | None = None) -> list[Election]:
    """Elections `ids` (default: all) as the chain says now: one round of batches."""
    if ids is None:
        ids = list(range(1, count(registry) + 1))
    calls = Calls(registry.w3)
    for election_id in ids:
        calls.add(registry.address, "election(uint256)", [election_id], [ELECTION])
        calls.add(registry.address, "reservations(uint256)", [election_id], [RESERVATIONS])
        calls.add(registry.address, "candidates(uint256)", [election_id], [CANDIDATES])
        calls.add(registry.address, "seated(uint256)", [election_id], ["uint256[]"])
    answers = calls.run()
    names = statuses()
    found = []
    for i, election_id in enumerate(ids):
        body, seats, round_, nominations_end, term_end, status, title = answers[4 * i][0]
        reserved = tuple((tier, n) for tier, n in answers[4 * i + 1][0])
        candidates = tuple(Candidate(c, member_id, tier, withdrawn)
                           for c, (member_id, tier, withdrawn) in enumerate(answers[4 * i + 2][0]))
        found.append(Election(election_id, to_checksum_address(body), seats, round_, nominations_end, term_end,
                              names[status], title, reserved, candidates, tuple(answers[4 * i + 3][0])))
    return found


def get(registry, election_id: int) -> Election:
    if not 1 <= election_id <= count(registry):
        raise InputError(f"no election {election_id}")
    return read(registry, [election_id])[0]


def ballot_proposal(registry, election_id: int) -> tuple[list[str], list[int], list[bytes], str]:
    """The current round's ballot proposal as the registry fixes it: (targets, values, calldatas, description),
    what `propose` takes. The governor accepts no other proposal as this election's ballot."""
    description = registry.functions.ballotDescription(election_id).call()
    call = registry.encode_abi("seat", [election_id])
    return [registry.address], [0], [bytes.fromhex(call[2:])], description


def ballot_id(registry, election_id: int) -> int:
    """The current round's ballot proposal id (the registry reverts while nominations are open)."""
    return registry.functions.ballot(election_id).call()[0]


def tallies(governor, proposal_id: int, candidates: int, tier_count: int) -> list[list[int]]:
    """The governor's approval weight per candidate (rows) and voters' tier (columns) on ballot `proposal_id`."""
    calls = Calls(governor.w3)
    for c in range(candidates):
        for t in range(tier_count):
            calls.add(governor.address, "proposalApprovals(uint256,uint256,uint8)", [proposal_id, c, t], ["uint256"])
    answers = [a[0] for a in calls.run()]
    return [answers[c * tier_count:(c + 1) * tier_count] for c in range(candidates)]


def approvals_bitmap(election: Election, member_ids: list[int]) -> int:
    """The bitmap approving `member_ids`, candidates of `election`; an id not on its list, or withdrawn, is an
    error naming the candidates there are."""
    by_member = {c.member_id: c for c in election.candidates}
    bitmap = 0
    for member_id in member_ids:
        candidate = by_member.get(member_id)
        if candidate is None or candidate.withdrawn:
            standing = ", ".join(str(c.member_id) for c in election.candidates if not c.withdrawn) or "none"
            raise InputError(f"member {member_id} is not a candidate in election {election.id} "
                             f"(candidates: {standing})")
        bitmap |= 1 << candidate.index
    return bitmap


def approved(election: Election, bitmap: int) -> list[int]:
    """The member ids a bitmap approves, in list order."""
    return [c.member_id for c in election.candidates if bitmap >> c.index & 1]


def cast_own(session, proposal_id: int, approvals: int) -> tuple[dict, str | None, int]:
    """Send the member's own approval ballot from its seat (no signature). (receipt, None, weight) when it was
    counted, (receipt, reason in words, 0) when the governor skipped it with BallotRejected."""
    g = session.governor
    fn = g.functions.castApprovals(proposal_id, [(session.sender.address, approvals, b"")])
    receipt = session.sender.transact(session.w3, fn, "approval ballot")
    refused = receipt_events(g, receipt, "BallotRejected")
    if refused:
        return receipt, rejection(refused[0]["args"]["reason"]), 0
    cast = receipt_events(g, receipt, "VoteCastWithParams")
    return receipt, None, (cast[0]["args"]["weight"] if cast else 0)


# ───── what the registry's and the governor's events say ─────


def logs(session, event_name: str, argument_filters: dict | None = None) -> list:
    """The registry's `event_name` logs since the deployment block, read in bounded ranges."""
    return governor_logs(session, event_name, argument_filters, contract=session.elections)


@dataclass(frozen=True)
class Elected:
    member_id: int
    approvals: int  # its approval weight when it was seated
    reserved: bool  # it took a seat reserved for its tier


def elected(session, election_id: int) -> list[Elected]:
    """The winners as the registry seated them (its CandidateElected events), in the order it chose them:
    reserved seats first. Winners already sitting on the body are listed too (the registry did not appoint
    them, so `Election.seated` leaves them out)."""
    return [Elected(e["args"]["memberId"], e["args"]["approvals"], e["args"]["reservedSeat"])
            for e in logs(session, "CandidateElected", {"electionId": election_id})]


def vacated(session, election_id: int) -> list[int]:
    """The members whose seats the election's end of term vacated (its SeatVacated events)."""
    return [e["args"]["memberId"] for e in logs(session, "SeatVacated", {"electionId": election_id})]


def ballots_by_proposal(session) -> dict[int, int]:
    """Every election ballot proposal of this deployment's registry: proposal id → election id, from the
    governor's ElectionBallotProposed events (one per round whose ballot was proposed)."""
    return {e["args"]["proposalId"]: e["args"]["electionId"]
            for e in governor_logs(session, "ElectionBallotProposed", {"elections": session.elections.address})}


@dataclass(frozen=True)
class Ballot:
    proposal_id: int
    round: int | None  # None: an earlier round than the election's current one
    state: str | None  # the governor's state; None: the current round's ballot is not proposed yet


def ballot(session, election: Election) -> Ballot | None:
    """The ballot proposal that decides `election` now: the current round's while balloting (proposed or not
    yet), the one that seated it once seated or vacated, the last proposed before a cancellation; None when
    there is none (nominations open, or no candidates)."""
    g = session.governor
    if election.status == "balloting":
        if not election.candidates:
            return None
        proposal_id = ballot_id(session.elections, election.id)
        proposed = g.functions.proposalSnapshot(proposal_id).call() != 0
        return Ballot(proposal_id, election.round,
                      STATES[g.functions.state(proposal_id).call()] if proposed else None)
    if election.status in ("seated", "vacated"):
        (seated,) = logs(session, "ElectionSeated", {"electionId": election.id})
        return Ballot(seated["args"]["proposalId"], election.round, "Executed")
    made = [pid for pid, eid in ballots_by_proposal(session).items() if eid == election.id]
    if not made:
        return None
    return Ballot(made[-1], None, STATES[g.functions.state(made[-1]).call()])
