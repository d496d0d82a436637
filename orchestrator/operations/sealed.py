"""Sealed votes from a member's own wallet (a member acting alone; a relayer's batches are relay/'s): the salt
derived from the member's key, so the member re-derives it to reveal and keeps nothing; the commitment sent from
its seat; the commitment found again from the chain's VoteCommitted event; the reveal; and what the governor
answered (a VoteCommitted or VoteCast, or a BallotRejected reason in the contract's own words)."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.chain import artifacts
from orchestrator.chain.proposals import SUPPORT, logs, receipt_events
from orchestrator.relay import ballots

SUPPORT_NAMES = {v: k for k, v in SUPPORT.items()}


def reveal_start(session, proposal_id: int) -> int:
    """When reveals of `proposal_id` start, as the governor answers; 0 for an open proposal."""
    return session.governor.functions.proposalRevealStart(proposal_id).call()


def domain(session) -> dict:
    """The governor's EIP-712 domain, read from the governor."""
    g = session.governor.functions
    return ballots.domain(g.name().call(), session.w3.eth.chain_id, session.governor.address, g.version().call())


def salt(domain_: dict, proposal_id: int, account) -> bytes:
    """The member's salt on `proposal_id`: from its key's deterministic signature of SealedSalt(proposalId, voter),
    never stored nor sent anywhere."""
    return ballots.sealed_salt(ballots.sign(ballots.sealed_salt_request(domain_, proposal_id, account.address),
                                            account.key))


def commitment(domain_: dict, proposal_id: int, member_id: int, support: int, salt_: bytes) -> bytes:
    """The member's commitment in the governor and chain of `domain_`."""
    return ballots.commitment(domain_["chainId"], domain_["verifyingContract"], proposal_id, member_id, support, salt_)


@dataclass(frozen=True)
class Committed:
    voter: str
    commitment: bytes
    tx_hash: str
    block: int


def committed(session, proposal_id: int, member_id: int) -> Committed | None:
    """The member's commitment on `proposal_id`, from the governor's VoteCommitted event (one per member, never
    replaced), or None."""
    found = logs(session, "VoteCommitted", {"proposalId": proposal_id, "memberId": member_id})
    if not found:
        return None
    e = found[0]
    return Committed(e["args"]["voter"], bytes(e["args"]["commitment"]), e["transactionHash"].hex(), e["blockNumber"])


def opened_by(domain_: dict, proposal_id: int, member_id: int, salt_: bytes, committed_: bytes) -> int | None:
    """Which vote (0 against, 1 for, 2 abstain) `salt_` opens `committed_` with; None if it opens none."""
    for support in SUPPORT.values():
        if commitment(domain_, proposal_id, member_id, support, salt_) == committed_:
            return support
    return None


def rejection(reason: int) -> str:
    """A BallotRejected reason in the contract's words (IConsortiumGovernor.BallotRejection)."""
    return artifacts.enum_names("IConsortiumGovernor", "BallotRejection")[reason]


def commit_own(session, proposal_id: int, commitment_: bytes) -> tuple[dict, str | None]:
    """Send the member's own commitment from its seat (no signature). (receipt, None) when the governor recorded
    it, (receipt, reason in words) when it skipped it with BallotRejected."""
    g = session.governor
    fn = g.functions.commitVotes(proposal_id, [(session.sender.address, commitment_, b"")])
    receipt = session.sender.transact(session.w3, fn, "commit")
    return receipt, _refused(g, receipt)


def reveal(session, proposal_id: int, voter: str, support: int, salt_: bytes) -> tuple[dict, str | None, int]:
    """Reveal one vote. (receipt, None, weight) when it was counted, (receipt, reason in words, 0) when the
    governor skipped it with BallotRejected."""
    g = session.governor
    receipt = session.sender.transact(session.w3, g.functions.revealVotes(proposal_id, [(voter, support, salt_)]),
                                      "reveal")
    refused = _refused(g, receipt)
    cast = receipt_events(g, receipt, "VoteCast")
    return receipt, refused, (cast[0]["args"]["weight"] if cast else 0)


def _refused(governor, receipt) -> str | None:
    found = receipt_events(governor, receipt, "BallotRejected")
    return rejection(found[0]["args"]["reason"]) if found else None
