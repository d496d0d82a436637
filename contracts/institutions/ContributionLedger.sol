// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IContributionLedger} from "../interfaces/IContributionLedger.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";

/**
 * @title ContributionLedger
 * @notice The contribution part of members' voting weight: sponsorships paid to the treasury from a member's
 * seat and contributions governance attributes (grants, standards authored, body service), as the deployment
 * chose. The registry adds a member's part to its tier weight at a proposal's snapshot, and the total part
 * to the total weight, once governance has named this ledger there ({IMemberRegistry.setContributionsLedger}).
 *
 * The rule, at a timepoint t in period p(t) = (t − origin) / period:
 *   part = sqrt(value / unit), value = each contribution halved at every period boundary since it was made.
 * - Concave: paying 100 times as much gives 10 times the part, so the biggest payer cannot buy the vote; the
 *   optional `maxPart`, and the governor's per-member cap on the whole weight, bound it further.
 * - Checkpointed: every change is written at the registry's clock and read at the snapshot, so a contribution
 *   made once a proposal's snapshot has passed does not count on it (no flash contributions).
 * - Decaying: a contribution is worth half after each period boundary, so influence has to be renewed.
 *
 * Exact totals with decay and concavity: per member, `units` = Σ amount × 2^(period index when recorded), so
 * its value at t is units / 2^p(t); its score s = sqrt(units × 1e18 / unit) is checkpointed, and so is the
 * sum S of the scores that count. Then part(t) = s(t) × D(p(t)) / 1e27 and total(t) = S(t) × D(p(t)) / 1e27,
 * with D(p) = 2^(−p/2) × 1e18: one decay factor for everyone, so the total needs no loop. Each part is
 * rounded down and the total once, so the total exceeds the sum of the parts by less than one weight unit per
 * contributing member (it errs toward a higher quorum); deployments weighing contributions should use fine
 * tier weights (say 1000 and 300 rather than 3 and 1) to make that negligible.
 *
 * `maxPart` is applied when a contribution is recorded, as a cap on the score (maxPart / D(p) at that
 * period): the part never exceeds it afterwards since D only falls, and the total stays exact. A member
 * above the cap decays from the cap until its next contribution.
 *
 * Life: `units` grows by 2^p per unit recorded, so the ledger records for {MAX_PERIODS} periods (64 years at
 * a one-year period; choose the period accordingly). After that it still answers, and governance names a fresh
 * ledger in the registry; the registry checkpoints which ledger is in force, so the swap changes no past
 * snapshot. A contribution MAX_PERIODS old is worth 2^−32 of its amount anyway.
 *
 * Only members that count (active, in a voting tier) have a score in the total: the registry tells this
 * ledger when a member starts or stops counting ({setCounted}), and a recording reads the member's standing.
 */
