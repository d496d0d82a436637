"""`consortium standard list|show|publish|attest|withdraw`: industry standards and compliance."""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path

import click

from orchestrator.chain.proposals import receipt_events
from orchestrator.commands.bodies import body_address
from orchestrator.commands.common import pass_session, when
from orchestrator.errors import InputError
from orchestrator.operations import governance as gv
from orchestrator.operations.session import Session

STATUSES = ["none", "draft", "adopted", "superseded", "deprecated"]


def _standard(session: Session, standard_id: int) -> tuple:
    if not 0 < standard_id <= session.standards.functions.standardCount().call():
        raise InputError(f"there is no standard {standard_id}")
    return session.standards.functions.standard(standard_id).call()


@click.group()
def standard() -> None:
    """Industry standards: list, show, publish (drafts), attest and withdraw compliance."""


@standard.command(name="list")
@pass_session
def list_(session: Session) -> None:
    """Every standard with its version, status and how many members attest compliance."""
    f = session.standards.functions
    count = f.standardCount().call()
    if not count:
        click.echo("no standards yet")
    for sid in range(1, count + 1):
        title, version, *_ = s = f.standard(sid).call()
        click.echo(f"{sid:>4}  {title} v{version}  {STATUSES[s[4]]:10}  {len(f.attesters(sid).call())} attest(s)")


@standard.command()
@click.argument("standard_id", type=int)
@pass_session
def show(session: Session, standard_id: int) -> None:
    """A standard and the members attesting compliance, with their evidence."""
    title, version, content_hash, uri, status, supersedes, publisher, published_at, decided_at = _standard(
        session, standard_id)
    click.echo(f"standard {standard_id}: {title} v{version} — {STATUSES[status]}")
    click.echo(f"  content sha256 {content_hash.hex()} at {uri or '(no URI)'}")
    superseding = f", supersedes {supersedes}" if supersedes else ""
    click.echo(f"  published by {publisher} {when(published_at)}{superseding}")
    if decided_at:
        click.echo(f"  status since {when(decided_at)}")
    f = session.standards.functions
    click.echo("  compliance attested by:")
    for member_id in f.attesters(standard_id).call():
        attested_at, evidence = f.attestation(standard_id, member_id).call()
        click.echo(f"    member {member_id} {when(attested_at)}: {evidence}")


@standard.command()
@click.argument("title")
@click.argument("version")
@click.option("--content", "content_path", type=click.Path(path_type=Path), required=True,
              help="The standard's text; its SHA-256 is recorded on-chain.")
@click.option("--uri", default="", help="Where the text is published.")
@click.option("--supersedes", type=click.IntRange(0), default=0, help="The adopted standard it replaces.")
@click.option("--via-body", help="Publish as this body's action (a technical committee), by name or address.")
@pass_session
def publish(session: Session, title: str, version: str, content_path: Path, uri: str, supersedes: int,
            via_body: str | None) -> None:
    """Publish a draft (as an allowed publisher, or --via-body as a body action)."""
    try:
        content_hash = hashlib.sha256(content_path.read_bytes()).digest()
    except OSError as exc:
        raise InputError(f"cannot read {content_path}: {exc.strerror}") from None
    fn = session.standards.functions.publishDraft(title, version, content_hash, uri, supersedes)
    if via_body:
        body = session.body(body_address(session, via_body))
        data = bytes.fromhex(fn._encode_transaction_data()[2:])
        fn = body.functions.propose(session.standards.address, data, f"Publish draft {title} v{version}")
    receipt = session.sender.transact(session.w3, fn, "publish draft")
    drafted = receipt_events(session.standards, receipt, "StandardDrafted")
    if drafted:  # published at once: a publisher, or a body whose threshold one approval reaches
        click.echo(f"draft {drafted[0]['args']['standardId']} published: {title} v{version}")
        return
    # A body action waiting for the other members' approvals: they need its id.
    approved = receipt_events(body, receipt, "ActionApproved")[0]["args"]
    action_id, threshold = approved["actionId"], body.functions.threshold().call()
    click.echo(f"body action {action_id} proposed; {approved['approvals']} of {threshold} approvals; members approve "
               f"with `consortium body approve {shlex.quote(via_body)} {action_id}`")


@standard.command()
@click.argument("standard_id", type=int)
@click.option("--evidence", required=True, help="URI of the evidence (an audit report, a policy, …).")
@pass_session
def attest(session: Session, standard_id: int, evidence: str) -> None:
    """Attest your member's compliance with adopted standard STANDARD_ID."""
    _standard(session, standard_id)
    session.sender.transact(session.w3, session.standards.functions.attest(standard_id, evidence), "attest")
    click.echo(f"compliance with standard {standard_id} attested")


@standard.command()
@click.argument("standard_id", type=int)
@pass_session
def withdraw(session: Session, standard_id: int) -> None:
    """Withdraw your member's attestation for STANDARD_ID."""
    session.sender.transact(session.w3, session.standards.functions.withdraw(standard_id), "withdraw attestation")
    click.echo(f"attestation for standard {standard_id} withdrawn")


@standard.command()
@click.option("--member", help="One member (id or seat) instead of every standard.")
@pass_session
def compliance(session: Session, member: str | None) -> None:
    """Who complies with what: per standard, or per member with --member."""
    f = session.standards.functions
    if member:
        member_id = gv.member_id(session.registry, member)
        ids = f.attestedBy(member_id).call()
        click.echo(f"member {member_id} attests: " + (", ".join(map(str, ids)) if ids else "nothing"))
        return
    for sid in range(1, f.standardCount().call() + 1):
        title, version, *_ = f.standard(sid).call()
        members = f.attesters(sid).call()
        click.echo(f"{sid:>4}  {title} v{version}: " + (", ".join(map(str, members)) if members else "none"))
