"""`consortium wallet new|import|list|address`: eth-account v3 keystores (scrypt), mode 0600."""

from __future__ import annotations

import os
import sys

import click

from orchestrator.commands.common import pass_session, passphrase_for
from orchestrator.errors import OrchestratorError
from orchestrator.operations.session import Session


@click.group()
def wallet() -> None:
    """Manage keystore wallets (encrypted keys; passphrases are prompted or read from the environment)."""


@wallet.command()
@click.argument("name")
@pass_session
def new(session: Session, name: str) -> None:
    """Create a wallet with a new random key."""
    created = session.keystores.create(name, passphrase_for(name, confirm=True))
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
