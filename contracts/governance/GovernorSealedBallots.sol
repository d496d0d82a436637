// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DescriptionTags} from "./DescriptionTags.sol";
import {GovernorVoteLedger} from "./GovernorVoteLedger.sol";
import {SealedBallots} from "./SealedBallots.sol";
import {VoteLedger} from "./VoteLedger.sol";

/**
 * @title GovernorSealedBallots
 * @notice Sealed proposals: while a sealed proposal runs, members commit to their votes without showing
 * them, and nobody (members, relayer, observers) sees a running tally; from its reveal start to its
 * deadline, the votes are revealed and counted by the {VoteLedger} with the same rules as open votes. An
 * unrevealed commitment counts toward nothing. {SealedBallots} does the work.
 *
 * Who seals: the proposer, by ending the description with `#sealed` (before OpenZeppelin's
 * `#proposer=0x…` reservation, if any, so that nobody can make the proposal first and cancel it). The description is part of the
 * proposal id, so the seal can be neither added nor removed later, and every tool reading ProposalCreated
 * sees it. Sealing changes no rule of the count (kind, quorum, cap, recusal, tiers), only when votes are
 * seen. The last third of the voting period (rounded down) is for reveals; a late-quorum extension
 * lengthens it.
 *
 * Not in OZ. What it gives and does not: running-tally privacy (no vote is seen before the reveal start,
 * as Shutter's and Cicada's sealed votes), but no lasting secrecy (every vote is public once revealed)
 * and no coercion resistance (a member can prove its vote by showing its salt), which MACI addresses.
 */
abstract contract GovernorSealedBallots is GovernorVoteLedger {
    /// @notice When reveals of `proposalId` start; zero if it is not sealed.
    function proposalRevealStart(uint256 proposalId) public view virtual returns (uint256) {
        return VoteLedger.revealStartOf(proposalId);
    }

    /// @notice Record members' commitments to their votes on sealed `proposalId`, which must be Active and
    /// before its reveal start. Returns how many were recorded.
    /// @dev The commitments reach the library as this call's own calldata ({CallArguments}).
    function commitVotes(uint256 proposalId, SealedCommit[] calldata) public virtual returns (uint256) {
        return SealedBallots.commit(_ballotContext(proposalId, false), msg.data);
    }

    /// @notice Reveal and count votes committed to on sealed `proposalId`, which must be Active and past its
    /// reveal start. Anyone may reveal with the vote and salt. Returns how many were counted.
    /// @dev The reveals reach the library as this call's calldata, as in {commitVotes}.
    function revealVotes(uint256 proposalId, SealedReveal[] calldata) public virtual returns (uint256 counted) {
        counted = SealedBallots.reveal(_ballotContext(proposalId, true), msg.data);
        _counted(proposalId, counted);
    }

    /// @dev Seals a new proposal whose description ends with `#sealed`.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        if (DescriptionTags.endsWith(description, "#sealed", 7)) {
            SealedBallots.seal(proposalId, proposalDeadline(proposalId), votingPeriod());
        }
    }
}
