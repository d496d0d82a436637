"""`consortium vote` (a transaction, or a signed ballot file with --sign-only) and the member's own
actions: `consortium member recuse|resign|rotate-seat`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from orchestrator.chain.proposals import SUPPORT, find
from orchestrator.commands.common import pass_session
from orchestrator.errors import OrchestratorError
from orchestrator.operations.governance import address
from orchestrator.operations.session import Session
from orchestrator.relay import ballots
from orchestrator.relay.ballot_file import BallotFile


def _require_member(session: Session) -> int:
    member_id = session.registry.functions.memberIdOf(session.sender.address).call()
    if member_id == 0:
        raise OrchestratorError(f"{session.sender.address} is not the seat of a current member")
    return member_id


@click.command()
@click.argument("proposal_id")
@click.argument("support", type=click.Choice(list(SUPPORT)))
@click.option("--reason", default="", help="Why, published with the vote.")
@click.option("--sign-only", is_flag=True, help="Write a signed ballot file for a relayer instead of sending a "
              "transaction: the gas-free path.")
@click.option("--out", type=click.Path(path_type=Path), help="Ballot file [default: ballot-<id prefix>-<voter>.json].")
@pass_session
def vote(session: Session, proposal_id: str, support: str, reason: str, sign_only: bool, out: Path | None) -> None:
    """Vote for, against or abstain on a proposal, as the --account wallet's member."""
    p = find(session, proposal_id)
    _require_member(session)
    if sign_only:
        _sign_ballot(session, p.id, SUPPORT[support], reason, out)
        return
    fn = session.governor.functions.castVoteWithReason(p.id, SUPPORT[support], reason)
    receipt = session.sender.transact(session.w3, fn, "vote")
    click.echo(f"voted {support} on proposal {p.id} in transaction {receipt['transactionHash'].hex()}")


def _sign_ballot(session: Session, proposal_id: int, support: int, reason: str, out: Path | None) -> None:
    account = session.sender.account
    if account is None:
        raise OrchestratorError("--sign-only needs a wallet: pass --account NAME")
    g = session.governor
    domain = ballots.domain(g.functions.name().call(), session.w3.eth.chain_id, g.address, g.functions.version().call())
    typed = ballots.member_ballot(domain, proposal_id, support, account.address, reason)
    signature = ballots.sign(typed, account.key)
    ballot = {**BallotFile.signed(domain, proposal_id, account.address, support, reason, signature),
              "typed_data": {**typed, "message": {**typed["message"], "proposalId": str(proposal_id)}}}
    path = out or Path(f"ballot-{str(proposal_id)[:12]}-{account.address[:10]}.json")
    path.write_text(json.dumps(ballot, indent=2) + "\n")
    click.echo(f"signed ballot written to {path}; hand it to a relayer (`consortium relay {path}`)")


@click.group()
def member() -> None:
    """A member's own actions: recuse, resign, rotate-seat."""


@member.command()
@click.argument("proposal_id")
@click.option("--reason", required=True, help="The conflict of interest, published.")
@pass_session
def recuse(session: Session, proposal_id: str, reason: str) -> None:
    """Declare a conflict of interest on a proposal; you cannot vote on it afterwards."""
    p = find(session, proposal_id)
    _require_member(session)
    session.sender.transact(session.w3, session.governor.functions.recuse(p.id, reason), "recuse")
    click.echo(f"recused from proposal {p.id}")


@member.command()
@click.confirmation_option(prompt="Resigning is final. Resign?")
@pass_session
def resign(session: Session) -> None:
    """Leave the consortium (final; your seat is freed)."""
    member_id = _require_member(session)
    session.sender.transact(session.w3, session.registry.functions.resign(), "resign")
    click.echo(f"member {member_id} resigned")


@member.command(name="rotate-seat")
@click.argument("new_seat")
@pass_session
def rotate_seat(session: Session, new_seat: str) -> None:
    """Move your membership to NEW_SEAT; your weight and history follow, this key keeps nothing."""
    member_id = _require_member(session)
    new = address(new_seat, "new seat")
    session.sender.transact(session.w3, session.registry.functions.rotateSeat(new), "rotate seat")
    click.echo(f"member {member_id} now sits at {new}")
