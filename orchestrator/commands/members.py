"""`consortium vote` (a transaction, or a signed ballot file with --sign-only; for a Safe member, --voter SAFE:
the ballot request its owners sign, or the transaction it executes), the roll
(`consortium member list|show`) and the member's own actions (`consortium member recuse|resign|rotate-seat`)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from orchestrator.chain import artifacts
from orchestrator.chain.amounts import asset_of
from orchestrator.chain.proposals import SUPPORT, Proposal, find
from orchestrator.chain.reverts import utc
from orchestrator.commands.common import pass_session, when
from orchestrator.commands.sealed import commit_vote, member_of_sender
from orchestrator.errors import InputError, OrchestratorError
from orchestrator.labels import member_label
from orchestrator.operations import governance as gv
from orchestrator.operations import roll, sealed
from orchestrator.operations.session import Session
from orchestrator.relay import ballots, safe
from orchestrator.relay.ballot_file import BallotFile, CommitmentFile, RevealFile
from orchestrator.relay.ballot_file import parse as parse_ballot
from orchestrator.relay.relayer import BallotRefused, Relayer

FORMATS = ["table", "json", "csv"]
LOG_RANGE = 5_000  # blocks per eth_getLogs, as chain/proposals.py reads


def _require_member(session: Session) -> int:
    member_id = session.registry.functions.memberIdOf(session.sender.address).call()
    if member_id == 0:
        raise OrchestratorError(f"{session.sender.address} is not the seat of a current member")
    return member_id


def _date(timestamp: int) -> str:
    return utc(timestamp, "day")


# ───────────────────────────── vote ─────────────────────────────


@click.command()
@click.argument("proposal_id")
@click.argument("support", type=click.Choice(list(SUPPORT)))
@click.option("--reason", default="", help="Why, published with the vote.")
@click.option("--sign-only", is_flag=True, help="Write a signed ballot file for a relayer instead of sending a "
              "transaction: the gas-free path. With --voter SAFE: a ballot request for the Safe's owners to sign.")
@click.option("--voter", "safe_ref", metavar="SAFE", help="Vote for the member whose seat is this Safe (its address, "
              "member id or legal name), with --sign-only or --calldata; needs no wallet.")
@click.option("--calldata", is_flag=True, help="With --voter SAFE: print the transaction the Safe executes to vote.")
@click.option("--out", type=click.Path(path_type=Path), help="Ballot file [default: ballot-<id prefix>-<voter>.json; "
              "a Safe's request: ballot-request-<id prefix>-<safe>.json].")
@pass_session
def vote(session: Session, proposal_id: str, support: str, reason: str, sign_only: bool, safe_ref: str | None,
         calldata: bool, out: Path | None) -> None:
    """Vote for, against or abstain on a proposal, as the --account wallet's member, or (--voter SAFE) prepare
    the vote of a member whose seat is a Safe: a ballot request its owners sign (--sign-only; then `ballot sign`
    and `ballot combine`), or the transaction it executes (--calldata)."""
    if calldata and safe_ref is None:
        raise InputError("--calldata prints the transaction a Safe executes: name the Safe with --voter SAFE")
    p = find(session, proposal_id)
    start = sealed.reveal_start(session, p.id)
    if start:
        _vote_sealed(session, p, start, SUPPORT[support], reason, sign_only, safe_ref, out)
        return
    if safe_ref is not None:
        if calldata and out is not None:
            raise InputError("--calldata prints the transaction; --out is for --sign-only's request file")
        if sign_only == calldata:
            raise InputError("--voter SAFE votes through the Safe's owners: add --sign-only (a ballot request for "
                             "them to sign) or --calldata (the transaction the Safe executes), one of the two")
        _vote_from_safe(session, p, safe_ref, SUPPORT[support], reason, out, calldata)
        return
    member_id = _require_member(session)
    if sign_only:
        _sign_ballot(session, p, member_id, SUPPORT[support], reason, out)
        return
    _refuse_if_dues_lapsed(session, p, member_id)  # the contract would only say "no weight"
    fn = session.governor.functions.castVoteWithReason(p.id, SUPPORT[support], reason)
    receipt = session.sender.transact(session.w3, fn, "vote")
    click.echo(f"voted {support} on proposal {p.id} in transaction {receipt['transactionHash'].hex()}")


def _vote_sealed(session: Session, p: Proposal, start: int, support: int, reason: str, sign_only: bool,
                 safe_ref: str | None, out: Path | None = None) -> None:
    """On a sealed proposal a vote is a commitment, made from the member's own seat (commands/sealed.py)."""
    if safe_ref is not None:
        raise InputError(f"proposal {p.id} is sealed: a Safe member's sealed vote is not supported by the CLI yet "
                         "(its salt cannot come from a deterministic signature)")
    if reason:
        raise InputError(f"proposal {p.id} is sealed: a sealed vote carries no reason (its reveal publishes the vote "
                         "alone); leave out --reason")
    if sign_only:
        _sign_commitment(session, p, start, support, out)
        return
    member_id, label = member_of_sender(session)
    commit_vote(session, p, member_id, support, start, label,
                no_weight=lambda: _refuse_if_dues_lapsed(session, p, member_id))


