"""Deploy the suite: `brownie run scripts/deploy.py --network <id>`.

A thin brownie front over orchestrator.deploy, the single deployment routine. Settings come from the
environment: CONSORTIUM_CONFIG (the TOML config, default config/consortium.example.toml),
CONSORTIUM_MANIFEST (default deployments/<chain id>.json) and, on live networks,
CONSORTIUM_BROWNIE_ACCOUNT (a brownie keystore id; brownie prompts for its password).
"""

import os
from pathlib import Path

from brownie import accounts, network, web3
from eth_account import Account

from orchestrator.chain.node import Sender
from orchestrator.operations import config as deployment_config
from orchestrator.operations.deploy import deploy


def _sender() -> Sender:
    account_id = os.environ.get("CONSORTIUM_BROWNIE_ACCOUNT")
    if account_id:
        return Sender.local(Account.from_key(accounts.load(account_id).private_key))
    if network.show_active() not in ("development", "anvil"):
        raise SystemExit("set CONSORTIUM_BROWNIE_ACCOUNT to a brownie keystore id on a live network")
    return Sender(accounts[0].address)


def main():
    config = deployment_config.load(Path(os.environ.get("CONSORTIUM_CONFIG", "config/consortium.example.toml")))
    deployment = deploy(web3, _sender(), config)
    manifest = Path(os.environ.get("CONSORTIUM_MANIFEST", f"deployments/{deployment.chain_id}.json"))
    deployment.write(manifest)
    print(f"deployed {config.name} on chain {deployment.chain_id}; manifest {manifest}")
    for name, address in deployment.to_json()["contracts"].items():
        print(f"  {name:20} {address}")
    return deployment
