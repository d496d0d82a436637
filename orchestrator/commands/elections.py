"""`consortium election …`: elections of a body's seats, read from the chain and acted on.

Governance opens an election (`consortium propose election`, after `propose elector` named the registry the
body's elector); active members nominate themselves and may withdraw until nominations close; then anyone with
proposal rights makes the current round's ballot proposal, exactly as the registry fixes it, and members vote
on it by approval, from their seat or as a signed file for a relayer. When the ballot executes the registry
seats the winners; after the term anyone vacates the seats. Who wins is the registry's rule, never computed
here: `show` prints the governor's tallies and, once seated, what the registry's CandidateElected events say."""

from __future__ import annotations

import json
from pathlib import Path

import click
from web3.exceptions import ContractCustomError, ContractLogicError

from orchestrator.chain.proposals import receipt_events
from orchestrator.chain.reverts import decode_revert, utc
from orchestrator.commands.common import pass_session, when
from orchestrator.commands.proposals import submit  # how every proposal is made
from orchestrator.errors import ChainError, InputError, OrchestratorError
from orchestrator.labels import member_label, tier_label
from orchestrator.operations import elections as ops
from orchestrator.operations import governance as gv
from orchestrator.operations import roll
from orchestrator.operations.session import Session
from orchestrator.relay import ballots
from orchestrator.relay.ballot_file import ApprovalFile
from orchestrator.relay.relayer import BallotRefused, Relayer

FORMATS = ["table", "json"]


def _election(session: Session, election_id: int) -> ops.Election:
    return ops.get(session.elections, election_id)


def _labels(session: Session, member_ids) -> dict[int, str]:
    """"member 7 Bitex Ltd" for each id, read in one round of batches."""
    ids = sorted(set(member_ids))
    return {m.id: member_label(m.id, m.identity) for m in (roll.read(session.registry, None, ids) if ids else [])}


def _body_name(session: Session, address: str) -> str:
    return session.body(address).functions.name().call()


def _now(session: Session) -> int:
    return session.w3.eth.get_block("latest")["timestamp"]


def _transact(session: Session, fn, what: str):
    """Send `fn`; the chain's refusal, found by the gas estimate (an eth_call) before anything is sent, is
    said in its words after `what`."""
    return session.sender.transact(session.w3, fn, what)


@click.group()
def election() -> None:
    """Elections of bodies' seats: list and show; members nominate and withdraw, make the ballot and vote by
    approval; anyone starts a new round after a failed ballot and vacates the seats after the term."""


# ───── reading ─────


def _reserved_text(e: ops.Election, tiers: list[str]) -> str:
    return ", ".join(f"{n} for {tier_label(t, tiers)}" for t, n in e.reserved) or "none"


def _summary(session: Session, e: ops.Election, tiers: list[str], body: str) -> dict:
    return {"election_id": e.id, "status": e.status, "title": e.title, "body": body, "body_address": e.body,
            "seats": e.seats, "reserved": [{"tier": tier_label(t, tiers), "seats": n} for t, n in e.reserved],
            "round": e.round, "nominations_end": e.nominations_end, "term_end": e.term_end,
            "candidates": sum(not c.withdrawn for c in e.candidates)}


@election.command(name="list")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_session
def list_(session: Session, fmt: str) -> None:
    """Every election of this deployment, read from the chain."""
    every = ops.read(session.elections)
    tiers = [t.name for t in roll.tiers(session.registry)]
    bodies = {e.body: _body_name(session, e.body) for e in every}
    rows = [_summary(session, e, tiers, bodies[e.body]) for e in every]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not every:
        click.echo("no elections yet: governance opens one with `consortium propose election`")
        return
    now = _now(session)
    for e in every:
        standing = sum(not c.withdrawn for c in e.candidates)
        timing = (f"nominations close {when(e.nominations_end, now)}" if e.status == "nominating"
                  else f"term ends {when(e.term_end, now)}")
        click.echo(f"{e.id:>4}  {e.status:10}  {bodies[e.body]}: {e.seats} seat(s), {standing} candidate(s); "
                   f"{timing}  {e.title}")


def _tally_rows(session: Session, e: ops.Election, b: ops.Ballot, tiers: list[str]) -> list[list[int]] | None:
    if b is None or b.state is None:
        return None
    return ops.tallies(session.governor, b.proposal_id, len(e.candidates), len(tiers))


