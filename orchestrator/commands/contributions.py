"""`consortium contribution list|show`: contribution-weighted votes (contracts/institutions/ContributionLedger.sol)
as the chain holds them, and the calls `consortium propose attribute-contribution` builds.

Every figure is the ledger's own answer (partAt, partsAt, totalPartAt, contributionOf, isCounted) or the
registry's (getVotes, memberWeightAt, totalWeight): the square root, the decay and the cap are never computed
here. The ledger read is the one the registry names (`contributionsLedger`, or `contributionsLedgerAt` a past
time), which governance may have swapped since the deployment."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from web3.exceptions import ContractCustomError, ContractLogicError

from orchestrator.chain.amounts import Asset
from orchestrator.chain.artifacts import enum_names
from orchestrator.chain.proposals import LOG_RANGE, find
from orchestrator.chain.reverts import decode_revert_data, revert_data, revert_error, utc
from orchestrator.commands.common import pass_session, when
from orchestrator.commands.treasury import dues_asset
from orchestrator.errors import ChainError, InputError, OrchestratorError
from orchestrator.labels import member_label
from orchestrator.operations import governance as gv
from orchestrator.operations import roll
from orchestrator.operations.deploy import contract
from orchestrator.operations.session import Session

NOT_WEIGHED = "this deployment does not weigh contributions ([contributions] enabled = false)"


def sources() -> tuple[str, ...]:
    """IContributionLedger.Source in words (sponsorship, attribution): the contract's enum is their definition."""
    return enum_names("IContributionLedger", "Source")


def ledger_address(session: Session, at: int | None = None) -> str:
    """The ledger the registry names now (or at `at`); an error in words when there is none."""
    r = session.registry.functions
    address = r.contributionsLedger().call() if at is None else r.contributionsLedgerAt(at).call()
    if int(address, 16) == 0:
        if session.deployment.contribution_ledger is None:
            raise OrchestratorError(NOT_WEIGHED)
        when_ = "now" if at is None else f"at {utc(at)}"
        raise OrchestratorError(f"the registry names no contribution ledger {when_}: governance stopped weighing "
                                "contributions (setContributionsLedger)")
    return address


def ledger(session: Session, at: int | None = None):
    return contract(session.w3, "ContributionLedger", ledger_address(session, at))


def attribute_call(session: Session, member: str, amount: str, memo: str) -> gv.Call:
    """governance's attribute(memberId, amount, memo) on the ledger in force, asked of the chain first as the
    timelock would make it: what it would refuse today (a zero or oversized amount, attributions off, an expired
    ledger) is said before a vote is spent on it."""
    from orchestrator.chain.amounts import parse_amount

    target = ledger(session)
    member_id = gv.member_id(session.registry, member)
    value = parse_amount(amount, dues_asset(session)[1])
    fn = target.functions.attribute(member_id, value, memo)
    try:
        fn.call({"from": session.deployment.timelock})
    except (ContractCustomError, ContractLogicError) as exc:
        data = revert_data(exc)
        if data is None or revert_error(data) is None:
            raise
        raise ChainError(f"attribute a contribution to member {member_id}: {decode_revert_data(data)}") from None
    return gv.contract_call(target, "attribute", member_id, value, memo)


def timepoint(session: Session, at: str | None, proposal: str | None) -> tuple[int, str] | None:
    """--at (a UTC date and time, or seconds since 1970) or --proposal (its snapshot) as (timepoint, how it
    is named); a time not yet past is refused: a part is fixed only once its time has passed."""
    if at is not None and proposal is not None:
        raise InputError("give --at or --proposal, not both")
    if at is None and proposal is None:
        return None
    if proposal is not None:
        p = find(session, proposal)
        t, name = p.snapshot, f"proposal {p.id}'s snapshot ({utc(p.snapshot)})"
    else:
        t = _parse_time(at)
        name = utc(t)
    now = session.w3.eth.get_block("latest")["timestamp"]
    if t >= now:
        raise InputError(f"{name} is not in the past yet (the clock is at {utc(now)}): a part is fixed only once its "
                         "time has passed")
    return t, name


def _parse_time(text: str) -> int:
    if text.strip().isdecimal():
        return int(text)
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return int(datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC).timestamp())
        except ValueError:
            continue
    raise InputError(f"time {text!r} is neither YYYY-MM-DD[THH:MM[:SS]] (UTC) nor seconds since 1970")


def _logs(session: Session, target, event: str, member_id: int) -> list:
    found, start, head = [], session.deployment.block, session.w3.eth.block_number
    while start <= head:
        end = min(start + LOG_RANGE - 1, head)
        found += getattr(target.events, event)().get_logs(from_block=start, to_block=end,
                                                          argument_filters={"memberId": member_id})
        start = end + 1
    return found


def _rule(p: tuple, asset: Asset) -> str:
    """The deployment's parameters in words."""
    unit, period, max_part, sponsorships, attributions = p
    cap = f"at most {max_part}" if max_part else "no cap of its own"
    counted = [name for name, on in (("sponsorships", sponsorships), ("attributions", attributions)) if on]
    return (f"part = sqrt(value / {asset.format(unit)}), each contribution halved every {period:,} s; {cap}; "
            f"counted: {', '.join(counted) or 'nothing'}")


@click.group()
def contribution() -> None:
    """Contribution weight: every member's contribution part of its vote (list), one member's contributions (show).
    Grants and work are attributed by a vote: `consortium propose attribute-contribution`."""