def _refuse_if_dues_lapsed(session: Session, p: Proposal, member_id: int) -> None:
    """A member whose dues lapsed before the snapshot has no weight on the proposal: say why, and how to
    get the vote back. Only when the registry has it Lapsed and its tier votes (paying then restores it)."""
    r, t = session.registry.functions, session.treasury.functions
    seat, tier, status, *_ = r.member(member_id).call()
    if roll.status_names()[status] != "lapsed" or r.tier(tier).call()[1] == 0:
        return
    now = session.w3.eth.get_block("latest")["timestamp"]
    weight = r.memberWeightAt(member_id, p.snapshot).call() if p.snapshot < now else r.getVotes(seat).call()
    if weight:
        return
    paid_until, grace = t.paidUntil(member_id).call(), t.gracePeriod().call()
    (m,) = roll.read(session.registry, None, [member_id])
    raise OrchestratorError(
        f"{member_label(member_id, m.identity)} has no vote on this proposal: its dues lapsed on "
        f"{when(paid_until + grace)} "
        f"(paid until {when(paid_until)}, then a grace period of {_span(grace)}); `consortium treasury pay-dues "
        f"{member_id}` restores its vote on proposals whose voting opens after the payment")


def _span(seconds: int) -> str:
    return f"{seconds // 86400} days" if seconds % 86400 == 0 else f"{seconds} s"


def _sign_ballot(session: Session, p: Proposal, member_id: int, support: int, reason: str, out: Path | None) -> None:
    """Sign a ballot only if a relayer would accept it (or will, once a Pending proposal opens): the
    relayer's own checks (relay/relayer.py validate: state, membership, weight at the snapshot, voted,
    recused), so that nobody hands out a ballot that can never count."""
    account = session.sender.account
    if account is None:
        raise OrchestratorError("--sign-only needs a wallet: pass --account NAME")
    relayer = Relayer.checks_only(session)
    typed = ballots.member_ballot(relayer.domain, p.id, support, account.address, reason)
    signature = ballots.sign(typed, account.key)
    ballot = {**BallotFile.signed(relayer.domain, p.id, account.address, support, reason, signature),
              "typed_data": {**typed, "message": {**typed["message"], "proposalId": str(p.id)}}}
    pending = relayer.views.state(p.id) == "Pending"
    if pending:
        _check_pending(session, p, member_id, account.address, relayer, NOT_SIGNED)
    else:
        try:
            relayer.validate(parse_ballot(ballot))
        except BallotRefused as exc:
            _refuse_if_dues_lapsed(session, p, member_id)
            raise OrchestratorError(f"{NOT_SIGNED}, the ballot could never count: {exc}") from None
    path = out or Path(f"ballot-{str(p.id)[:12]}-{account.address[:10]}.json")
    path.write_text(json.dumps(ballot, indent=2) + "\n")
    click.echo(f"signed ballot written to {path}; hand it to a relayer (`consortium relay {path}`)")
    if pending:
        click.echo(f"note: proposal {p.id} is Pending: voting opens at {when(p.snapshot + 1)}, and a relayer "
                   "accepts the ballot from then")


