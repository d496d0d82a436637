// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/**
 * @title TestHostileWallet
 * @notice Test-only: an ERC-1271 wallet whose signature check spends gas. It spends `work` gas and then
 * answers honestly, unless its mode says to spend every unit of gas it is given instead: when a
 * contract asks (a batch, while an account's eth_call gets an honest answer), or when the transaction
 * pays for gas (a mined batch, while eth_call and gas estimates, at a zero gas price, get an honest and
 * cheap answer). Never deployed by the deployment routine.
 */
contract TestHostileWallet is IERC1271 {
    enum Mode {
        Honest,
        BurnWhenAContractAsks,
        BurnWhenGasIsPaid
    }

    address public immutable owner;
    uint256 public immutable work;
    Mode public immutable mode;

    constructor(address owner_, uint256 work_, Mode mode_) {
        (owner, work, mode) = (owner_, work_, mode_);
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        uint256 start = gasleft();
        if (
            (mode == Mode.BurnWhenAContractAsks && msg.sender.code.length > 0) ||
            (mode == Mode.BurnWhenGasIsPaid && tx.gasprice > 0)
        ) {
            while (true) {} // solhint-disable-line no-empty-blocks
        }
        while (start - gasleft() < work) {} // solhint-disable-line no-empty-blocks
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == owner ? this.isValidSignature.selector : bytes4(0);
    }
}
