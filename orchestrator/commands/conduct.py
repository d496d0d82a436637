"""`consortium conduct report|list`: the public record of conduct reports and censures."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click

from orchestrator.chain.proposals import receipt_events
from orchestrator.commands.common import pass_session, when
from orchestrator.errors import InputError
from orchestrator.operations import governance as gv
from orchestrator.operations.calls import Words
from orchestrator.operations.session import Session


@click.group()
def conduct() -> None:
    """Conduct: file a report about a member, list reports and censures."""


@conduct.command()
@click.argument("member")
@click.option("--evidence-uri", required=True, help="Where the evidence is published.")
@click.option("--evidence-file", type=click.Path(path_type=Path), required=True,
              help="The evidence itself; its SHA-256 is recorded on-chain.")
@pass_session
def report(session: Session, member: str, evidence_uri: str, evidence_file: Path) -> None:
    """Report MEMBER's conduct (voting members only; reports are public)."""
    try:
        evidence_hash = hashlib.sha256(evidence_file.read_bytes()).digest()
    except OSError as exc:
        raise InputError(f"cannot read {evidence_file}: {exc.strerror}") from None
    subject = gv.member_id(session.registry, member)
    fn = session.conduct.functions.fileReport(subject, evidence_uri, evidence_hash)
    receipt = session.sender.transact(session.w3, fn, "file report")
    report_id = receipt_events(session.conduct, receipt, "ReportFiled")[0]["args"]["reportId"]
    click.echo(f"report {report_id} about {Words(session).member(subject)} filed")


@conduct.command(name="list")
@pass_session
def list_(session: Session) -> None:
    """Every report and censure."""
    f, words = session.conduct.functions, Words(session)
    reports, censures = f.reportCount().call(), f.censureCount().call()
    click.echo(f"{reports} report(s), {censures} censure(s)")
    for rid in range(1, reports + 1):
        reporter, subject, uri, _, filed_at = f.report(rid).call()
        click.echo(f"  report {rid}: by {words.member(reporter)} about {words.member(subject)}, {when(filed_at)}: "
                   f"{uri}")
    for cid in range(1, censures + 1):
        member_id, report_id, reason, issued_at = f.censureRecord(cid).call()
        cited = f" (report {report_id})" if report_id else ""
        click.echo(f"  censure {cid}: {words.member(member_id)}, {when(issued_at)}{cited}: {reason}")
