"""`consortium propose <action>` for the institutions: treasury spending, budgets and dues; bodies;
standards; censures; industry advisories (confirmers, the filing limit, decisions by a member vote);
elections (open, cancel, and naming the registry a body's elector). Each builds the calls; `propose` submits
them and prints the id and kind."""

from __future__ import annotations

from pathlib import Path

import click

from orchestrator.chain.amounts import asset_of, parse_amount
from orchestrator.chain.reverts import utc
from orchestrator.commands import contributions
from orchestrator.commands.advisories import content_hash, update_call
from orchestrator.commands.bodies import BODY_KINDS, body_address, mandate_entries, member_body
from orchestrator.commands.devnet import parse_duration
from orchestrator.commands.proposals import proposal_command, propose
from orchestrator.commands.treasury import dues_asset
from orchestrator.errors import ChainError, InputError
from orchestrator.operations import advisories as ops
from orchestrator.operations import governance as gv


def _token_amount(session, amount: str, token: str) -> tuple[str, int]:
    """--token (eth or an ERC-20) and AMOUNT in that token's own units (1.5 ether, 25 USDC)."""
    address = gv.token(token)
    return address, parse_amount(amount, asset_of(session.w3, address))


@propose.command()
@click.argument("amount")
@click.argument("recipient")
@click.option("--memo", required=True, help="What the payment is for (public).")
@click.option("--token", default="eth", show_default=True, help="`eth` or an ERC-20 address.")
@proposal_command
def spend(session, amount, recipient, memo, token):
    """Pay AMOUNT (e.g. 1.5 ether; with --token, in the token's units: 25 USDC) from the treasury to RECIPIENT
    (ordinary)."""
    token_address, value = _token_amount(session, amount, token)
    return [gv.contract_call(session.treasury, "spend", token_address, gv.address(recipient, "recipient"), value,
                             memo)]


@propose.command()
@click.argument("holder")
@click.argument("amount")
@click.option("--token", default="eth", show_default=True, help="`eth` or an ERC-20 address.")
@proposal_command
def budget(session, holder, amount, token):
    """Set the allowance HOLDER (a body's name or address) may spend without a vote to AMOUNT (e.g. 5 ether;
    with --token, in the token's units) (ordinary)."""
    token_address, value = _token_amount(session, amount, token)
    return [gv.contract_call(session.treasury, "setBudget", body_address(session, holder), token_address, value)]


@propose.command(name="accept-token")
@click.argument("token")
@click.option("--on/--off", "accepted", default=True, show_default=True,
              help="List the token for contributions, or delist it.")
@proposal_command
def accept_token(session, token, accepted):
    """Accept sponsorships and grants in ERC-20 TOKEN, or stop (ordinary). ETH and the dues token are always
    accepted; the treasury records what arrives, measured by its own balance."""
    return [gv.contract_call(session.treasury, "setAcceptedToken", gv.address(token, "token"), accepted)]


@propose.command()
@click.argument("tier")
@click.argument("amount")
@proposal_command
def dues(session, tier, amount):
    """Set TIER's dues per period to AMOUNT, in the dues token's units: e.g. 2 ether, or 500 USDC
    (constitutional)."""
    value = parse_amount(amount, dues_asset(session)[1])
    return [gv.contract_call(session.treasury, "setDues", gv.tier_id(session.registry, tier), value)]


@propose.command(name="dues-terms")
@click.argument("period", type=click.IntRange(1, 2**48 - 1))
@click.argument("grace", type=click.IntRange(0, 2**48 - 1))
@proposal_command
def dues_terms(session, period, grace):
    """Set the dues PERIOD and the GRACE period, in seconds (constitutional)."""
    return [gv.contract_call(session.treasury, "setDuesTerms", period, grace)]


@propose.command(name="create-body")
@click.argument("kind", type=click.Choice(BODY_KINDS))
@click.argument("name")
@click.option("--threshold", type=click.IntRange(1), required=True, help="Approvals an action needs (k of n).")
@click.option("--member", "members", multiple=True, required=True, help="A member (id or seat); repeat.")
@click.option("--mandate", "mandate", multiple=True,
              help="TARGET:FUNCTION the body may call, e.g. treasury:spendBudget (target: an address or "
                   "treasury/standards/…; function: a name, a signature or 0x selector); repeat.")