def _sign_commitment(session: Session, p: Proposal, start: int, support: int, out: Path | None) -> None:
    """The gas-free path on a sealed proposal: a signed commitment for a relayer, which holds neither the vote nor
    its salt, and a reveal file (vote and salt) the member keeps until the reveal start. Signed only if a relayer
    would accept it (relay/relayer.py check_committer: Active, sealed, before the reveal start, a member with
    weight at the snapshot, not recused, not yet committed; a Pending proposal gets the checks already final).
    The salt comes from the wallet's key as for a commitment sent from the seat (operations/sealed.py), so
    `consortium reveal` re-derives it too."""
    account = session.sender.account
    if account is None:
        raise OrchestratorError("--sign-only needs a wallet: pass --account NAME")
    member_id, label = member_of_sender(session)
    relayer = Relayer.checks_only(session)
    pending = relayer.views.state(p.id) == "Pending"
    if pending:
        _check_pending(session, p, member_id, account.address, relayer, NOT_SIGNED)
    else:
        try:
            member_id = relayer.check_committer(p.id, account.address)  # the member at the snapshot
        except BallotRefused as exc:
            _refuse_if_dues_lapsed(session, p, member_id)
            raise OrchestratorError(f"{NOT_SIGNED}, the commitment could never count: {exc}") from None
    salt = sealed.salt(relayer.domain, p.id, account)
    commitment = ballots.commitment(relayer.domain["chainId"], relayer.domain["verifyingContract"], p.id, member_id,
                                    support, salt)
    typed = ballots.sealed_ballot(relayer.domain, p.id, account.address, commitment)
    signature = ballots.sign(typed, account.key)
    wallet_form = {**typed, "message": {**typed["message"], "proposalId": str(p.id),
                                        "commitment": "0x" + commitment.hex()}}
    path = out or Path(f"commitment-{str(p.id)[:12]}-{account.address[:10]}.json")
    reveal_path = path.with_name(f"{path.stem}-reveal{path.suffix}") if out else \
        Path(f"reveal-{str(p.id)[:12]}-{account.address[:10]}.json")
    path.write_text(json.dumps({**CommitmentFile.signed(relayer.domain, p.id, account.address, commitment, signature),
                                "typed_data": wallet_form}, indent=2) + "\n")
    # The reveal file holds the vote: readable by the member alone, like its keystore.
    reveal_path.touch(mode=0o600, exist_ok=True)
    reveal_path.chmod(0o600)
    reveal_path.write_text(json.dumps(RevealFile.of(relayer.domain, p.id, account.address, support, salt), indent=2)
                           + "\n")
    click.echo(f"signed commitment written to {path}: {label} commits to a sealed vote on proposal {p.id}; it shows "
               f"neither the vote nor its salt. Hand it to a relayer now (`consortium relay {path}`, or POST it to "
               f"/commitments), before commitments close at {utc(start)}")
    click.echo(f"reveal written to {reveal_path}: your vote and its salt. Keep it private until the reveal start at "
               f"{utc(start)}; from then to the deadline hand it to a relayer (`consortium relay {reveal_path}`, or "
               f"POST it to /reveals) or reveal yourself (`consortium reveal {p.id}`). Whoever holds it can reveal "
               "your vote, and before the reveal start would know it")
    if pending:
        click.echo(f"note: proposal {p.id} is Pending: voting opens at {when(p.snapshot + 1)}, and a relayer "
                   "accepts the commitment from then")


