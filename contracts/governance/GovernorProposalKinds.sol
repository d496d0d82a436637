// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {GovernorTieredCounting} from "./GovernorTieredCounting.sol";

/**
 * @title GovernorProposalKinds
 * @notice Ordinary and constitutional proposals, classified from their calls at propose time.
 *
 * - Ordinary: for > against (abstentions count toward quorum only), quorum = {quorum} at the snapshot.
 * - Constitutional: for ≥ 2/3 of (for + against), and for > against inside every tier whose members
 *   cast a for or against vote (concurrent majorities: no tier can impose on another), under its own
 *   quorum, {constitutionalQuorum} at the snapshot.
 *
 * A proposal is constitutional when any call targets the governor itself or its executor (the
 * timelock), or matches a (target, selector) pair in the constitutional table, which itself changes
 * only by a constitutional vote. The proposer has no say in the kind, so it cannot be downgraded.
 */
abstract contract GovernorProposalKinds is GovernorTieredCounting {
    using Checkpoints for Checkpoints.Trace208;
    using SafeCast for uint256;

    mapping(uint256 proposalId => ProposalKind) private _kinds;
    mapping(address target => mapping(bytes4 selector => bool)) private _constitutionalCalls;
    Checkpoints.Trace208 private _constitutionalQuorumHistory;

    constructor(uint256 constitutionalQuorumNumerator_, ConstitutionalCall[] memory constitutionalCalls) {
        _setConstitutionalQuorum(constitutionalQuorumNumerator_);
        for (uint256 i = 0; i < constitutionalCalls.length; ++i) {
            _setConstitutionalCall(constitutionalCalls[i].target, constitutionalCalls[i].selector, true);
        }
    }

    /// @notice The denominator of both quorum numerators (OZ {GovernorVotesQuorumFraction} provides it).
    function quorumDenominator() public view virtual returns (uint256);

    /// @notice The kind `proposalId` was classified as when it was proposed.
    function proposalKind(uint256 proposalId) public view virtual returns (ProposalKind) {
        return _kinds[proposalId];
    }

    /// @notice The kind a proposal with these calls would get, so tools can show it before proposing.
    function classify(address[] memory targets, bytes[] memory calldatas) public view virtual returns (ProposalKind) {
        address executor = _executor();
        for (uint256 i = 0; i < targets.length; ++i) {
            address target = targets[i];
            if (target == address(this) || target == executor) return ProposalKind.Constitutional;
            if (calldatas[i].length >= 4 && _constitutionalCalls[target][bytes4(calldatas[i])]) {
                return ProposalKind.Constitutional;
            }
        }
        return ProposalKind.Ordinary;
    }

    /// @notice Governance adds or removes a (target, selector) pair from the constitutional table.
    function setConstitutionalCall(address target, bytes4 selector, bool constitutional) public virtual onlyGovernance {
        _setConstitutionalCall(target, selector, constitutional);
    }

    /// @notice The constitutional quorum numerator now (over {quorumDenominator}).
    function constitutionalQuorumNumerator() public view virtual returns (uint256) {
        return _constitutionalQuorumHistory.latest();
    }

    /// @notice The constitutional quorum numerator in force at `timepoint`.
    function constitutionalQuorumNumerator(uint256 timepoint) public view virtual returns (uint256) {
        return _constitutionalQuorumHistory.upperLookupRecent(timepoint.toUint48());
    }

    /// @notice The weight a constitutional proposal snapshotted at `timepoint` needs (for + abstain).
    function constitutionalQuorum(uint256 timepoint) public view virtual returns (uint256) {
        return Math.mulDiv(_totalWeightAt(timepoint), constitutionalQuorumNumerator(timepoint), quorumDenominator());
    }

    /// @inheritdoc GovernorTieredCounting
    function proposalQuorum(uint256 proposalId) public view virtual override returns (uint256) {
        uint256 snapshot = proposalSnapshot(proposalId);
        return _kinds[proposalId] == ProposalKind.Constitutional ? constitutionalQuorum(snapshot) : quorum(snapshot);
    }

    /// @notice Governance sets the constitutional quorum numerator.
    function setConstitutionalQuorum(uint256 newNumerator) public virtual onlyGovernance {
        _setConstitutionalQuorum(newNumerator);
    }

    /// @dev Classifies and records the kind once, at creation.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        ProposalKind kind = classify(targets, calldatas);
        _kinds[proposalId] = kind;
        emit ProposalClassified(proposalId, kind);
    }

    /// @inheritdoc Governor
    function _voteSucceeded(uint256 proposalId) internal view virtual override returns (bool) {
        (uint256 againstVotes, uint256 forVotes, ) = proposalVotes(proposalId);
        if (_kinds[proposalId] == ProposalKind.Ordinary) return forVotes > againstVotes;
        if (forVotes == 0 || forVotes * 3 < (forVotes + againstVotes) * 2) return false;
        uint8 tiers = registry().tierCount();
        for (uint8 t = 0; t < tiers; ++t) {
            (uint256 tierAgainst, uint256 tierFor, ) = proposalTierVotes(proposalId, t);
            if (tierAgainst + tierFor > 0 && tierFor <= tierAgainst) return false;
        }
        return true;
    }

    function _setConstitutionalCall(address target, bytes4 selector, bool constitutional) internal virtual {
        _constitutionalCalls[target][selector] = constitutional;
        emit ConstitutionalCallSet(target, selector, constitutional);
    }

    function _setConstitutionalQuorum(uint256 newNumerator) internal virtual {
        uint256 denominator = quorumDenominator();
        if (newNumerator > denominator) revert GovernorInvalidConstitutionalQuorum(newNumerator, denominator);
        uint256 oldNumerator = _constitutionalQuorumHistory.latest();
        _constitutionalQuorumHistory.push(clock(), newNumerator.toUint208());
        emit ConstitutionalQuorumSet(oldNumerator, newNumerator);
    }
}
