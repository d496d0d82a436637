// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What the registry asks the treasury before a member lapses or is restored.
interface IDuesOracle {
    /// @notice Whether `memberId`'s dues are unpaid past the grace period now.
    function duesLapsed(uint256 memberId) external view returns (bool);
}
