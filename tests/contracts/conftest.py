"""Shared fixtures of the brownie-based tests (tests/contracts, tests/security): the suite deployed by
the real deployment routine on brownie's anvil."""

import gc

import pytest
from brownie import (
    AdvisoryRegistry,
    BodyFactory,
    ConductRecord,
    ConsortiumGovernor,
    ContributionLedger,
    ElectionRegistry,
    MemberRegistry,
    StandardsRegistry,
    TimelockController,
    Treasury,
    accounts,
    web3,
)

from orchestrator.chain.node import Sender
from orchestrator.operations.config import parse
from orchestrator.operations.deploy import deploy
from tests import brownie_receipts
from tests.governance import Governance

brownie_receipts.install()  # see tests/brownie_receipts.py: no ballot declared dropped that was mined
brownie_receipts.skip_rpc_caller_checks()  # see there: no inspect.stack() on every mine, snapshot and revert

FOUNDING, REGULAR, OBSERVER = 0, 1, 2

SETTINGS = {
    "voting_delay": 60,
    "voting_period": 3600,
    "late_quorum_extension": 600,
    "quorum_percent": 10,
    "constitutional_quorum_percent": 30,
    "weight_cap_bps": 10_000,
    "timelock_delay": 60,
}


@pytest.fixture(scope="session")
def roster():
    """Two founding members (3 each), four regular (1 each), one observer: total weight 10.
    Regular members are local keys (fresh each run) so tests can sign ballots for them."""
    regular = [accounts.add() for _ in range(4)]
    for account in regular:
        accounts[0].transfer(account, "10 ether")
    return {
        "founding": [accounts[1], accounts[2]],
        "regular": regular,
        "observer": [accounts[7]],
        "outsider": accounts[8],
    }


DUES_PERIOD, GRACE_PERIOD = 30 * 86400, 7 * 86400
TIER_TABLE = [  # the default tiers, with dues per period: 2 ether founding, 1 ether regular
    {"name": "founding", "weight": 3, "can_propose": True, "can_vote": True, "dues": "2 ether"},
    {"name": "regular", "weight": 1, "can_propose": True, "can_vote": True, "dues": "1 ether"},
    {"name": "observer", "weight": 0, "can_propose": False, "can_vote": False},
]


def deploy_suite(roster, extra_members=(), treasury=None, contributions=None, tiers=None, **overrides):
    """Deploy with the real routine; `extra_members` are (seat, tier name) pairs admitted after the roster.
    `contributions`: the [contributions] section (its ledger is then `.ledger`); `tiers`: another tier table."""
    seats = [(a.address, tier) for tier in ("founding", "regular", "observer") for a in roster[tier]]
    members = [{"seat": seat, "tier": tier, "legal_name": f"member {i}", "jurisdiction": "CH",
                "metadata_uri": f"ipfs://member-{i}"} for i, (seat, tier) in enumerate([*seats, *extra_members])]
    terms = {"dues_period": DUES_PERIOD, "grace_period": GRACE_PERIOD, **(treasury or {})}
    config = parse({"name": "Test Consortium", "governor": {**SETTINGS, **overrides}, "members": members,
                    "treasury": terms, "tiers": tiers or TIER_TABLE, "contributions": contributions or {}})
    d = deploy(web3, Sender(accounts[0].address), config)
    g = Governance(ConsortiumGovernor.at(d.governor), MemberRegistry.at(d.registry),
                   TimelockController.at(d.timelock), Treasury.at(d.treasury), BodyFactory.at(d.body_factory),
                   StandardsRegistry.at(d.standards), ConductRecord.at(d.conduct),
                   AdvisoryRegistry.at(d.advisories))
    g.ledger = ContributionLedger.at(d.contribution_ledger) if d.contribution_ledger else None
    g.elections = ElectionRegistry.at(d.elections)
    return g


@pytest.fixture(scope="module")
def gov(roster):
    return deploy_suite(roster)


@pytest.fixture(scope="module")
def governor(gov):
    return gov.governor


@pytest.fixture(scope="module")
def registry(gov):
    return gov.registry


@pytest.fixture(scope="module")
def timelock(gov):
    return gov.timelock


@pytest.fixture(scope="module", autouse=True)
def _heap_thawed_after_module():
    """See `isolation`: what the module's tests froze is handed back to the collector when the module ends."""
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every test starts from the module's freshly deployed state.

    brownie runs a full gc.collect() on every chain revert (to drop dead contracts from its registry): over
    the session's heap (brownie's project, web3, hypothesis; about 250,000 objects) that is 0.12 s a revert,
    more than the revert itself, and a stateful test reverts once per example. Freezing what exists when a
    test starts (gc.freeze: the collector skips it, nothing is freed or changed) leaves each revert only the
    test's own objects to scan; the module's end thaws it again (`_heap_thawed_after_module`)."""
    gc.freeze()
