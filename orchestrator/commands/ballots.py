"""`consortium ballot sign|combine`: a Safe member's ballot, after `vote --voter SAFE --sign-only` wrote its
request. Each owner signs the request's Safe message (`ballot sign` with a consortium wallet, or any wallet's
eth_signTypedData_v4); `ballot combine` turns enough owners' signatures into an ordinary ballot file, checked by
the relayer's own checks (the Safe's ERC-1271 answer included) before it is written."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import click

from orchestrator import untrusted_json
from orchestrator.chain.proposals import SUPPORT, all_proposals
from orchestrator.commands.common import pass_session, when
from orchestrator.errors import InputError, OrchestratorError
from orchestrator.labels import member_label
from orchestrator.operations import roll
from orchestrator.operations.session import Session
from orchestrator.relay import ballots, safe
from orchestrator.relay.ballot_file import BallotFile
from orchestrator.relay.ballot_file import parse as parse_ballot
from orchestrator.relay.relayer import BallotRefused, Relayer

_HEX = re.compile(r"0x([0-9a-fA-F]{2})+")
SUPPORT_NAMES = {v: k for k, v in SUPPORT.items()}


def _json(path: Path, what: str):
    try:
        return untrusted_json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read a {what} from {path}: {exc}") from None


def _request(path: Path) -> safe.BallotRequest:
    try:
        return safe.parse_request(_json(path, "ballot request"))
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None


def _check_deployment(req: safe.BallotRequest, domain: dict) -> None:
    """The request must be for this deployment's governor and chain: what the CLI reads to show the owner the
    proposal, and what the relayer serves."""
    if (req.chain_id, req.governor) != (domain["chainId"], domain["verifyingContract"]):
        raise InputError(f"the request is for governor {req.governor} on chain {req.chain_id}; this deployment's is "
                         f"{domain['verifyingContract']} on chain {domain['chainId']}")


def _shown(text: str) -> str:
    """Text from a request or the chain, quoted for the owner's eyes: JSON escapes newlines and control
    characters, and Unicode format characters (bidi overrides, zero-width) are escaped too, so that neither
    can fake or hide a line of what the owner is asked to sign."""
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cf" else c
                   for c in json.dumps(text, ensure_ascii=False))


def _interactive() -> bool:
    return click.get_text_stream("stdin").isatty()


@click.group()
def ballot() -> None:
    """A Safe member's ballot: its owners sign the request (sign), then their signatures become one ballot file
    (combine)."""


@ballot.command()
@click.argument("request", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Also write the signature as a signature file.")
@click.option("--yes", is_flag=True, help="Sign without asking (a terminal is asked to confirm what is signed).")
@pass_session
def sign(session: Session, request: Path, out: Path | None, yes: bool) -> None:
    """Sign REQUEST's Safe message as one of the Safe's owners (the --account wallet): prints what is signed
    in words (the Safe, the proposal, the support, the reason), asks to confirm at a terminal, then prints
    the signature."""
    req = _request(request)
    account = session.sender.account
    if account is None:
        raise OrchestratorError("ballot sign needs a wallet: pass --account NAME (an owner of the Safe)")
    domain = Relayer.checks_only(session).domain
    _check_deployment(req, domain)
    # By its exact id: proposals.find also takes a prefix, which would name another proposal than the signed one.
    proposal = next((p for p in all_proposals(session) if p.id == req.proposal_id), None)
    if proposal is None:
        raise InputError(f"no proposal {req.proposal_id} in this deployment")
    info = safe.read(session.w3, req.voter)
    if account.address not in info.owners:
        raise OrchestratorError(f"{account.address} is not an owner of Safe {req.voter} (its owners: "
                                f"{', '.join(info.owners)})")
    member_id = session.registry.functions.memberIdOf(req.voter).call()
    if member_id == 0:
        raise InputError(f"{req.voter} is not the seat of a current member")
    (m,) = roll.read(session.registry, None, [member_id])
    # The hash must be the ballot's (a careless edit is refused); a consistent alteration of the file passes
    # that, which is why the owner is shown the ballot in words before anything is signed.
    _, _, message, message_hash = req.expect(domain)
    click.echo(f"owner {account.address} signs this ballot of Safe {req.voter} "
               f"({member_label(member_id, m.identity)}):")
    click.echo(f"  vote      {SUPPORT_NAMES[req.support]}")
    click.echo(f"  proposal  {proposal.id}: {_shown(proposal.title)}")
    click.echo(f"  reason    {_shown(req.reason) if req.reason else '(none)'}")
    click.echo(f"  governor  {req.governor} on chain {req.chain_id} (this deployment's)")
    if not yes and _interactive() and not click.confirm("Sign this ballot?", default=False):
        raise OrchestratorError("not signed")
    signature = ballots.sign(message, account.key)
    click.echo(f"owner {account.address} signed Safe message 0x{message_hash.hex()} of Safe {req.voter}")
    if out is not None:
        out.write_text(json.dumps(safe.signature_file(req, account.address, signature), indent=2) + "\n")
        click.echo(f"signature written to {out}")
    click.echo("0x" + signature.hex())


def _signature(text: str, req: safe.BallotRequest) -> tuple[str, bytes]:
    """A SIGNATURE argument (0x-hex, or a file: a signature file, or one holding only the hex) → (its name in
    messages, its bytes); a signature file for another request is refused here, by its hash."""
    if _HEX.fullmatch(text.strip()):
        return text[:10] + "…", bytes.fromhex(text.strip()[2:])
    path = Path(text)
    if not path.is_file():
        raise InputError(f"signature {text!r} is neither 0x-hex nor a file")
    try:
        content = path.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read a signature from {path}: {exc}") from None
    if _HEX.fullmatch(content):
        return str(path), bytes.fromhex(content[2:])
    try:
        signed = safe.parse_signature(untrusted_json.loads(content))
    except json.JSONDecodeError:
        raise InputError(f"{path}: neither 0x-hex nor a signature file") from None
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None
    if signed.safe_message_hash != req.safe_message_hash:
        raise InputError(f"signature {path} is for another request (Safe message hash "
                         f"0x{signed.safe_message_hash.hex()}; this request's is 0x{req.safe_message_hash.hex()})")
    return str(path), signed.signature


@ballot.command()
@click.argument("request", type=click.Path(path_type=Path))
@click.argument("signatures", nargs=-1, required=True, metavar="SIGNATURE...")
@click.option("--out", type=click.Path(path_type=Path), help="Ballot file [default: ballot-<id prefix>-<safe>.json].")
@pass_session
def combine(session: Session, request: Path, signatures: tuple[str, ...], out: Path | None) -> None:
    """Combine the owners' signatures of REQUEST (each a file or 0x-hex) into the Safe's ballot file, for
    `consortium relay` or a relayer's POST /ballots. Written only if the relayer's checks accept it."""
    req = _request(request)
    checks = Relayer.checks_only(session)
    domain = checks.domain
    _check_deployment(req, domain)
    _, _, _, message_hash = req.expect(domain)
    given = [_signature(text, req) for text in signatures]
    info = safe.read(session.w3, req.voter)  # the owners and threshold now, not as the request recorded them
    combined, owners, unused = safe.combine(info, message_hash, given)
    content = BallotFile.signed(domain, req.proposal_id, req.voter, req.support, req.reason, combined)
    try:
        ballot = parse_ballot(content)
    except ValueError as exc:  # a threshold's signatures past the file's size limit: no relayer takes them
        raise OrchestratorError(f"not combined, no relayer would take the ballot: {exc}; the Safe can vote by "
                                f"executing the vote (`consortium vote {req.proposal_id} "
                                f"{SUPPORT_NAMES[req.support]} --voter {req.voter} --calldata`)") from None
    pending = checks.views.state(req.proposal_id) == "Pending"
    try:
        if pending:  # the rest is checked by the relayer once voting opens (vote --sign-only checked it so far)
            checks.check_signature(ballot)
        else:
            checks.validate(ballot)
    except BallotRefused as exc:
        raise OrchestratorError(f"not combined, the ballot could never count: {exc}") from None
    path = out or Path(f"ballot-{str(req.proposal_id)[:12]}-{req.voter[:10]}.json")
    path.write_text(json.dumps(content, indent=2) + "\n")
    click.echo(f"ballot written to {path}: Safe {req.voter} vouches for it (ERC-1271), signed by {len(owners)} of "
               f"its owners ({', '.join(owners)}; threshold {info.threshold})")
    if unused:
        click.echo(f"left out: {len(unused)} more owner signature(s) ({', '.join(unused)}); the Safe reads only "
                   f"its threshold's, the lowest owners' first, and each more would cost the batch gas")
    click.echo(f"next: `consortium relay {path}`, or POST it to a relayer's /ballots")
    if pending:
        snapshot = checks.views.snapshot(req.proposal_id)
        click.echo(f"note: proposal {req.proposal_id} is Pending: voting opens at {when(snapshot + 1)}, and a "
                   "relayer accepts the ballot from then")
