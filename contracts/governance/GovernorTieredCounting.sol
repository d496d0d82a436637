// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {GovernorMemberVotes} from "./GovernorMemberVotes.sol";

/**
 * @title GovernorTieredCounting
 * @notice For / Against / Abstain counting with tallies per tier and a per-member weight cap.
 *
 * Differs from OZ {GovernorCountingSimple}:
 * - Tallies are kept per tier: one storage word per (proposal, tier) packs against, for and abstain as
 *   three 80-bit fields. A tier's sum is at most 2^32 members × 2^32 weight < 2^80, so fields never spill.
 * - "Has voted" is a bitmap keyed by member id, two bits per member (voted, recused): 128 members share
 *   a word, so most ballots update a warm-able non-zero word instead of setting a fresh slot.
 * - No member counts for more than the cap: a share (in basis points) of the total weight at the
 *   snapshot, rounded up. The cap in force at the snapshot applies.
 * - The cap, the quorum and the weight counting toward quorum live in one word per proposal, filled at
 *   the first ballot (the snapshot is past by then, so both are final). Checking quorum after every
 *   ballot (late-quorum protection) then reads that warm word instead of every tier and two histories,
 *   and once quorum is reached the counter stops being written.
 * - Voters are members, identified by member id, so a member that rotates its seat cannot vote twice.
 */
