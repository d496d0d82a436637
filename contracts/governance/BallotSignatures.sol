// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";

/**
 * @title BallotSignatures
 * @notice How every signed ballot's signature is checked: relayed votes ({BatchBallots}) and relayed
 * commitments to sealed votes ({SealedBallots}) both ask {isValid}, so a signature is one rule.
 *
 * A signature is valid if it recovers to the voter's address (ECDSA, OZ's, low-s only) or if the voter, a
 * contract, accepts it (ERC-1271): the order of the two checks decides what a ballot costs, not whether it
 * counts. OZ's {SignatureChecker} asks for the signer's code first, a cold account access (2,600 gas) on
 * every ballot. Here the registry's seat record says whether the seat is a contract wallet (read with the
 * voter's seat anyway): a wallet is asked first and spends no recovery; an account recovers first and is
 * asked only if that fails (an account that got code after it was seated, or a wallet seated before it was
 * deployed). A signature that recovers to the voter's address can only come from that address's key.
 *
 * A contract wallet is asked with {WALLET_GAS} and no more, so one wallet cannot spend a batch's gas; if
 * the batch itself runs so low that the wallet may have had less, the batch reverts
 * ({IConsortiumGovernor.GovernorBatchUnderfunded}) instead of rejecting the ballot.
 */
library BallotSignatures {
    /// @notice The gas a contract wallet gets to check one signature: a Safe with a threshold of a dozen
    /// owners needs well under half of it.
    uint256 internal constant WALLET_GAS = 200_000;

    /// @notice Whether `signature` is `voter`'s over `digest`: its key's (ECDSA) or, for a contract
    /// wallet, the wallet's answer (ERC-1271). `wallet`: the registry's word on the seat, which orders the
    /// two checks.
    function isValid(address voter, bytes32 digest, bytes calldata signature, bool wallet) internal view returns (bool) {
        if (wallet) return _askWallet(voter, digest, signature) || _recovers(voter, digest, signature);
        return _recovers(voter, digest, signature) || _askWallet(voter, digest, signature);
    }

    // slither-disable-next-line unused-return -- the third value is the error's argument, not needed to reject
    function _recovers(address voter, bytes32 digest, bytes calldata signature) private pure returns (bool) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        return err == ECDSA.RecoverError.NoError && signer == voter;
    }

    /**
     * @dev ERC-1271 `isValidSignature` with {WALLET_GAS}, reading at most one word back (a wallet cannot
     * make the batch pay to copy a large answer). OZ's SignatureChecker forwards all the gas, hence this
     * variant of its calldata encoding. Underfunding is detected as in OZ's ERC2771Forwarder: a call
     * starved of gas leaves at most 1/64 of what it was given, so less than WALLET_GAS / 63 left after it
     * means the wallet may have had less than WALLET_GAS.
     */
    // slither-disable-next-line assembly -- a bounded staticcall that copies one word of return data (see above)
    function _askWallet(address wallet, bytes32 digest, bytes calldata signature) private view returns (bool valid) {
        bytes4 selector = IERC1271.isValidSignature.selector;
        uint256 length = signature.length;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), digest)
            mstore(add(ptr, 0x24), 0x40)
            mstore(add(ptr, 0x44), length)
            calldatacopy(add(ptr, 0x64), signature.offset, length)
            mstore(add(add(ptr, 0x64), length), 0)
            length := shl(5, shr(5, add(length, 0x1F)))
            let success := staticcall(WALLET_GAS, wallet, ptr, add(length, 0x64), 0x00, 0x20)
            valid := and(success, and(gt(returndatasize(), 0x1f), eq(mload(0x00), selector)))
        }
        if (gasleft() < WALLET_GAS / 63) revert IConsortiumGovernor.GovernorBatchUnderfunded(wallet);
    }
}
