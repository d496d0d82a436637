"""What one CLI command works with, resolved lazily: the chain (an RPC, or an embedded devnet started on
first use and stopped when the command ends), the deployment manifest and its contracts, and the
signer (a keystore wallet, or on a devnet its first unlocked account)."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from web3 import Web3

from orchestrator import untrusted_json
from orchestrator.chain.node import DEVNET_CHAIN_ID, Devnet, Sender, connect
from orchestrator.chain.wallet import Keystores
from orchestrator.errors import ManifestError, OrchestratorError
from orchestrator.operations.deploy import Deployment, contract


@dataclass
class Options:
    rpc: str | None = None
    deployment: Path | None = None
    account: str | None = None
    keystore_dir: Path | None = None
    confirmations: int = 1
    db: str = "sqlite:///consortium.db"
    rpc_timeout: float = 30.0


class Session:
    def __init__(self, options: Options, resources: ExitStack, passphrase: Callable[[str], str]):
        self.options = options
        self._resources = resources
        self._passphrase = passphrase
        self.devnet: Devnet | None = None

    @cached_property
    def w3(self) -> Web3:
        if self.options.rpc:
            return connect(self.options.rpc, timeout=self.options.rpc_timeout)
        self.devnet = self._resources.enter_context(Devnet())
        return connect(self.devnet.url)

    @property
    def keystores(self) -> Keystores:
        return Keystores(self.options.keystore_dir)

    @property
    def manifest_path(self) -> Path:
        return self.options.deployment or Path("deployments") / f"{self.w3.eth.chain_id}.json"

    @cached_property
    def deployment(self) -> Deployment:
        path = self.manifest_path
        try:
            deployment = Deployment.from_json(untrusted_json.loads(path.read_text()))
        except FileNotFoundError:
            raise ManifestError(
                f"no deployment manifest at {path}: run `consortium deploy` or pass --deployment"
            ) from None
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ManifestError(f"{path} is not a deployment manifest: {exc}") from None
        chain_id = self.w3.eth.chain_id
        if deployment.chain_id != chain_id:
            raise ManifestError(f"{path} is for chain {deployment.chain_id}, but the node is chain {chain_id}")
        # Same chain id is not the same chain: every devnet is 31337, and a forgotten --rpc starts an empty one.
        # Without this, reads of contracts that are not there answer nothing (or empty lists) as if true.
        missing = [name for name, address in deployment.contracts.items() if self.w3.eth.get_code(address) == b""]
        if missing:
            where = (f"the node at {self.options.rpc}" if self.options.rpc else
                     "the embedded devnet this command started, because no --rpc was given (pass --rpc URL or set "
                     "CONSORTIUM_RPC to reach the chain it was deployed on)")
            raise ManifestError(f"{path} names contracts that have no code on {where}: {', '.join(missing)}")
        return deployment

    # Built once per session: a web3 Contract parses its whole ABI when created (tens of milliseconds).
    @cached_property
    def governor(self):
        return contract(self.w3, "ConsortiumGovernor", self.deployment.governor)

    @cached_property
    def registry(self):
        return contract(self.w3, "MemberRegistry", self.deployment.registry)

    @cached_property
    def timelock(self):
        return contract(self.w3, "TimelockController", self.deployment.timelock)

    @cached_property
    def treasury(self):
        return contract(self.w3, "Treasury", self.deployment.treasury)

    @cached_property
    def body_factory(self):
        return contract(self.w3, "BodyFactory", self.deployment.body_factory)

    @cached_property
    def standards(self):
        return contract(self.w3, "StandardsRegistry", self.deployment.standards)

    @cached_property
    def conduct(self):
        return contract(self.w3, "ConductRecord", self.deployment.conduct)

    @cached_property
    def advisories(self):
        return contract(self.w3, "AdvisoryRegistry", self.deployment.advisories)

    @cached_property
    def elections(self):
        return contract(self.w3, "ElectionRegistry", self.deployment.elections)

    def body(self, address: str):
        return contract(self.w3, "Body", address)

    def deployment_is_live(self) -> bool:
        """Whether the manifest at manifest_path describes contracts that exist on this node."""
        try:
            return self.w3.eth.get_code(self.deployment.governor) != b""
        except ManifestError:
            return False

    @cached_property
    def sender(self) -> Sender:
        """The account that signs: --account's keystore, else a devnet's first unlocked account."""
        name = self.options.account
        if name:
            account = self.keystores.unlock(name, self._passphrase(name))
            return Sender.local(account, self.options.confirmations)
        if self.w3.eth.chain_id == DEVNET_CHAIN_ID and self.w3.eth.accounts:
            return Sender(self.w3.eth.accounts[0], confirmations=self.options.confirmations)
        raise OrchestratorError("no account to sign with: pass --account NAME (a wallet from `consortium wallet`)")
