"""The `consortium` command line. The only place that turns errors into an exit code: an OrchestratorError,
a node that stops answering, or a node's answer that no command foresaw (a JSON-RPC error, a view call's
revert, a receipt that never came) is a one-line `Error: …` and exit 1, or the traceback with --debug.

Commands are imported when they run, not when the CLI starts: web3, eth-account, FastAPI and SQLAlchemy take
most of a second to import, which `--help`, `--version` and every command would otherwise pay."""

from __future__ import annotations

import importlib
import logging
from contextlib import ExitStack
from pathlib import Path

import click

from orchestrator import __version__

# name: (module, attribute, the summary `consortium --help` lists without importing the module)
COMMANDS = {
    "devnet": ("orchestrator.commands.devnet", "devnet", "Run a local devnet; move its clock."),
    "deploy": ("orchestrator.commands.deploy", "deploy", "Deploy the suite from a config file."),
    "wallet": ("orchestrator.commands.wallet", "wallet", "Create, import, list and fund wallets."),
    "propose": ("orchestrator.commands.institution_proposals", "propose", "Propose a governance action."),
    "proposal": ("orchestrator.commands.proposals", "proposal", "List, show, queue, execute, cancel proposals."),
    "vote": ("orchestrator.commands.members", "vote", "Vote, or sign a ballot for the relayer."),
    "reveal": ("orchestrator.commands.sealed", "reveal", "Reveal your sealed vote on a proposal."),
    "member": ("orchestrator.commands.members", "member", "The roll, and a member's own actions."),
    "ballot": ("orchestrator.commands.ballots", "ballot", "A Safe member's ballot: owners sign, then combine."),
    "relay": ("orchestrator.commands.relay", "relay", "Relay signed ballots (files or HTTP)."),
    "treasury": ("orchestrator.commands.treasury", "treasury", "Funds and dues: status, pay, contribute."),
    "body": ("orchestrator.commands.bodies", "body", "Bodies: list, show, propose, approve, spend."),
    "standard": ("orchestrator.commands.standards", "standard", "Standards: publish, attest, compliance."),
    "conduct": ("orchestrator.commands.conduct", "conduct", "Conduct reports and censures."),
    "advisory": ("orchestrator.commands.advisories", "advisory", "Industry advisories: file, decide, reply."),
    "election": ("orchestrator.commands.elections", "election",
                 "Elections of bodies' seats: nominate, ballot, vote by approval."),
    "contribution": ("orchestrator.commands.contributions", "contribution",
                     "Contribution weight: each member's part of its vote."),
    "index": ("orchestrator.commands.observe", "index", "Index the suite's events into the database."),
    "results": ("orchestrator.commands.results", "results", "Proposals' results from the index."),
    "report": ("orchestrator.commands.report", "report", "The transparency report for a period."),
    "serve": ("orchestrator.commands.observe", "serve", "The observers' web dashboard."),
    "audit": ("orchestrator.commands.observe", "audit", "Who holds which power, from the chain."),
    "demo": ("orchestrator.commands.demo", "demo", "The whole story on an embedded devnet."),
}


def _one_line(exc: Exception, rpc: str | None) -> str | None:
    """The sentence for an error a user can meet, or None for a bug (which keeps its traceback)."""
    from orchestrator.errors import OrchestratorError

    if isinstance(exc, OrchestratorError):
        return str(exc)
    if isinstance(exc, UnicodeEncodeError) and exc.encoding == "utf-8" and exc.reason == "surrogates not allowed":
        return _not_utf8(exc)
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import HTTPError, Timeout

    if isinstance(exc, RequestsConnectionError | Timeout | HTTPError):  # still failing after the retries
        return (f"the node at {rpc} stopped answering ({type(exc).__name__}); what was committed is kept: run the "
                "command again")
    from web3.exceptions import ContractLogicError, TimeExhausted, Web3RPCError

    if isinstance(exc, ContractLogicError):  # a node's answer no command foresaw
        from orchestrator.chain.reverts import decode_revert

        return f"a call reverted: {decode_revert(exc)}"
    if isinstance(exc, TimeExhausted):
        return str(exc)
    if isinstance(exc, Web3RPCError):
        from orchestrator.chain.node import rpc_message

        return f"the node refused a request: {rpc_message(exc)}"
    return None


def _not_utf8(exc: UnicodeEncodeError) -> str:
    """Text given that cannot be sent, signed or stored: bytes the shell passed that are not UTF-8 (Python keeps
    each as a lone surrogate, U+DC80 to U+DCFF, and only UTF-8 text is encoded), or half a surrogate pair."""
    held = exc.object[exc.start:exc.end]
    try:
        found = "the bytes " + held.encode("utf-8", "surrogateescape").hex(" ")
    except UnicodeEncodeError:
        found = f"{held!r}, half of a UTF-16 surrogate pair"
    return f"the text given is not UTF-8 (it holds {found}): give it in UTF-8"


class ConsortiumGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, summary = COMMANDS[name]
        command = getattr(importlib.import_module(module), attribute)
        command.short_help = summary  # the listing and the command's own help agree by construction
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, _, summary) in COMMANDS.items()])

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            message = None if ctx.params.get("debug") else _one_line(exc, ctx.params.get("rpc"))
            if message is None:
                raise
            raise click.ClickException(message) from None


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
    from orchestrator.commands.common import passphrase_for
    from orchestrator.operations.session import Options, Session

    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(message)s")
    if not debug:  # the transport's retries are ours to summarise in one line (see _one_line), not to narrate
        logging.getLogger("urllib3").setLevel(logging.ERROR)
    options = Options(rpc, deployment, account, keystore_dir, confirmations, db, rpc_timeout)
    ctx.obj = Session(options, ctx.with_resource(ExitStack()), passphrase_for)


if __name__ == "__main__":  # `python -m orchestrator.cli`, as the console script `consortium` does
    main()