@proposal_command
def create_body(session, kind, name, threshold, members, mandate):
    """Create a body of KIND named NAME with its members, threshold and mandate (ordinary)."""
    ids = [gv.member_id(session.registry, m) for m in members]
    return [gv.contract_call(session.body_factory, "create", BODY_KINDS.index(kind), name, threshold, ids,
                             mandate_entries(session, mandate))]


@propose.command(name="body")
@click.argument("body")
@click.option("--appoint", multiple=True, help="A member (id or seat) to appoint; repeat.")
@click.option("--remove", multiple=True, help="A member (id or seat) to remove; repeat.")
@click.option("--threshold", type=click.IntRange(1), help="A new approval threshold.")
@click.option("--allow", multiple=True, help="TARGET:FUNCTION to add to the mandate (treasury:spendBudget); repeat.")
@click.option("--disallow", multiple=True, help="TARGET:FUNCTION to take out of the mandate; repeat.")
@click.option("--dissolve", is_flag=True, help="Dissolve the body.")
@proposal_command
def body_change(session, body, appoint, remove, threshold, allow, disallow, dissolve):
    """Change BODY (name or address): members, threshold, mandate, or dissolve it (ordinary)."""
    b = session.body(body_address(session, body))
    r = session.registry
    calls = [gv.contract_call(b, "appoint", gv.member_id(r, m)) for m in appoint]
    calls += [gv.contract_call(b, "remove", gv.member_id(r, m)) for m in remove]
    calls += [gv.contract_call(b, "setMandate", t, s, True) for t, s in mandate_entries(session, allow)]
    calls += [gv.contract_call(b, "setMandate", t, s, False) for t, s in mandate_entries(session, disallow)]
    if threshold:
        calls.append(gv.contract_call(b, "setThreshold", threshold))
    if dissolve:
        calls.append(gv.contract_call(b, "dissolve"))
    if not calls:
        raise InputError("nothing to change: give --appoint, --remove, --threshold, --allow, --disallow or --dissolve")
    return calls


@propose.command()
@click.argument("account")
@click.option("--on/--off", "allowed", default=True, show_default=True)
@proposal_command
def publisher(session, account, allowed):
    """Allow ACCOUNT (a technical committee's body, by name or address) to publish standard drafts, or not
    (ordinary)."""
    return [gv.contract_call(session.standards, "setPublisher", body_address(session, account), allowed)]


@propose.command()
@click.argument("standard_id", type=click.IntRange(1))
@proposal_command
def adopt(session, standard_id):
    """Adopt draft STANDARD_ID as an industry standard (constitutional: consensus)."""
    return [gv.contract_call(session.standards, "adopt", standard_id)]


@propose.command()
@click.argument("standard_id", type=click.IntRange(1))
@proposal_command
def deprecate(session, standard_id):
    """Deprecate adopted standard STANDARD_ID (constitutional: consensus)."""
    return [gv.contract_call(session.standards, "deprecate", standard_id)]


@propose.command()
@click.argument("member")
@click.option("--reason", required=True, help="The public record of why.")
@click.option("--report", "report_id", type=click.IntRange(0), default=0, help="The conduct report it answers.")
@proposal_command
def censure(session, member, reason, report_id):
    """Censure MEMBER publicly (a member's case: its own proposal, the member recused)."""
    return [gv.contract_call(session.conduct, "censure", gv.member_id(session.registry, member), reason, report_id)]


@propose.command(name="attribute-contribution")
@click.argument("member")
@click.argument("amount")
@click.option("--memo", required=True, help="What the contribution was (public): a grant, a standard authored, "
              "service on a body.")
@proposal_command
def attribute_contribution(session, member, amount, memo):
    """Attribute a contribution worth AMOUNT (in the dues token's units: 5 ether, or 500 USDC) to MEMBER, which
    adds to its contribution part of the weight (constitutional, and a member's case: its own proposal, the member
    recused). Needs a deployment with `[contributions] enabled = true`."""
    return [contributions.attribute_call(session, member, amount, memo)]


# ───── industry advisories ─────


@propose.command()
@click.argument("account")
@click.option("--on/--off", "allowed", default=True, show_default=True)
@proposal_command
def confirmer(session, account, allowed):
    """Allow ACCOUNT (a body, such as a security working group, by name or address) to publish, dismiss,
    update and retract industry advisories and record replies, or not (ordinary). The body also needs those
    functions in its mandate (`consortium propose body NAME --allow advisories:publish …`)."""
    return [gv.contract_call(session.advisories, "setConfirmer", body_address(session, account), allowed)]