abstract contract GovernorTieredCounting is GovernorMemberVotes {
    using Checkpoints for Checkpoints.Trace208;
    using SafeCast for uint256;

    uint256 internal constant BPS = 10_000;
    uint8 internal constant SUPPORT_AGAINST = 0;
    uint8 internal constant SUPPORT_FOR = 1;
    uint8 internal constant SUPPORT_ABSTAIN = 2;
    uint256 internal constant VOTED = 1;
    uint256 internal constant RECUSED = 2;
    uint256 private constant FIELD_BITS = 80;
    uint256 private constant FIELD_MASK = (1 << FIELD_BITS) - 1;

    /// @dev One slot per proposal. `quorumVotes` (for + abstain) saturates: it stops growing once it
    /// reaches `quorum`, because only "reached or not" is ever asked of it.
    struct ProposalCounters {
        uint80 capWeight;
        uint80 quorum;
        uint80 quorumVotes;
        bool initialized;
    }

    mapping(uint256 proposalId => mapping(uint256 word => uint256)) private _marks;
    mapping(uint256 proposalId => mapping(uint8 tierId => uint256)) private _tierTallies;
    mapping(uint256 proposalId => ProposalCounters) private _counters;
    Checkpoints.Trace208 private _capBpsHistory;

    constructor(uint256 initialCapBps) {
        _setWeightCap(initialCapBps);
    }

    /// @inheritdoc IGovernor
    // slither-disable-next-line naming-convention -- IGovernor names this function
    function COUNTING_MODE() public pure virtual override returns (string memory) {
        return "support=bravo&quorum=for,abstain&tiers=true&cap=bps";
    }

    /// @notice The weight cap now, in basis points of total weight.
    function weightCap() public view virtual returns (uint256) {
        return _capBpsHistory.latest();
    }

    /// @notice The weight cap in force at `timepoint`, in basis points of total weight.
    function weightCap(uint256 timepoint) public view virtual returns (uint256) {
        return _capBpsHistory.upperLookupRecent(timepoint.toUint48());
    }

    /// @notice The most weight one member can count for on `proposalId` (cap at the snapshot).
    function proposalWeightCap(uint256 proposalId) public view virtual returns (uint256) {
        uint256 snapshot = proposalSnapshot(proposalId);
        return Math.mulDiv(_totalWeightAt(snapshot), weightCap(snapshot), BPS, Math.Rounding.Ceil);
    }

    /// @notice The weight (for + abstain) `proposalId` needs, by its kind, at its snapshot.
    function proposalQuorum(uint256 proposalId) public view virtual returns (uint256);

    /// @notice Governance sets the cap, in basis points of total weight (1 .. 10,000; 10,000 = no cap).
    function setWeightCap(uint256 newCapBps) public virtual onlyGovernance {
        _setWeightCap(newCapBps);
    }

    /// @notice The tallies of one tier, in OZ's order.
    function proposalTierVotes(
        uint256 proposalId,
        uint8 tierId
    ) public view virtual returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) {
        return _unpack(_tierTallies[proposalId][tierId]);
    }

    /// @notice The tallies summed over all tiers, in OZ's order.
    function proposalVotes(
        uint256 proposalId
    ) public view virtual returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) {
        uint256 packed = 0;
        uint8 tiers = registry().tierCount();
        for (uint8 t = 0; t < tiers; ++t) {
            // Cannot spill between fields: the sum over all tiers is bounded like one tier's (see header).
            packed += _tierTallies[proposalId][t];
        }
        return _unpack(packed);
    }

    /// @inheritdoc IGovernor
    function hasVoted(uint256 proposalId, address account) public view virtual override returns (bool) {
        return _memberMarks(proposalId, registry().memberIdOf(account)) & VOTED != 0;
    }

    /// @notice Whether member `memberId` has voted on, and whether it has recused itself from, `proposalId`.
    function memberMarks(uint256 proposalId, uint256 memberId) public view virtual returns (bool voted, bool recused) {
        uint256 marks = _memberMarks(proposalId, memberId);
        return (marks & VOTED != 0, marks & RECUSED != 0);
    }

    /**
     * @dev Replaces OZ's cast path so the registry is asked once per ballot (member id, tier and weight in
     * one read) instead of once for weight and again for identity. Vote params are not supported.
     */
    function _castVote(
        uint256 proposalId,
        address account,
        uint8 support,
        string memory reason,
        bytes memory params
    ) internal virtual override returns (uint256 counted) {
        if (params.length != 0) revert GovernorInvalidVoteParams();
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        counted = _countVote(proposalId, account, support, 0, params);
        emit VoteCast(account, proposalId, support, counted, reason);
        _tallyUpdated(proposalId);
    }

    /// @dev The weight argument is ignored: the registry answers it together with the member's tier.
    function _countVote(
        uint256 proposalId,
        address account,
        uint8 support,
        uint256,
        bytes memory
    ) internal virtual override returns (uint256 counted) {
        if (support > SUPPORT_ABSTAIN) revert GovernorInvalidVoteType();
        IMemberRegistry.Voter memory voter = _voterAt(account, proposalSnapshot(proposalId));
        if (voter.weight == 0) revert GovernorIneligibleVoter(account);
        (uint256 word, uint256 shift) = _markPosition(voter.memberId);
        uint256 marks = _marks[proposalId][word];
        if ((marks >> shift) & VOTED != 0) revert GovernorAlreadyCastVote(account);
        if ((marks >> shift) & RECUSED != 0) revert GovernorVoterRecused(account);
        _marks[proposalId][word] = marks | (VOTED << shift);

        ProposalCounters memory counters = _loadCounters(proposalId);
        counted = Math.min(voter.weight, counters.capWeight);
        _tierTallies[proposalId][voter.tier] += _packVote(support, counted);
        if (_addQuorumVotes(counters, support, counted)) _counters[proposalId] = counters;
    }

    /// @dev Quorum reached, from the counters word; a proposal nobody voted on has no counters yet.
    function _quorumReached(uint256 proposalId) internal view virtual override returns (bool) {
        ProposalCounters memory counters = _counters[proposalId];
        if (!counters.initialized) return proposalQuorum(proposalId) == 0;
        return counters.quorumVotes >= counters.quorum;
    }

    /// @dev The proposal's counters, computed (not yet stored) on its first ballot.
    function _loadCounters(uint256 proposalId) internal view returns (ProposalCounters memory counters) {
        counters = _counters[proposalId];
        if (!counters.initialized) {
            counters.capWeight = proposalWeightCap(proposalId).toUint80();
            counters.quorum = proposalQuorum(proposalId).toUint80();
        }
    }

    /// @dev Adds a ballot's weight toward quorum; returns whether the counters must be written back.
    function _addQuorumVotes(
        ProposalCounters memory counters,
        uint8 support,
        uint256 weight
    ) internal pure returns (bool changed) {
        changed = !counters.initialized;
        counters.initialized = true;
        if (support != SUPPORT_AGAINST && counters.quorumVotes < counters.quorum) {
            // Cannot overflow: quorumVotes stays below quorum + one capped weight, both below 2^64.
            counters.quorumVotes += uint80(weight);
            changed = true;
        }
    }

    /// @dev Which bitmap word holds a member's marks, and at which bit they start.
    function _markPosition(uint256 memberId) internal pure returns (uint256 word, uint256 shift) {
        return (memberId >> 7, (memberId & 127) << 1);
    }

    /// @dev The has-voted / recused bitmap of one proposal (word index => 128 members' marks).
    function _marksOf(uint256 proposalId) internal view returns (mapping(uint256 => uint256) storage) {
        return _marks[proposalId];
    }

    /// @dev The packed tallies of one proposal, per tier.
    function _tierTalliesOf(uint256 proposalId) internal view returns (mapping(uint8 => uint256) storage) {
        return _tierTallies[proposalId];
    }

    function _storeCounters(uint256 proposalId, ProposalCounters memory counters) internal {
        _counters[proposalId] = counters;
    }

    /// @dev `weight` placed in the field of `support` (0 against, 1 for, 2 abstain).
    function _packVote(uint8 support, uint256 weight) private pure returns (uint256) {
        return weight << (uint256(support) * FIELD_BITS);
    }

    function _memberMarks(uint256 proposalId, uint256 memberId) private view returns (uint256) {
        if (memberId == 0) return 0;
        (uint256 word, uint256 shift) = _markPosition(memberId);
        return (_marks[proposalId][word] >> shift) & 3;
    }

    function _unpack(uint256 packed) private pure returns (uint256, uint256, uint256) {
        return (packed & FIELD_MASK, (packed >> FIELD_BITS) & FIELD_MASK, packed >> (2 * FIELD_BITS));
    }

    // slither-disable-next-line unused-return -- push's return values are not needed
    function _setWeightCap(uint256 newCapBps) internal virtual {
        if (newCapBps == 0 || newCapBps > BPS) revert GovernorInvalidWeightCap(newCapBps);
        uint256 oldCapBps = _capBpsHistory.latest();
        _capBpsHistory.push(clock(), newCapBps.toUint208());
        emit WeightCapSet(oldCapBps, newCapBps);
    }
}
