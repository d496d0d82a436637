"""`consortium advisory …`: industry advisories about any party, read from the chain and acted on.

A member files (rate-limited per member) and may withdraw its own while it is pending; the subject's own
account replies. A confirmer decides: publishes or dismisses a pending advisory, updates or retracts a
published one, records a reply for a subject without an account here. Confirmers are bodies acting k of n,
so with --body each of the body's members runs the same command: the first proposes the body's action, the
others approve it, and the approval that reaches the threshold executes it. Every decision is first asked
of the chain as the confirmer would make it, so a refusal is said before anything is sent."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shlex
from pathlib import Path

import click

from orchestrator.chain.proposals import receipt_events
from orchestrator.chain.reverts import utc
from orchestrator.commands.bodies import member_body, propose_and_report, report_action
from orchestrator.commands.common import pass_session
from orchestrator.errors import ChainError, InputError
from orchestrator.labels import member_label
from orchestrator.operations import advisories as ops
from orchestrator.operations import governance as gv
from orchestrator.operations import roll
from orchestrator.operations.body_actions import open_action
from orchestrator.operations.calls import Words
from orchestrator.operations.config import ZERO_ADDRESS
from orchestrator.operations.session import Session

FORMATS = ["table", "json", "csv"]
COLUMNS = ["advisory_id", "status", "kind", "severity", "revision", "subject", "subject_account", "summary",
           "evidence_uri", "evidence_hash", "filer", "filer_name", "filed_at", "decided_at", "replies"]


def content_hash(text: str | None, path: Path | None, hash_option: str, file_option: str) -> bytes:
    """A 32-byte hash given as hex, or the SHA-256 of a file (as conduct reports record evidence)."""
    if bool(text) == bool(path):
        raise InputError(f"give exactly one of {hash_option} 0x… (32 bytes) or {file_option} PATH (its SHA-256 is "
                         "recorded)")
    if path is not None:
        try:
            return hashlib.sha256(path.read_bytes()).digest()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
    if not re.fullmatch(r"0x[0-9a-fA-F]{64}", text):
        raise InputError(f"{hash_option} {text!r} is not 32 bytes in hex (0x and 64 hex digits)")
    return bytes.fromhex(text[2:])


def _hash_options(option: str, what: str):
    """--OPTION-hash and --OPTION-file (`--evidence-hash`, or `--hash` for an empty OPTION), as `content_hash`
    takes them: the hash of `what`, or the file it is computed from."""
    name = f"--{option}-" if option else "--"

    def decorate(fn):
        fn = click.option(f"{name}file", "file_", type=click.Path(path_type=Path),
                          help=f"The {what} itself; its SHA-256 is recorded.")(fn)
        return click.option(f"{name}hash", "hash_", help=f"The hash of the {what} (0x and 64 hex digits).")(fn)
    return decorate


def _listed(enum: str) -> str:
    """An enum's names as typed, for help texts: from the contract, like everything else said about them."""
    return ", ".join(ops.written(n) for n in ops.names(enum) if n != "none")


def _advisory(session: Session, advisory_id: int) -> ops.Advisory:
    if not 0 < advisory_id <= ops.count(session.advisories):
        raise InputError(f"there is no advisory {advisory_id}")
    return ops.read(session.advisories, [advisory_id])[0]


@click.group()
def advisory() -> None:
    """Industry advisories: file, withdraw, reply, list and show; confirmers publish, dismiss, update and
    retract them and record replies (directly, or k of n through a body with --body)."""


# ───── members and subjects ─────


@advisory.command(name="file")
@click.option("--kind", required=True, help=f"One of: {_listed('Kind')}.")
@click.option("--severity", required=True, help=f"One of: {_listed('Severity')}.")
@click.option("--subject", required=True, help="Who it is about: a CAIP-10 account id (eip155:1:0x…) or an "
              "entity's name.")
