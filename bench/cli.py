"""The CLI as people meet it: how long `consortium` takes to start, and the wall time of a year of a
consortium through it (tests/integration/year.py: 72 members, every institution, about 300 commands)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

from eth_account import Account
from web3 import Web3

from orchestrator.chain.node import Devnet

ROOT = Path(__file__).resolve().parents[1]
CONSORTIUM = str(ROOT / ".venv" / "bin" / "consortium")
STARTS = {  # what is timed: the bare interpreter is the floor every Python CLI pays
    "python -c pass": [sys.executable, "-c", "pass"],
    "consortium --version": [CONSORTIUM, "--version"],
    "consortium --help": [CONSORTIUM, "--help"],
    "consortium wallet list (imports web3)": [CONSORTIUM, "wallet", "list"],
}


def startup_s(runs: int = 15) -> dict[str, float]:
    """Median wall time of each command from exec to exit, over `runs` runs each (interleaved, so that a
    busy moment of the machine weighs on all of them alike)."""
    times: dict[str, list[float]] = {name: [] for name in STARTS}
    with tempfile.TemporaryDirectory() as keystores:
        env = {"CONSORTIUM_KEYSTORE": keystores, "PATH": "/usr/bin:/bin"}
        for _ in range(runs):
            for name, argv in STARTS.items():
                started = time.perf_counter()
                subprocess.run(argv, env=env, check=True, capture_output=True)
                times[name].append(time.perf_counter() - started)
    return {name: round(statistics.median(t), 3) for name, t in times.items()}


def year() -> dict:
    """The year of tests/integration/year.py on a fresh anvil, in-process (CliRunner, as its test runs it),
    with keystores at a light scrypt cost (as in the test: 72 wallets at full cost would add about a minute
    of key derivation, which is not the CLI's to speed up)."""
    from tests.integration.conftest import Cli
    from tests.integration.test_year import relay_over_http
    from tests.integration.year import live_a_year

    encrypt = Account.encrypt
    light = staticmethod(lambda key, password, kdf=None, iterations=None:
                         encrypt(key, password, kdf=kdf, iterations=2**10))
    with ExitStack() as stack, Devnet() as node:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stack.enter_context(mock.patch.object(Account, "encrypt", light))
        cli = Cli(node, work, Web3(Web3.HTTPProvider(node.url)))
        cli.env["CONSORTIUM_DB"] = f"sqlite:///{work / 'consortium.db'}"
        started = time.perf_counter()
        lived = live_a_year(cli, relay_over_http)
        wall = time.perf_counter() - started
        blocks = cli.w3.eth.block_number
    return {"wall_s": round(wall, 1), "commands": lived.commands, "blocks": blocks,
            "per_command_ms": round(1000 * wall / lived.commands)}


def measure() -> dict:
    return {"startup_s": startup_s(), "year": year()}
