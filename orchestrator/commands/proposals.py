"""`consortium propose <action>` and `consortium proposal list|show|queue|execute|cancel`."""

from __future__ import annotations

import functools
import re
import shlex
from pathlib import Path

import click
from web3.exceptions import ContractCustomError, ContractLogicError

from orchestrator.chain.amounts import parse_amount
from orchestrator.chain.proposals import (
    SEAL,
    STATES,
    all_proposals,
    defeat_reasons,
    find,
    kind_text,
    logs,
    receipt_events,
    recusals,
    standing,
)
from orchestrator.chain.reverts import decode_revert, revert_data, revert_error
from orchestrator.commands.common import pass_session, when
from orchestrator.commands.sealed import phases
from orchestrator.errors import ChainError, InputError
from orchestrator.operations import dues, elections
from orchestrator.operations import governance as gv
from orchestrator.operations.calls import Words, describe_calls
from orchestrator.operations.session import Session


def _description(text: str | None, path: Path | None) -> str:
    if bool(text) == bool(path):
        raise InputError("give the description with exactly one of --description or --description-file")
    if path:
        try:
            return path.read_text()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
    return text


# OZ's Governor reserves a proposal for one proposer when its description ends with this (and 40 hex digits).
_PROPOSER_SUFFIX = re.compile(r"#proposer=0x[0-9a-fA-F]{40}\Z")


def _sealing(text: str, sealed: bool) -> str:
    """The description as proposed: with --sealed, ending with the governor's seal, before OZ's #proposer=…
    reservation if the description ends with one (the governor reads the seal there too), so that a sealed
    proposal can still be reserved to its proposer and nobody can make it first and cancel it."""
    reservation = _PROPOSER_SUFFIX.search(text)
    base, suffix = (text[:reservation.start()], reservation.group(0)) if reservation else (text, "")
    if not sealed or base.endswith(SEAL):
        return text
    return f"{base.rstrip()} {SEAL}{suffix}".lstrip()


SEALED_HELP = ("Seal the proposal: members commit to their votes until the last third of the voting period, then "
               "reveal them; nobody sees the tally before (ends the description with #sealed).")


def submit(session: Session, calls: list[gv.Call], description: str, origins: list[str] | None = None) -> None:
    """Propose `calls`. The governor's classify() answers first what propose would refuse (a forbidden call,
    a member's case carrying anything else), before any transaction, the dues poke's included. `origins`
    names, per call, the bundled action it came from, for that refusal."""
    g = session.governor
    targets, values, datas = [c.target for c in calls], [c.value for c in calls], [c.data for c in calls]
    try:
        kind = kind_text(*g.functions.classify(targets, datas).call())
    except (ContractCustomError, ContractLogicError) as exc:
        found = revert_error(revert_data(exc))
        where = ""
        if origins and found and found[0] == "GovernorMemberCaseBundled" and found[1][1] < len(origins):
            where = f" (call {found[1][1]} is {origins[found[1][1]]})"
        raise ChainError(f"propose: {decode_revert(exc)}{where}") from None
    lapsed = dues.poke(session)  # the snapshot must not count members whose dues lapsed
    if lapsed:
        click.echo(f"marked {len(lapsed)} member(s) lapsed for unpaid dues first: {', '.join(map(str, lapsed))}")
    receipt = session.sender.transact(session.w3, g.functions.propose(targets, values, datas, description), "propose")
    created = receipt_events(g, receipt, "ProposalCreated")[0]["args"]
    proposal_id = created["proposalId"]
    click.echo(f"proposal {proposal_id}")
    click.echo(f"kind: {kind}")
    start = g.functions.proposalRevealStart(proposal_id).call()
    if start:
        click.echo(phases(start, created["voteEnd"]))


def proposal_command(fn):
    """Turns `fn(session, **arguments) -> [Call]` into a `propose` action: adds the description options,
    submits the calls, prints the proposal id and its kind. Place it under the action's arguments."""

    @functools.wraps(fn)
    def command(session: Session, description: str | None, description_file: Path | None, sealed: bool,
                **arguments):
        text = _sealing(_description(description, description_file), sealed)
        submit(session, fn(session, **arguments), text)

    command.calls = fn  # what `propose bundle` builds each action with (kept through click's wrappers)
    command = click.option("--sealed", is_flag=True, help=SEALED_HELP)(command)
    command = click.option("--description-file", type=click.Path(path_type=Path),
                           help="Read the description from a file.")(command)
    command = click.option("--description", help="The proposal's text (its first line is the title).")(command)
    return pass_session(command)


