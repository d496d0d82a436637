"""`consortium demo`: the whole story on a devnet, printed as it happens."""

from __future__ import annotations

import time

import click

from orchestrator.commands.common import pass_session
from orchestrator.operations.session import Session


@click.command()
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
