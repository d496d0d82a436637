// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Memory} from "@openzeppelin/contracts/utils/Memory.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {CallArguments} from "../utils/CallArguments.sol";
import {VoterWord} from "../utils/VoterWord.sol";
import {BallotSignatures} from "./BallotSignatures.sol";
import {BatchBallots} from "./BatchBallots.sol";
import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";
import {VoteLedger} from "./VoteLedger.sol";

/**
 * @title SealedBallots
 * @notice Commit and reveal for sealed proposals ({GovernorSealedBallots}). An external library that runs
 * in the governor's storage by DELEGATECALL, like {BatchBallots}; both entry points take a batch, so a
 * relayer submits many members' commitments or reveals at once, and a member acting alone sends a batch of
 * one.
 *
 * - Commit (before the proposal's reveal start): a member with weight at the snapshot, not recused, records
 *   one commitment, signed with the same rule as a relayed ballot ({BallotSignatures}) unless the member's
 *   own seat sends it. One per member, never replaced: a relayer holding an older signed commitment cannot
 *   swap it in for a newer one.
 * - Reveal (from the reveal start to the deadline): anyone may open a commitment with the vote and the
 *   salt; the vote is then counted by the {VoteLedger} exactly as an open ballot (weight at the snapshot,
 *   the cap, recusal, one vote per member). The commitment binds the member id, so another member cannot
 *   copy it to vote the same way, and the chain and governor, so it means nothing elsewhere. Replaying a
 *   reveal finds the member voted; front-running one counts the same vote.
 *
 * A refused commitment or reveal is skipped with {IConsortiumGovernor.BallotRejected} and a reason, so
 * one cannot stop the others.
 */