@click.group()
def propose() -> None:
    """Propose a governance action; prints the proposal id and its kind."""


@propose.command()
@click.argument("seat")
@click.option("--tier", required=True, help="Tier name or id.")
@click.option("--legal-name", required=True)
@click.option("--jurisdiction", required=True)
@click.option("--metadata-uri", default="", help="Where the member's public record lives.")
@proposal_command
def admit(session, seat, tier, legal_name, jurisdiction, metadata_uri):
    """Admit SEAT as a member (constitutional)."""
    tier_id = gv.tier_id(session.registry, tier)
    return [gv.admit(session.registry, seat, tier_id, legal_name, jurisdiction, metadata_uri)]


@propose.command(name="change-tier")
@click.argument("member")
@click.argument("tier")
@proposal_command
def change_tier(session, member, tier):
    """Move MEMBER (id or seat) to TIER (a member's case: its own proposal, the member recused)."""
    r = session.registry
    return [gv.contract_call(r, "changeTier", gv.member_id(r, member), gv.tier_id(r, tier))]


@propose.command()
@click.argument("member")
@click.option("--reason", required=True)
@proposal_command
def suspend(session, member, reason):
    """Suspend MEMBER: no vote and no proposing until reinstated (a member's case: its own proposal, the
    member recused, more than half of all weight for)."""
    return [gv.contract_call(session.registry, "suspend", gv.member_id(session.registry, member), reason)]


@propose.command()
@click.argument("member")
@proposal_command
def reinstate(session, member):
    """Reinstate a suspended MEMBER (ordinary)."""
    return [gv.contract_call(session.registry, "reinstate", gv.member_id(session.registry, member))]


@propose.command()
@click.argument("member")
@click.option("--reason", required=True)
@proposal_command
def expel(session, member, reason):
    """Expel MEMBER for good (a member's case)."""
    return [gv.contract_call(session.registry, "expel", gv.member_id(session.registry, member), reason)]


@propose.command(name="rotate-seat")
@click.argument("member")
@click.argument("new_seat")
@proposal_command
def rotate_seat(session, member, new_seat):
    """Move MEMBER to NEW_SEAT, e.g. after a lost key (a member's case)."""
    r = session.registry
    return [gv.contract_call(r, "rotateSeatOf", gv.member_id(r, member), gv.address(new_seat, "new seat"))]


@propose.command(name="set-tier")
@click.argument("tier_id", type=click.IntRange(0, 15))
@click.option("--name", required=True)
@click.option("--weight", type=click.IntRange(0, 2**32 - 1), required=True)
@click.option("--can-propose/--cannot-propose", required=True)
@click.option("--can-vote/--cannot-vote", required=True)
@proposal_command
def set_tier(session, tier_id, name, weight, can_propose, can_vote):
    """Add or change a row of the tier table (constitutional)."""
    return [gv.contract_call(session.registry, "setTier", tier_id, name, weight, can_propose, can_vote)]


SETTINGS = {
    "voting-delay": ("setVotingDelay", "seconds between proposal and snapshot"),
    "voting-period": ("setVotingPeriod", "seconds of voting"),
    "late-quorum-extension": ("setLateQuorumVoteExtension", "seconds voting stays open after a late quorum"),
    "quorum": ("updateQuorumNumerator", "ordinary quorum, percent of total weight"),
    "constitutional-quorum": ("setConstitutionalQuorum", "constitutional quorum, percent of total weight"),
    "weight-cap": ("setWeightCap", "most a member counts for, basis points of total weight"),
}


@propose.command()
@click.argument("setting", type=click.Choice(sorted(SETTINGS)))
@click.argument("value", type=click.IntRange(0))
@proposal_command
def setting(session, setting, value):
    """Change a governor SETTING to VALUE (constitutional). Settings: voting-delay, voting-period,
    late-quorum-extension (seconds); quorum, constitutional-quorum (percent); weight-cap (basis points)."""
    return [gv.contract_call(session.governor, SETTINGS[setting][0], value)]


@propose.command(name="call-rule")
@click.argument("target")
@click.argument("selector")
@click.option("--constitutional/--ordinary", required=True, help="Whether such calls make a proposal constitutional.")
@click.option("--about-member/--not-about-member", default=False, show_default=True,
              help="Whether such calls are about the member whose id is their first argument: a proposal "
                   "making one is that member's case (nothing else bundled, the member recused).")
