// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title CallArguments
 * @notice Reads an array argument of a call in place. The governor hands its external libraries its own
 * calldata (`msg.data`) instead of re-encoding its array arguments for them: re-encoding copies and
 * re-validates every element and costs bytecode in the governor, which has little to spare; passing
 * the calldata is one copy. The governor's dispatcher has already checked each array's offset and length
 * against those same bytes; each element's own offsets are checked by Solidity when the element is read.
 */
library CallArguments {
    /// @notice Where the array that is argument `index` (from 0) of `call` (a selector, then the ABI-encoded
    /// arguments) starts in the current calldata, and its length.
    // slither-disable-next-line assembly -- reads two ABI words of the call in place
    function array(bytes calldata call, uint256 index) internal pure returns (uint256 offset, uint256 length) {
        assembly ("memory-safe") {
            let args := add(call.offset, 4)
            let head := add(args, calldataload(add(args, shl(5, index))))
            length := calldataload(head)
            offset := add(head, 0x20)
        }
    }
}