@contribution.command(name="list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_session
def list_parts(session: Session, fmt: str) -> None:
    """Every member's contribution part now: its contributions as they are worth now (decayed), its part of the
    weight, whether it counts (active in a voting tier), and its whole weight."""
    target = ledger(session)
    asset = dues_asset(session)[1]
    members = roll.read(session.registry, session.treasury)
    now = session.w3.eth.get_block("latest")["timestamp"]
    ids = [m.id for m in members]
    calls = roll.Calls(session.w3)
    for member_id in ids:
        calls.add(target.address, "contributionOf(uint256)", [member_id], ["uint256"])
        calls.add(target.address, "isCounted(uint256)", [member_id], ["bool"])
    calls.add(target.address, "partsAt(uint256[],uint256)", [ids, now], ["uint256[]"])
    calls.add(target.address, "totalPartAt(uint256)", [now], ["uint256"])
    calls.add(session.registry.address, "totalWeight()", [], ["uint256"])
    answers = calls.run()
    parts, (total_part,), (total_weight,) = answers[-3][0], answers[-2], answers[-1]
    rows = [{"id": m.id, "member": member_label(m.id, m.identity), "tier": m.tier.name, "status": m.status,
             "contribution": answers[2 * i][0], "part": parts[i],
             "counted": answers[2 * i + 1][0] if answers[2 * i][0] or parts[i] else None, "weight": m.weight}
            for i, m in enumerate(members)]
    if fmt == "json":
        click.echo(json.dumps({"ledger": target.address, "timepoint": now, "total_weight": total_weight,
                               "total_part": total_part, "members": rows}, indent=2, ensure_ascii=False))
        return
    click.echo(f"contribution weight: {_rule(target.functions.parameters().call(), asset)}")
    header = ["member", "tier", "status", "contribution now", "part", "counted", "weight"]
    cells = [[r["member"], r["tier"], r["status"], asset.format(r["contribution"]), str(r["part"]),
              "-" if r["counted"] is None else "yes" if r["counted"] else "no", str(r["weight"])] for r in rows]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    for row in [header, *cells]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    share = f" ({100 * total_part / total_weight:.1f}%)" if total_weight else ""
    click.echo(f"total weight {total_weight}, of which contribution parts {total_part}{share}")
    click.echo("sponsorships in the dues token from an active member's seat add to its part "
               "(`consortium treasury contribute sponsorship AMOUNT --memo TEXT`), from the next snapshot on")


@contribution.command()
@click.argument("member_ref", metavar="MEMBER")
@click.option("--at", help="Also its part and weight at this past time: YYYY-MM-DD[THH:MM[:SS]] (UTC) or seconds.")
@click.option("--proposal", help="Also its part and weight at this proposal's snapshot (what its vote counts).")
@pass_session
def show(session: Session, member_ref: str, at: str | None, proposal: str | None) -> None:
    """One member's contributions (each sponsorship and attribution the ledger recorded, and when it started or
    stopped counting), their value now (decayed), its part of the weight now and, with --at or --proposal, then.
    MEMBER: an id, a seat address or a legal name."""
    target = ledger(session)
    asset = dues_asset(session)[1]
    member_id = gv.member_id(session.registry, member_ref)
    (m,) = roll.read(session.registry, session.treasury, [member_id])
    then = timepoint(session, at, proposal)
    now = session.w3.eth.get_block("latest")["timestamp"]
    f = target.functions
    part = f.partAt(member_id, now).call()
    value, counted = f.contributionOf(member_id).call(), f.isCounted(member_id).call()
    click.echo(f"{member_label(member_id, m.identity)} ({m.tier.name}, {m.status})")
    click.echo(f"  contribution now  {asset.format(value)} (decayed)")
    click.echo(f"  part now          {part}" + ("" if not (value or part) else " (counted)" if counted else
                                                 " (not counted: it is not active in a voting tier)"))
    click.echo(f"  weight now        {m.weight} (tier weight {m.tier.weight} + part {part})"
               if m.weight else f"  weight now        0 ({m.status}, tier {m.tier.name})")
    if then is not None:
        t, name = then
        try:
            old = ledger(session, t)
        except OrchestratorError:  # no ledger in force then: no part
            old = None
        part_then = old.functions.partAt(member_id, t).call() if old is not None else 0
        weight_then = session.registry.functions.memberWeightAt(member_id, t).call()
        click.echo(f"  at {name}: part {part_then}, weight {weight_then}")
    recorded = _logs(session, target, "ContributionRecorded", member_id)
    click.echo(f"  contributions: {len(recorded) or 'none'}")
    times = {}
    for log in recorded + (changes := _logs(session, target, "CountingChanged", member_id)):
        times.setdefault(log["blockNumber"], session.w3.eth.get_block(log["blockNumber"])["timestamp"])
    for log in recorded:
        a = log["args"]
        memo = f": {a['memo']}" if a["memo"] else ""
        click.echo(f"    {when(times[log['blockNumber']])}  {sources()[a['source']]} of {asset.format(a['amount'])}"
                   f"{memo}")
    if changes:
        click.echo(f"  counting changes: {len(changes)}")
        for log in changes:
            click.echo(f"    {when(times[log['blockNumber']])}  "
                       + ("counts again" if log["args"]["counted"] else "stopped counting"))
