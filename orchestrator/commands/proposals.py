"""`consortium propose <action>` and `consortium proposal list|show|queue|execute|cancel`."""

from __future__ import annotations

import functools
from pathlib import Path

import click
from web3.exceptions import ContractCustomError, ContractLogicError

from orchestrator.chain.proposals import all_proposals, describe_call, find, kind_text, receipt_events, standing
from orchestrator.chain.reverts import decode_revert
from orchestrator.commands.common import pass_session, when
from orchestrator.errors import ChainError, InputError
from orchestrator.operations import dues
from orchestrator.operations import governance as gv
from orchestrator.operations.amounts import parse_amount
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


def _submit(session: Session, calls: list[gv.Call], description: str) -> None:
    lapsed = dues.poke(session)  # the snapshot must not count members whose dues lapsed
    if lapsed:
        click.echo(f"marked {len(lapsed)} member(s) lapsed for unpaid dues first: {', '.join(map(str, lapsed))}")
    g = session.governor
    targets, values, datas = [c.target for c in calls], [c.value for c in calls], [c.data for c in calls]
    try:  # the governor refuses what it would refuse at propose: say so before sending anything
        kind = kind_text(*g.functions.classify(targets, datas).call())
    except (ContractCustomError, ContractLogicError) as exc:
        raise ChainError(f"propose: {decode_revert(exc)}") from None
    receipt = session.sender.transact(session.w3, g.functions.propose(targets, values, datas, description), "propose")
    proposal_id = receipt_events(g, receipt, "ProposalCreated")[0]["args"]["proposalId"]
    click.echo(f"proposal {proposal_id}")
    click.echo(f"kind: {kind}")


def proposal_command(fn):
    """Turns `fn(session, **arguments) -> [Call]` into a `propose` action: adds the description options,
    submits the calls, prints the proposal id and its kind. Place it under the action's arguments."""

    @functools.wraps(fn)
    def command(session: Session, description: str | None, description_file: Path | None, **arguments):
        _submit(session, fn(session, **arguments), _description(description, description_file))

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
@click.option("--value", default="0", help="Wei sent with the call (an integer, or e.g. 1.5ether).")
@proposal_command
def call(session, target, signature, args, value):
    """A raw call: SIGNATURE like 'name(address,uint256)' on TARGET with ARGS."""
    return [gv.raw_call(target, signature, list(args), parse_amount(value))]


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
    for p in proposals:
        s = standing(session, p)
        click.echo(f"{str(p.id)[:12]}…  {s.kind:14} {s.state:10} ends {when(s.deadline, now)}  {p.title}")


@proposal.command()
@click.argument("proposal_id")
@pass_session
def show(session: Session, proposal_id: str) -> None:
    """A proposal's state, deadlines, quorum, tallies per tier and calls."""
    p = find(session, proposal_id)
    s = standing(session, p)
    now = session.w3.eth.get_block("latest")["timestamp"]
    click.echo(f"proposal {p.id}\n  {p.title}\n  proposer {p.proposer}")
    click.echo(f"  kind {s.kind}, state {s.state}")
    click.echo(f"  snapshot {when(p.snapshot, now)}\n  deadline {when(s.deadline, now)}")
    if s.eta:
        click.echo(f"  executable from {when(s.eta, now)}")
    needed = "after the snapshot" if s.quorum is None else s.quorum
    click.echo(f"  quorum {needed} needed, {s.quorum_votes} reached (for + abstain)")
    click.echo(f"  {'tier':12} {'for':>8} {'against':>8} {'abstain':>8}")
    for tier, (for_, against, abstain) in s.tallies.items():
        click.echo(f"  {tier:12} {for_:>8} {against:>8} {abstain:>8}")
    click.echo("  calls:")
    for target, value, data in zip(p.targets, p.values, p.calldatas, strict=True):
        click.echo(f"    {describe_call(session, target, value, data)}")


def _operation(session: Session, proposal_id: str, action: str) -> None:
    p = find(session, proposal_id)
    fn = getattr(session.governor.functions, action)(*p.operation(session.w3))
    receipt = session.sender.transact(session.w3, fn, action)
    click.echo(f"{action}: proposal {p.id} in transaction {receipt['transactionHash'].hex()}")


@proposal.command()
@click.argument("proposal_id")
@pass_session
def queue(session: Session, proposal_id: str) -> None:
    """Queue a Succeeded proposal in the timelock."""
    _operation(session, proposal_id, "queue")


@proposal.command()
@click.argument("proposal_id")
@pass_session
def execute(session: Session, proposal_id: str) -> None:
    """Execute a Queued proposal once the timelock delay has passed."""
    _operation(session, proposal_id, "execute")


@proposal.command()
@click.argument("proposal_id")
@pass_session
def cancel(session: Session, proposal_id: str) -> None:
    """Cancel your own proposal while it is Pending."""
    _operation(session, proposal_id, "cancel")
