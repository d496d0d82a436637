// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {VoterWord} from "../utils/VoterWord.sol";
import {BatchBallots} from "./BatchBallots.sol";
import {GovernorThresholds} from "./GovernorThresholds.sol";
import {VoteLedger} from "./VoteLedger.sol";

/**
 * @title GovernorVoteLedger
 * @notice For / Against / Abstain counting with tallies per tier and a per-member weight cap, kept in the
 * {VoteLedger}: the direct vote paths here and the batch path ({GovernorBatchBallots}) count through the
 * same function.
 *
 * Differs from OZ {GovernorCountingSimple}:
 * - Tallies per tier (read with {proposalTierVotes}); {proposalVotes} sums them.
 * - Voters are members, identified by member id, so a member that rotates its seat cannot vote twice;
 *   "has voted" is a bitmap by member id, which also records recusals.
 * - No member counts for more than the cap in force at the snapshot ({GovernorThresholds}).
 * - Quorum is read from a counter kept with the tallies, not recomputed from every tier on each ballot.
 * - Vote params are not supported: the entry points that take them revert with
 *   {GovernorInvalidVoteParams}. A signed vote with a reason is a MemberBallot ({GovernorBatchBallots}).
 */
abstract contract GovernorVoteLedger is GovernorThresholds {
    /// @inheritdoc IGovernor
    // slither-disable-next-line naming-convention -- IGovernor names this function
    function COUNTING_MODE() public pure virtual override returns (string memory) {
        return "support=bravo&quorum=for,abstain&tiers=true&cap=bps";
    }

    /// @notice Always reverts: this governor counts no vote params (use {castVoteWithReason}).
    function castVoteWithReasonAndParams(
        uint256,
        uint8,
        string calldata,
        bytes memory
    ) public virtual override returns (uint256) {
        revert GovernorInvalidVoteParams();
    }

    /// @notice Always reverts: this governor counts no vote params (a signed vote with a reason is a
    /// MemberBallot, see {GovernorBatchBallots}).
    function castVoteWithReasonAndParamsBySig(
        uint256,
        uint8,
        address,
        string calldata,
        bytes memory,
        bytes memory
    ) public virtual override returns (uint256) {
        revert GovernorInvalidVoteParams();
    }

    /// @notice The most weight one member can count for on `proposalId` (the cap at its snapshot).
    function proposalWeightCap(uint256 proposalId) public view virtual returns (uint256 capWeight) {
        (capWeight, ) = _proposalThresholds(proposalId);
    }

    /// @notice The weight (for + abstain) `proposalId` needs, by its kind, at its snapshot.
    function proposalQuorum(uint256 proposalId) public view virtual returns (uint256 quorumWeight) {
        (, quorumWeight) = _proposalThresholds(proposalId);
    }

    /// @notice The tallies of one tier, in OZ's order.
    function proposalTierVotes(
        uint256 proposalId,
        uint8 tierId
    ) public view virtual returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) {
        return VoteLedger.tierTally(proposalId, tierId);
    }

    /// @notice The tallies summed over all tiers, in OZ's order.
    function proposalVotes(
        uint256 proposalId
    ) public view virtual returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) {
        return VoteLedger.totals(proposalId, _registry().tierCount());
    }

    /// @inheritdoc IGovernor
    /// @dev By member (see {VoteLedger.hasVoted}): true once the member that held `account` at the
    /// snapshot, or holds it now, has voted.
    function hasVoted(uint256 proposalId, address account) public view virtual override returns (bool) {
        return VoteLedger.hasVoted(proposalId, _registry(), account, proposalSnapshot(proposalId));
    }

    /// @notice Whether member `memberId` has voted on, and whether it is recused from, `proposalId`.
    function memberMarks(uint256 proposalId, uint256 memberId) public view virtual returns (bool voted, bool recused) {
        return VoteLedger.marksOf(proposalId, memberId);
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

    /// @dev A session of one ballot in the ledger. The weight argument is ignored: the registry answers
    /// it together with the member's identity and tier.
    function _countVote(
        uint256 proposalId,
        address account,
        uint8 support,
        uint256,
        bytes memory
    ) internal virtual override returns (uint256) {
        uint256 voter = _electorAt(account, proposalSnapshot(proposalId));
        // slither-disable-next-line uninitialized-local -- a fresh session, which _openSession fills
        VoteLedger.Session memory session;
        _openSession(session, proposalId);
        (bool counted, BallotRejection rejection, uint256 weight) = VoteLedger.count(
            session,
            VoterWord.memberId(voter),
            VoterWord.tier(voter),
            VoterWord.weight(voter),
            support
        );
        if (!counted) VoteLedger.revertRejected(rejection, account);
        VoteLedger.close(session);
        return weight;
    }

    /// @dev Quorum reached, from the ledger's counter; a proposal nobody voted on has none yet.
    function _quorumReached(uint256 proposalId) internal view virtual override returns (bool) {
        (bool initialized, bool reached) = VoteLedger.quorumReached(proposalId);
        return initialized ? reached : proposalQuorum(proposalId) == 0;
    }

    /// @dev Opens `session` on `proposalId` for open ballots (reverts if it is sealed), with the cap and
    /// quorum filled in before its first ballot.
    function _openSession(VoteLedger.Session memory session, uint256 proposalId) internal view {
        VoteLedger.open(session, proposalId);
        if (!session.initialized) (session.capWeight, session.quorum) = _proposalThresholds(proposalId);
    }

    /// @dev What a ballot library ({SealedBallots}, {ApprovalBallots}) needs of `proposalId`, which must be
    /// Active; the cap and quorum only for counting (`counting`) before its first counted ballot.
    function _ballotContext(uint256 proposalId, bool counting) internal view returns (BatchBallots.Context memory ctx) {
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        (ctx.proposalId, ctx.snapshot, ctx.domainSeparator, ctx.registry) =
            (proposalId, proposalSnapshot(proposalId), _domainSeparatorV4(), _registry());
        if (!counting) return ctx; // a commitment counts nothing: no counters to read
        // slither-disable-next-line unused-return -- only whether the counters exist yet matters here
        (bool initialized, ) = VoteLedger.quorumReached(proposalId);
        if (!initialized) (ctx.capWeight, ctx.quorum) = _proposalThresholds(proposalId);
    }

    /// @dev After a batch counted `counted` ballots on `proposalId`: late-quorum protection sees them as a vote.
    function _counted(uint256 proposalId, uint256 counted) internal {
        if (counted != 0) _tallyUpdated(proposalId);
    }

    /// @dev The cap and the quorum of `proposalId`, fixed at its snapshot (the quorum depends on its kind).
    function _proposalThresholds(uint256 proposalId) internal view virtual returns (uint256 capWeight, uint256 quorumWeight);
}
