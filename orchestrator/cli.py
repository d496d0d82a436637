"""The `consortium` command line. The only place that turns OrchestratorError into an exit code.

This increment covers deployment; wallets, proposals, ballots, the relayer and the observer commands
follow (see the README)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click
from web3 import HTTPProvider, Web3

from . import __version__
from . import config as deployment_config
from .chain import Sender
from .deploy import deploy as deploy_suite
from .errors import OrchestratorError


def _connect(rpc: str) -> Web3:
    w3 = Web3(HTTPProvider(rpc, request_kwargs={"timeout": 30}))
    try:
        logging.getLogger(__name__).debug("connected to chain %s at %s", w3.eth.chain_id, rpc)
    except Exception as exc:  # requests' and web3's connection errors differ by version; all mean "unreachable"
        raise OrchestratorError(f"cannot reach an Ethereum node at {rpc}: {type(exc).__name__}") from None
    return w3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="consortium")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Governance for an industry consortium on an EVM chain."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(message)s")
    ctx.obj = {"debug": debug}


@main.command()
@click.option("--rpc", envvar="CONSORTIUM_RPC", required=True, help="JSON-RPC URL of the node (env CONSORTIUM_RPC).")
@click.option("--config", "config_path", type=click.Path(path_type=Path), default="config/consortium.example.toml",
              show_default=True, help="Deployment config (TOML): governor settings, tiers, founding members.")
@click.option("--manifest", type=click.Path(path_type=Path), default=None,
              help="Where to write the manifest [default: deployments/<chain id>.json].")
@click.option("--unlocked", "unlocked_from", required=True,
              help="Deploy from this node-managed (unlocked) account, e.g. a devnet account.")
@click.option("--force", is_flag=True, help="Overwrite an existing manifest.")
@click.pass_context
def deploy(ctx: click.Context, rpc: str, config_path: Path, manifest: Path | None, unlocked_from: str,
           force: bool) -> None:
    """Deploy and wire the suite, renounce every deployer power, write the manifest."""
    try:
        config = deployment_config.load(config_path)
        w3 = _connect(rpc)
        manifest = manifest or Path("deployments") / f"{w3.eth.chain_id}.json"
        if manifest.exists() and not force:
            raise OrchestratorError(f"{manifest} exists: pass --force to overwrite it")
        if not Web3.is_address(unlocked_from):
            raise OrchestratorError(f"--unlocked: {unlocked_from!r} is not an address")
        result = deploy_suite(w3, Sender(Web3.to_checksum_address(unlocked_from)), config)
        result.write(manifest)
    except OrchestratorError as exc:
        if ctx.obj["debug"]:
            raise
        raise click.ClickException(str(exc)) from None
    click.echo(f"deployed {config.name} on chain {result.chain_id}; manifest {manifest}")
    for name, address in result.to_json()["contracts"].items():
        click.echo(f"  {name:20} {address}")


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(__file__))
