"""The security suites use the contract tests' fixtures (the suite deployed on brownie's anvil)."""

from tests.contracts.conftest import *  # noqa: F403
