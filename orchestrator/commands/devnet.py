"""`consortium devnet`: a local chain for trying the suite, and moving its clock."""

from __future__ import annotations

import time

import click

from orchestrator.chain.amounts import format_amount
from orchestrator.chain.node import DEVNET_CHAIN_ID, Devnet
from orchestrator.commands.common import pass_session
from orchestrator.errors import InputError
from orchestrator.operations.session import Session

UNITS = {"s": 1, "min": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """Seconds from `90`, `90s`, `15min`, `2h` or `30d`."""
    number, unit = text.strip(), "s"
    for name in sorted(UNITS, key=len, reverse=True):
        if number.endswith(name):
            number, unit = number[: -len(name)].strip(), name
            break
    if not number.isdecimal() or int(number) == 0:
        raise InputError(f"duration {text!r} is not a positive whole number of s, min, h or d (e.g. 2h, 30d)")
    return int(number) * UNITS[unit]


@click.group(invoke_without_command=True)
@click.option("--port", type=int, default=8545, show_default=True, help="Loopback port to listen on.")
@click.pass_context
def devnet(ctx: click.Context, port: int) -> None:
    """Run a local devnet (anvil) in the foreground until Ctrl-C; `devnet advance` moves its clock."""
    if ctx.invoked_subcommand is not None:
        return
    with Devnet(port=port) as node:
        from orchestrator.chain.node import connect

        w3 = connect(node.url)
        click.echo(f"devnet listening at {node.url} (chain {DEVNET_CHAIN_ID}, hardfork cancun); Ctrl-C stops it")
        click.echo("funded accounts, unlocked on the node (the deployer by default; send ETH from them with "
                   "`consortium wallet fund`):")
        for account in w3.eth.accounts:
            click.echo(f"  {account}  {format_amount(w3.eth.get_balance(account))}")
        try:
            while node.process and node.process.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            click.echo("stopping the devnet")


@devnet.command()
@click.argument("duration")
@pass_session
def advance(session: Session, duration: str) -> None:
    """Move a devnet's clock forward by DURATION (90s, 15min, 2h, 30d) and mine a block."""
    seconds = parse_duration(duration)
    if not session.options.rpc:
        raise InputError("pass --rpc (or CONSORTIUM_RPC): the devnet to move is the one `consortium devnet` runs")
    w3 = session.w3
    if w3.eth.chain_id != DEVNET_CHAIN_ID:
        raise InputError(f"the node at {session.options.rpc} is chain {w3.eth.chain_id}, not a devnet "
                         f"({DEVNET_CHAIN_ID}): only a devnet's clock can be moved")
    for method, params in (("evm_increaseTime", [seconds]), ("evm_mine", [])):
        answer = w3.provider.make_request(method, params)
        if "error" in answer:
            raise InputError(f"the node refused {method}: {answer['error'].get('message', answer['error'])}")
    from orchestrator.commands.common import when

    click.echo(f"the devnet's clock is now {when(w3.eth.get_block('latest')['timestamp'])}")
