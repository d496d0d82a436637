// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GovernorTieredCounting} from "./GovernorTieredCounting.sol";

/**
 * @title GovernorRecusal
 * @notice A member publicly declares a conflict of interest on a proposal, and from then on cannot vote
 * on it. The declaration is final and is an event anyone can read. Not in OZ.
 */
abstract contract GovernorRecusal is GovernorTieredCounting {
    /**
     * @notice Recuse the caller's member from `proposalId` (while it is Pending or Active), with a public
     * reason. Reverts if the member already voted or already recused.
     */
    function recuse(uint256 proposalId, string calldata reason) public virtual {
        _validateStateBitmap(
            proposalId,
            _encodeStateBitmap(ProposalState.Pending) | _encodeStateBitmap(ProposalState.Active)
        );
        uint256 memberId = registry().memberIdOf(msg.sender);
        if (memberId == 0) revert GovernorNotMember(msg.sender);
        (uint256 word, uint256 shift) = _markPosition(memberId);
        mapping(uint256 => uint256) storage bitmap = _marksOf(proposalId);
        uint256 marks = bitmap[word];
        if ((marks >> shift) & RECUSED != 0) revert GovernorAlreadyRecused(msg.sender);
        if ((marks >> shift) & VOTED != 0) revert GovernorAlreadyCastVote(msg.sender);
        bitmap[word] = marks | (RECUSED << shift);
        emit VoterRecused(proposalId, memberId, msg.sender, reason);
    }
}
