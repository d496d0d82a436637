// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GovernorProposalKinds} from "./GovernorProposalKinds.sol";
import {VoteLedger} from "./VoteLedger.sol";

/**
 * @title GovernorRecusal
 * @notice Nobody votes on its own case. Not in OZ.
 *
 * - Automatic: the member a MemberCase proposal is about (see {GovernorProposalKinds}) is recused from it
 *   when it is created. A member's case carries nothing but calls about that member, so recusal excludes
 *   at most that member, and only from its own case.
 * - Declared: a member publicly declares a conflict of interest on a proposal ({recuse}), and from then
 *   on cannot vote on it. The declaration is final and is an event anyone can read.
 *
 * Recusals are marks in the {VoteLedger}, next to the votes, so one lookup refuses both a second vote and
 * a recused one.
 */
abstract contract GovernorRecusal is GovernorProposalKinds {
    /**
     * @notice Recuse the caller's member from `proposalId` (while it is Pending or Active), with a public
     * reason. Reverts if the member already voted or already recused.
     */
    function recuse(uint256 proposalId, string calldata reason) public virtual {
        _validateStateBitmap(
            proposalId,
            _encodeStateBitmap(ProposalState.Pending) | _encodeStateBitmap(ProposalState.Active)
        );
        uint256 memberId = _registry().memberIdOf(msg.sender);
        if (memberId == 0) revert GovernorNotMember(msg.sender);
        (bool hadVoted, bool wasRecused) = VoteLedger.recuse(proposalId, memberId);
        if (wasRecused) revert GovernorAlreadyRecused(msg.sender);
        if (hadVoted) revert GovernorAlreadyCastVote(msg.sender);
        emit VoterRecused(proposalId, memberId, msg.sender, reason);
    }

    /// @dev Recuses the member a new proposal is about, if any.
    // slither-disable-next-line unused-return -- a new proposal has no marks yet: nobody voted or recused
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        (, uint256 subject) = proposalKind(proposalId);
        if (subject != 0) {
            VoteLedger.recuse(proposalId, subject);
            emit SubjectRecused(proposalId, subject);
        }
    }
}
