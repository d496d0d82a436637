"""`consortium deploy`: the suite from a config file (and optionally a founding roll in CSV)."""

from __future__ import annotations

from pathlib import Path

import click

from orchestrator.commands.common import pass_session
from orchestrator.errors import OrchestratorError
from orchestrator.operations import config as deployment_config
from orchestrator.operations.deploy import deploy as deploy_suite
from orchestrator.operations.session import Session


@click.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), default="config/consortium.example.toml",
              show_default=True, help="Deployment config (TOML): governor settings, tiers, founding members.")
@click.option("--force", is_flag=True, help="Replace the manifest of a deployment that is live on this chain.")
@pass_session
def deploy(session: Session, config_path: Path, force: bool) -> None:
    """Deploy and wire the suite, renounce every deployer power, write the manifest."""
    config = deployment_config.load(config_path)
    manifest = session.manifest_path
    if manifest.exists() and session.deployment_is_live() and not force:
        raise OrchestratorError(f"{manifest} describes a deployment live on this chain: pass --force to replace it")
    result = deploy_suite(session.w3, session.sender, config)
    result.write(manifest)
    click.echo(f"deployed {config.name} on chain {result.chain_id}; manifest {manifest}")
    for name, address in result.to_json()["contracts"].items():
        click.echo(f"  {name:20} {address}")
    if session.devnet:
        click.echo("note: this ran on an embedded devnet, which stops now; pass --rpc to keep a chain")
