"""What observers run: `consortium index [--follow]` (the reorg-safe index of every event of the suite),
`consortium audit` (who holds which power, from the chain) and `consortium serve` (the dashboard)."""

from __future__ import annotations

import re

import click

from orchestrator.commands.common import pass_session
from orchestrator.errors import InputError, OrchestratorError
from orchestrator.observers.indexer.sync import Indexer
from orchestrator.operations.session import Session


@click.command()
@click.option("--follow", is_flag=True, help="Keep following the chain's head until Ctrl-C.")
@click.option("--confirmations", type=click.IntRange(0), default=0, show_default=True,
              help="Stay this many blocks behind the head (reorgs deeper than this are still undone).")
@click.option("--interval", type=click.FloatRange(0.1), default=2.0, show_default=True,
              help="Seconds between polls with --follow.")
@click.option("--verify", is_flag=True, help="After indexing, compare the database with the contracts' getters "
              "at the indexed block and report every difference (exit 1 if any).")
@pass_session
def index(session: Session, follow: bool, confirmations: int, interval: float, verify: bool) -> None:
    """Read every event of the suite into the database (--db), surviving reorgs and restarts."""
    indexer = Indexer.of(session.w3, session.deployment, session.options.db, confirmations)

    def report(progress) -> None:
        click.echo(f"\r{progress}", nl=False)

    added = indexer.sync(report)
    click.echo(f"\nindexed {added} new events; {indexer.store.count()} in all, up to block {indexer.store.cursor()}")
    if verify:
        from orchestrator.observers.observatory import Observatory
        from orchestrator.observers.verify import verify as compare

        differences = compare(session, Observatory(session.options.db))
        for line in differences:
            click.echo(f"  difference: {line}")
        if differences:
            raise OrchestratorError(f"{len(differences)} difference(s) between the index and the chain")
        click.echo(f"verified against the chain at block {indexer.store.cursor()}: no differences")
    if follow:
        click.echo("following the head; Ctrl-C stops")
        try:
            indexer.follow(interval, report, stop=lambda: False)
        except KeyboardInterrupt:
            click.echo(f"\nstopped at block {indexer.store.cursor()}")


@click.command()
@pass_session
def audit(session: Session) -> None:
    """Prove decentralization from the chain: every role, owner and privileged address of every contract
    and who holds it, then the rules proposals are judged by; exits 1 if any power is held outside the
    system's own contracts."""
    from orchestrator.operations.audit import audit as read_holdings
    from orchestrator.operations.audit import rules as read_rules

    holdings = read_holdings(session)
    for h in holdings:
        click.echo(f"{h.contract:20} {h.power:22} {h.holder}  {h.verdict}")
    r = read_rules(session)
    click.echo("\nrules, read from the chain:")
    click.echo(f"  ordinary: for > against, quorum {r.quorum_percent}% of all weight")
    click.echo(f"  constitutional: 2/3 of for + against, a majority in every tier that votes and for > half of "
               f"all weight, quorum "
               f"{r.constitutional_quorum_percent}%; for the governor's settings, the timelock's delay and "
               + ", ".join(r.constitutional))
    click.echo("  a member's case: its own proposal, nothing else in it; the member recused; the constitutional "
               "rule; for " + (", ".join(r.member_case) or "no call"))
    click.echo("  refused at propose: any other call to the governor or the timelock (scheduling, execution, "
               "cancellation, roles, relay, a new timelock)")
    click.echo(f"  weight cap {r.weight_cap_bps / 100:g}% of all weight; voting delay {r.voting_delay} s, "
               f"period {r.voting_period} s; timelock delay {r.timelock_delay} s; execution only through the "
               "governor")
    outside = [h for h in holdings if h.outside]
    if outside:
        raise OrchestratorError(f"{len(outside)} power(s) held outside the system: "
                                + "; ".join(f"{h.contract} {h.power} by {h.holder}" for h in outside))
    click.echo(f"decentralized: all {len(holdings)} powers are held by the system's own contracts or by nobody")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on (public data, but "
              "loopback unless you mean to publish it).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option("--explorer", metavar="URL", default=None, help="A block explorer's base URL (https://etherscan.io): "
              "addresses and transactions become links to {URL}/address/… and {URL}/tx/…; without it, the hash only.")
@click.option("--relay", metavar="URL", default=None, help="The relay API members' gas-free ballots go to "
              "(`consortium relay serve`'s URL): an open proposal's voting panel posts the ballots its members sign "
              "there; without it, the panel votes by transaction only.")
@pass_session
def serve(session: Session, host: str, port: int, explorer: str | None, relay: str | None) -> None:
    """The read-only web dashboard and JSON API for observers, from the index database (--db): proposals
    with per-tier charts and every ballot, members and tiers, treasury, bodies, standards, conduct; and the
    voting panel on an open proposal's page, where members vote from their own wallets (/vote/ID links to it)."""
    from orchestrator.observers.observatory import Observatory
    from orchestrator.web import dashboard, serving, voting

    if explorer is not None and not re.fullmatch(r"https?://[^\s\"'<>]+", explorer):
        raise InputError(f"--explorer must be an http(s) URL such as https://etherscan.io, not {explorer!r}")
    if relay is not None:
        voting.relay_origin(relay)  # refused now, with the reason, if it is not a web URL
    Observatory(session.options.db)  # fail now, with the reason, if there is no index yet
    sock = serving.listening(host, port)
    click.echo(f"dashboard at http://{host}:{sock.getsockname()[1]}/ (JSON under /api/); Ctrl-C stops it")
    serving.serve(dashboard.app(session.options.db, explorer, relay), dashboard.MAX_BODY, sock)
