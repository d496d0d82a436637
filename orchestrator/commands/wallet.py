"""`consortium wallet new|import|list|address|fund`: eth-account v3 keystores (scrypt), mode 0600."""

from __future__ import annotations

import os
import sys

import click

from orchestrator.chain.amounts import format_amount, parse_amount
from orchestrator.chain.node import EncodedCall
from orchestrator.commands.common import pass_session, passphrase_for
from orchestrator.errors import OrchestratorError, WalletError
from orchestrator.operations.governance import address as parse_address
from orchestrator.operations.session import Session


@click.group()
def wallet() -> None:
    """Manage keystore wallets (encrypted keys; passphrases are prompted or read from the environment)."""


@wallet.command()
@click.argument("names", nargs=-1, required=True)
@pass_session
def new(session: Session, names: tuple[str, ...]) -> None:
    """Create a wallet with a new random key for each NAME (one passphrase for all)."""
    for name in names:
        session.keystores.path(name)  # every name checked before any key is made
        if session.keystores.path(name).exists():
            raise WalletError(f"wallet {name!r} already exists at {session.keystores.path(name)}: nothing created")
    passphrase = passphrase_for(names[0] if len(names) == 1 else f"{len(names)} new wallets", confirm=True)
    for name in names:
        created = session.keystores.create(name, passphrase)
        click.echo(f"{created.name} {created.address} ({created.path})")


@wallet.command(name="import")
@click.argument("name")
@pass_session
def import_(session: Session, name: str) -> None:
    """Store an existing private key: prompted with hidden input, or CONSORTIUM_IMPORT_KEY."""
    key = os.environ.get("CONSORTIUM_IMPORT_KEY")
    if key is None:
        if not sys.stdin.isatty():
            raise OrchestratorError("no key to import: set CONSORTIUM_IMPORT_KEY or run in a terminal")
        key = click.prompt("Private key (hex)", hide_input=True)
    imported = session.keystores.import_key(name, key, passphrase_for(name, confirm=True))
    click.echo(f"{imported.name} {imported.address} ({imported.path})")


@wallet.command(name="list")
@pass_session
def list_(session: Session) -> None:
    """List the wallets in the keystore directory."""
    wallets = session.keystores.list()
    if not wallets:
        click.echo(f"no wallets in {session.keystores.directory}")
    for w in wallets:
        click.echo(f"{w.name:24} {w.address}")


@wallet.command()
@click.argument("name")
@pass_session
def address(session: Session, name: str) -> None:
    """Print a wallet's address (no passphrase needed)."""
    click.echo(session.keystores.get(name).address)


@wallet.command()
@click.argument("wallets", nargs=-1, required=True)
@click.option("--amount", default="1 ether", show_default=True, help="How much each receives (1ether, 0.5 ETH…).")
@pass_session
def fund(session: Session, wallets: tuple[str, ...], amount: str) -> None:
    """Send ETH for gas to each of WALLETS (names or addresses), from --account or a devnet's first account."""
    value = parse_amount(amount)
    targets = [(w, w if w.startswith("0x") else session.keystores.get(w).address) for w in wallets]
    targets = [(label, parse_address(address, label)) for label, address in targets]  # all checked first
    for label, address in targets:
        session.sender.transact(session.w3, EncodedCall(session.w3, address), f"fund {label}", value=value)
        click.echo(f"sent {format_amount(value)} to {label} ({address}): balance "
                   f"{format_amount(session.w3.eth.get_balance(address))}")