@propose.command(name="filing-limit")
@click.argument("limit", type=click.IntRange(0, 2**32 - 1))
@click.argument("window", type=click.IntRange(1, 2**48 - 1))
@proposal_command
def filing_limit(session, limit, window):
    """Let each member file at most LIMIT advisories per WINDOW seconds (0 closes filing) (ordinary)."""
    return [gv.contract_call(session.advisories, "setFilingLimit", limit, window)]


def _by_vote(session, fn, what: str) -> list[gv.Call]:
    """The call as governance (the timelock, always a confirmer) makes it, asked of the chain now: what it
    would refuse today (no such advisory, a status that does not allow it) is said before a vote is spent
    on it. The advisory can still change before the proposal executes."""
    refused = ops.refusal(fn, session.deployment.timelock)
    if refused:
        raise ChainError(f"{what}: {refused[1]}")
    return [gv.contract_call(session.advisories, fn.fn_name, *fn.args)]


@propose.command(name="advisory-publish")
@click.argument("advisory_id", type=int)
@proposal_command
def advisory_publish(session, advisory_id):
    """Publish pending advisory ADVISORY_ID by a member vote (ordinary)."""
    return _by_vote(session, session.advisories.functions.publish(advisory_id), f"publish advisory {advisory_id}")


@propose.command(name="advisory-dismiss")
@click.argument("advisory_id", type=int)
@click.option("--reason", required=True, help="Why (public).")
@proposal_command
def advisory_dismiss(session, advisory_id, reason):
    """Dismiss pending advisory ADVISORY_ID by a member vote (ordinary)."""
    return _by_vote(session, session.advisories.functions.dismiss(advisory_id, reason),
                    f"dismiss advisory {advisory_id}")


@propose.command(name="advisory-update")
@click.argument("advisory_id", type=int)
@click.option("--severity", help="The new severity (default: unchanged).")
@click.option("--evidence-uri", help="The new evidence's URI (default: unchanged); give its hash or file too.")
@click.option("--evidence-hash", help="The hash of the new evidence (0x and 64 hex digits).")
@click.option("--evidence-file", type=click.Path(path_type=Path), help="The new evidence; its SHA-256 is recorded.")
@click.option("--note", required=True, help="What changed and why (public).")
@proposal_command
def advisory_update(session, advisory_id, severity, evidence_uri, evidence_hash, evidence_file, note):
    """A new revision of published advisory ADVISORY_ID by a member vote (ordinary)."""
    fn, _ = update_call(session, advisory_id, severity, evidence_uri, evidence_hash, evidence_file, note)
    return _by_vote(session, fn, f"update advisory {advisory_id}")


@propose.command(name="advisory-retract")
@click.argument("advisory_id", type=int)
@click.option("--reason", required=True, help="Why (public); the advisory stays in the record, retracted.")
@proposal_command
def advisory_retract(session, advisory_id, reason):
    """Retract published advisory ADVISORY_ID by a member vote (ordinary)."""
    return _by_vote(session, session.advisories.functions.retract(advisory_id, reason),
                    f"retract advisory {advisory_id}")


@propose.command(name="advisory-record-reply")
@click.argument("advisory_id", type=int)
@click.option("--uri", required=True, help="Where the subject's reply is published.")
@click.option("--hash", "hash_", help="The hash of the reply (0x and 64 hex digits).")
@click.option("--file", "file_", type=click.Path(path_type=Path), help="The reply itself; its SHA-256 is recorded.")
@proposal_command
def advisory_record_reply(session, advisory_id, uri, hash_, file_):
    """Record, by a member vote, the reply that ADVISORY_ID's subject sent to the consortium (ordinary)."""
    digest = content_hash(hash_, file_, "--hash", "--file")
    return _by_vote(session, session.advisories.functions.recordReply(advisory_id, uri, digest),
                    f"record a reply to advisory {advisory_id}")


# ───── elections ─────


def _as_governance(session, contract, what: str, name: str, *args) -> gv.Call:
    """The call `name(*args)` on `contract` as governance (the timelock) makes it, asked of the chain now: what it
    would refuse today (no such election or body, a status that does not allow it, seats or a schedule it does
    not take) is said before a vote is spent on it. The chain can still change before the proposal executes."""
    refused = ops.refusal(getattr(contract.functions, name)(*args), session.deployment.timelock)
    if refused:
        raise ChainError(f"{what}: {refused[1]}")
    return gv.contract_call(contract, name, *args)


