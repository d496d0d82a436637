"""Hardhat Network for the tests: `hardhat node` from node_modules, configured by hardhat.config.js like the
project's anvil (chain 31337, cancun, 30M gas, 10 funded accounts, automine), on a free loopback port."""

from __future__ import annotations

import subprocess
import tempfile
import time

from web3 import HTTPProvider, Web3

from orchestrator.chain.artifacts import PROJECT_ROOT
from orchestrator.chain.node import _die_with_parent, free_port
from tests.integration.conftest import Cli

HARDHAT = PROJECT_ROOT / "node_modules" / ".bin" / "hardhat"
CONFIG = PROJECT_ROOT / "hardhat.config.js"
READY_WITHIN = 60  # seconds; it starts in about 2 s on an idle machine


class HardhatNode:
    """`hardhat node` started on enter and stopped on exit (Linux stops it with us if we are killed). Its
    log goes to a temporary file: a pipe nobody reads would stop the node once full."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HardhatNode:
        if not HARDHAT.exists():
            raise RuntimeError(f"{HARDHAT} is missing: run `make setup` (hardhat is an npm devDependency)")
        command = [str(HARDHAT), "--config", str(CONFIG), "node", "--hostname", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"hardhat node exited at start: {self.log.read().decode()[-500:]}")
            try:
                if Web3(HTTPProvider(self.url, request_kwargs={"timeout": 1})).is_connected():
                    return self
            except Exception:  # not listening yet
                pass
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"hardhat node did not answer within {READY_WITHIN} s")

    def __exit__(self, *exc_info) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.log.close()


class HardhatCli(Cli):
    """The integration tests' CLI runner, on Hardhat: wallets are funded with hardhat_setBalance (Hardhat
    has no anvil_setBalance)."""

    def wallet(self, name) -> str:
        address = self.ok("wallet", "new", name).split()[1]
        response = self.rpc("hardhat_setBalance", address, hex(10**19))
        assert "error" not in response, response
        return address
