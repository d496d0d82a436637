"""`consortium report --from DATE --to DATE [--format text|html] [--out FILE]`: the transparency report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from orchestrator.commands.common import pass_session
from orchestrator.errors import InputError
from orchestrator.observers.observatory import Observatory
from orchestrator.observers.transparency import build, render_html, render_text
from orchestrator.operations.session import Session


def _date(text: str, end_of_day: bool) -> int:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InputError(f"date {text!r} is not YYYY-MM-DD") from None
    return int((day + timedelta(days=1) if end_of_day else day).timestamp()) - (1 if end_of_day else 0)


@click.command()
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (UTC).")
@click.option("--to", "end", required=True, help="Last day, YYYY-MM-DD (UTC), included.")
@click.option("--format", "fmt", type=click.Choice(["text", "html"]), default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of the terminal.")
@pass_session
def report(session: Session, start: str, end: str, fmt: str, out: Path | None) -> None:
    """Membership changes, decisions with their tallies, standards adopted, censures and the treasury's
    money in and out between two dates, from the index database alone."""
    first, last = _date(start, False), _date(end, True)
    if last < first:
        raise InputError(f"--to {end} is before --from {start}")
    built = build(Observatory(session.options.db), first, last)
    text = render_html(built) if fmt == "html" else render_text(built)
    if out:
        out.write_text(text)
        click.echo(f"report written to {out}")
    else:
        click.echo(text, nl=False)
