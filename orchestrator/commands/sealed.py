"""Sealed proposals from a member's wallet: `consortium vote` on a sealed proposal commits (commit_vote, called by
members.vote), and `consortium reveal ID` reveals. The salt is derived from the --account wallet's key each time
(operations/sealed.py), so nothing is stored between the two; which vote was committed is found by opening the
member's commitment, read from the chain, with each of the three."""

from __future__ import annotations

from collections.abc import Callable

import click

from orchestrator.chain.proposals import STATES, Proposal, commits_open, find, reveals_open
from orchestrator.chain.reverts import utc
from orchestrator.commands.common import pass_session, when
from orchestrator.errors import OrchestratorError
from orchestrator.labels import member_label
from orchestrator.operations import roll, sealed
from orchestrator.operations.session import Session


def phases(reveal_start: int, deadline: int, now: int | None = None) -> str:
    """A sealed proposal's phases, as `proposal show|list`, `propose` and `vote` print them."""
    return (f"sealed: commitments until {utc(reveal_start)}, reveals from {when(reveal_start, now)} to the deadline "
            f"{utc(deadline)}")


def member_of_sender(session: Session) -> tuple[int, str]:
    """The --account wallet's member: its id and its label ("member 7 Bitex Ltd")."""
    member_id = session.registry.functions.memberIdOf(session.sender.address).call()
    if member_id == 0:
        raise OrchestratorError(f"{session.sender.address} is not the seat of a current member")
    (m,) = roll.read(session.registry, None, [member_id])
    return member_id, member_label(member_id, m.identity)


def _account(session: Session, what: str):
    account = session.sender.account
    if account is None:
        raise OrchestratorError(f"{what} needs a wallet, whose key derives the vote's secret salt: pass --account NAME")
    return account


def _deadline(session: Session, p: Proposal) -> int:
    return session.governor.functions.proposalDeadline(p.id).call()


def _now(session: Session) -> int:
    return session.w3.eth.get_block("latest")["timestamp"]


def _reveal_hint(p: Proposal, start: int, now: int) -> str:
    return f"reveal it from {when(start, now)} with `consortium reveal {p.id}`"


def commit_vote(session: Session, p: Proposal, member_id: int, support: int, start: int, label: str,
                no_weight: Callable[[], None] = lambda: None) -> None:
    """Commit the member's vote on sealed proposal `p` from its seat, after the checks that make a commitment
    count: the phase, and no earlier commitment (one per member, never replaced). Whatever else the governor
    refuses (recusal, no weight at the snapshot) it says with BallotRejected, said here in words; `no_weight`
    raises the caller's own explanation of no weight first, if it has one."""
    account = _account(session, "a sealed vote")
    now = _now(session)
    state = STATES[session.governor.functions.state(p.id).call()]
    earlier = sealed.committed(session, p.id, member_id)
    if state == "Pending":
        raise OrchestratorError(f"proposal {p.id} is Pending: commitments are taken from {when(p.snapshot + 1, now)} "
                                f"until {when(start, now)}")
    if state != "Active":
        raise OrchestratorError(f"proposal {p.id} is {state}: its votes were revealed until its deadline "
                                f"{when(_deadline(session, p), now)}")
    if not commits_open(now, start):
        raise OrchestratorError(f"commitments to proposal {p.id} closed at {when(start, now)}; " + (
            f"reveal with `consortium reveal {p.id}` until the deadline {when(_deadline(session, p), now)}"
            if earlier else f"{label} did not commit and has no vote on it"))
    if earlier is not None:
        raise OrchestratorError(f"{label} already committed to a sealed vote on proposal {p.id} (one commitment per "
                                f"member, never replaced); {_reveal_hint(p, start, now)}")
    domain = sealed.domain(session)
    salt = sealed.salt(domain, p.id, account)
    receipt, refused = sealed.commit_own(session, p.id, sealed.commitment(domain, p.id, member_id, support, salt))
    if refused == "not eligible":
        no_weight()  # a lapse of dues is said with its dates and how to restore the vote
    if refused is not None:
        raise OrchestratorError(f"not committed: the governor refused {label}'s commitment: "
                                f"{_refusal(refused, label, p)}")
    click.echo(f"committed to a sealed vote on proposal {p.id} in transaction {receipt['transactionHash'].hex()}; "
               f"nobody can see it until it is revealed; {_reveal_hint(p, start, now)}")


