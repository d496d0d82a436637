"""Chain access: the node and the devnet, compiled artifacts, wallets, reading proposals."""
