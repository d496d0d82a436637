// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorVoteLedger} from "./GovernorVoteLedger.sol";
import {ProposalKinds} from "./ProposalKinds.sol";

/**
 * @title GovernorProposalKinds
 * @notice Ordinary, constitutional and member-case proposals, classified from their calls when proposed;
 * the proposer has no say in the kind, so it cannot downgrade one. The rules live in {ProposalKinds}.
 *
 * - Ordinary: for > against (abstentions count toward quorum only), under the ordinary quorum.
 * - Constitutional (any call to the governor's settings, the timelock's delay, or a (target, selector)
 *   flagged constitutional): for ≥ 2/3 of (for + against), for > against inside every tier that cast a
 *   for or against vote, and for votes above half of all weight at the snapshot, under the
 *   constitutional quorum ({GovernorThresholds}).
 * - MemberCase (calls about one member, such as a suspension, and nothing else): the constitutional rule
 *   and quorum. {GovernorRecusal} recuses the member.
 *
 * The call-rule table changes only by a constitutional vote ({setCallRule}).
 */
abstract contract GovernorProposalKinds is GovernorVoteLedger {
    constructor(CallRule[] memory callRules_) {
        for (uint256 i = 0; i < callRules_.length; ++i) {
            ProposalKinds.setRule(callRules_[i]);
        }
    }

    /// @notice The kind `proposalId` was classified as when it was proposed and, for a member's case, the
    /// member it is about (zero otherwise).
    function proposalKind(uint256 proposalId) public view virtual returns (ProposalKind kind, uint256 subject) {
        return (ProposalKinds.kindOf(proposalId), ProposalKinds.subjectOf(proposalId));
    }

    /// @notice The kind (and for a member's case, the member) a proposal with these calls would get, so
    /// tools can show it before proposing. Reverts as {propose} would for a forbidden or bundled call.
    function classify(
        address[] memory targets,
        bytes[] memory calldatas
    ) public view virtual returns (ProposalKind kind, uint256 subject) {
        return ProposalKinds.classify(_executor(), targets, calldatas);
    }

    /// @notice Governance sets how calls to `selector` on `target` are treated: whether they make a
    /// proposal constitutional, and whether they are about the member whose id is their first argument.
    function setCallRule(
        address target,
        bytes4 selector,
        bool constitutional,
        bool aboutMember
    ) public virtual onlyGovernance {
        ProposalKinds.setRule(CallRule(target, selector, constitutional, aboutMember));
    }

    /// @dev Classifies the proposal and records its kind once, at creation.
    // slither-disable-next-line dead-code -- reached through the _propose chain (super) from ConsortiumGovernor
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        (ProposalKind kind, uint256 subject) = ProposalKinds.classify(_executor(), targets, calldatas);
        ProposalKinds.record(proposalId, kind, subject);
    }

    /// @inheritdoc GovernorVoteLedger
    function _proposalThresholds(uint256 proposalId) internal view virtual override returns (uint256, uint256) {
        return _thresholdsAt(proposalSnapshot(proposalId), ProposalKinds.kindOf(proposalId) != ProposalKind.Ordinary);
    }

    /// @inheritdoc Governor
    // slither-disable-next-line dead-code -- called by OZ Governor.state() through virtual dispatch
    function _voteSucceeded(uint256 proposalId) internal view virtual override returns (bool) {
        return ProposalKinds.succeeded(proposalId, _registry(), proposalSnapshot(proposalId));
    }
}
