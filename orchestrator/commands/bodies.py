"""`consortium body list|show|propose|approve`: the consortium's bodies, and their members acting k of n
within their mandate."""

from __future__ import annotations

import click
from eth_utils import is_address, to_checksum_address

from orchestrator.chain.proposals import receipt_events
from orchestrator.commands.common import pass_session
from orchestrator.errors import InputError
from orchestrator.operations import governance as gv
from orchestrator.operations.session import Session

BODY_KINDS = ["council", "technical-committee", "working-group", "secretariat"]


def body_address(session: Session, text: str) -> str:
    """A body by address or by name; any other address passes through (a budget may go to anyone)."""
    if is_address(text):
        return to_checksum_address(text)
    for address in session.body_factory.functions.bodies().call():
        if session.body(address).functions.name().call() == text:
            return address
    raise InputError(f"no body named {text!r}: see `consortium body list`")


def _member_body(session: Session, text: str):
    body = session.body(body_address(session, text))
    if not session.body_factory.functions.isBody(body.address).call():
        raise InputError(f"{body.address} is not one of this consortium's bodies")
    return body


@click.group()
def body() -> None:
    """The consortium's bodies: list, show, and act in one (propose, approve)."""


@body.command(name="list")
@pass_session
def list_(session: Session) -> None:
    """Every body with its kind, threshold and members."""
    addresses = session.body_factory.functions.bodies().call()
    if not addresses:
        click.echo("no bodies yet")
    for address in addresses:
        f = session.body(address).functions
        state = " (dissolved)" if f.dissolved().call() else ""
        members = ", ".join(map(str, f.members().call()))
        click.echo(f"{address}  {BODY_KINDS[f.kind().call()]:19} {f.name().call()}{state}: "
                   f"{f.threshold().call()} of members {members}")


@body.command()
@click.argument("body_ref", metavar="BODY")
@pass_session
def show(session: Session, body_ref: str) -> None:
    """A body's members, mandate and actions."""
    b = _member_body(session, body_ref)
    f = b.functions
    click.echo(f"{f.name().call()} ({BODY_KINDS[f.kind().call()]}) at {b.address}"
               f"{' — dissolved' if f.dissolved().call() else ''}")
    click.echo(f"  approvals needed: {f.threshold().call()} of {len(f.members().call())}")
    click.echo(f"  members: {', '.join(map(str, f.members().call()))}")
    mandate = {}
    for log in b.events.MandateSet().get_logs(from_block=session.deployment.block):
        mandate[(log["args"]["target"], log["args"]["selector"])] = log["args"]["allowed"]
    click.echo("  mandate:")
    for (target, selector), allowed in mandate.items():
        if allowed:
            click.echo(f"    0x{selector.hex()} on {target}")
    click.echo("  actions:")
    for action_id in range(f.actionCount().call()):
        target, _, proposer, approvals, executed, description = f.action(action_id).call()
        status = "executed" if executed else f"{approvals} approval(s)"
        click.echo(f"    #{action_id} by member {proposer}: {description} — {status}")


@body.command(name="propose")
@click.argument("body_ref", metavar="BODY")
@click.argument("target")
@click.argument("signature")
@click.argument("args", nargs=-1)
@click.option("--description", required=True, help="What the action is for (public).")
@pass_session
def propose_action(session: Session, body_ref: str, target: str, signature: str, args, description: str) -> None:
    """Propose that BODY calls SIGNATURE on TARGET (an address or treasury/standards/…) with ARGS; your
    approval is counted, and the approval that reaches the threshold executes it."""
    b = _member_body(session, body_ref)
    call = gv.raw_call(gv.target(session, target), signature, list(args))
    receipt = session.sender.transact(session.w3, b.functions.propose(call.target, call.data, description),
                                      "body action")
    _report(b, receipt, receipt_events(b, receipt, "ActionProposed")[0]["args"]["actionId"])


@body.command()
@click.argument("body_ref", metavar="BODY")
@click.argument("action_id", type=click.IntRange(0))
@pass_session
def approve(session: Session, body_ref: str, action_id: int) -> None:
    """Approve BODY's action ACTION_ID; if yours is the approval that reaches the threshold, it executes."""
    b = _member_body(session, body_ref)
    receipt = session.sender.transact(session.w3, b.functions.approve(action_id), "approve")
    _report(b, receipt, action_id)


def _report(b, receipt, action_id: int) -> None:
    approvals = receipt_events(b, receipt, "ActionApproved")[-1]["args"]["approvals"]
    executed = bool(receipt_events(b, receipt, "ActionExecuted"))
    click.echo(f"action #{action_id}: {approvals} approval(s){', executed' if executed else ''} "
               f"(transaction {receipt['transactionHash'].hex()})")
