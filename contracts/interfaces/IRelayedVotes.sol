// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";

/**
 * @title IRelayedVotes
 * @notice What a governor offers its ballot box: the count of votes whose signatures and weights the
 * box has already checked. One word per vote:
 *   bits 0-159 voter, 160-191 member id, 192-199 tier, 200-207 support, 208-255 weight at the snapshot.
 */
interface IRelayedVotes {
    /// @dev Outcome of one relayed vote, one byte each in {countRelayedVotes}'s result.
    enum RelayOutcome {
        Counted,
        AlreadyVoted,
        Recused
    }

    error GovernorOnlyBallotBox(address caller);

    /// @notice The one contract allowed to call {countRelayedVotes}.
    function ballotBox() external view returns (address);

    /// @notice Counts pre-verified votes on an Active proposal; returns one {RelayOutcome} byte per vote.
    function countRelayedVotes(
        uint256 proposalId,
        uint256[] calldata votes,
        string[] calldata reasons
    ) external returns (bytes memory outcomes);
}

/// @notice The voting-token getter of OZ {GovernorVotes}, through which the ballot box finds the registry.
interface IGovernorVotesToken {
    function token() external view returns (IERC5805);
}
