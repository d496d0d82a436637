"""The one deployment routine of the suite, used by scripts/deploy.py (brownie) and the CLI alike.

Order and wiring:
1. TimelockController(min delay, no proposers, anyone executes, deployer as temporary admin).
2. MemberRegistry(governance = timelock, tier table); the deployer admits the founding roll in chunks
   through the one-off bootstrap, then ends it.
3. The BatchBallots library (stateless, linked into the governor), then ConsortiumGovernor(registry,
   timelock, settings, constitutional calls of the registry).
4. The timelock makes the governor its proposer and canceller; the deployer renounces its admin role.
After this no externally owned account holds any power over the suite.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from eth_utils import function_signature_to_4byte_selector
from web3 import Web3

from . import artifacts
from .chain import Sender
from .config import DeploymentConfig

log = logging.getLogger(__name__)

ZERO_ADDRESS = "0x" + "00" * 20
BOOTSTRAP_CHUNK = 50  # about 5.4M gas per chunk, well inside any block

# Registry calls that change weights, tiers, admission, expulsion or a member's voice are constitutional.
CONSTITUTIONAL_REGISTRY_CALLS = [
    "setTier(uint8,string,uint32,bool,bool)",
    "admit((address,uint8,string,bytes32))",
    "changeTier(uint256,uint8)",
    "expel(uint256,string)",
    "rotateSeatOf(uint256,address)",
]


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    registry: str
    timelock: str
    governor: str
    batch_ballots: str
    deployer: str
    block: int

    def to_json(self) -> dict:
        return {
            "chain_id": self.chain_id,
            "deployment_block": self.block,
            "deployer": self.deployer,
            "contracts": {"MemberRegistry": self.registry, "TimelockController": self.timelock,
                          "ConsortiumGovernor": self.governor, "BatchBallots": self.batch_ballots},
        }

    @classmethod
    def from_json(cls, data: dict) -> Deployment:
        c = data["contracts"]
        return cls(data["chain_id"], c["MemberRegistry"], c["TimelockController"], c["ConsortiumGovernor"],
                   c["BatchBallots"], data["deployer"], data["deployment_block"])

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")


def contract(w3: Web3, name: str, address: str | None = None, libraries: dict[str, str] | None = None):
    """A web3 contract object for artifact `name`: at `address` if given, else deployable, linked."""
    art = artifacts.load(name)
    if address is None:
        return w3.eth.contract(abi=art.abi, bytecode=art.linked(libraries or {}))
    return w3.eth.contract(address=address, abi=art.abi)


def _deploy(w3: Web3, sender: Sender, name: str, *args, libraries: dict[str, str] | None = None) -> str:
    receipt = sender.transact(w3, contract(w3, name, libraries=libraries).constructor(*args), f"deploy {name}")
    return receipt["contractAddress"]


def deploy(w3: Web3, sender: Sender, config: DeploymentConfig) -> Deployment:
    """Deploy and wire the whole suite from `config`; return where it lives."""
    g = config.governor
    start_block = w3.eth.block_number + 1

    timelock_addr = _deploy(w3, sender, "TimelockController", g.timelock_delay, [], [ZERO_ADDRESS], sender.address)
    tiers = [(t.name, t.weight, t.can_propose, t.can_vote) for t in config.tiers]
    registry_addr = _deploy(w3, sender, "MemberRegistry", timelock_addr, tiers)
    registry = contract(w3, "MemberRegistry", registry_addr)

    admissions = [(m.seat, m.tier, m.metadata_uri, m.metadata_hash) for m in config.members]
    for i in range(0, len(admissions), BOOTSTRAP_CHUNK):
        chunk = admissions[i : i + BOOTSTRAP_CHUNK]
        sender.transact(w3, registry.functions.bootstrapAdmit(chunk), f"admit members {i + 1}-{i + len(chunk)}")
    sender.transact(w3, registry.functions.endBootstrap(), "end bootstrap")

    settings = (g.voting_delay, g.voting_period, g.late_quorum_extension, g.quorum_percent,
                g.constitutional_quorum_percent, g.weight_cap_bps)
    calls = [(registry_addr, function_signature_to_4byte_selector(sig)) for sig in CONSTITUTIONAL_REGISTRY_CALLS]
    library_addr = _deploy(w3, sender, "BatchBallots")
    governor_addr = _deploy(w3, sender, "ConsortiumGovernor", config.name, registry_addr, timelock_addr, settings,
                            calls, libraries={"BatchBallots": library_addr})

    timelock = contract(w3, "TimelockController", timelock_addr)
    for role in ("PROPOSER_ROLE", "CANCELLER_ROLE"):
        role_id = timelock.functions[role]().call()
        sender.transact(w3, timelock.functions.grantRole(role_id, governor_addr), f"grant {role} to governor")
    admin_role = timelock.functions.DEFAULT_ADMIN_ROLE().call()
    sender.transact(w3, timelock.functions.renounceRole(admin_role, sender.address), "renounce deployer admin")

    deployment = Deployment(w3.eth.chain_id, registry_addr, timelock_addr, governor_addr, library_addr,
                            sender.address, start_block)
    log.info("deployed %s", deployment)
    return deployment
