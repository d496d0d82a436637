// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchBallots} from "./BatchBallots.sol";
import {GovernorTieredCounting} from "./GovernorTieredCounting.sol";

/**
 * @title GovernorBatchBallots
 * @notice Many EIP-712 signed ballots in one transaction, so members vote without paying gas and a
 * relayer pays once per batch. The loop lives in the {BatchBallots} library.
 *
 * Differs from OZ `castVoteBySig`:
 * - The typed data `MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)`, in the
 *   governor's EIP-712 domain (chain id and this contract), has no nonce: the proposal's has-voted
 *   bitmap makes every ballot single-use, so no per-voter nonce is written.
 * - An invalid, ineligible or duplicate ballot is skipped with {BallotRejected} and a reason instead of
 *   reverting the batch, so one bad ballot cannot block the others.
 * - Two calldata layouts: {CompactBallot} (three static words: an account's ballot with no reason and
 *   an EIP-2098 signature) and {SignedBallot} (any signature, ERC-1271 included, and a reason).
 */
abstract contract GovernorBatchBallots is GovernorTieredCounting {
    /**
     * @notice Count every valid ballot for `proposalId`, which must be Active: the compact ones first,
     * then the full ones. Returns how many were counted.
     */
    function castVoteBatch(
        uint256 proposalId,
        CompactBallot[] calldata compact,
        SignedBallot[] calldata full
    ) public virtual returns (uint256 counted) {
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        ProposalCounters memory counters = _loadCounters(proposalId);
        BatchBallots.Context memory ctx = BatchBallots.Context(
            proposalId,
            proposalSnapshot(proposalId),
            _domainSeparatorV4(),
            registry(),
            counters.capWeight
        );
        uint256 quorumVotes;
        (counted, quorumVotes) = BatchBallots.count(_marksOf(proposalId), _tierTalliesOf(proposalId), ctx, compact, full);
        if (counted == 0) return 0;
        if (_addQuorumVotes(counters, SUPPORT_FOR, quorumVotes)) _storeCounters(proposalId, counters);
        _tallyUpdated(proposalId);
    }
}
