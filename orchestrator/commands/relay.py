"""`consortium relay FILE...` and `consortium relay serve`: accept signed ballots (and, on sealed proposals,
signed commitments and reveals; on an election's ballot, signed approval ballots), validate them, persist them,
submit them in batches and report each one's outcome."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import click
from requests.exceptions import RequestException

from orchestrator import untrusted_json
from orchestrator.commands.common import pass_session
from orchestrator.errors import InputError, OrchestratorError
from orchestrator.operations.session import Session
from orchestrator.relay import ballot_file
from orchestrator.relay import relayer as relayer_module
from orchestrator.relay.relayer import BallotRefused, Relayer
from orchestrator.relay.store import RelayStore, StoredApproval, StoredBallot, StoredCommitment
from orchestrator.web import relay as relay_api
from orchestrator.web import serving

log = logging.getLogger(__name__)
# What an included item did on chain, as `relay FILE` reports it.
DONE = {"ballot": "included", "commitment": "committed", "reveal": "revealed and counted", "approval": "included"}


class DefaultGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, goes to a default subcommand, so that
    `relay FILE...` and `relay serve` both work."""

    default_command = "files"

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def _relayer(session: Session, batch_size: int) -> Relayer:
    session.sender.require_signing(session.w3, "relay")  # before anything is accepted, not at the first batch
    store = RelayStore(session.options.db, session.w3.eth.chain_id, session.deployment.governor)
    return Relayer(session, store, batch_size)


@click.group(cls=DefaultGroup)
def relay() -> None:
    """Relay signed ballots: `relay FILE...` submits ballot, commitment, reveal and approval ballot files now;
    `relay serve` runs an endpoint."""


@relay.command(hidden=True)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--batch-size", type=click.IntRange(1, 250), default=100, show_default=True)
@pass_session
def files(session: Session, files: tuple[Path, ...], batch_size: int) -> None:
    """Validate, persist and submit ballot, commitment, reveal and approval files (told apart by `format`); report
    each one's outcome. A reveal escrowed before the reveal start stays held, and is sent from then."""
    relayer = _relayer(session, batch_size)
    accepted: dict[Path, tuple[str, int]] = {}
    rejected, kinds = 0, set()
    for path in files:
        try:
            try:
                data = untrusted_json.loads(path.read_text())
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise BallotRefused(f"cannot read a ballot from it: {exc}") from None
            format_ = data.get("format") if isinstance(data, dict) else None
            kinds.add(ballot_file.KINDS.get(format_, (None, "ballot"))[1])
            item = relayer.receive_file(data)
            accepted[path] = (_kind(item), item.id)
            click.echo(f"{path}: accepted")
        except InputError as exc:
            rejected += 1
            click.echo(f"{path}: rejected: {exc}")
    relayer.submit()
    for path, (kind, item_id) in accepted.items():
        item = relayer.store.get(item_id, kind)
        if item.status == "included":
            click.echo(f"{path}: {DONE[kind]} in transaction {item.tx_hash}")
        elif kind == "reveal" and item.status == "accepted" and item.escrow and item.detail.startswith("escrowed"):
            click.echo(f"{path}: held: {item.detail} (`relay serve` sends it then, or run `relay` again)")
        else:
            rejected += 1
            click.echo(f"{path}: {item.status}: {item.detail or 'waiting'}")
    if rejected:
        what = "ballots" if kinds <= {"ballot"} else "files"
        raise OrchestratorError(f"{rejected} of {len(files)} {what} were not counted")


def _kind(item) -> str:
    if isinstance(item, StoredApproval):
        return "approval"
    return "ballot" if isinstance(item, StoredBallot) else "commitment" if isinstance(item, StoredCommitment) \
        else "reveal"


@relay.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8546, show_default=True)
@click.option("--interval", type=click.FloatRange(0.1), default=5.0, show_default=True,
              help="Seconds between submissions of accepted ballots.")
@click.option("--batch-size", type=click.IntRange(1, 250), default=100, show_default=True)
@pass_session
def serve(session: Session, host: str, port: int, interval: float, batch_size: int) -> None:
    """Accept ballots over HTTP (POST /ballots, GET /ballots/ID; on sealed proposals POST /commitments and
    POST /reveals; on an election's ballot POST /approvals; OpenAPI at /openapi.json) and submit them in batches."""
    relayer = _relayer(session, batch_size)
    logging.getLogger(relayer_module.__name__).setLevel(logging.INFO)  # a line per batch, for the operator
    sock = serving.listening(host, port)
    stop = threading.Event()
    submitter = threading.Thread(target=_submit_loop, args=(relayer, interval, stop), daemon=True)
    submitter.start()
    click.echo(f"relaying to {session.deployment.governor} on chain {relayer.domain['chainId']}; "
               f"listening on http://{host}:{sock.getsockname()[1]} (API described at /openapi.json)")
    try:
        serving.serve(relay_api.app(relayer), relay_api.MAX_BODY, sock)
    finally:
        stop.set()
        submitter.join()
        click.echo("stopped; submitting what was accepted")
        relayer.submit()


def _submit_loop(relayer: Relayer, interval: float, stop: threading.Event) -> None:
    while not stop.wait(interval):
        try:
            relayer.submit()
        except (OrchestratorError, RequestException) as exc:  # keep serving; accepted ballots stay in the database
            log.error("submission failed, will retry: %s", exc)
        except Exception:  # a bug must not silently stop submissions while the endpoint keeps accepting
            log.exception("submission failed unexpectedly, will retry")