contract ContributionLedger is IContributionLedger {
    using Checkpoints for Checkpoints.Trace208;
    using SafeCast for uint256;

    /// @notice Periods during which contributions are recorded (see the life, above).
    uint256 public constant MAX_PERIODS = 64;
    /// @dev 1e18 / sqrt(2), rounded down: the decay factor of an odd period.
    uint256 private constant HALF_SQRT2 = 707106781186547524;
    uint256 private constant SCALE = 1e18;
    uint256 private constant PART_SCALE = 1e27;

    /// @dev Per member: undecayed units (< 2^192), the period of its last recording (its score was capped
    /// there) and whether its score is left out of the total (it does not count).
    struct Account {
        uint192 units;
        uint8 period;
        bool excluded;
    }

    address private immutable _governance;
    IMemberRegistry private immutable _registry;
    address private immutable _treasury;
    uint256 private immutable _unit;
    uint48 private immutable _period;
    uint32 private immutable _maxPart;
    bool private immutable _sponsorships;
    bool private immutable _attributions;
    uint48 private immutable _origin;

    mapping(uint256 memberId => Account) private _accounts;
    /// @dev Per member: its counted score over time (zero while it does not count).
    mapping(uint256 memberId => Checkpoints.Trace208) private _scores;
    /// @dev The sum of the counted scores over time.
    Checkpoints.Trace208 private _total;

    /// @param registry_ the roll (its clock keys every checkpoint)
    /// @param governance_ the timelock
    /// @param treasury_ the treasury whose sponsorships count
    // slither-disable-next-line missing-zero-check -- deployed by orchestrator/operations/deploy.py with the suite's own addresses
    constructor(IMemberRegistry registry_, address governance_, address treasury_, Parameters memory p) {
        if (p.unit == 0 || p.period == 0) revert LedgerInvalidParameters(p.unit, p.period);
        (_registry, _governance, _treasury) = (registry_, governance_, treasury_);
        (_unit, _period, _maxPart, _sponsorships, _attributions) =
            (p.unit, p.period, p.maxPart, p.sponsorships, p.attributions);
        _origin = uint48(block.timestamp);
    }

    // ───────────────────────────── reads ─────────────────────────────

    /// @inheritdoc IContributionLedger
    function governance() external view returns (address) {
        return _governance;
    }

    /// @inheritdoc IContributionLedger
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IContributionLedger
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IContributionLedger
    function parameters() external view returns (Parameters memory) {
        return Parameters(_unit, _period, _maxPart, _sponsorships, _attributions);
    }

    /// @inheritdoc IContributionLedger
    function origin() external view returns (uint48) {
        return _origin;
    }

    /// @inheritdoc IContributionLedger
    // slither-disable-next-line timestamp -- periods are months or years; seconds of drift do not matter
    function periodAt(uint256 timepoint) public view returns (uint256) {
        return timepoint <= _origin ? 0 : (timepoint - _origin) / _period;
    }

    /// @inheritdoc IContributionLedger
    function partAt(uint256 memberId, uint256 timepoint) external view returns (uint256) {
        return _part(_scores[memberId].upperLookupRecent(timepoint.toUint48()), _decay(periodAt(timepoint)));
    }

    /// @inheritdoc IContributionLedger
    function partsAt(uint256[] calldata memberIds, uint256 timepoint) external view returns (uint256[] memory parts) {
        uint48 key = timepoint.toUint48();
        uint256 decay = _decay(periodAt(timepoint));
        parts = new uint256[](memberIds.length);
        for (uint256 i = 0; i < memberIds.length; ++i) {
            uint256 memberId = memberIds[i];
            if (memberId != 0) parts[i] = _part(_scores[memberId].upperLookupRecent(key), decay);
        }
    }

    /// @inheritdoc IContributionLedger
    function totalPartAt(uint256 timepoint) external view returns (uint256) {
        return _part(_total.upperLookupRecent(timepoint.toUint48()), _decay(periodAt(timepoint)));
    }

    /// @inheritdoc IContributionLedger
    function contributionOf(uint256 memberId) external view returns (uint256) {
        return uint256(_accounts[memberId].units) >> periodAt(block.timestamp);
    }

    /// @inheritdoc IContributionLedger
    function isCounted(uint256 memberId) external view returns (bool) {
        return !_accounts[memberId].excluded;
    }

    // ───────────────────────────── recording ─────────────────────────────

    /// @inheritdoc IContributionLedger
    // slither-disable-next-line calls-loop -- the registry is the system's own contract
    function recordSponsorship(address seat, uint256 amount) external {
        if (msg.sender != _treasury) revert LedgerUnauthorized(msg.sender);
        // Nothing recorded, nothing refused: the treasury takes the money whether it counts or not.
        if (!_sponsorships || periodAt(block.timestamp) >= MAX_PERIODS) return;
        uint256 memberId = _registry.memberIdOf(seat);
        // A seat's current weight is non-zero exactly when its member is active in a voting tier.
        if (memberId == 0 || _registry.getVotes(seat) == 0) return;
        _record(memberId, Source.Sponsorship, amount, true, "");
    }

    /// @inheritdoc IContributionLedger
    function attribute(uint256 memberId, uint256 amount, string calldata memo) external {
        if (msg.sender != _governance) revert LedgerUnauthorized(msg.sender);
        if (!_attributions) revert LedgerNotCounted(Source.Attribution);
        if (memberId == 0 || memberId > _registry.memberCount()) revert LedgerUnknownMember(memberId);
        IMemberRegistry.Member memory m = _registry.member(memberId);
        // Recorded whatever the standing (it counts once the member does); counted only if it counts now.
        bool counts = m.status == IMemberRegistry.Status.Active && _registry.tier(m.tier).canVote;
        _record(memberId, Source.Attribution, amount, counts, memo);
    }

    /// @inheritdoc IContributionLedger
    // slither-disable-next-line incorrect-equality -- zero units: nothing recorded, nothing to count
    function setCounted(uint256 memberId, bool counted) external {
        if (msg.sender != address(_registry)) revert LedgerUnauthorized(msg.sender);
        Account memory a = _accounts[memberId];
        // A member with nothing recorded has no score to move; its standing is read when something is.
        if (a.units == 0 || a.excluded != counted) return;
        _accounts[memberId].excluded = !counted;
        uint256 oldScore = _scores[memberId].latest();
        uint256 newScore = counted ? _score(a.units, a.period) : 0;
        _setScore(memberId, oldScore, newScore);
        emit CountingChanged(memberId, counted, oldScore, newScore);
    }

    // ───────────────────────────── internals ─────────────────────────────

    function _record(uint256 memberId, Source source, uint256 amount, bool counts, string memory memo) private {
        if (amount == 0) revert LedgerZeroAmount();
        if (amount > type(uint128).max) revert LedgerAmountTooLarge(amount);
        uint256 p = periodAt(block.timestamp);
        if (p >= MAX_PERIODS) revert LedgerExpired(p);
        // No overflow: units < 2^192 and amount << p < 2^191.
        uint256 units = uint256(_accounts[memberId].units) + (amount << p);
        if (units > type(uint192).max) revert LedgerOverflow(memberId);
        // Safe casts: checked just above; p < MAX_PERIODS.
        _accounts[memberId] = Account(uint192(units), uint8(p), !counts);
        uint256 oldScore = _scores[memberId].latest();
        uint256 newScore = counts ? _score(units, p) : 0;
        _setScore(memberId, oldScore, newScore);
        emit ContributionRecorded(memberId, source, amount, oldScore, newScore, memo);
    }

    // slither-disable-next-line unused-return -- push's return values are not needed
    function _setScore(uint256 memberId, uint256 oldScore, uint256 newScore) private {
        if (oldScore == newScore) return;
        uint48 now_ = uint48(block.timestamp);
        _scores[memberId].push(now_, newScore.toUint208());
        _total.push(now_, (_total.latest() - oldScore + newScore).toUint208());
    }

    /// @dev The score of `units` recorded at period `p`: sqrt(units × 1e18 / unit), capped so that its part
    /// is at most maxPart at period p (and so at every later one).
    function _score(uint256 units, uint256 p) private view returns (uint256 score) {
        // No overflow: units < 2^192 and 1e18 < 2^60.
        score = Math.sqrt((units * SCALE) / _unit);
        if (_maxPart != 0) score = Math.min(score, (uint256(_maxPart) * PART_SCALE) / _decay(p));
    }

    /// @dev D(p) = 2^(−p/2) × 1e18, rounded down.
    function _decay(uint256 p) private pure returns (uint256) {
        return (p % 2 == 0 ? SCALE : HALF_SQRT2) >> (p / 2);
    }

    function _part(uint256 score, uint256 decay) private pure returns (uint256) {
        return (score * decay) / PART_SCALE;
    }
}