def _detail(session: Session, e: ops.Election) -> dict:
    tiers = [t.name for t in roll.tiers(session.registry)]
    b = ops.ballot(session, e)
    tallies = _tally_rows(session, e, b, tiers)
    won = ops.elected(session, e.id) if e.status in ("seated", "vacated") else []
    gone = ops.vacated(session, e.id) if e.status == "vacated" else []
    labels = _labels(session, [c.member_id for c in e.candidates])
    body = session.body(e.body)
    detail = {**_summary(session, e, tiers, body.functions.name().call()),
              "elector_set": body.functions.elector().call() == session.elections.address,
              "candidates": [{"index": c.index, "member_id": c.member_id, "member": labels[c.member_id],
                              "tier": tier_label(c.tier, tiers), "withdrawn": c.withdrawn,
                              **({"approvals": sum(tallies[c.index]),
                                  "approvals_by_voter_tier": {tier_label(t, tiers): w
                                                              for t, w in enumerate(tallies[c.index])}}
                                 if tallies is not None else {})}
                             for c in e.candidates],
              "ballot": None if b is None else {"proposal_id": str(b.proposal_id), "round": b.round,
                                                "state": b.state},
              "elected": [{"member_id": w.member_id, "member": labels[w.member_id], "approvals": w.approvals,
                           "reserved_seat": w.reserved} for w in won],
              "appointed": list(e.seated), "vacated": gone}
    return detail


@election.command()
@click.argument("election_id", type=int)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@pass_session
def show(session: Session, election_id: int, fmt: str) -> None:
    """One election: status, body, seats and reservations, schedule, candidates, its ballot and the approvals
    counted, and once seated the elected (as the registry seated them) and the vacated."""
    e = _election(session, election_id)
    d = _detail(session, e)
    tiers = [t.name for t in roll.tiers(session.registry)]
    if fmt == "json":
        click.echo(json.dumps(d, indent=2))
        return
    now = _now(session)
    click.echo(f"election {e.id}: {e.title} — {e.status}")
    click.echo(f"  body: {d['body']} ({e.body}), {e.seats} seat(s); reserved: {_reserved_text(e, tiers)}")
    if not d["elector_set"] and e.status in ("nominating", "balloting"):
        click.echo(f"  note: the registry is not {d['body']}'s elector: seating fails until governance names it "
                   f"(`consortium propose elector {e.body}`)")
    click.echo(f"  nominations {'close' if e.status == 'nominating' else 'closed'} {when(e.nominations_end, now)}; "
               f"term ends {when(e.term_end, now)}")
    b = d["ballot"]
    if e.status == "nominating":
        click.echo("  ballot: after nominations close")
    elif b is None:
        click.echo("  ballot: none (no candidates)")
    elif b["state"] is None:
        click.echo(f"  ballot: round {e.round}, proposal {b['proposal_id']}, not proposed yet: `consortium election "
                   f"ballot {e.id}` makes it")
    else:
        round_ = f"round {b['round']}, " if b["round"] else ""
        click.echo(f"  ballot: {round_}proposal {b['proposal_id']}, {b['state']}")
    names = [f"{c['member']} ({c['tier']}{', withdrawn' if c['withdrawn'] else ''})" for c in d["candidates"]]
    width = max(map(len, names), default=0)
    counted = any("approvals" in c for c in d["candidates"])
    if not d["candidates"]:
        click.echo("  candidates: none")
    elif counted:
        click.echo("  candidates, with the approval weight counted (in all, then from voters of each tier):")
        click.echo(f"  {'':{width + 6}}  {'all':>9}  " + " ".join(f"{t:>9}" for t in tiers))
    else:
        click.echo("  candidates:")
    for c, name in zip(d["candidates"], names, strict=True):
        tally = (f"  {c['approvals']:>9}  " + " ".join(f"{w:>9}" for w in c["approvals_by_voter_tier"].values())
                 if "approvals" in c else "")
        click.echo(f"    {c['index']:>2}. {name:{width}}{tally}".rstrip())
    if e.status in ("seated", "vacated"):
        click.echo("  elected: nobody" if not d["elected"] else "  elected:")
        for w in d["elected"]:
            seat = f", a seat reserved for {_tier_of(d, w['member_id'])}" if w["reserved_seat"] else ""
            click.echo(f"    {w['member']} with {w['approvals']} approval weight{seat}")
    if e.status == "vacated":
        labels = _labels(session, d["vacated"])
        click.echo("  vacated: " + (", ".join(labels[m] for m in d["vacated"]) or "nobody (no seat left to "
                                                                                "vacate)"))


