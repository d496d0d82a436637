"""The orchestrator's one error hierarchy. Only cli.py turns these into exit codes."""


class OrchestratorError(Exception):
    """Base of every error the orchestrator raises on purpose."""


class ConfigError(OrchestratorError):
    """A configuration file is missing, malformed or inconsistent."""


class ArtifactError(OrchestratorError):
    """A compiled contract artifact is missing: run `brownie compile` (make does it)."""


class ChainError(OrchestratorError):
    """The node refused or reverted a transaction."""
