// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title BallotMemory
 * @notice Lets a loop over a batch's ballots reuse one ballot's worth of memory. Solidity never frees
 * memory, and memory costs quadratically in its size, so a loop that allocates per ballot (a digest's
 * encoding, an event's data, a reason's copy) costs a batch more per ballot the larger it is: about 30 gas
 * a ballot at 100 and nearly 200 at 1,000 (bench). Taking {mark} before the loop and calling {release} with
 * it after each ballot keeps the batch at one ballot's memory. Only for loops in which nothing allocated for
 * a ballot is used after it.
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
