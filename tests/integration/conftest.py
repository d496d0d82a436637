"""A real devnet (our own Devnet manager, not brownie's) and a CLI runner wired to it."""

import json
from contextlib import contextmanager
from unittest import mock

import pytest
from click.testing import CliRunner
from eth_account import Account
from web3 import Web3

from orchestrator.chain.node import Devnet
from orchestrator.cli import main

PASSPHRASE = "integration-passphrase"  # test-only passphrase for throwaway keystores
LIGHT_SCRYPT_N = 2**10


@contextmanager
def light_keystores():
    """Keystores written meanwhile use scrypt at n=2^10 instead of eth-account's default 2^18: the same v3 scrypt
    keystore format, read by the same code, at a thousandth of the cost. The default costs about 0.5 s per
    encryption and again per unlock (every command with --account), which was most of the integration tests'
    time; the funded throwaway wallets of `Cli.wallet` use this. Tests of the wallet commands themselves
    (`wallet new` and `wallet import` called directly) keep the default cost."""
    encrypt = Account.encrypt

    def light(key, password, kdf=None, iterations=None):
        return encrypt(key, password, kdf=kdf, iterations=LIGHT_SCRYPT_N)

    with mock.patch.object(Account, "encrypt", staticmethod(light)):
        yield


@pytest.fixture(scope="session")
def devnet():
    with Devnet() as node:
        yield node


@pytest.fixture(scope="session")
def w3(devnet):
    return Web3(Web3.HTTPProvider(devnet.url))


class Cli:
    def __init__(self, devnet, tmp_path, w3):
        self.devnet, self.dir, self.w3 = devnet, tmp_path, w3
        # The database is the test's own: the CLI's default (consortium.db in the working directory) would be
        # shared by every test of both xdist workers.
        self.env = {"CONSORTIUM_RPC": devnet.url, "CONSORTIUM_KEYSTORE": str(tmp_path / "keys"),
                    "CONSORTIUM_PASSPHRASE": PASSPHRASE, "CONSORTIUM_DEPLOYMENT": str(tmp_path / "manifest.json"),
                    "CONSORTIUM_DB": f"sqlite:///{tmp_path / 'consortium.db'}"}
        # The node's own controls (mining thousands of blocks, time travel) get minutes, not web3's 30 s: anvil's
        # cost per mined block grows with the chain, and a loaded host runs it at half speed.
        self._control = Web3.HTTPProvider(w3.provider.endpoint_uri, request_kwargs={"timeout": 300})

    def __call__(self, *args, account=None, env=None, input=None):
        prefix = ["--account", account] if account else []
        result = CliRunner().invoke(main, [*prefix, *map(str, args)], env={**self.env, **(env or {})}, input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def ok(self, *args, **kwargs) -> str:
        result = self(*args, **kwargs)
        assert result.exit_code == 0, result.output
        return result.output

    def fails(self, *args, **kwargs) -> str:
        """The one-line error of a failing command (exit 1, no traceback)."""
        result = self(*args, **kwargs)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        return result.output.strip().splitlines()[-1]

    def manifest(self) -> dict:
        return json.loads((self.dir / "manifest.json").read_text())

    def rpc(self, method, *params):
        return self._control.make_request(method, list(params))

    def advance(self, seconds):
        self.rpc("evm_increaseTime", seconds)
        self.rpc("evm_mine")

    def wallet(self, name) -> str:
        """A funded keystore wallet (devnet balance set directly), a light one (see light_keystores)."""
        with light_keystores():
            address = self.ok("wallet", "new", name).split()[1]
        response = self.rpc("hardhat_setBalance", address, hex(10**19))  # anvil and Hardhat both answer it
        assert "error" not in response, response
        return address

    def deploy(self, members: dict[str, str], dues: dict[str, str] | None = None, treasury: dict | None = None,
               **governor) -> dict:
        """Deploy `members` ({seat: tier}); `dues` per tier name gives the default tiers dues."""
        settings = {"voting_delay": 1, "voting_period": 300, "late_quorum_extension": 0, "timelock_delay": 1,
                    "quorum_percent": 10, "constitutional_quorum_percent": 30, **governor}
        lines = ['name = "Integration"', "[governor]", *[f"{k} = {v}" for k, v in settings.items()]]
        if treasury:
            lines += ["[treasury]", *[f"{k} = {v}" for k, v in treasury.items()]]
        if dues:
            for name, weight, votes in (("founding", 3, "true"), ("regular", 1, "true"), ("observer", 0, "false")):
                lines += ["[[tiers]]", f'name = "{name}"', f"weight = {weight}", f"can_propose = {votes}",
                          f"can_vote = {votes}", f'dues = "{dues.get(name, 0)}"']
        for seat, tier in members.items():
            lines += ["[[members]]", f'seat = "{seat}"', f'tier = "{tier}"', 'legal_name = "Co"', 'jurisdiction = "CH"']
        config = self.dir / "config.toml"
        config.write_text("\n".join(lines) + "\n")
        self.ok("deploy", "--config", config, "--force")
        return json.loads((self.dir / "manifest.json").read_text())


@pytest.fixture
def cli(devnet, tmp_path, w3):
    return Cli(devnet, tmp_path, w3)


@pytest.fixture
def consortium(cli):
    """Two founding members and two regular ones, all with wallets, deployed."""
    seats = {name: cli.wallet(name) for name in ("f1", "f2", "r1", "r2")}
    cli.deploy({seats["f1"]: "founding", seats["f2"]: "founding", seats["r1"]: "regular", seats["r2"]: "regular"})
    return seats
