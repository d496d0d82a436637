// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GovernorMemberVotes} from "./GovernorMemberVotes.sol";
import {ProposalGuards} from "./ProposalGuards.sol";

/**
 * @title GovernorProposalGuards
 * @notice Guards on what a proposal may become, run by {ProposalGuards}: its targets' code is pinned at
 * creation and checked before execution ({GovernorTargetCodeChanged}), and a member may have at most
 * three proposals whose voting has not ended ({GovernorTooManyOpenProposals}). Not in OZ.
 *
 * Execution reaches the pin only through the governor: the deployment makes the governor the timelock's
 * only executor, so a queued operation cannot be run on the timelock directly.
 */
abstract contract GovernorProposalGuards is GovernorMemberVotes {
    /// @dev Takes an open-proposal slot of the proposer's member and pins the targets' code.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        ProposalGuards.admit(proposalId, _registry().memberIdOf(proposer), proposalDeadline(proposalId), targets);
    }

    /// @dev Refuses to run a proposal whose targets' code changed since it was created.
    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal virtual override {
        ProposalGuards.checkCode(proposalId, targets);
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }
}
