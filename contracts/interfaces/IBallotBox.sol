// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRelayedVotes} from "./IRelayedVotes.sol";

/**
 * @title IBallotBox
 * @notice Relays many EIP-712 signed ballots to a governor in one transaction.
 */
interface IBallotBox {
    /// @notice Why a signed ballot was skipped instead of counted.
    enum BallotRejection {
        InvalidSupport,
        InvalidSignature,
        NotEligible,
        AlreadyVoted,
        Recused
    }

    /// @notice A ballot signed off-chain: EIP-712 `MemberBallot` in the governor's domain.
    struct SignedBallot {
        address voter;
        uint8 support;
        string reason;
        bytes signature;
    }

    error BallotBoxProposalNotActive(uint256 proposalId);

    event BallotRejected(
        address indexed governor,
        uint256 indexed proposalId,
        address indexed voter,
        BallotRejection reason
    );

    /// @notice Verify and relay `ballots` for `proposalId` (which must be Active) to `governor`. Returns
    /// how many were counted; each skipped ballot emits {BallotRejected} with the reason.
    function castVoteBatch(
        IRelayedVotes governor,
        uint256 proposalId,
        SignedBallot[] calldata ballots
    ) external returns (uint256 counted);

    /// @notice The EIP-712 digest a member signs for a ballot on `governor`.
    function memberBallotDigest(
        IRelayedVotes governor,
        uint256 proposalId,
        uint8 support,
        address voter,
        string calldata reason
    ) external view returns (bytes32);
}