def _check_pending(session: Session, p: Proposal, member_id: int, seat: str, relayer: Relayer, refused: str) -> None:
    """Before the snapshot only what is already final can be checked: a recusal (declared, or the member
    is the case's subject), and weight now (what the snapshot will see unless something changes first)."""
    voted, recused = relayer.views.marks(p.id, member_id)
    if recused:
        raise OrchestratorError(f"{refused}, the ballot could never count: member {member_id} is recused from "
                                "this proposal (a declared conflict, or the proposal is about it)")
    if session.registry.functions.getVotes(seat).call() == 0:
        _refuse_if_dues_lapsed(session, p, member_id)
        raise OrchestratorError(f"{refused}, the ballot would not count: member {member_id} has no voting weight "
                                f"now, and the proposal's snapshot is at {when(p.snapshot)}")


NOT_SIGNED = "not signed"


def _vote_from_safe(session: Session, p: Proposal, safe_ref: str, support: int, reason: str, out: Path | None,
                    calldata: bool) -> None:
    """A Safe member's vote, which its owners make: first the relayer's checks that need no signature (as
    --sign-only makes them; a Pending proposal gets the checks already final), so that the owners are never
    asked to sign a ballot that can never count; then the request they sign, or the transaction they execute."""
    member_id = gv.member_id(session.registry, safe_ref)
    seat = session.registry.functions.member(member_id).call()[0]
    if session.registry.functions.memberIdOf(seat).call() != member_id:  # named by id or name, but not seated
        raise InputError(f"{seat} is not the seat of a current member")
    info = safe.read(session.w3, seat)
    (m,) = roll.read(session.registry, None, [member_id])
    who = f"Safe {seat} ({member_label(member_id, m.identity)})"
    refused = "no transaction printed" if calldata else "no request written"
    checks = Relayer.checks_only(session)
    pending = checks.views.state(p.id) == "Pending"
    if pending:
        _check_pending(session, p, member_id, seat, checks, refused)
    else:
        try:
            checks.check_voter(p.id, seat)  # the owners sign after this: their signatures are the last check
        except BallotRefused as exc:
            _refuse_if_dues_lapsed(session, p, member_id)
            raise OrchestratorError(f"{refused}, the ballot could never count: {exc}") from None
    name = {v: k for k, v in SUPPORT.items()}[support]
    needs = f"{info.threshold} of its {len(info.owners)} owners"
    if calldata:
        data = session.governor.functions.castVoteWithReason(p.id, support, reason)._encode_transaction_data()
        click.echo(f"the transaction {who} executes to vote {name} on proposal {p.id} ({needs} sign it):")
        click.echo(f"  to     {session.governor.address} (the governor)")
        click.echo("  value  0")
        click.echo(f"  data   {data}")
        click.echo("propose it in Safe{Wallet}: New transaction → Transaction Builder → the governor's address, "
                   "\"Custom data\" on, value 0, this data")
    else:
        content = safe.request(checks.domain, p.id, support, reason, info)
        safe.check_handler(session.w3, seat, content["safe_message"])
        path = out or Path(f"ballot-request-{str(p.id)[:12]}-{seat[:10]}.json")
        path.write_text(json.dumps(content, indent=2) + "\n")
        click.echo(f"ballot request written to {path}: {who} votes {name} on proposal {p.id}")
        click.echo(f"Safe message hash {content['safe_message_hash']} (the ballot's EIP-712 digest "
                   f"{content['ballot_digest']}); owners: {', '.join(info.owners)}")
        click.echo(f"1. {needs} sign it: `consortium --account NAME ballot sign {path} --out NAME.json`, or "
                   "eth_signTypedData_v4 of its \"safe_message\" in any wallet")
        click.echo(f"2. `consortium ballot combine {path} SIGNATURE...` (files or 0x-hex) writes the ballot file")
        click.echo("3. `consortium relay BALLOT`, or POST it to a relayer's /ballots")
    if pending:
        click.echo(f"note: proposal {p.id} is Pending: voting opens at {when(p.snapshot + 1)}, and "
                   + ("the Safe can vote from then" if calldata else "a relayer accepts the ballot from then"))


# ───────────────────────────── member ─────────────────────────────


@click.group()
def member() -> None:
    """The roll (list, show) and a member's own actions (recuse, resign, rotate-seat)."""