library SealedBallots {
    bytes32 internal constant SEALED_BALLOT_TYPEHASH =
        keccak256("SealedBallot(uint256 proposalId,address voter,bytes32 commitment)");

    /// @notice Seal new proposal `proposalId`, whose description ends with `#sealed` (see
    /// {GovernorSealedBallots}): reveals start when the last third of its voting period does.
    function seal(uint256 proposalId, uint256 deadline, uint256 votingPeriod) external {
        uint48 revealStart = uint48(deadline - votingPeriod / 3);
        VoteLedger.seal(proposalId, revealStart);
        emit IConsortiumGovernor.ProposalSealed(proposalId, revealStart);
    }

    /// @notice Record each valid commitment in `call` (the governor's `commitVotes(proposalId, commits)`
    /// calldata) to `ctx.proposalId`; returns how many were recorded.
    function commit(BatchBallots.Context memory ctx, bytes calldata call) external returns (uint256 committed) {
        IConsortiumGovernor.SealedCommit[] calldata commits;
        (uint256 offset, uint256 length) = CallArguments.array(call, 1);
        // slither-disable-next-line assembly -- points a calldata array at the governor's checked argument
        assembly ("memory-safe") {
            commits.offset := offset
            commits.length := length
        }
        uint256 revealStart = VoteLedger.revealStartOf(ctx.proposalId);
        if (revealStart == 0) revert IConsortiumGovernor.GovernorProposalNotSealed(ctx.proposalId);
        // slither-disable-next-line timestamp -- the governor's clock is the timestamp (ERC-6372 mode=timestamp)
        if (block.timestamp >= revealStart) revert IConsortiumGovernor.GovernorCommitsClosed(ctx.proposalId, revealStart);
        address[] memory seats = new address[](commits.length);
        for (uint256 i = 0; i < commits.length; ++i) {
            seats[i] = commits[i].voter;
        }
        uint256[] memory voters = ctx.registry.electorate(seats, ctx.snapshot);
        Memory.Pointer free = Memory.getFreeMemoryPointer();
        for (uint256 i = 0; i < commits.length; ++i) {
            IConsortiumGovernor.SealedCommit calldata c = commits[i];
            (bool recorded, IConsortiumGovernor.BallotRejection rejection) = _commit(ctx, c, voters[i]);
            if (recorded) {
                ++committed;
                emit IConsortiumGovernor.VoteCommitted(ctx.proposalId, c.voter, VoterWord.memberId(voters[i]), c.commitment);
            } else {
                emit IConsortiumGovernor.BallotRejected(ctx.proposalId, c.voter, rejection);
            }
            Memory.unsafeSetFreeMemoryPointer(free); // as BatchBallots.count frees a ballot's memory
        }
    }

    /// @notice Open and count each valid reveal in `call` (the governor's `revealVotes(proposalId, reveals)`
    /// calldata) on `ctx.proposalId`; returns how many were counted.
    function reveal(BatchBallots.Context memory ctx, bytes calldata call) external returns (uint256) {
        IConsortiumGovernor.SealedReveal[] calldata reveals;
        (uint256 offset, uint256 length) = CallArguments.array(call, 1);
        // slither-disable-next-line assembly -- points a calldata array at the governor's checked argument
        assembly ("memory-safe") {
            reveals.offset := offset
            reveals.length := length
        }
        // slither-disable-next-line uninitialized-local -- a fresh session, which VoteLedger.open fills
        VoteLedger.Session memory session;
        VoteLedger.openSealed(session, ctx.proposalId);
        uint256 revealStart = VoteLedger.revealStartOf(ctx.proposalId);
        // slither-disable-next-line timestamp -- the governor's clock is the timestamp (ERC-6372 mode=timestamp)
        if (block.timestamp < revealStart) revert IConsortiumGovernor.GovernorRevealsNotOpen(ctx.proposalId, revealStart);
        if (!session.initialized) (session.capWeight, session.quorum) = (ctx.capWeight, ctx.quorum);
        address[] memory seats = new address[](reveals.length);
        for (uint256 i = 0; i < reveals.length; ++i) {
            seats[i] = reveals[i].voter;
        }
        uint256[] memory voters = ctx.registry.electorate(seats, ctx.snapshot);
        Memory.Pointer free = Memory.getFreeMemoryPointer();
        for (uint256 i = 0; i < reveals.length; ++i) {
            _reveal(session, reveals[i], voters[i]);
            Memory.unsafeSetFreeMemoryPointer(free); // as BatchBallots.count frees a ballot's memory
        }
        VoteLedger.close(session);
        return session.counted;
    }

    /// @notice The commitment to `support` with `salt` of member `memberId` on `proposalId`, in this
    /// governor on this chain (what a member signs a {IConsortiumGovernor.SealedCommit} over).
    function commitment(
        uint256 proposalId,
        uint256 memberId,
        uint8 support,
        bytes32 salt
    ) internal view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), proposalId, memberId, support, salt));
    }

    /// @dev Records `c`, or says why not (the reason is meaningless when it is recorded).
    function _commit(
        BatchBallots.Context memory ctx,
        IConsortiumGovernor.SealedCommit calldata c,
        uint256 voter
    ) private returns (bool recorded, IConsortiumGovernor.BallotRejection rejection) {
        bool own = c.voter == msg.sender && c.signature.length == 0;
        if (!own && !BallotSignatures.isValid(c.voter, _digest(ctx, c), c.signature, VoterWord.isWallet(voter))) {
            return (false, IConsortiumGovernor.BallotRejection.InvalidSignature);
        }
        uint256 memberId = VoterWord.memberId(voter);
        if (VoterWord.weight(voter) == 0) return (false, IConsortiumGovernor.BallotRejection.NotEligible);
        // slither-disable-next-line unused-return -- a sealed proposal has no votes before reveals: only recusal matters
        (, bool recused) = VoteLedger.marksOf(ctx.proposalId, memberId);
        if (recused) return (false, IConsortiumGovernor.BallotRejection.Recused);
        if (c.commitment == 0) return (false, IConsortiumGovernor.BallotRejection.NoCommitment);
        if (!VoteLedger.commit(ctx.proposalId, memberId, c.commitment)) {
            return (false, IConsortiumGovernor.BallotRejection.AlreadyCommitted);
        }
        return (true, rejection);
    }

    /// @dev A reveal that opens its member's commitment is counted by the ledger; the outcome is an event.
    function _reveal(VoteLedger.Session memory session, IConsortiumGovernor.SealedReveal calldata r, uint256 voter) private {
        uint256 memberId = VoterWord.memberId(voter);
        bytes32 committed = VoteLedger.commitmentOf(session.proposalId, memberId);
        IConsortiumGovernor.BallotRejection rejection = IConsortiumGovernor.BallotRejection.NoCommitment;
        bool counted = false;
        uint256 weight = 0;
        if (committed != 0 && commitment(session.proposalId, memberId, r.support, r.salt) != committed) {
            rejection = IConsortiumGovernor.BallotRejection.RevealMismatch;
        } else if (committed != 0) {
            (counted, rejection, weight) = VoteLedger.count(
                session,
                memberId,
                VoterWord.tier(voter),
                VoterWord.weight(voter),
                r.support
            );
        }
        if (counted) emit IGovernor.VoteCast(r.voter, session.proposalId, r.support, weight, "");
        else emit IConsortiumGovernor.BallotRejected(session.proposalId, r.voter, rejection);
    }

    function _digest(
        BatchBallots.Context memory ctx,
        IConsortiumGovernor.SealedCommit calldata c
    ) private pure returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(SEALED_BALLOT_TYPEHASH, ctx.proposalId, c.voter, c.commitment));
        return MessageHashUtils.toTypedDataHash(ctx.domainSeparator, structHash);
    }
}
