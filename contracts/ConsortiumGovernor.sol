// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {GovernorMemberVotes} from "./governance/GovernorMemberVotes.sol";
import {GovernorThresholds} from "./governance/GovernorThresholds.sol";
import {GovernorVoteLedger} from "./governance/GovernorVoteLedger.sol";
import {GovernorProposalKinds} from "./governance/GovernorProposalKinds.sol";
import {GovernorRecusal} from "./governance/GovernorRecusal.sol";
import {GovernorProposalGuards} from "./governance/GovernorProposalGuards.sol";
import {GovernorBatchBallots} from "./governance/GovernorBatchBallots.sol";
import {GovernorSealedBallots} from "./governance/GovernorSealedBallots.sol";
import {GovernorElections} from "./governance/GovernorElections.sol";
import {GovernorLateQuorum} from "./governance/GovernorLateQuorum.sol";

/**
 * @title ConsortiumGovernor
 * @notice The consortium's decision engine. Composes OZ Governor, GovernorSettings, GovernorVotes (over
 * the MemberRegistry) and GovernorTimelockControl with our extensions: the thresholds (quorums and the
 * weight cap, in place of OZ's GovernorVotesQuorumFraction), late-quorum protection (in place of OZ's
 * GovernorPreventLateQuorum, kept in the vote ledger), the vote ledger
 * (tallies per tier), proposal kinds, recusal, proposal guards, batched signed ballots, sealed ballots and elections. This contract only composes them; the behaviour lives in
 * contracts/governance/.
 */
contract ConsortiumGovernor is
    GovernorSettings,
    GovernorRecusal,
    GovernorBatchBallots,
    GovernorSealedBallots,
    GovernorElections,
    GovernorTimelockControl,
    GovernorLateQuorum,
    GovernorProposalGuards
{
    /// @notice Every tunable the governor starts with; all of them change later only by constitutional vote.
    struct Settings {
        uint48 votingDelay;
        uint32 votingPeriod;
        uint48 lateQuorumExtension;
        uint256 quorumNumerator;
        uint256 constitutionalQuorumNumerator;
        uint256 weightCapBps;
    }

    constructor(
        string memory name_,
        IMemberRegistry registry_,
        TimelockController timelock_,
        Settings memory settings,
        CallRule[] memory callRules
    )
        Governor(name_)
        GovernorSettings(settings.votingDelay, settings.votingPeriod, 0)
        GovernorMemberVotes(registry_)
        GovernorThresholds(settings.quorumNumerator, settings.constitutionalQuorumNumerator, settings.weightCapBps)
        GovernorProposalKinds(callRules)
        GovernorTimelockControl(timelock_)
        GovernorLateQuorum(settings.lateQuorumExtension)
    {}

    // ───────────── override glue only ─────────────

    function castVoteWithReasonAndParams(
        uint256 proposalId,
        uint8 support,
        string calldata reason,
        bytes memory params
    ) public override(Governor, GovernorVoteLedger) returns (uint256) {
        return super.castVoteWithReasonAndParams(proposalId, support, reason, params);
    }

    function castVoteWithReasonAndParamsBySig(
        uint256 proposalId,
        uint8 support,
        address voter,
        string calldata reason,
        bytes memory params,
        bytes memory signature
    ) public override(Governor, GovernorVoteLedger) returns (uint256) {
        return super.castVoteWithReasonAndParamsBySig(proposalId, support, voter, reason, params, signature);
    }

    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    function proposalDeadline(
        uint256 proposalId
    ) public view override(Governor, GovernorLateQuorum) returns (uint256) {
        return super.proposalDeadline(proposalId);
    }

    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    )
        internal
        override(
            Governor,
            GovernorMemberVotes,
            GovernorRecusal,
            GovernorProposalGuards,
            GovernorSealedBallots,
            GovernorElections
        )
        returns (uint256)
    {
        return super._propose(targets, values, calldatas, description, proposer);
    }

    function _castVote(
        uint256 proposalId,
        address account,
        uint8 support,
        string memory reason,
        bytes memory params
    ) internal override(Governor, GovernorVoteLedger) returns (uint256) {
        return super._castVote(proposalId, account, support, reason, params);
    }

    function _tallyUpdated(uint256 proposalId) internal override(Governor, GovernorLateQuorum) {
        super._tallyUpdated(proposalId);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl, GovernorProposalGuards) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _validateCancel(
        uint256 proposalId,
        address caller
    ) internal view override(Governor, GovernorElections) returns (bool) {
        return super._validateCancel(proposalId, caller);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