@proposal_command
def call_rule(session, target, selector, constitutional, about_member):
    """Set how calls of SELECTOR (0x12345678 or a signature) on TARGET are treated (constitutional)."""
    return [gv.contract_call(session.governor, "setCallRule", gv.target(session, target), gv.selector(selector),
                             constitutional, about_member)]


@propose.command()
@click.argument("target")
@click.argument("signature")
@click.argument("args", nargs=-1)
@click.option("--value", default="0", help="ETH sent with the call, with its unit (1.5ether, 20 gwei, 5 wei).")
@proposal_command
def call(session, target, signature, args, value):
    """A raw call: SIGNATURE like 'name(address,uint256)' on TARGET with ARGS."""
    return [gv.raw_call(target, signature, list(args), parse_amount(value))]


def _action_calls(session: Session, number: int, text: str) -> list[gv.Call]:
    """The calls of one bundled action, written as after `consortium propose` (e.g. `spend 1ether 0x… --memo x`),
    parsed by that action's own command, so a bundle accepts exactly what the action does alone. Every action
    has joined `propose` by then: the CLI loads the group from institution_proposals, which adds its own."""
    where = f"action {number} `{text}`"
    try:
        name, *args = shlex.split(text)
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None
    command = propose.commands.get(name)
    build = getattr(command.callback, "calls", None) if command is not None else None
    if build is None:
        actions = sorted(n for n, c in propose.commands.items() if hasattr(c.callback, "calls"))
        raise InputError(f"{where}: {name!r} is not an action to bundle; actions: {', '.join(actions)}")
    try:
        with command.make_context(name, args, parent=click.get_current_context(silent=True)) as ctx:
            arguments = dict(ctx.params)
    except click.exceptions.Exit:
        raise InputError(f"{where}: --help is not an action; see `consortium propose {name} --help`") from None
    except click.ClickException as exc:
        raise InputError(f"{where}: {exc.format_message()}") from None
    if any([arguments.pop("description"), arguments.pop("description_file")]):
        raise InputError(f"{where}: give the description once, to the bundle, not to an action")
    if arguments.pop("sealed"):
        raise InputError(f"{where}: seal the bundle (--sealed), not an action")
    try:
        return build(session, **arguments)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _action_lines(path: Path) -> list[str]:
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


@propose.command()
@click.option("--action", "actions", multiple=True, metavar="'ACTION ARGS…'",
              help="One action, written as after `consortium propose` (e.g. 'spend 1ether 0x… --memo venue'); "
                   "repeat.")
@click.option("--actions-file", type=click.Path(path_type=Path),
              help="Actions one per line, each written as after `consortium propose` (# starts a comment).")
@click.option("--description", help="The proposal's text (its first line is the title).")
@click.option("--description-file", type=click.Path(path_type=Path), help="Read the description from a file.")
@click.option("--sealed", is_flag=True, help=SEALED_HELP)
@pass_session
def bundle(session: Session, actions: tuple[str, ...], actions_file: Path | None, description: str | None,
           description_file: Path | None, sealed: bool) -> None:
    """Several actions in one proposal, executed together or not at all. The governor decides what may
    go together, and is asked before anything is sent: a member's case carries only calls about that
    member; anything constitutional makes the whole proposal constitutional."""
    texts = list(actions) + (_action_lines(actions_file) if actions_file else [])
    if not texts:
        raise InputError("give the actions with --action (repeat it) or --actions-file")
    text = _sealing(_description(description, description_file), sealed)
    calls: list[gv.Call] = []
    origins: list[str] = []
    for number, action in enumerate(texts, start=1):
        built = _action_calls(session, number, action)
        calls += built
        origins += [f"action {number} `{action}`"] * len(built)
    submit(session, calls, text, origins)
    click.echo(f"{len(texts)} action(s), {len(calls)} call(s):")
    for number, sentence in enumerate(describe_calls(session, [c.target for c in calls], [c.value for c in calls],
                                                     [c.data for c in calls])):
        click.echo(f"  {number}. {sentence}")


@click.group()
def proposal() -> None:
    """Inspect and move proposals along: list, show, queue, execute, cancel."""


@proposal.command(name="list")
@pass_session
def list_(session: Session) -> None:
    """Every proposal of this deployment with its kind, state and deadline."""
    proposals = all_proposals(session)
    if not proposals:
        click.echo("no proposals yet")
    now = session.w3.eth.get_block("latest")["timestamp"]
    ballots = elections.ballots_by_proposal(session) if proposals else {}
    for p in proposals:
        s = standing(session, p)
        ballot = f" (election {ballots[p.id]}'s ballot)" if p.id in ballots else ""
        click.echo(f"{str(p.id)[:12]}…  {s.kind:14} {s.state:10} ends {when(s.deadline, now)}  {p.title}{ballot}"
                   + (f"\n              {phases(s.reveal_start, s.deadline, now)}" if s.sealed else ""))


