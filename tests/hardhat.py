"""Hardhat Network for the tests: `hardhat node` from node_modules, configured by hardhat.config.js like the
project's anvil (chain 31337, cancun, 30M gas, 10 funded accounts, automine), on a free loopback port."""

from __future__ import annotations

from orchestrator.chain.artifacts import PROJECT_ROOT
from orchestrator.chain.node import Devnet

HARDHAT = PROJECT_ROOT / "node_modules" / ".bin" / "hardhat"
CONFIG = PROJECT_ROOT / "hardhat.config.js"


class HardhatNode(Devnet):
    """`hardhat node` as a Devnet: started on enter, stopped on exit (Linux stops it with us if we are killed)."""

    name = "hardhat node"
    ready_within = 60  # it starts in about 2 s on an idle machine
    cwd = str(PROJECT_ROOT)

    def command(self) -> list[str]:
        if not HARDHAT.exists():
            raise RuntimeError(f"{HARDHAT} is missing: run `make setup` (hardhat is an npm devDependency)")
        return [str(HARDHAT), "--config", str(CONFIG), "node", "--hostname", "127.0.0.1", "--port", str(self.port)]