@click.option("--subject-account", help="The subject's own account on this chain, which may then reply itself.")
@click.option("--summary", required=True, help="What the advisory says (public).")
@click.option("--evidence-uri", required=True, help="Where the evidence is published.")
@_hash_options("evidence", "evidence")
@pass_session
def file_(session: Session, kind: str, severity: str, subject: str, subject_account: str | None, summary: str,
          evidence_uri: str, hash_: str | None, file_: Path | None) -> None:
    """File an advisory as your member (active members only, a few per period: see the filing limit in
    `consortium advisory list`). It is pending until a confirmer publishes or dismisses it."""
    kind_id, severity_id = ops.parse("Kind", kind), ops.parse("Severity", severity)
    evidence = content_hash(hash_, file_, "--evidence-hash", "--evidence-file")
    account = gv.address(subject_account, "subject account") if subject_account else ZERO_ADDRESS
    a = session.advisories
    fn = a.functions.file(kind_id, severity_id, subject, account, summary, evidence_uri, evidence)
    receipt = session.sender.transact(session.w3, fn, "file advisory")
    filed = receipt_events(a, receipt, "AdvisoryFiled")[0]["args"]
    advisory_id, filer = filed["advisoryId"], filed["filer"]
    click.echo(f"advisory {advisory_id} filed: {ops.names('Kind')[kind_id]}, {ops.names('Severity')[severity_id]}, "
               f"about {subject}; pending until a confirmer publishes or dismisses it")
    remaining, resets_at = a.functions.filingAllowance(filer).call()
    click.echo(f"{Words(session).member(filer)} may file {remaining} more until {utc(resets_at)}")


@advisory.command()
@click.argument("advisory_id", type=int)
@pass_session
def withdraw(session: Session, advisory_id: int) -> None:
    """Withdraw ADVISORY_ID, which your member filed, while it is pending."""
    fn = session.advisories.functions.withdraw(advisory_id)
    refused = ops.refusal(fn, session.sender.address)
    if refused and refused[0] == "AdvisoryUnauthorized":  # the registry's one word for "not yours"
        filer = Words(session).member(_advisory(session, advisory_id).filer)
        raise InputError(f"withdraw advisory {advisory_id}: only its filer, {filer}, may withdraw it")
    if refused:
        raise ChainError(f"withdraw advisory {advisory_id}: {refused[1]}")
    session.sender.transact(session.w3, fn, f"withdraw advisory {advisory_id}")
    click.echo(f"advisory {advisory_id} withdrawn")


@advisory.command()
@click.argument("advisory_id", type=int)
@click.option("--uri", required=True, help="Where the reply is published.")
@_hash_options("", "reply")
@pass_session
def reply(session: Session, advisory_id: int, uri: str, hash_: str | None, file_: Path | None) -> None:
    """Reply to ADVISORY_ID as its subject, from the subject's own account (the one the advisory names)."""
    digest = content_hash(hash_, file_, "--hash", "--file")
    fn = session.advisories.functions.reply(advisory_id, uri, digest)
    receipt = session.sender.transact(session.w3, fn, f"reply to advisory {advisory_id}")
    index = receipt_events(session.advisories, receipt, "AdvisoryReplied")[0]["args"]["replyIndex"]
    click.echo(f"reply {index + 1} to advisory {advisory_id} recorded, by its subject")


# ───── confirmers ─────


def _decide(session: Session, body_ref: str | None, fn, what: str, verb: str, done: str) -> None:
    """Make a confirmer's call `fn`: as the signer, or with --body as that body's action (proposed, or the
    open one approved). Asked first of the chain as the confirmer makes it: a refusal is said, nothing sent."""
    body = member_body(session, body_ref) if body_ref else None
    confirmer = body.address if body is not None else session.sender.address
    refused = ops.refusal(fn, confirmer)
    if refused and refused[0] == "AdvisoryUnauthorized":
        if body is not None:
            name = body.functions.name().call()
            raise InputError(f"{what}: body '{name}' is not a confirmer of the advisory registry: governance names "
                             f"one with `consortium propose confirmer {shlex.quote(name)}`")
        raise InputError(f"{what}: {confirmer} is not a confirmer of the advisory registry: act through a body "
                         f"that is one with --body NAME, or propose it to a vote (`consortium propose "
                         f"advisory-{verb} …`)")
    if refused:
        raise ChainError(f"{what}: {refused[1]}")
    if body is None:
        session.sender.transact(session.w3, fn, what)
        click.echo(done)
        return
    call = gv.contract_call(session.advisories, fn.fn_name, *fn.args)
    action_id = open_action(body, call.target, call.data)
    if action_id is None:
        action_id = propose_and_report(session, body, call.target, call.data, what[0].upper() + what[1:])
    else:  # another member of the body proposed it: this is an approval, as `consortium body approve` gives
        receipt = session.sender.transact(session.w3, body.functions.approve(action_id), "approve")
        report_action(body, receipt, action_id)
    if body.functions.action(action_id).call()[4]:  # executed
        click.echo(done)


def _body_option(fn):
    return click.option("--body", "body_ref", metavar="BODY",
                        help="Act as this body (a confirmer), by name or address: proposes its action, or "
                             "approves the one already proposed; the approval that reaches its threshold "
                             "executes it.")(fn)