def _refusal(reason: str, label: str, p: Proposal) -> str:
    """A BallotRejected reason (the contract's own words) with what it means for this member."""
    meaning = {
        "recused": f"{label} is recused from proposal {p.id} (a declared conflict, or the proposal is about it)",
        "not eligible": f"{label} had no voting weight at proposal {p.id}'s snapshot",
        "already committed": f"{label} already committed on proposal {p.id}",
        "already voted": f"{label}'s vote on proposal {p.id} is already revealed",
        "no commitment": f"{label} has no commitment on proposal {p.id}",
        "reveal mismatch": f"the vote and salt do not open {label}'s commitment",
    }.get(reason)
    return reason + (f" ({meaning})" if meaning else "")


@click.command()
@click.argument("proposal_id")
@pass_session
def reveal(session: Session, proposal_id: str) -> None:
    """Reveal your sealed vote on a proposal, from its reveal start to its deadline, as the --account wallet's
    member: its salt is derived again from the wallet's key, and the vote is the one the member committed to."""
    p = find(session, proposal_id)
    start = sealed.reveal_start(session, p.id)
    if start == 0:
        raise OrchestratorError(f"proposal {p.id} is not sealed: there is nothing to reveal (`consortium vote` votes "
                                "on it openly)")
    account = _account(session, "revealing a sealed vote")
    member_id, label = member_of_sender(session)
    now, deadline = _now(session), _deadline(session, p)
    mine = sealed.committed(session, p.id, member_id)
    if mine is None:
        if commits_open(now, start):
            raise OrchestratorError(f"{label} has not committed to a vote on proposal {p.id}: commit with `consortium "
                                    f"vote {p.id} for|against|abstain` until {when(start, now)}")
        raise OrchestratorError(f"{label} did not commit to a vote on proposal {p.id} before commitments closed at "
                                f"{when(start, now)}: there is nothing to reveal")
    domain = sealed.domain(session)
    salt = sealed.salt(domain, p.id, account)
    support = sealed.opened_by(domain, p.id, member_id, salt, mine.commitment)
    if support is None:
        raise OrchestratorError(f"the salt this wallet derives opens none of for, against or abstain in {label}'s "
                                f"commitment on proposal {p.id}: it was made with another key (a seat rotated since, "
                                "or a relayed commitment with a salt of its own)")
    name = sealed.SUPPORT_NAMES[support]
    voted, _ = session.governor.functions.memberMarks(p.id, member_id).call()
    if voted:
        raise OrchestratorError(f"{label}'s vote on proposal {p.id} is already revealed: {name}")
    if not reveals_open(now, start):
        raise OrchestratorError(f"not yet: reveals of proposal {p.id} open at {when(start, now)}, until the deadline "
                                f"{when(deadline, now)}")
    state = STATES[session.governor.functions.state(p.id).call()]
    if state != "Active":
        raise OrchestratorError(f"reveals of proposal {p.id} closed at its deadline {when(deadline, now)} (it is "
                                f"{state}): {label}'s commitment was never revealed and counted toward nothing")
    receipt, refused, weight = sealed.reveal(session, p.id, mine.voter, support, salt)
    if refused is not None:
        raise OrchestratorError(f"not revealed: the governor refused {label}'s reveal: {_refusal(refused, label, p)}")
    click.echo(f"revealed: {label} voted {name} on proposal {p.id} with weight {weight} in transaction "
               f"{receipt['transactionHash'].hex()}")
