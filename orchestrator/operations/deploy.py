"""The one deployment routine of the suite, used by scripts/deploy.py (brownie) and the CLI alike.

Order and wiring:
1. TimelockController(min delay, no proposers, no executors, deployer as temporary admin).
2. MemberRegistry(governance = timelock, tier table); the deployer admits the founding roll in chunks
   through the one-off bootstrap.
3. The institutions, each answering to the timelock: Treasury (named the registry's dues oracle while
   bootstrap lasts, which then ends), BodyFactory, StandardsRegistry, ConductRecord, AdvisoryRegistry; with
   `[contributions] enabled`, a ContributionLedger named the registry's contribution ledger before bootstrap ends.
4. The governor's external libraries BatchBallots, ProposalKinds, ProposalGuards, SealedBallots and
   ApprovalBallots (linked into it), then ConsortiumGovernor(registry, timelock, settings, call rules: which calls
   are constitutional and which are about a member, whose case the proposal then is).
5. ElectionRegistry(registry, timelock, governor, body factory): it reads the governor's approval tallies.
6. The timelock makes the governor its proposer, canceller and only executor (so every execution goes
   through the governor and its checks); the deployer renounces its admin role.
After this no externally owned account holds any power over the suite.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from eth_utils import function_signature_to_4byte_selector
from web3 import Web3

from orchestrator.chain import artifacts
from orchestrator.chain.node import Sender, like
from orchestrator.operations.config import DeploymentConfig

log = logging.getLogger(__name__)

BOOTSTRAP_CHUNK = 50  # about 14.1M gas a chunk: within the 2^24 EIP-7825 allows a transaction

# Manifest name → attribute of Deployment. The governor's libraries are listed so every address is known.
CONTRACTS = {
    "MemberRegistry": "registry",
    "TimelockController": "timelock",
    "ConsortiumGovernor": "governor",
    "Treasury": "treasury",
    "BodyFactory": "body_factory",
    "StandardsRegistry": "standards",
    "ConductRecord": "conduct",
    "AdvisoryRegistry": "advisories",
    "BatchBallots": "batch_ballots",
    "ProposalKinds": "proposal_kinds",
    "ProposalGuards": "proposal_guards",
    "SealedBallots": "sealed_ballots",
    "ApprovalBallots": "approval_ballots",
    "ElectionRegistry": "elections",
}
# Deployed only when the config asks: absent from a deployment's JSON otherwise (the attribute is then None).
OPTIONAL_CONTRACTS = {
    "ContributionLedger": "contribution_ledger",
}
GOVERNOR_LIBRARIES = ("BatchBallots", "ProposalKinds", "ProposalGuards", "SealedBallots", "ApprovalBallots")

# (contract attribute, signature, constitutional, about a member). Constitutional: whatever changes
# weights, tiers, admission, the dues, or adopts or retires a standard. About a member (first argument a
# member id): the sanctions and changes of one member's tier or seat; a proposal making such a call is that
# member's case, carries nothing else, is decided without the member and needs more than half of all
# weight (ProposalKind.MemberCase), whatever its constitutional flag says.
CALL_RULES = [
    ("registry", "setTier(uint8,string,uint32,bool,bool)", True, False),
    ("registry", "admit((address,uint8,string,bytes32))", True, False),
    ("registry", "changeTier(uint256,uint8)", True, True),
    ("registry", "expel(uint256,string)", True, True),
    ("registry", "rotateSeatOf(uint256,address)", True, True),
    ("registry", "setDuesOracle(address)", True, False),
    ("registry", "setContributionsLedger(address)", True, False),
    ("registry", "suspend(uint256,string)", True, True),
    ("treasury", "setDues(uint8,uint256)", True, False),
    ("treasury", "setDuesTerms(uint48,uint48)", True, False),
    ("standards", "adopt(uint256)", True, False),
    ("standards", "deprecate(uint256)", True, False),
    ("conduct", "censure(uint256,string,uint256)", True, True),
]
# The rules of the optional contracts, when deployed. Attributing a contribution gives one member weight: a
# constitutional change, and that member's case (decided without it), like a change of its tier.
OPTIONAL_CALL_RULES = [
    ("contribution_ledger", "attribute(uint256,uint256,string)", True, True),
]


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    contracts: dict[str, str]
    deployer: str
    block: int

    def __getattr__(self, attribute: str) -> str:
        for name, attr in CONTRACTS.items():
            if attr == attribute:
                return self.contracts[name]
        for name, attr in OPTIONAL_CONTRACTS.items():
            if attr == attribute:
                return self.contracts.get(name)
        raise AttributeError(attribute)

    def to_json(self) -> dict:
        return {"chain_id": self.chain_id, "deployment_block": self.block, "deployer": self.deployer,
                "contracts": dict(self.contracts)}

    @classmethod
    def from_json(cls, data: dict) -> Deployment:
        contracts = {name: data["contracts"][name] for name in CONTRACTS}
        contracts |= {name: data["contracts"][name] for name in OPTIONAL_CONTRACTS if name in data["contracts"]}
        return cls(data["chain_id"], contracts, data["deployer"], data["deployment_block"])

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
    g, t = config.governor, config.treasury
    start_block = w3.eth.block_number + 1
    a: dict[str, str] = {}

    a["timelock"] = timelock_addr = _deploy(w3, sender, "TimelockController", g.timelock_delay, [], [],
                                            sender.address)
    tiers = [(tier.name, tier.weight, tier.can_propose, tier.can_vote) for tier in config.tiers]
    a["registry"] = registry_addr = _deploy(w3, sender, "MemberRegistry", timelock_addr, tiers)
    registry = contract(w3, "MemberRegistry", registry_addr)
    admissions = [(m.seat, m.tier, m.metadata_uri, m.metadata_hash) for m in config.members]
    gas = None  # the first chunk is estimated; the next, like it, get its gas with the estimate's margins
    for i in range(0, len(admissions), BOOTSTRAP_CHUNK):
        chunk = admissions[i : i + BOOTSTRAP_CHUNK]
        receipt = sender.transact(w3, registry.functions.bootstrapAdmit(chunk),
                                  f"admit members {i + 1}-{i + len(chunk)}", gas=gas)
        gas = like(receipt)

    a["treasury"] = _deploy(w3, sender, "Treasury", registry_addr, timelock_addr, t.dues_token, t.dues_period,
                            t.grace_period, [tier.dues for tier in config.tiers])
    sender.transact(w3, registry.functions.setDuesOracle(a["treasury"]), "name the treasury the dues oracle")
    c = config.contributions
    if c.enabled:
        a["contribution_ledger"] = _deploy(w3, sender, "ContributionLedger", registry_addr, timelock_addr,
                                           a["treasury"], (c.unit, c.period, c.max_part, c.sponsorships,
                                                           c.attributions))
        sender.transact(w3, registry.functions.setContributionsLedger(a["contribution_ledger"]),
                        "name the contribution ledger")
    sender.transact(w3, registry.functions.endBootstrap(), "end bootstrap")
    for name, attr in (("BodyFactory", "body_factory"), ("StandardsRegistry", "standards"),
                       ("ConductRecord", "conduct")):
        a[attr] = _deploy(w3, sender, name, registry_addr, timelock_addr)
    a["advisories"] = _deploy(w3, sender, "AdvisoryRegistry", registry_addr, timelock_addr,
                              config.advisories.filing_limit, config.advisories.filing_window)

    settings = (g.voting_delay, g.voting_period, g.late_quorum_extension, g.quorum_percent,
                g.constitutional_quorum_percent, g.weight_cap_bps)
    rules = [(a[attr], function_signature_to_4byte_selector(sig), constitutional, about_member)
             for attr, sig, constitutional, about_member in [*CALL_RULES, *OPTIONAL_CALL_RULES] if attr in a]
    libraries = {}
    for name in GOVERNOR_LIBRARIES:
        a[CONTRACTS[name]] = libraries[name] = _deploy(w3, sender, name)
    a["governor"] = governor_addr = _deploy(w3, sender, "ConsortiumGovernor", config.name, registry_addr,
                                            timelock_addr, settings, rules, libraries=libraries)

    a["elections"] = _deploy(w3, sender, "ElectionRegistry", registry_addr, timelock_addr, governor_addr,
                             a["body_factory"])

    timelock = contract(w3, "TimelockController", timelock_addr)
    for role in ("PROPOSER_ROLE", "CANCELLER_ROLE", "EXECUTOR_ROLE"):
        role_id = timelock.functions[role]().call()
        sender.transact(w3, timelock.functions.grantRole(role_id, governor_addr), f"grant {role} to governor")
    admin_role = timelock.functions.DEFAULT_ADMIN_ROLE().call()
    sender.transact(w3, timelock.functions.renounceRole(admin_role, sender.address), "renounce deployer admin")

    contracts = {name: a[attr] for name, attr in {**CONTRACTS, **OPTIONAL_CONTRACTS}.items() if attr in a}
    deployment = Deployment(w3.eth.chain_id, contracts, sender.address, start_block)
    log.info("deployed %s", deployment)
    return deployment
