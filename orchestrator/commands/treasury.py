"""`consortium treasury status|dues|pay-dues|contribute|poke`: the consortium's funds and dues."""

from __future__ import annotations

import click

from orchestrator.commands.common import pass_session, when
from orchestrator.errors import InputError
from orchestrator.operations import dues as dues_keeper
from orchestrator.operations import governance as gv
from orchestrator.operations.amounts import parse_amount
from orchestrator.operations.config import ZERO_ADDRESS
from orchestrator.operations.deploy import contract
from orchestrator.operations.session import Session

CONTRIBUTIONS = ["sponsorship", "grant"]
ERC20_ABI_NAME = "IERC20"


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


@click.group()
def treasury() -> None:
    """The consortium's funds: status, dues, pay-dues, contribute, poke."""


@treasury.command()
@pass_session
def status(session: Session) -> None:
    """Balance, dues per tier, dues terms and members whose dues lapsed."""
    t, r = session.treasury.functions, session.registry.functions
    token = t.duesToken().call()
    unit = "wei" if token == ZERO_ADDRESS else f"units of {token}"
    click.echo(f"treasury {session.treasury.address}")
    click.echo(f"  balance: {session.w3.eth.get_balance(session.treasury.address)} wei"
               + ("" if token == ZERO_ADDRESS else f", {_balance(session, token)} {unit}"))
    click.echo(f"  dues period {t.duesPeriod().call()} s, grace {t.gracePeriod().call()} s, paid in {unit}")
    for tier in range(r.tierCount().call()):
        click.echo(f"  {r.tier(tier).call()[0]:12} {t.duesOf(tier).call()} per period")
    lapsed = dues_keeper.lapsable(session)
    click.echo(f"  lapsed, not yet marked: {', '.join(map(str, lapsed)) if lapsed else 'none'}")


@treasury.command(name="dues")
@click.argument("member")
@pass_session
def dues_of(session: Session, member: str) -> None:
    """Until when MEMBER's dues are paid, and whether they lapsed."""
    member_id = gv.member_id(session.registry, member)
    t = session.treasury.functions
    now = session.w3.eth.get_block("latest")["timestamp"]
    lapsed = t.duesLapsed(member_id).call()
    click.echo(f"member {member_id}: paid until {when(t.paidUntil(member_id).call(), now)}"
               f"{'; LAPSED (unpaid past the grace period)' if lapsed else ''}")


@treasury.command(name="pay-dues")
@click.argument("member")
@click.option("--periods", type=click.IntRange(1), default=1, show_default=True)
@pass_session
def pay_dues(session: Session, member: str, periods: int) -> None:
    """Pay MEMBER's dues for PERIODS periods (anyone may); restores a lapsed member."""
    member_id = gv.member_id(session.registry, member)
    t = session.treasury.functions
    tier = session.registry.functions.member(member_id).call()[1]
    amount = t.duesOf(tier).call() * periods
    receipt = _pay(session, t.duesToken().call(), amount, t.payDues(member_id, periods), "pay dues")
    paid = session.treasury.events.DuesPaid().process_receipt(receipt)[0]["args"]
    restored = session.registry.events.MemberRestored().process_receipt(receipt)
    click.echo(f"paid {paid['amount']} for member {member_id}: paid until {when(paid['paidUntil'])}"
               + ("; its vote is restored" if restored else ""))


@treasury.command()
@click.argument("kind", type=click.Choice(CONTRIBUTIONS))
@click.argument("amount")
@click.option("--memo", required=True, help="Who gives and why (public).")
@click.option("--token", default="eth", show_default=True, help="`eth` or an ERC-20 address.")
@pass_session
def contribute(session: Session, kind: str, amount: str, memo: str, token: str) -> None:
    """Give AMOUNT as a sponsorship or a grant."""
    value, token_address = parse_amount(amount), gv.token(token)
    if value == 0:
        raise InputError("a contribution must be more than zero")
    fn = session.treasury.functions.contribute(CONTRIBUTIONS.index(kind), token_address, value, memo)
    receipt = _pay(session, token_address, value, fn, kind)
    click.echo(f"{kind} of {value} received (transaction {receipt['transactionHash'].hex()})")


@treasury.command()
@pass_session
def poke(session: Session) -> None:
    """Mark every member whose dues lapsed as Lapsed (anyone may; the contracts check it)."""
    marked = dues_keeper.poke(session)
    click.echo(f"marked lapsed: {', '.join(map(str, marked))}" if marked else "no member's dues have lapsed")
