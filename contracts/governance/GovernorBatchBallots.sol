// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {GovernorTieredCounting} from "./GovernorTieredCounting.sol";

/**
 * @title GovernorBatchBallots
 * @notice Many EIP-712 signed ballots in one transaction, so members vote without paying gas and a
 * relayer pays once per batch.
 *
 * Differs from OZ `castVoteBySig`:
 * - The typed data `MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)` has no
 *   nonce: the proposal's has-voted bitmap already makes every ballot single-use, so no per-voter
 *   nonce is written. The domain (Governor's EIP-712 domain) binds chain id and this contract.
 * - An invalid, ineligible or duplicate ballot is skipped with {BallotRejected} and a reason instead of
 *   reverting the batch, so one bad ballot cannot block the others.
 * - Bitmap words and tier tallies are accumulated in memory and written once per batch. Ballots sorted
 *   by member id touch each bitmap word once.
 * Signatures go through OZ {SignatureChecker}: low-s ECDSA for accounts, ERC-1271 for contract wallets.
 */
abstract contract GovernorBatchBallots is GovernorTieredCounting {
    bytes32 public constant MEMBER_BALLOT_TYPEHASH =
        keccak256("MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)");

    /// @dev Mirrors MemberRegistry.MAX_TIERS: the tier ids a registry can hand out.
    uint256 private constant MAX_TIERS = 16;

    /// @dev Running state of one batch, kept in memory and flushed once.
    struct BatchState {
        uint256 snapshot;
        uint256 cap;
        uint256 word;
        uint256 marks;
        bool loaded;
        uint256[MAX_TIERS] tierVotes;
    }

    /**
     * @notice Count every valid ballot in `ballots` for `proposalId`, which must be Active. Returns how
     * many were counted; each skipped ballot emits {BallotRejected}.
     */
    function castVoteBatch(uint256 proposalId, SignedBallot[] calldata ballots) public virtual returns (uint256 counted) {
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        BatchState memory batch;
        batch.snapshot = proposalSnapshot(proposalId);
        batch.cap = _capWeight(proposalId);
        for (uint256 i = 0; i < ballots.length; ++i) {
            if (_countSignedBallot(proposalId, ballots[i], batch)) ++counted;
        }
        if (batch.loaded) _storeMarks(proposalId, batch.word, batch.marks);
        for (uint256 t = 0; t < MAX_TIERS; ++t) {
            if (batch.tierVotes[t] != 0) _addTierVotes(proposalId, uint8(t), batch.tierVotes[t]);
        }
        if (counted != 0) _tallyUpdated(proposalId);
    }

    /// @notice The EIP-712 digest a member signs for a {castVoteBatch} ballot.
    function memberBallotDigest(
        uint256 proposalId,
        uint8 support,
        address voter,
        string calldata reason
    ) public view virtual returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(MEMBER_BALLOT_TYPEHASH, proposalId, support, voter, keccak256(bytes(reason))))
            );
    }

    function _countSignedBallot(
        uint256 proposalId,
        SignedBallot calldata ballot,
        BatchState memory batch
    ) private returns (bool) {
        if (ballot.support > SUPPORT_ABSTAIN) return _reject(proposalId, ballot.voter, BallotRejection.InvalidSupport);
        bytes32 digest = memberBallotDigest(proposalId, ballot.support, ballot.voter, ballot.reason);
        if (!SignatureChecker.isValidSignatureNow(ballot.voter, digest, ballot.signature)) {
            return _reject(proposalId, ballot.voter, BallotRejection.InvalidSignature);
        }
        IMemberRegistry.Voter memory voter = _voterAt(ballot.voter, batch.snapshot);
        if (voter.weight == 0) return _reject(proposalId, ballot.voter, BallotRejection.NotEligible);

        (uint256 word, uint256 shift) = _markPosition(voter.memberId);
        if (!batch.loaded || word != batch.word) {
            if (batch.loaded) _storeMarks(proposalId, batch.word, batch.marks);
            (batch.word, batch.marks, batch.loaded) = (word, _loadMarks(proposalId, word), true);
        }
        uint256 mine = batch.marks >> shift;
        if (mine & VOTED != 0) return _reject(proposalId, ballot.voter, BallotRejection.AlreadyVoted);
        if (mine & RECUSED != 0) return _reject(proposalId, ballot.voter, BallotRejection.Recused);
        batch.marks |= VOTED << shift;

        uint256 weight = Math.min(voter.weight, batch.cap);
        batch.tierVotes[voter.tier] += _packVote(ballot.support, weight);
        emit VoteCast(ballot.voter, proposalId, ballot.support, weight, ballot.reason);
        return true;
    }

    function _reject(uint256 proposalId, address voter, BallotRejection reason) private returns (bool) {
        emit BallotRejected(proposalId, voter, reason);
        return false;
    }
}
