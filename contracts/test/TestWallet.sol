// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/**
 * @title TestWallet
 * @notice Test-only: a 1-of-1 contract wallet (the shape of a one-owner Safe) so tests can seat a member
 * that signs with ERC-1271 and acts through `execute`. Never deployed by the deployment routine.
 */
contract TestWallet is IERC1271 {
    address public immutable owner;

    error TestWalletNotOwner(address caller);

    constructor(address owner_) {
        owner = owner_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == owner ? this.isValidSignature.selector : bytes4(0);
    }

    /// @notice The owner makes the wallet call `target`.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != owner) revert TestWalletNotOwner(msg.sender);
        // Bubbles the callee's revert data unchanged, so tests see its custom error.
        return Address.functionCall(target, data);
    }
}