@proposal.command()
@click.argument("proposal_id")
@pass_session
def show(session: Session, proposal_id: str) -> None:
    """A proposal's state (and why, when it was defeated), deadlines, quorum, tallies per tier, recusals and
    calls in words; an election's ballot says so."""
    p = find(session, proposal_id)
    s = standing(session, p)
    now = session.w3.eth.get_block("latest")["timestamp"]
    click.echo(f"proposal {p.id}\n  {p.title}\n  proposer {p.proposer}")
    click.echo(f"  kind {s.kind}, state {s.state}")
    election_id = elections.ballots_by_proposal(session).get(p.id)
    if election_id is not None:  # the governor said so when it was made (ElectionBallotProposed)
        click.echo(f"  the ballot of election {election_id}: members vote by approving candidates (`consortium "
                   f"election vote {election_id}`); its approvals per candidate: `consortium election show "
                   f"{election_id}`")
    if s.state == "Defeated":
        click.echo("  Defeated: " + "; ".join(defeat_reasons(session, p, s)))
    click.echo(f"  snapshot {when(p.snapshot, now)}\n  deadline {when(s.deadline, now)}")
    if s.sealed:
        committed = len(logs(session, "VoteCommitted", {"proposalId": p.id}))
        click.echo(f"  {phases(s.reveal_start, s.deadline, now)}; {committed} member(s) committed")
    if s.eta:
        click.echo(f"  executable from {when(s.eta, now)}")
    needed = "after the snapshot" if s.quorum is None else s.quorum
    click.echo(f"  quorum {needed} needed, {s.quorum_votes} reached (for + abstain)")
    if s.sealed and now < s.reveal_start:  # nothing is counted before the reveals: no table of zeros
        click.echo(f"  the tally is sealed until {when(s.reveal_start, now)}")
    else:
        click.echo(f"  {'tier':12} {'for':>8} {'against':>8} {'abstain':>8}")
        for tier, (for_, against, abstain) in s.tallies.items():
            click.echo(f"  {tier:12} {for_:>8} {against:>8} {abstain:>8}")
    recused = recusals(session, p)
    words = Words(session)
    click.echo("  recused: nobody" if not recused else "  recused:")
    for r in recused:
        how = "automatically" if r.automatic else "by declaration"
        click.echo(f"    {words.member(r.member_id)} recused {how}: {r.reason}")
    click.echo("  calls:")
    for sentence in describe_calls(session, p.targets, p.values, p.calldatas):
        click.echo(f"    {sentence}")


def _operation(session: Session, p, action: str) -> None:
    fn = getattr(session.governor.functions, action)(*p.operation(session.w3))
    receipt = session.sender.transact(session.w3, fn, action)
    click.echo(f"{action}: proposal {p.id} in transaction {receipt['transactionHash'].hex()}")


def _eta(session: Session, p) -> tuple[int, int]:
    """(when the timelock lets `p` execute, the latest block's time)."""
    return (session.governor.functions.proposalEta(p.id).call(),
            session.w3.eth.get_block("latest")["timestamp"])


@proposal.command()
@click.argument("proposal_id")
@pass_session
def queue(session: Session, proposal_id: str) -> None:
    """Queue a Succeeded proposal in the timelock; prints when it can be executed."""
    p = find(session, proposal_id)
    _operation(session, p, "queue")
    eta, now = _eta(session, p)
    click.echo(f"executable from {when(eta, now)}: then run `consortium proposal execute {p.id}`")


@proposal.command()
@click.argument("proposal_id")
@pass_session
def execute(session: Session, proposal_id: str) -> None:
    """Execute a Queued proposal once the timelock delay has passed."""
    p = find(session, proposal_id)
    try:
        _operation(session, p, "execute")
    except ChainError:
        # The chain refused it; if the delay has not passed, that is why: say when it will have.
        eta, now = _eta(session, p)
        if STATES[session.governor.functions.state(p.id).call()] == "Queued" and eta > now:
            raise InputError(f"proposal {p.id} is queued until the timelock delay ends: it can be executed from "
                             f"{when(eta, now)}") from None
        raise


@proposal.command()
@click.argument("proposal_id")
@pass_session
def cancel(session: Session, proposal_id: str) -> None:
    """Cancel your own proposal while it is Pending."""
    _operation(session, find(session, proposal_id), "cancel")
