"""The orchestrator's one error hierarchy. Only cli.py turns these errors into exit codes; chain/reverts.py
turns on-chain reverts into sentences."""

from __future__ import annotations


class OrchestratorError(Exception):
    """Base of every error the orchestrator raises on purpose."""


class ConfigError(OrchestratorError):
    """A configuration file is missing, malformed or inconsistent."""


class ArtifactError(OrchestratorError):
    """A compiled contract artifact is missing: run `brownie compile` (make does it)."""


class ChainError(OrchestratorError):
    """The node is unreachable, on the wrong chain, or refused or reverted a transaction."""


class NodeUnreachable(ChainError):
    """The node did not answer, after retries: nothing about the request itself is known to be wrong."""


class CallRefused(ChainError):
    """The node refuses this call or transaction itself (its estimate reverts, it needs more gas than a block
    holds, it is too large to relay): the same bytes will be refused again, unlike a node that is down."""


class WalletError(OrchestratorError):
    """A keystore is missing, corrupt, or its passphrase is wrong."""


class ManifestError(OrchestratorError):
    """The deployment manifest is missing or unreadable."""


class InputError(OrchestratorError):
    """A malformed address, amount, id or file given by the user."""
