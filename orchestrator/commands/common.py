"""What every command module shares: the session decorator, passphrase input, id and time formats."""

from __future__ import annotations

import os
import sys

import click

from orchestrator.chain.reverts import utc
from orchestrator.errors import OrchestratorError
from orchestrator.operations.session import Session

pass_session = click.make_pass_decorator(Session)


def passphrase_for(name: str, confirm: bool = False) -> str:
    """CONSORTIUM_PASSPHRASE (for CI), else a hidden prompt; never a flag."""
    from_env = os.environ.get("CONSORTIUM_PASSPHRASE")
    if from_env is not None:
        return from_env
    if not sys.stdin.isatty():
        raise OrchestratorError(f"no passphrase for wallet {name!r}: set CONSORTIUM_PASSPHRASE or run in a terminal")
    return click.prompt(f"Passphrase for wallet {name!r}", hide_input=True, confirmation_prompt=confirm)


def when(timestamp: int, now: int | None = None) -> str:
    """A timestamp in UTC, with how far it is from `now`."""
    text = utc(timestamp)
    if now is None:
        return text
    delta = timestamp - now
    span = abs(delta)
    human = (f"{span // 86400} d" if span >= 86400 else f"{span // 3600} h" if span >= 3600
             else f"{span // 60} min" if span >= 60 else f"{span} s")  # "in 0 min" would say nothing
    return f"{text} ({'in ' + human if delta > 0 else human + ' ago'})"
