// Hardhat Network, configured like the project's anvil (orchestrator/chain.py's Devnet), so that the CLI,
// the relayer and the demo are tested on a second node implementation: `npx hardhat node` (tests/hardhat.py).
// Hardhat only runs the node here: brownie compiles (build/), so no solidity section.
module.exports = {
  defaultNetwork: "hardhat",
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: "cancun", // as brownie-config.yaml's evm_version and anvil's --hardfork
      blockGasLimit: 30_000_000,
      accounts: { count: 10 }, // Hardhat's default mnemonic is anvil's: the same 10 funded accounts
      mining: { auto: true }, // one block per transaction, as anvil
    },
  },
};
