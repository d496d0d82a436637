"""The members' relay: EIP-712 ballots, the ballot file, the relayer and its database."""
