// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchBallots} from "./BatchBallots.sol";
import {GovernorVoteLedger} from "./GovernorVoteLedger.sol";
import {VoteLedger} from "./VoteLedger.sol";

/**
 * @title GovernorBatchBallots
 * @notice Many EIP-712 signed ballots in one transaction, so members vote without paying gas and a
 * relayer pays once per batch. {BatchBallots} checks the signatures; the {VoteLedger} counts each ballot
 * exactly as it counts a direct vote (eligibility, one vote per member, recusal, the cap, quorum), and
 * late-quorum protection sees the batch as it sees a vote.
 *
 * Differs from OZ `castVoteBySig`:
 * - The typed data `MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)`, in the
 *   governor's EIP-712 domain (chain id and this contract), has no nonce: the proposal's has-voted
 *   marks make every ballot single-use, so no per-voter nonce is written.
 * - An invalid, ineligible or duplicate ballot is skipped with {BallotRejected} and a reason instead of
 *   reverting the batch, so one bad ballot cannot block the others.
 * - Two calldata layouts: {CompactBallot} (three static words: an account's ballot with no reason and
 *   an EIP-2098 signature) and {SignedBallot} (any signature, ERC-1271 included, and a reason).
 */
abstract contract GovernorBatchBallots is GovernorVoteLedger {
    /**
     * @notice Count every valid ballot for `proposalId`, which must be Active: the compact ones first,
     * then the full ones. Returns how many were counted.
     */
    /// @dev The ballots reach the library as this call's own calldata ({CallArguments}).
    function castVoteBatch(
        uint256 proposalId,
        CompactBallot[] calldata,
        SignedBallot[] calldata
    ) public virtual returns (uint256 counted) {
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        // slither-disable-next-line uninitialized-local -- a fresh session, which _openSession fills
        VoteLedger.Session memory session;
        _openSession(session, proposalId);
        BatchBallots.Context memory ctx = BatchBallots.Context(
            proposalId,
            proposalSnapshot(proposalId),
            _domainSeparatorV4(),
            _registry(),
            session.capWeight,
            session.quorum
        );
        counted = BatchBallots.count(ctx, msg.data);
        _counted(proposalId, counted);
    }
}
