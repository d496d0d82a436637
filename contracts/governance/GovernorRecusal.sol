// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GovernorTieredCounting} from "./GovernorTieredCounting.sol";
import {ProposalRules} from "./ProposalRules.sol";

/**
 * @title GovernorRecusal
 * @notice A member publicly declares a conflict of interest on a proposal, and from then on cannot vote
 * on it. The declaration is final and is an event anyone can read. Not in OZ.
 */
abstract contract GovernorRecusal is GovernorTieredCounting {
    /**
     * @notice Recuse the caller's member from `proposalId` (while it is Pending or Active), with a public
     * reason. Reverts if the member already voted or already recused. Members a proposal is about are
     * recused automatically when it is created (see {GovernorProposalKinds}).
     */
    function recuse(uint256 proposalId, string calldata reason) public virtual {
        _validateStateBitmap(
            proposalId,
            _encodeStateBitmap(ProposalState.Pending) | _encodeStateBitmap(ProposalState.Active)
        );
        ProposalRules.recuse(_marksOf(proposalId), proposalId, registry().memberIdOf(msg.sender), msg.sender, reason);
    }
}
