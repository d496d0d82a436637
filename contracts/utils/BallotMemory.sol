// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title BallotMemory
 * @notice Lets a loop over a batch's ballots reuse one ballot's worth of memory. Solidity never frees
 * memory, and memory costs quadratically in its size, so a loop that allocates per ballot (a digest's
 * encoding, an event's data, a reason's copy) makes a batch of 1,000 pay about 300 gas a ballot for memory
 * alone. Taking {mark} before the loop and calling {release} with it after each ballot keeps the batch at
 * one ballot's memory. Only for loops in which nothing allocated for a ballot is used after it.
 */
library BallotMemory {
    /// @notice Where free memory starts now.
    // slither-disable-next-line assembly -- reads the free memory pointer
    function mark() internal pure returns (uint256 free) {
        assembly ("memory-safe") {
            free := mload(0x40)
        }
    }

    /// @notice Free everything allocated since `free` was marked.
    // slither-disable-next-line assembly -- moves the free memory pointer back to a mark
    function release(uint256 free) internal pure {
        assembly ("memory-safe") {
            mstore(0x40, free)
        }
    }
}
