// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev Tier ids are 0 .. MAX_TIERS-1, so tallies per tier fit bounded loops and fixed-size arrays.
uint256 constant MAX_TIERS = 16;

/**
 * @title VoterWord
 * @notice The one word in which the registry tells a governor who a batch's voters are: member id in
 * bits 0-31, tier in bits 32-39, weight at the snapshot in bits 40-71, and bit 72 set when the seat is a
 * contract wallet (its signatures are asked of it first, see {BallotSignatures}). One word per voter because a
 * relayed batch pays for every byte marshalled between the contracts. Packed by {MemberRegistry.electorate},
 * unpacked by {VoteLedger}; this library is the only place that knows the layout.
 */
library VoterWord {
    /// @notice The seat's part of the word: its member id and whether it is a contract wallet. Kept apart
    /// from {pack} so that the registry's per-voter loop carries one value for both.
    /// `wallet` is 1 for a contract wallet, 0 otherwise (a bool as stored, read without a branch).
    function seat(uint32 id, uint256 wallet) internal pure returns (uint256) {
        return uint256(id) | (wallet << 72);
    }

    /// @notice The whole word: a {seat} word with the voter's tier and its weight at the snapshot.
    function pack(uint256 seatWord, uint8 tierId, uint256 voterWeight) internal pure returns (uint256) {
        return seatWord | (uint256(tierId) << 32) | (voterWeight << 40);
    }

    function memberId(uint256 word) internal pure returns (uint256) {
        return uint32(word);
    }

    function tier(uint256 word) internal pure returns (uint256) {
        return uint8(word >> 32);
    }

    function weight(uint256 word) internal pure returns (uint256) {
        return uint32(word >> 40);
    }

    function isWallet(uint256 word) internal pure returns (bool) {
        return (word >> 72) & 1 != 0;
    }
}