COLUMNS = ["id", "legal_name", "jurisdiction", "identity_verified", "metadata_uri", "tier", "status", "seat",
           "weight", "dues_paid_until", "dues_lapsed"]


def _row(m: roll.Member) -> dict:
    """One member as --format json and csv give it (COLUMNS, in order)."""
    return {"id": m.id, "legal_name": m.identity.legal_name, "jurisdiction": m.identity.jurisdiction,
            "identity_verified": m.identity.verified, "metadata_uri": m.metadata_uri, "tier": m.tier.name,
            "status": m.status, "seat": m.seat, "weight": m.weight,
            "dues_paid_until": _date(m.paid_until) if m.tier.dues else None, "dues_lapsed": m.dues_lapsed}


def _name_cell(m: roll.Member) -> str:
    if m.identity.legal_name is None:
        return "(not on chain)"
    return m.identity.legal_name + ("" if m.identity.verified else " (unverified)")


@member.command(name="list")
@click.option("--tier", help="Only this tier (name or id).")
@click.option("--status", help="Only this status: active, suspended, lapsed, resigned or expelled.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_session
def list_members(session: Session, tier: str | None, status: str | None, fmt: str) -> None:
    """Every member from the chain: id, legal name, jurisdiction, tier, status, seat, weight and dues."""
    members = roll.read(session.registry, session.treasury)
    total = len(members)
    if tier is not None:
        tier_id = gv.tier_id(session.registry, tier)
        members = [m for m in members if m.tier.id == tier_id]
    if status is not None:
        known = roll.status_names()[1:]
        if status.lower() not in known:
            raise InputError(f"unknown status {status!r}; statuses are {', '.join(known)}")
        members = [m for m in members if m.status == status.lower()]
    rows = [_row(m) for m in members]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows([{k: str(v).lower() if isinstance(v, bool) else v for k, v in row.items()} for row in rows])
        click.echo(buffer.getvalue(), nl=False)
        return
    click.echo(f"{len(members)} member(s)" + (f" of {total}" if len(members) != total else ""))
    if not members:
        return
    header = ["id", "legal name", "jurisdiction", "tier", "status", "seat", "weight", "dues paid until", "lapsed"]
    cells = [[str(m.id), _name_cell(m), m.identity.jurisdiction or "-", m.tier.name, m.status, m.seat,
              str(m.weight), _date(m.paid_until) if m.tier.dues else "no dues",
              "yes" if m.dues_lapsed else "no"] for m in members]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    for row in [header, *cells]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _logs(session: Session, contract, event: str, **arguments) -> list:
    """`event`s of `contract` whose indexed arguments match, since the deployment, in bounded ranges."""
    found, start, head = [], session.deployment.block, session.w3.eth.block_number
    while start <= head:
        end = min(start + LOG_RANGE - 1, head)
        found += getattr(contract.events, event)().get_logs(from_block=start, to_block=end,
                                                            argument_filters=arguments)
        start = end + 1
    return found


@member.command()
@click.argument("member_ref", metavar="MEMBER")
@pass_session
def show(session: Session, member_ref: str) -> None:
    """One member: identity (and whether it matches its hash), tier, status, seat, dues, the standards it
    attests, conduct reports and censures about it, and the conflicts it declared. MEMBER: an id, a seat
    address or a legal name."""
    member_id = gv.member_id(session.registry, member_ref)
    (m,) = roll.read(session.registry, session.treasury, [member_id])
    t = session.treasury.functions
    now = session.w3.eth.get_block("latest")["timestamp"]
    i = m.identity
    click.echo(f"member {m.id}" + (f": {m.label}" if i.legal_name is not None else " (its name is not on the chain)"))
    if i.legal_name is None:
        click.echo(f"  identity      not readable from the chain: its metadata is at {m.metadata_uri or '(no URI)'} "
                   f"(hash 0x{m.metadata_hash.hex()})")
    else:
        click.echo(f"  legal name    {i.legal_name}")
        click.echo(f"  jurisdiction  {i.jurisdiction}")
        click.echo("  identity      " + ("matches its on-chain hash" if i.verified else
                                       f"does NOT match its on-chain hash 0x{m.metadata_hash.hex()}: unverified"))
    click.echo(f"  tier          {m.tier.name} (tier weight {m.tier.weight})")
    click.echo(f"  status        {m.status}")
    click.echo(f"  joined        {when(m.joined_at)}")
    click.echo(f"  seat          {m.seat}")
    click.echo(f"  weight now    {m.weight}")
    if not m.tier.dues:
        click.echo("  dues          none (its tier owes no dues)")
    else:
        per = asset_of(session.w3, t.duesToken().call()).format(m.tier.dues)
        if m.dues_lapsed:
            grace = t.gracePeriod().call()
            click.echo(f"  dues          {per} per period; paid until {when(m.paid_until, now)}; LAPSED since "
                       f"{when(m.paid_until + grace)} (`consortium treasury pay-dues {m.id}` restores its vote)")
        else:
            click.echo(f"  dues          {per} per period; paid until {when(m.paid_until, now)}")
    _show_attestations(session, m.id)
    _show_conduct(session, m.id)
    conflicts = _logs(session, session.governor, "VoterRecused", memberId=m.id)
    click.echo(f"  conflicts declared: {len(conflicts) or 'none'}")
    for log in conflicts:
        click.echo(f"    proposal {log['args']['proposalId']}: {log['args']['reason']}")


def _show_attestations(session: Session, member_id: int) -> None:
    s = session.standards.functions
    attested = s.attestedBy(member_id).call()
    click.echo(f"  standards attested: {len(attested) or 'none'}")
    statuses = artifacts.enum_names("StandardsRegistry", "Status")
    for standard_id in attested:
        title, version, _, _, status, *_ = s.standard(standard_id).call()
        attested_at, evidence = s.attestation(standard_id, member_id).call()
        click.echo(f"    standard {standard_id} {title!r} {version} ({statuses[status]}) since {when(attested_at)}, "
                   f"evidence {evidence}")


def _show_conduct(session: Session, member_id: int) -> None:
    reports = _logs(session, session.conduct, "ReportFiled", subject=member_id)
    click.echo(f"  conduct reports about it: {len(reports) or 'none'}")
    reporters = {m.id: m for m in roll.read(session.registry, None, sorted({r["args"]["reporter"] for r in reports}))}
    c = session.conduct.functions
    for log in reports:
        a = log["args"]
        filed = c.report(a["reportId"]).call()[4]
        reporter = member_label(a["reporter"], reporters[a["reporter"]].identity)
        click.echo(f"    report {a['reportId']} by {reporter}, filed "
                   f"{when(filed)}, evidence {a['evidenceURI']} (sha256 0x{a['evidenceHash'].hex()})")
    censures = _logs(session, session.conduct, "MemberCensured", memberId=member_id)
    click.echo(f"  censures: {len(censures) or 'none'}")
    for log in censures:
        a = log["args"]
        issued = c.censureRecord(a["censureId"]).call()[3]
        about = f" (report {a['reportId']})" if a["reportId"] else ""
        click.echo(f"    censure {a['censureId']} on {when(issued)}: {a['reason']}{about}")


@member.command()
@click.argument("proposal_id")
@click.option("--reason", required=True, help="The conflict of interest, published.")
@pass_session
def recuse(session: Session, proposal_id: str, reason: str) -> None:
    """Declare a conflict of interest on a proposal; you cannot vote on it afterwards."""
    p = find(session, proposal_id)
    member_id = _require_member(session)
    _, subject = session.governor.functions.proposalKind(p.id).call()
    if subject == member_id:  # the governor recused it when the case was proposed; it declared nothing
        raise OrchestratorError(f"member {member_id} is the subject of proposal {p.id} (a member's case) and was "
                                "recused from it when it was proposed; there is nothing to declare")
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
    new = gv.address(new_seat, "new seat")
    session.sender.transact(session.w3, session.registry.functions.rotateSeat(new), "rotate seat")
    click.echo(f"member {member_id} now sits at {new}")