def _tier_of(d: dict, member_id: int) -> str:
    return next(c["tier"] for c in d["candidates"] if c["member_id"] == member_id)


# ───── members ─────


def _member_label(session: Session, member_id: int) -> str:
    return _labels(session, [member_id])[member_id]


@election.command()
@click.argument("election_id", type=int)
@pass_session
def nominate(session: Session, election_id: int) -> None:
    """Stand for election ELECTION_ID as the --account wallet's member (active members, while nominations
    are open); a member that withdrew stands again at its place on the list."""
    e = _election(session, election_id)
    receipt = _transact(session, session.elections.functions.nominate(e.id), f"nominate in election {e.id}")
    nominated = receipt_events(session.elections, receipt, "CandidateNominated")[0]["args"]
    click.echo(f"{_member_label(session, nominated['memberId'])} is candidate {nominated['candidate']} in election "
               f"{e.id} ({e.title}); nominations close at {utc(e.nominations_end)}")


@election.command()
@click.argument("election_id", type=int)
@pass_session
def withdraw(session: Session, election_id: int) -> None:
    """Withdraw the --account wallet's member from ELECTION_ID while nominations are open (it stays on the list,
    unelectable, and may nominate itself again until they close)."""
    e = _election(session, election_id)
    receipt = _transact(session, session.elections.functions.withdraw(e.id), f"withdraw from election {e.id}")
    member_id = receipt_events(session.elections, receipt, "CandidateWithdrawn")[0]["args"]["memberId"]
    click.echo(f"{_member_label(session, member_id)} withdrew from election {e.id}; it may nominate itself again "
               f"until {utc(e.nominations_end)}")


def _current_ballot(session: Session, e: ops.Election, what: str) -> int:
    """The current round's ballot proposal id, or the registry's refusal in its words (nominations open, no
    candidates, not balloting)."""
    try:
        return ops.ballot_id(session.elections, e.id)
    except (ContractCustomError, ContractLogicError) as exc:
        raise ChainError(f"{what}: {decode_revert(exc)}") from None


@election.command(name="ballot")
@click.argument("election_id", type=int)
@pass_session
def ballot_(session: Session, election_id: int) -> None:
    """Make the current round's ballot proposal of ELECTION_ID, exactly as the registry fixes it (once
    nominations have closed; any member with proposal rights). Prints its id; members then vote on it with
    `consortium election vote`."""
    e = _election(session, election_id)
    proposal_id = _current_ballot(session, e, f"ballot of election {e.id}")
    if session.governor.functions.proposalSnapshot(proposal_id).call():
        b = ops.ballot(session, e)
        raise InputError(f"election {e.id}'s ballot for round {e.round} is already proposal {proposal_id} "
                         f"({b.state}): vote on it with `consortium election vote {e.id} --approve MEMBER,…`")
    targets, values, calldatas, description = ops.ballot_proposal(session.elections, e.id)
    calls = [gv.Call(t, v, d) for t, v, d in zip(targets, values, calldatas, strict=True)]
    submit(session, calls, description)
    click.echo(f"ballot of election {e.id}, round {e.round}: members vote with `consortium election vote {e.id} "
               "--approve MEMBER[,MEMBER…]`")


def _approvals(session: Session, e: ops.Election, approve: str | None, approve_none: bool) -> int:
    if (approve is None) == (not approve_none):
        raise InputError("give --approve MEMBER[,MEMBER…] or --approve-none, one of the two")
    if approve_none:
        return 0
    texts = [t.strip() for t in approve.split(",")]
    if not all(texts):
        raise InputError(f"--approve {approve!r} names no member between two commas")
    return ops.approvals_bitmap(e, [gv.member_id(session.registry, t) for t in texts])


