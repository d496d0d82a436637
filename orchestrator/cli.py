"""The `consortium` command line. The only place that turns errors into an exit code: an OrchestratorError,
a node that stops answering, or a node's answer that no command foresaw (a JSON-RPC error, a view call's
revert, a receipt that never came) is a one-line `Error: …` and exit 1, or the traceback with --debug."""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from pathlib import Path

import click
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import HTTPError, Timeout
from web3.exceptions import ContractLogicError, TimeExhausted, Web3RPCError

from orchestrator import __version__
from orchestrator.chain.node import Devnet, rpc_message
from orchestrator.chain.reverts import decode_revert
from orchestrator.commands.common import pass_session, passphrase_for
from orchestrator.errors import OrchestratorError
from orchestrator.operations import config as deployment_config
from orchestrator.operations.deploy import deploy as deploy_suite
from orchestrator.operations.session import Options, Session


class ConsortiumGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OrchestratorError as exc:
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(str(exc)) from None
        except (RequestsConnectionError, Timeout, HTTPError) as exc:  # still failing after the transport's retries
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(f"the node at {ctx.params.get('rpc')} stopped answering "
                                       f"({type(exc).__name__}); what was committed is kept: run the command "
                                       "again") from None
        except (Web3RPCError, ContractLogicError, TimeExhausted) as exc:  # a node's answer no command foresaw
            if ctx.params.get("debug"):
                raise
            if isinstance(exc, ContractLogicError):
                raise click.ClickException(f"a call reverted: {decode_revert(exc)}") from None
            if isinstance(exc, TimeExhausted):
                raise click.ClickException(str(exc)) from None
            raise click.ClickException(f"the node refused a request: {rpc_message(exc)}") from None


@click.group(cls=ConsortiumGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="consortium")
@click.option("--rpc", envvar="CONSORTIUM_RPC", help="JSON-RPC URL of the node [env CONSORTIUM_RPC]. "
              "Without it, an embedded devnet runs for the duration of the command.")
@click.option("--rpc-timeout", envvar="CONSORTIUM_RPC_TIMEOUT", type=click.FloatRange(0.1), default=30.0,
              show_default=True, help="Seconds to wait for each answer of the node [env CONSORTIUM_RPC_TIMEOUT].")
@click.option("--deployment", envvar="CONSORTIUM_DEPLOYMENT", type=click.Path(path_type=Path),
              help="Deployment manifest [env CONSORTIUM_DEPLOYMENT; default deployments/<chain id>.json].")
@click.option("--account", envvar="CONSORTIUM_ACCOUNT",
              help="Wallet that signs [env CONSORTIUM_ACCOUNT]; on a devnet, its first account by default.")
@click.option("--keystore-dir", envvar="CONSORTIUM_KEYSTORE", type=click.Path(path_type=Path),
              help="Where wallets live [env CONSORTIUM_KEYSTORE; default ~/.consortium/keystores].")
@click.option("--confirmations", envvar="CONSORTIUM_CONFIRMATIONS", type=click.IntRange(1), default=1,
              show_default=True, help="Blocks to wait after a transaction is mined [env CONSORTIUM_CONFIRMATIONS].")
@click.option("--db", envvar="CONSORTIUM_DB", default="sqlite:///consortium.db", show_default=True,
              help="Database URL (SQLite file or postgresql://…) [env CONSORTIUM_DB].")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def main(ctx: click.Context, rpc, rpc_timeout, deployment, account, keystore_dir, confirmations, db, debug) -> None:
    """Governance for an industry consortium on an EVM chain."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(message)s")
    options = Options(rpc, deployment, account, keystore_dir, confirmations, db, rpc_timeout)
    ctx.obj = Session(options, ctx.with_resource(ExitStack()), passphrase_for)


@main.command()
@click.option("--port", type=int, default=8545, show_default=True, help="Loopback port to listen on.")
def devnet(port: int) -> None:
    """Run a local devnet (anvil) in the foreground until Ctrl-C, for other tools to use."""
    with Devnet(port=port) as node:
        click.echo(f"devnet listening at {node.url} (chain 31337, hardfork cancun); Ctrl-C stops it")
        try:
            while node.process and node.process.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            click.echo("stopping the devnet")


@main.command()
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


def _register() -> None:
    from orchestrator.commands import (
        bodies,
        conduct,
        institution_proposals,  # noqa: F401  (adds the institutions' actions to `propose`)
        members,
        observe,
        proposals,
        relay,
        report,
        results,
        standards,
        treasury,
        wallet,
    )

    main.add_command(wallet.wallet)
    main.add_command(proposals.propose)
    main.add_command(proposals.proposal)
    main.add_command(members.vote)
    main.add_command(members.member)
    main.add_command(relay.relay)
    main.add_command(observe.index)
    main.add_command(observe.audit)
    main.add_command(observe.serve)
    main.add_command(results.results)
    main.add_command(report.report)
    main.add_command(treasury.treasury)
    main.add_command(bodies.body)
    main.add_command(standards.standard)
    main.add_command(conduct.conduct)


_register()


@main.command()
@click.option("--members", type=click.IntRange(21), default=35, show_default=True,
              help="How many members (1/7 founding, 4/7 regular, 2/7 observers).")
@pass_session
def demo(session: Session, members: int) -> None:
    """Run a whole consortium on a devnet: deploy, propose, vote directly and by relayed signed ballots,
    recuse, queue, execute, and print the tallies per tier, the quorum, the outcome and the gas used."""
    from orchestrator.demo import Demo

    demo_run = Demo(session, members, lambda line: click.echo(f"[{time.strftime('%H:%M:%S')}] {line}"))
    report = demo_run.run()
    for proposal, standing in report.proposals:
        click.echo(f"\n  {proposal.title}\n  kind {standing.kind}, outcome {standing.state}; quorum "
                   f"{standing.quorum} needed, {standing.quorum_votes} reached (for + abstain)")
        click.echo(f"  {'tier':10} {'for':>7} {'against':>8} {'abstain':>8}")
        for tier, (for_, against, abstain) in standing.tallies.items():
            click.echo(f"  {tier:10} {for_:>7} {against:>8} {abstain:>8}")
    click.echo("\n  institutions:")
    for line in report.institutions:
        click.echo(f"    {line}")
    click.echo("\n  gas used: " + ", ".join(f"{what} {gas:,}" for what, gas in report.gas.items()))
    click.echo(f"  wall time {report.wall_s:.1f} s")
    indexed = demo_run.index()
    click.echo(f"\n  indexed {indexed} events into {session.options.db}: read them with `consortium results` and "
               "`consortium report` (no chain needed)")


if __name__ == "__main__":  # `python -m orchestrator.cli`, as the console script `consortium` does
    main()
