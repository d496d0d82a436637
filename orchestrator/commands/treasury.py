"""`consortium treasury status|dues|pay-dues|contribute|poke`: the consortium's funds and dues. Amounts
are written and printed in ETH, or in the dues token's own units (operations/amounts.py)."""

from __future__ import annotations

import click

from orchestrator.chain.amounts import ETH, Asset, asset_of, parse_amount
from orchestrator.chain.proposals import receipt_events
from orchestrator.chain.reverts import STATUSES
from orchestrator.commands.common import pass_session, when
from orchestrator.errors import InputError
from orchestrator.operations import dues as dues_keeper
from orchestrator.operations import governance as gv
from orchestrator.operations.config import ZERO_ADDRESS
from orchestrator.operations.deploy import contract
from orchestrator.operations.session import Session

CONTRIBUTIONS = ["sponsorship", "grant"]
ERC20_ABI_NAME = "IERC20"
# Members per payDuesMany transaction: each costs the treasury about 40,000 gas (a registry read, a
# paid-until write, an event, the restore check), so 100 stay far below any block's gas limit.
PAY_DUES_BATCH = 100


def _erc20(session: Session, address: str):
    return contract(session.w3, ERC20_ABI_NAME, address)


def _balance(session: Session, token: str) -> int:
    if token == ZERO_ADDRESS:
        return session.w3.eth.get_balance(session.treasury.address)
    return _erc20(session, token).functions.balanceOf(session.treasury.address).call()


def _pay(session: Session, token: str, amount: int, fn, what: str) -> dict:
    """Send `fn` with `amount` of `token`: as the value in ETH, or after approving the ERC-20."""
    if token == ZERO_ADDRESS:
        return session.sender.transact(session.w3, fn, what, value=amount)
    approve = _erc20(session, token).functions.approve(session.treasury.address, amount)
    session.sender.transact(session.w3, approve, f"approve {what}")
    return session.sender.transact(session.w3, fn, what)


def own_events(contract_, receipt, name: str) -> list:
    """`name` events that `contract_` itself emitted in `receipt`: a receipt also holds other contracts'
    logs (the registry's, an ERC-20's), which are neither decoded nor warned about."""
    return [e for e in receipt_events(contract_, receipt, name) if e["address"].lower() == contract_.address.lower()]


def dues_asset(session: Session) -> tuple[str, Asset]:
    """The dues token's address (zero: ETH) and its units."""
    token = session.treasury.functions.duesToken().call()
    return token, asset_of(session.w3, token)


def _duration(seconds: int) -> str:
    return f"{seconds:,} s" + (f" ({seconds / 86400:g} days)" if seconds >= 86400 else "")


@click.group()
def treasury() -> None:
    """The consortium's funds: status, dues, pay-dues, contribute, poke."""


@treasury.command()
@pass_session
def status(session: Session) -> None:
    """Balance, budgets, dues per tier, dues terms, and members whose dues lapsed (marked or not yet)."""
    t, r = session.treasury.functions, session.registry.functions
    token, asset = dues_asset(session)
    click.echo(f"treasury {session.treasury.address}")
    click.echo(f"  balance: {ETH.format(_balance(session, ZERO_ADDRESS))}"
               + ("" if token == ZERO_ADDRESS else f", {asset.format(_balance(session, token))} (token {token})"))
    click.echo(f"  dues in {asset.symbol}, per period of {_duration(t.duesPeriod().call())}, "
               f"grace {_duration(t.gracePeriod().call())}")
    for tier in range(r.tierCount().call()):
        owed = t.duesOf(tier).call()
        click.echo(f"  {r.tier(tier).call()[0]:12} {asset.format(owed) + ' per period' if owed else 'no dues'}")
    assets = [(ZERO_ADDRESS, ETH)] + ([(token, asset)] if token != ZERO_ADDRESS else [])
    for address in session.body_factory.functions.bodies().call():
        budgets = [unit.format(t.budgetOf(address, held).call()) for held, unit in assets]
        click.echo(f"  budget of {session.body(address).functions.name().call()}: {', '.join(budgets)} left")
    lapsed = dues_keeper.lapsable(session)
    click.echo(f"  lapsed, not yet marked: {', '.join(map(str, lapsed)) if lapsed else 'none'}"
               + (" (anyone may mark them: `consortium treasury poke`)" if lapsed else ""))
    click.echo(f"  marked lapsed: {_marked_text(dues_keeper.marked(session)) or 'none'}")


def _marked_text(marked: list[tuple[int, bool]]) -> str:
    """Members marked Lapsed, and how each gets its vote back."""
    parts = []
    owing = [m for m, lapsed in marked if lapsed]
    if owing:
        ids = ", ".join(map(str, owing))
        parts.append(f"{ids} (paying restores them: `consortium treasury pay-dues {' '.join(map(str, owing))}`)")
    current = [m for m, lapsed in marked if not lapsed]
    if current:
        parts.append(f"{', '.join(map(str, current))} (dues current: the registry's restore(member) gives the vote "
                     "back, anyone may call it)")
    return "; ".join(parts)


