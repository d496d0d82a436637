// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {GovernorMemberVotes} from "./GovernorMemberVotes.sol";

/**
 * @title GovernorThresholds
 * @notice The numbers a proposal is judged by: the quorum of ordinary proposals and of the others
 * (constitutional and member cases), both in percent of the total weight, and the weight cap, in basis
 * points of it. The three are checkpointed together, so a proposal reads all of them at its snapshot in
 * one lookup, and later changes never reach a proposal already snapshotted.
 *
 * Replaces OZ {GovernorVotesQuorumFraction}, keeping its interface (`quorumNumerator`,
 * `quorumDenominator`, `quorum`, `updateQuorumNumerator`, {QuorumNumeratorUpdated}) so tools that read an
 * OZ governor read this one, and adds the constitutional quorum and the cap to the same record.
 */
abstract contract GovernorThresholds is GovernorMemberVotes {
    using Checkpoints for Checkpoints.Trace208;
    using SafeCast for uint256;

    uint256 private constant PERCENT = 100;
    uint256 private constant BPS = 10_000;
    uint256 private constant FIELD_BITS = 64;
    uint256 private constant FIELD_MASK = (1 << FIELD_BITS) - 1;

    /// @dev Per change: quorum numerator in bits 0-63, constitutional numerator 64-127, cap 128-191.
    Checkpoints.Trace208 private _history;

    constructor(uint256 quorumNumerator_, uint256 constitutionalNumerator_, uint256 capBps_) {
        _setThresholds(quorumNumerator_, constitutionalNumerator_, capBps_);
    }

    /// @notice The denominator of both quorum numerators: they are percentages.
    function quorumDenominator() public pure virtual returns (uint256) {
        return PERCENT;
    }

    /// @notice The ordinary quorum numerator now.
    function quorumNumerator() public view virtual returns (uint256) {
        return _history.latest() & FIELD_MASK;
    }

    /// @notice The ordinary quorum numerator in force at `timepoint`.
    function quorumNumerator(uint256 timepoint) public view virtual returns (uint256) {
        return _recordAt(timepoint) & FIELD_MASK;
    }

    /// @inheritdoc IGovernor
    function quorum(uint256 timepoint) public view virtual override returns (uint256) {
        return Math.mulDiv(_totalWeightAt(timepoint), quorumNumerator(timepoint), PERCENT);
    }

    /// @notice The quorum numerator of constitutional and member-case proposals now.
    function constitutionalQuorumNumerator() public view virtual returns (uint256) {
        return (_history.latest() >> FIELD_BITS) & FIELD_MASK;
    }

    /// @notice The weight cap now, in basis points of total weight (10,000: no cap).
    function weightCap() public view virtual returns (uint256) {
        return _history.latest() >> (2 * FIELD_BITS);
    }

    /// @notice Governance sets the ordinary quorum numerator (percent, at most 100).
    function updateQuorumNumerator(uint256 newQuorumNumerator) public virtual onlyGovernance {
        (, uint256 constitutional, uint256 cap) = _unpack(_history.latest());
        _setThresholds(newQuorumNumerator, constitutional, cap);
    }

    /// @notice Governance sets the constitutional quorum numerator (percent, at most 100).
    function setConstitutionalQuorum(uint256 newNumerator) public virtual onlyGovernance {
        (uint256 ordinary, , uint256 cap) = _unpack(_history.latest());
        _setThresholds(ordinary, newNumerator, cap);
    }

    /// @notice Governance sets the cap, in basis points of total weight (1 .. 10,000; 10,000 = no cap).
    function setWeightCap(uint256 newCapBps) public virtual onlyGovernance {
        (uint256 ordinary, uint256 constitutional, ) = _unpack(_history.latest());
        _setThresholds(ordinary, constitutional, newCapBps);
    }

    /**
     * @dev The most weight one member counts for (the cap's share of the total, rounded up) and the quorum,
     * ordinary or constitutional, for a proposal snapshotted at `timepoint`: one checkpoint lookup and
     * one read of the total weight.
     */
    function _thresholdsAt(
        uint256 timepoint,
        bool constitutional
    ) internal view virtual returns (uint256 capWeight, uint256 quorumWeight) {
        (uint256 ordinary, uint256 constitutionalNumerator, uint256 cap) = _unpack(_recordAt(timepoint));
        uint256 total = _totalWeightAt(timepoint);
        capWeight = Math.mulDiv(total, cap, BPS, Math.Rounding.Ceil);
        quorumWeight = Math.mulDiv(total, constitutional ? constitutionalNumerator : ordinary, PERCENT);
    }

    /// @dev The record in force at `timepoint`; the latest one answers without a search when it is older.
    // slither-disable-next-line unused-return -- the history is never empty (the constructor writes it), so `exists` is always true
    function _recordAt(uint256 timepoint) private view returns (uint256) {
        (, uint48 key, uint208 value) = _history.latestCheckpoint();
        return key <= timepoint ? value : _history.upperLookupRecent(timepoint.toUint48());
    }

    // slither-disable-next-line unused-return -- push's return values are not needed
    function _setThresholds(uint256 ordinary, uint256 constitutional, uint256 capBps) private {
        if (ordinary > PERCENT) revert GovernorInvalidQuorumFraction(ordinary, PERCENT);
        if (constitutional > PERCENT) revert GovernorInvalidConstitutionalQuorum(constitutional, PERCENT);
        if (capBps == 0 || capBps > BPS) revert GovernorInvalidWeightCap(capBps);
        (uint256 oldOrdinary, uint256 oldConstitutional, uint256 oldCap) = _unpack(_history.latest());
        _history.push(clock(), uint208(ordinary | (constitutional << FIELD_BITS) | (capBps << (2 * FIELD_BITS))));
        // Each setter's event when its value changes (all three at construction, where the old ones are 0).
        if (ordinary != oldOrdinary) emit QuorumNumeratorUpdated(oldOrdinary, ordinary);
        if (constitutional != oldConstitutional) emit ConstitutionalQuorumSet(oldConstitutional, constitutional);
        if (capBps != oldCap) emit WeightCapSet(oldCap, capBps);
    }

    function _unpack(uint256 record) private pure returns (uint256 ordinary, uint256 constitutional, uint256 cap) {
        return (record & FIELD_MASK, (record >> FIELD_BITS) & FIELD_MASK, record >> (2 * FIELD_BITS));
    }
}
