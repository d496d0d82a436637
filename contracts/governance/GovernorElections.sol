// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ApprovalBallots} from "./ApprovalBallots.sol";
import {DescriptionTags} from "./DescriptionTags.sol";
import {GovernorVoteLedger} from "./GovernorVoteLedger.sol";
import {VoteLedger} from "./VoteLedger.sol";

/**
 * @title GovernorElections
 * @notice Elections of a body's seats, voted on by approval: one ballot approves any number of candidates.
 * An election's ballot is a proposal tagged `#election`, made exactly as its election registry describes
 * it (one call, `seat(electionId)`); while it is Active, members cast approval ballots ({castApprovals}),
 * themselves or signed through a relayer, counted by the {VoteLedger} with the rules of every vote (weight
 * at the snapshot, the cap, recusal, one ballot per member, quorum). When it executes, the registry reads
 * each candidate's approvals ({proposalApprovals}) and seats the winners. {ApprovalBallots} does the work.
 *
 * Not in OZ: OpenZeppelin's governor has no multi-candidate vote.
 */
abstract contract GovernorElections is GovernorVoteLedger {
    /// @notice Count members' approval ballots on election ballot `proposalId`, which must be Active. A
    /// member sends its own with an empty signature; a relayer sends signed ones. Returns how many counted.
    /// @dev The ballots reach the library as this call's own calldata ({CallArguments}).
    function castApprovals(uint256 proposalId, ApprovalBallot[] calldata) public virtual returns (uint256 counted) {
        counted = ApprovalBallots.cast(_ballotContext(proposalId, true), msg.data);
        _counted(proposalId, counted);
    }

    /// @notice The approval weight that candidate `candidate` (its index in the election's list) of
    /// election ballot `proposalId` received from voters of tier `tierId`.
    function proposalApprovals(uint256 proposalId, uint256 candidate, uint8 tierId) public view virtual returns (uint256) {
        return VoteLedger.approvalsOf(proposalId, candidate, tierId);
    }

    /// @dev Nobody cancels an election's ballot, its proposer included (OZ lets a proposer cancel while Pending):
    /// the registry fixes it and anyone could have made it, so a cancellation could only stall the election,
    /// round after round. A ballot that fails is followed by the registry's next round.
    function _validateCancel(uint256 proposalId, address caller) internal view virtual override returns (bool) {
        return !VoteLedger.isElection(proposalId) && super._validateCancel(proposalId, caller);
    }

    /// @dev Makes a new proposal tagged `#election` its election's ballot, or refuses it.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        if (DescriptionTags.endsWith(description, "#election", 9)) {
            ApprovalBallots.openBallot(proposalId, targets, values, calldatas);
        }
    }
}