@advisory.command()
@click.argument("advisory_id", type=int)
@_body_option
@pass_session
def publish(session: Session, advisory_id: int, body_ref: str | None) -> None:
    """Publish pending ADVISORY_ID (a confirmer)."""
    _decide(session, body_ref, session.advisories.functions.publish(advisory_id), f"publish advisory {advisory_id}",
            "publish", f"advisory {advisory_id} published")


@advisory.command()
@click.argument("advisory_id", type=int)
@click.option("--reason", required=True, help="Why (public).")
@_body_option
@pass_session
def dismiss(session: Session, advisory_id: int, reason: str, body_ref: str | None) -> None:
    """Dismiss pending ADVISORY_ID (a confirmer)."""
    _decide(session, body_ref, session.advisories.functions.dismiss(advisory_id, reason),
            f"dismiss advisory {advisory_id}", "dismiss", f"advisory {advisory_id} dismissed: {reason}")


@advisory.command()
@click.argument("advisory_id", type=int)
@click.option("--severity", help="The new severity (default: unchanged).")
@click.option("--evidence-uri", help="The new evidence's URI (default: unchanged); give its hash or file too.")
@_hash_options("evidence", "new evidence")
@click.option("--note", required=True, help="What changed and why (public).")
@_body_option
@pass_session
def update(session: Session, advisory_id: int, severity: str | None, evidence_uri: str | None, hash_: str | None,
           file_: Path | None, note: str, body_ref: str | None) -> None:
    """A new revision of published ADVISORY_ID: its severity and evidence, with a note (a confirmer)."""
    fn, what = update_call(session, advisory_id, severity, evidence_uri, hash_, file_, note)
    _decide(session, body_ref, fn, f"update advisory {advisory_id}", "update",
            f"advisory {advisory_id} updated: {what}")


def update_call(session: Session, advisory_id: int, severity: str | None, evidence_uri: str | None,
                hash_: str | None, file_: Path | None, note: str):
    """(the update call, what it changes in words): what is not given stays as the chain holds it."""
    current = _advisory(session, advisory_id)
    severity_id = ops.parse("Severity", severity) if severity else ops.names("Severity").index(current.severity)
    if evidence_uri is None and hash_ is None and file_ is None:
        evidence_uri, digest = current.evidence_uri, current.evidence_hash
    elif evidence_uri is None:
        raise InputError("new evidence needs its URI: give --evidence-uri with --evidence-hash or --evidence-file")
    else:
        digest = content_hash(hash_, file_, "--evidence-hash", "--evidence-file")
    fn = session.advisories.functions.update(advisory_id, severity_id, evidence_uri, digest, note)
    return fn, f"severity {ops.names('Severity')[severity_id]}, evidence {evidence_uri}: {note}"


@advisory.command()
@click.argument("advisory_id", type=int)
@click.option("--reason", required=True, help="Why (public); the advisory stays in the record, retracted.")
@_body_option
@pass_session
def retract(session: Session, advisory_id: int, reason: str, body_ref: str | None) -> None:
    """Retract published ADVISORY_ID (a confirmer)."""
    _decide(session, body_ref, session.advisories.functions.retract(advisory_id, reason),
            f"retract advisory {advisory_id}", "retract", f"advisory {advisory_id} retracted: {reason}")


@advisory.command(name="record-reply")
@click.argument("advisory_id", type=int)
@click.option("--uri", required=True, help="Where the subject's reply is published.")
@_hash_options("", "reply")
@_body_option
@pass_session
def record_reply(session: Session, advisory_id: int, uri: str, hash_: str | None, file_: Path | None,
                 body_ref: str | None) -> None:
    """Record the reply of ADVISORY_ID's subject, which has no account here and sent it to you (a confirmer)."""
    digest = content_hash(hash_, file_, "--hash", "--file")
    _decide(session, body_ref, session.advisories.functions.recordReply(advisory_id, uri, digest),
            f"record a reply to advisory {advisory_id}", "record-reply",
            f"the subject's reply to advisory {advisory_id} recorded: {uri}")


# ───── reading ─────


def _filers(session: Session, found: list[ops.Advisory]) -> dict[int, str]:
    """Each filer's label ("member 7 Bitex Ltd"), the members read once, in batches."""
    ids = sorted({a.filer for a in found})
    return {m.id: member_label(m.id, m.identity) for m in roll.read(session.registry, ids=ids)} if ids else {}


