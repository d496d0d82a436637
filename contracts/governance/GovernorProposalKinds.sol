// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {GovernorTieredCounting} from "./GovernorTieredCounting.sol";
import {ProposalRules} from "./ProposalRules.sol";

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
 *
 * A second table flags the calls that are about one member (their first argument is a member id:
 * suspend, expel, censure). That member is recused from the proposal when it is created. The decisions
 * themselves, and the constitutional vote count, run in the {ProposalRules} library.
 */
abstract contract GovernorProposalKinds is GovernorTieredCounting {
    using Checkpoints for Checkpoints.Trace208;
    using SafeCast for uint256;

    mapping(uint256 proposalId => ProposalKind) private _kinds;
    /// @dev Per (target, selector): ProposalRules.CONSTITUTIONAL | ProposalRules.ABOUT_MEMBER bits.
    mapping(address target => mapping(bytes4 selector => uint8)) private _callRules;
    Checkpoints.Trace208 private _constitutionalQuorumHistory;
    ProposalRules.Guards private _guards;

    constructor(
        uint256 constitutionalQuorumNumerator_,
        CallRule[] memory callRules_
    ) {
        _setConstitutionalQuorum(constitutionalQuorumNumerator_);
        for (uint256 i = 0; i < callRules_.length; ++i) {
            _setCallRule(callRules_[i]);
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
        return ProposalRules.classify(_callRules, _executor(), targets, calldatas);
    }

    /// @notice Governance sets how calls to `selector` on `target` are treated: whether they make a
    /// proposal constitutional, and whether they are about the member whose id is their first argument
    /// (that member is then recused from proposals making such a call).
    function setCallRule(
        address target,
        bytes4 selector,
        bool constitutional,
        bool aboutMember
    ) public virtual onlyGovernance {
        _setCallRule(CallRule(target, selector, constitutional, aboutMember));
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

    /// @dev Classifies and records the kind once, at creation, and recuses the members it is about.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        ProposalRules.Intake memory p = ProposalRules.Intake(
            proposalId,
            _executor(),
            registry(),
            proposer,
            proposalDeadline(proposalId)
        );
        _kinds[proposalId] = ProposalRules.intake(_callRules, _marksOf(proposalId), _guards, p, targets, calldatas);
    }

    /// @inheritdoc Governor
    // slither-disable-next-line dead-code -- called by OZ Governor.state() through virtual dispatch
    function _voteSucceeded(uint256 proposalId) internal view virtual override returns (bool) {
        if (_kinds[proposalId] == ProposalKind.Constitutional) {
            return ProposalRules.constitutionalSucceeded(_tierTalliesOf(proposalId), registry().tierCount());
        }
        (uint256 againstVotes, uint256 forVotes, ) = proposalVotes(proposalId);
        return forVotes > againstVotes;
    }

    /// @dev Refuses to run a proposal whose targets' code changed since it was created.
    function _checkTargetCode(uint256 proposalId, address[] memory targets) internal view {
        ProposalRules.checkCode(_guards, proposalId, targets);
    }

    function _setCallRule(CallRule memory rule) internal virtual {
        _callRules[rule.target][rule.selector] =
            (rule.constitutional ? ProposalRules.CONSTITUTIONAL : 0) |
            (rule.aboutMember ? ProposalRules.ABOUT_MEMBER : 0);
        emit CallRuleSet(rule.target, rule.selector, rule.constitutional, rule.aboutMember);
    }

    // slither-disable-next-line unused-return -- push's return values are not needed
    function _setConstitutionalQuorum(uint256 newNumerator) internal virtual {
        uint256 denominator = quorumDenominator();
        if (newNumerator > denominator) revert GovernorInvalidConstitutionalQuorum(newNumerator, denominator);
        uint256 oldNumerator = _constitutionalQuorumHistory.latest();
        _constitutionalQuorumHistory.push(clock(), newNumerator.toUint208());
        emit ConstitutionalQuorumSet(oldNumerator, newNumerator);
    }
}
