// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/**
 * @title TestHostileWallet
 * @notice Test-only: an ERC-1271 wallet whose signature check spends gas. `burnOnContractCall`: it
 * answers honestly to an account (a relayer's eth_call) but spends every unit of gas it is given when a
 * contract asks (a batch). Otherwise it spends `work` gas and then answers honestly (a costly but valid
 * wallet, such as a Safe with many owners). Never deployed by the deployment routine.
 */
contract TestHostileWallet is IERC1271 {
    address public immutable owner;
    uint256 public immutable work;
    bool public immutable burnOnContractCall;

    constructor(address owner_, uint256 work_, bool burnOnContractCall_) {
        (owner, work, burnOnContractCall) = (owner_, work_, burnOnContractCall_);
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        uint256 start = gasleft();
        if (burnOnContractCall && msg.sender.code.length > 0) {
            while (true) {} // solhint-disable-line no-empty-blocks
        }
        while (start - gasleft() < work) {} // solhint-disable-line no-empty-blocks
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == owner ? this.isValidSignature.selector : bytes4(0);
    }
}