def _row(a: ops.Advisory, filer: str) -> dict:
    return {"advisory_id": a.id, "status": a.status, "kind": a.kind, "severity": a.severity, "revision": a.revision,
            "subject": a.subject, "subject_account": a.subject_account, "summary": a.summary,
            "evidence_uri": a.evidence_uri, "evidence_hash": "0x" + a.evidence_hash.hex(), "filer": a.filer,
            "filer_name": filer, "filed_at": utc(a.filed_at), "decided_at": utc(a.decided_at) if a.decided_at else None,
            "replies": [{"by_subject": r.by_subject, "replied_at": utc(r.replied_at), "uri": r.uri,
                         "content_hash": "0x" + r.content_hash.hex()} for r in a.replies]}


@advisory.command(name="list")
@click.option("--status", help=f"Only this status: {_listed('Status')}.")
@click.option("--kind", help=f"Only this kind: {_listed('Kind')}.")
@click.option("--severity", help=f"Only this severity: {_listed('Severity')}.")
@click.option("--subject", help="Only advisories whose subject contains this text (any case).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_session
def list_(session: Session, status: str | None, kind: str | None, severity: str | None, subject: str | None,
          fmt: str) -> None:
    """Every advisory, read from the chain (no index needed; `consortium serve` has the indexed feed)."""
    wanted = {"status": status and ops.names("Status")[ops.parse("Status", status)],
              "kind": kind and ops.names("Kind")[ops.parse("Kind", kind)],
              "severity": severity and ops.names("Severity")[ops.parse("Severity", severity)]}
    every = ops.read(session.advisories)
    found = [a for a in every if all(not v or getattr(a, k) == v for k, v in wanted.items())
             and (not subject or subject.casefold() in a.subject.casefold())]
    filers = _filers(session, found)
    rows = [_row(a, filers[a.filer]) for a in found]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "replies": len(row["replies"])})
        click.echo(out.getvalue(), nl=False)
        return
    limit, window = session.advisories.functions.filingLimit().call()
    click.echo(f"{len(found)} of {len(every)} advisory(ies); filing limit {limit} per member per {window:,} s")
    for a in found:
        click.echo(f"{a.id:>4}  {a.status:9}  {a.severity:8}  {a.kind:19}  {a.subject} — filed by {filers[a.filer]} "
                   f"on {utc(a.filed_at)}")


@advisory.command()
@click.argument("advisory_id", type=int)
@pass_session
def show(session: Session, advisory_id: int) -> None:
    """One advisory: what it says, its evidence, its history (decisions, revisions, replies) from the chain."""
    a = _advisory(session, advisory_id)
    filer = _filers(session, [a])[a.filer]
    click.echo(f"advisory {a.id}: {a.kind}, severity {a.severity} — {a.status}"
               + (f" (revision {a.revision})" if a.revision else ""))
    account = f" (its account here: {a.subject_account})" if a.subject_account else ""
    click.echo(f"  subject: {a.subject}{account}")
    click.echo(f"  summary: {a.summary}")
    click.echo(f"  evidence: {a.evidence_uri} (hash 0x{a.evidence_hash.hex()})")
    click.echo(f"  filed by {filer} on {utc(a.filed_at)}")
    click.echo("  history:")
    for line in _history(session, a.id):
        click.echo(f"    {line}")
    click.echo("  replies: none" if not a.replies else "  replies:")
    for number, r in enumerate(a.replies, 1):
        by = "by the subject" if r.by_subject else "recorded by a confirmer"
        click.echo(f"    {number}. {by} on {utc(r.replied_at)}: {r.uri} (hash 0x{r.content_hash.hex()})")


def _history(session: Session, advisory_id: int) -> list[str]:
    """The advisory's decisions and revisions, from its events since the deployment, oldest first."""
    a, words, start = session.advisories, Words(session), session.deployment.block
    logs = [*a.events.AdvisoryStatusChanged().get_logs(from_block=start, argument_filters={"advisoryId": advisory_id}),
            *a.events.AdvisoryUpdated().get_logs(from_block=start, argument_filters={"advisoryId": advisory_id})]
    logs.sort(key=lambda e: (e["blockNumber"], e["logIndex"]))
    statuses, severities = ops.names("Status"), ops.names("Severity")
    lines = []
    for e in logs:
        args, at = e["args"], utc(session.w3.eth.get_block(e["blockNumber"])["timestamp"])
        if e["event"] == "AdvisoryUpdated":
            lines.append(f"{at}: revision {args['revision']}, severity {severities[args['oldSeverity']]} → "
                         f"{severities[args['newSeverity']]}, evidence {args['evidenceURI']}: {args['note']}")
            continue
        reason = f": {args['reason']}" if args["reason"] else ""
        lines.append(f"{at}: {statuses[args['newStatus']]} by {words.account(args['by'])}{reason}")
    return lines or ["pending, undecided"]