def _reservation(session, text: str) -> tuple[int, int]:
    """--reserve TIER=SEATS: TIER by name or id."""
    tier, sep, seats = text.rpartition("=")
    if not sep or not tier.strip() or not seats.strip().isdecimal() or not 0 < int(seats) < 256:
        raise InputError(f"--reserve {text!r} is not TIER=SEATS, e.g. regular=1 (1 to 255 seats)")
    return gv.tier_id(session.registry, tier.strip()), int(seats)


def _one_of(when_text: str | None, duration: str | None, when_option: str, duration_option: str) -> None:
    if (when_text is None) == (duration is None):
        raise InputError(f"give {when_option} WHEN or {duration_option} DURATION, one of the two")


def _earliest_execution(session, now: int) -> int:
    """The earliest a proposal made now can execute: after the governor's voting delay and period and the
    timelock's delay, as the chain holds them (a late quorum can only make it later)."""
    g = session.governor.functions
    return (now + g.votingDelay().call() + g.votingPeriod().call()
            + session.timelock.functions.getMinDelay().call())


@propose.command(name="election")
@click.argument("body")
@click.option("--seats", type=click.IntRange(1, 255), required=True, help="How many seats are elected.")
@click.option("--reserve", "reserve", multiple=True, metavar="TIER=SEATS",
              help="Seats kept for the best candidates of TIER (a name or id), e.g. regular=1; repeat.")
@click.option("--nominations-end", metavar="WHEN", help="When nominations close: YYYY-MM-DD[THH:MM[:SS]] (UTC) or "
              "seconds since 1970.")
@click.option("--nominate-for", metavar="DURATION", help="Or: nominations close DURATION (90s, 15min, 2h, 30d) from "
              "now; the proposal must execute before that.")
@click.option("--term-end", metavar="WHEN", help="When the term ends and the seats can be vacated (as "
              "--nominations-end).")
@click.option("--term", metavar="DURATION", help="Or: the term ends DURATION after nominations close.")
@click.option("--title", required=True, help="The election's title (public; it heads its ballot proposal).")
@proposal_command
def election(session, body, seats, reserve, nominations_end, nominate_for, term_end, term, title):
    """Open an election of SEATS seats of BODY (a name or address): members nominate themselves until
    nominations close, then vote by approval on its ballot; the winners sit until the term ends (ordinary).
    The body also needs the election registry as its elector (`consortium propose elector BODY`), before the
    ballot executes."""
    _one_of(nominations_end, nominate_for, "--nominations-end", "--nominate-for")
    _one_of(term_end, term, "--term-end", "--term")
    address = member_body(session, body).address
    reserved = [_reservation(session, text) for text in reserve]
    now = session.w3.eth.get_block("latest")["timestamp"]
    closes = contributions._parse_time(nominations_end) if nominations_end else now + parse_duration(nominate_for)
    ends = contributions._parse_time(term_end) if term_end else closes + parse_duration(term)
    earliest = _earliest_execution(session, now)
    if closes <= earliest:
        raise InputError(f"nominations would close at {utc(closes)}, before this proposal can execute (at the "
                         f"earliest {utc(earliest)}: the voting delay and period, then the timelock's delay), and "
                         "the registry refuses an election whose nominations have closed: give a later time")
    return [_as_governance(session, session.elections, "open election", "open", address, seats, reserved, closes,
                           ends, title)]


@propose.command(name="elector")
@click.argument("body")
@proposal_command
def elector(session, body):
    """Name the election registry BODY's elector (a name or address), so that its elections seat their winners
    in it and vacate their seats after the term (ordinary)."""
    b = member_body(session, body)
    registry = session.elections.address
    if b.functions.elector().call() == registry:
        raise InputError(f"the election registry is already body '{b.functions.name().call()}''s elector")
    return [_as_governance(session, b, "name the elector", "setElector", registry)]


@propose.command(name="cancel-election")
@click.argument("election_id", type=int)
@proposal_command
def cancel_election(session, election_id):
    """Cancel election ELECTION_ID before it seats anybody (ordinary)."""
    return [_as_governance(session, session.elections, f"cancel election {election_id}", "cancel", election_id)]
