"""consortium's off-chain orchestrator: deployment, and (in later issues) wallets, ballots, relayer, indexer."""

__version__ = "0.1.0"