@treasury.command(name="dues")
@click.argument("member")
@pass_session
def dues_of(session: Session, member: str) -> None:
    """Until when MEMBER's dues are paid, and whether they lapsed."""
    member_id = gv.member_id(session.registry, member)
    t, r = session.treasury.functions, session.registry.functions
    _, tier, member_status, *_ = r.member(member_id).call()
    owed = t.duesOf(tier).call()
    tier_name = r.tier(tier).call()[0]
    if not owed:
        click.echo(f"member {member_id} ({tier_name}): its tier owes no dues")
        return
    _, asset = dues_asset(session)
    now = session.w3.eth.get_block("latest")["timestamp"]
    line = f"member {member_id} ({tier_name}, {asset.format(owed)} per period): paid until " \
           f"{when(t.paidUntil(member_id).call(), now)}"
    if t.duesLapsed(member_id).call():
        line += "; LAPSED (unpaid past the grace period)"
        line += (f", marked: no vote until paid (`consortium treasury pay-dues {member_id}`)"
                 if member_status == STATUSES.index("Lapsed") else ", not yet marked (`consortium treasury poke`)")
    click.echo(line)


@treasury.command(name="pay-dues")
@click.argument("members", nargs=-1, metavar="[MEMBER]...")
@click.option("--all", "everyone", is_flag=True,
              help="Every active or lapsed member whose tier owes dues (those paid ahead are skipped).")
@click.option("--periods", type=click.IntRange(1), default=1, show_default=True)
@pass_session
def pay_dues(session: Session, members: tuple[str, ...], everyone: bool, periods: int) -> None:
    """Pay the dues of MEMBER... (or --all) for PERIODS periods (anyone may): payDuesMany transactions of at
    most 100 members; a member already paid ahead is skipped; restores a lapsed member."""
    if everyone == bool(members):
        raise InputError("give the members to pay for (ids or seats), or --all, not both" if everyone else
                         "give the members to pay for (ids or seats), or --all")
    ids = dues_keeper.owing(session) if everyone else \
        list(dict.fromkeys(gv.member_id(session.registry, m) for m in members))  # each member once
    if not ids:
        click.echo("no active or lapsed member's tier owes dues: nothing to pay")
        return
    token, asset = dues_asset(session)
    plan = dues_keeper.plan(session, ids, periods, session.sender.address, token == ZERO_ADDRESS)
    for member_id, paid_until in plan.paid_ahead:
        click.echo(f"{plan.labels[member_id]}: skipped, already paid until {when(paid_until)} (the treasury takes at "
                   "most one period ahead)")
    t = session.treasury.functions
    total, batches = 0, 0
    for start in range(0, len(plan.pay), PAY_DUES_BATCH):
        batch = plan.pay[start : start + PAY_DUES_BATCH]
        amount = sum(a for _, a in batch)
        receipt = _pay(session, token, amount, t.payDuesMany([m for m, _ in batch], periods), "pay dues")
        restored = {e["args"]["memberId"] for e in own_events(session.registry, receipt, "MemberRestored")}
        for event in own_events(session.treasury, receipt, "DuesPaid"):
            paid = event["args"]
            member_id = paid["memberId"]
            note = ""
            if member_id in restored:
                note = "; it was lapsed: its vote is restored"
            elif t.duesLapsed(member_id).call():
                note = (f"; still {'lapsed' if member_id in plan.lapsed else 'overdue'}: its dues are not yet "
                        "current (pay more periods)")
            click.echo(f"{plan.labels[member_id]}: paid {asset.format(paid['amount'])} for {paid['periods']} "
                       f"period{'s' if paid['periods'] != 1 else ''}; paid until {when(paid['paidUntil'])}{note}")
            total += paid["amount"]
        batches += 1
    if plan.pay:
        click.echo(f"total: {asset.format(total)} for {len(plan.pay)} member(s) in {batches} transaction(s)")
    else:
        click.echo("nothing to pay: every member is paid ahead")


@treasury.command()
@click.argument("kind", type=click.Choice(CONTRIBUTIONS))
@click.argument("amount")
@click.option("--memo", required=True, help="Who gives and why (public).")
@click.option("--token", default="eth", show_default=True, help="`eth` or an ERC-20 address.")
@pass_session
def contribute(session: Session, kind: str, amount: str, memo: str, token: str) -> None:
    """Give AMOUNT (e.g. 25 ether, or 25 USDC for an ERC-20's own units) as a sponsorship or a grant."""
    token_address = gv.token(token)
    asset = asset_of(session.w3, token_address)
    value = parse_amount(amount, asset)
    if value == 0:
        raise InputError("a contribution must be more than zero")
    fn = session.treasury.functions.contribute(CONTRIBUTIONS.index(kind), token_address, value, memo)
    receipt = _pay(session, token_address, value, fn, kind)
    received = own_events(session.treasury, receipt, "Contributed")[0]["args"]["amount"]
    click.echo(f"{kind} of {asset.format(received)} received (transaction {receipt['transactionHash'].to_0x_hex()})")


@treasury.command()
@pass_session
def poke(session: Session) -> None:
    """Mark every member whose dues lapsed as Lapsed (anyone may; the contracts check it), and say which
    members are already marked."""
    marked_now = dues_keeper.poke(session)
    before = [(m, lapsed) for m, lapsed in dues_keeper.marked(session) if m not in marked_now]
    click.echo(f"marked lapsed: {', '.join(map(str, marked_now))}" if marked_now else
               "nothing to mark: every member whose dues lapsed is already marked" if before else
               "no member's dues have lapsed")
    if before:
        click.echo(f"already marked lapsed: {_marked_text(before)}")