@election.command()
@click.argument("election_id", type=int)
@click.option("--approve", metavar="MEMBER[,MEMBER…]", help="The candidates you approve (ids, seats or legal names), "
              "comma-separated; approve as many as you like.")
@click.option("--approve-none", is_flag=True, help="Approve nobody: an abstention, which counts toward quorum.")
@click.option("--sign-only", "sign_only", type=click.Path(path_type=Path), metavar="FILE",
              help="Write a signed approval ballot to FILE for a relayer instead of sending a transaction.")
@pass_session
def vote(session: Session, election_id: int, approve: str | None, approve_none: bool, sign_only: Path | None) -> None:
    """Vote in ELECTION_ID by approval, as the --account wallet's member, on the current round's ballot: from
    your seat, or (--sign-only FILE) as a signed approval ballot a relayer submits."""
    e = _election(session, election_id)
    bitmap = _approvals(session, e, approve, approve_none)
    proposal_id = _current_ballot(session, e, f"vote in election {e.id}")
    if session.governor.functions.proposalSnapshot(proposal_id).call() == 0:
        raise InputError(f"election {e.id}'s ballot for round {e.round} is not proposed yet: `consortium election "
                         f"ballot {e.id}` makes it")
    chosen = ops.approved(e, bitmap)
    labels = _labels(session, chosen)
    what = ("approves " + ", ".join(labels[m] for m in chosen)) if chosen else "approves nobody (an abstention)"
    account = session.sender.account
    if sign_only is not None and account is None:
        raise OrchestratorError("--sign-only needs a wallet: pass --account NAME")
    relayer = Relayer.checks_only(session)  # the relayer's checks of a voter, before anything is signed or sent
    refused = "not signed" if sign_only is not None else "not sent"
    try:
        member_id = relayer.check_approver(proposal_id, session.sender.address, bitmap)
    except BallotRefused as exc:
        raise OrchestratorError(f"{refused}, the ballot could never count: {exc}") from None
    label = _member_label(session, member_id)
    if sign_only is not None:
        typed = ballots.approval_ballot(relayer.domain, proposal_id, account.address, bitmap)
        signature = ballots.sign(typed, account.key)
        content = {**ApprovalFile.signed(relayer.domain, proposal_id, account.address, bitmap, signature),
                   "typed_data": ballots.for_wallet(typed)}
        sign_only.write_text(json.dumps(content, indent=2) + "\n")
        click.echo(f"signed approval ballot written to {sign_only}: {label} {what} in election {e.id} (proposal "
                   f"{proposal_id}); hand it to a relayer (`consortium relay {sign_only}`, or POST it to /approvals)")
        return
    receipt, rejected, weight = ops.cast_own(session, proposal_id, bitmap)
    if rejected is not None:
        raise OrchestratorError(f"not counted: the governor rejected {label}'s approval ballot: {rejected}")
    click.echo(f"counted: {label} {what} in election {e.id} with weight {weight} (proposal {proposal_id}, "
               f"transaction {receipt['transactionHash'].hex()})")


# ───── anyone ─────


@election.command(name="next-round")
@click.argument("election_id", type=int)
@pass_session
def next_round(session: Session, election_id: int) -> None:
    """Start a new ballot round of ELECTION_ID after its ballot was defeated or expired (anyone)."""
    e = _election(session, election_id)
    receipt = _transact(session, session.elections.functions.nextRound(e.id), f"next round of election {e.id}")
    started = receipt_events(session.elections, receipt, "BallotRoundStarted")[0]["args"]
    click.echo(f"election {e.id}: round {started['round']} started; its ballot will be proposal "
               f"{started['proposalId']}: `consortium election ballot {e.id}` makes it")


@election.command()
@click.argument("election_id", type=int)
@pass_session
def vacate(session: Session, election_id: int) -> None:
    """Vacate the seats ELECTION_ID filled, once its term is over (anyone)."""
    e = _election(session, election_id)
    receipt = _transact(session, session.elections.functions.vacate(e.id), f"vacate election {e.id}")
    gone = [ev["args"]["memberId"] for ev in receipt_events(session.elections, receipt, "SeatVacated")]
    labels = _labels(session, gone)
    names = ", ".join(labels[m] for m in gone) or "nobody (no seat it filled is still held)"
    click.echo(f"election {e.id} vacated: {names}")
