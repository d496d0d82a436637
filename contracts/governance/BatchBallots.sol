// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";

/**
 * @title BatchBallots
 * @notice The counting loop of {GovernorBatchBallots}, as an external library: the governor reaches it by
 * DELEGATECALL, so it runs in the governor's storage and its events are the governor's. It keeps the
 * governor under the 24 KiB code limit and holds no state of its own.
 *
 * Per batch: one registry call looks up every voter at the snapshot; bitmap words, tier tallies and
 * the for+abstain weight are accumulated in memory and written once. Ballots sorted by member id share
 * bitmap words.
 *
 * Signatures: ECDSA first (OZ, low-s only), ERC-1271 second. OZ's {SignatureChecker} asks for the
 * signer's code first, a cold account access (2,600 gas) on every ballot; recovering first spends that
 * only on contract wallets and failed signatures. A signature that recovers to the voter's address can
 * only come from that address's key.
 */
library BatchBallots {
    bytes32 internal constant MEMBER_BALLOT_TYPEHASH =
        keccak256("MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)");

    uint256 private constant MAX_TIERS = 16; // MemberRegistry.MAX_TIERS
    uint256 private constant VOTED = 1;
    uint256 private constant RECUSED = 2;
    uint8 private constant SUPPORT_AGAINST = 0;
    uint8 private constant SUPPORT_ABSTAIN = 2;
    uint256 private constant FIELD_BITS = 80; // GovernorTieredCounting's tally layout
    uint256 private constant SIGNATURE_VALID = 1 << 8; // in a ballot's `check` word, above its support

    /// @notice What the governor knows and the loop needs.
    struct Context {
        uint256 proposalId;
        uint256 snapshot;
        bytes32 domainSeparator;
        IMemberRegistry registry;
        uint256 capWeight;
    }

    /// @dev Running state of one batch, flushed to storage once.
    struct Accumulator {
        uint256 counted;
        uint256 quorumVotes;
        bool loaded;
        uint256 word;
        uint256 marks;
        uint256[MAX_TIERS] tierVotes;
    }

    /**
     * @notice Verify and count `compact` then `full` ballots; skip each invalid one with
     * {IConsortiumGovernor.BallotRejected}. Returns how many were counted and their for + abstain weight.
     */
    function count(
        mapping(uint256 => uint256) storage marks,
        mapping(uint8 => uint256) storage tierTallies,
        Context memory ctx,
        IConsortiumGovernor.CompactBallot[] calldata compact,
        IConsortiumGovernor.SignedBallot[] calldata full
    ) external returns (uint256 counted, uint256 quorumVotes) {
        uint256[] memory voters = ctx.registry.votersAt(_seats(compact, full), ctx.snapshot);
        // slither-disable-next-line uninitialized-local -- starts zeroed on purpose: an empty accumulator
        Accumulator memory acc;
        {
            string memory noReason = ""; // allocated once, not per ballot
            for (uint256 i = 0; i < compact.length; ++i) {
                (address voter, uint256 check) = _checkCompact(ctx, compact[i]);
                _count(marks, ctx, acc, voter, check, voters[i], noReason);
            }
        }
        for (uint256 i = 0; i < full.length; ++i) {
            _countFull(marks, ctx, acc, full[i], voters[compact.length + i]);
        }
        if (acc.loaded) marks[acc.word] = acc.marks;
        for (uint256 t = 0; t < MAX_TIERS; ++t) {
            if (acc.tierVotes[t] != 0) tierTallies[uint8(t)] += acc.tierVotes[t];
        }
        return (acc.counted, acc.quorumVotes);
    }

    function _count(
        mapping(uint256 => uint256) storage marks,
        Context memory ctx,
        Accumulator memory acc,
        address voter,
        uint256 check,
        uint256 member,
        string memory reason
    ) private {
        // `check` = support | validSignature << 8: one stack slot instead of two.
        uint8 support = uint8(check);
        if (support > SUPPORT_ABSTAIN) return _reject(ctx, voter, IConsortiumGovernor.BallotRejection.InvalidSupport);
        if (check >> 8 == 0) return _reject(ctx, voter, IConsortiumGovernor.BallotRejection.InvalidSignature);
        // `member` is packed by MemberRegistry.votersAt: id bits 0-31, tier 32-39, weight 40-71.
        uint256 weight = uint32(member >> 40);
        if (weight == 0) return _reject(ctx, voter, IConsortiumGovernor.BallotRejection.NotEligible);

        uint256 memberId = uint32(member);
        uint256 word = memberId >> 7;
        uint256 shift = (memberId & 127) << 1;
        if (!acc.loaded || word != acc.word) {
            if (acc.loaded) marks[acc.word] = acc.marks;
            (acc.word, acc.marks, acc.loaded) = (word, marks[word], true);
        }
        uint256 mine = acc.marks >> shift;
        if (mine & VOTED != 0) return _reject(ctx, voter, IConsortiumGovernor.BallotRejection.AlreadyVoted);
        if (mine & RECUSED != 0) return _reject(ctx, voter, IConsortiumGovernor.BallotRejection.Recused);
        acc.marks |= VOTED << shift;

        weight = Math.min(weight, ctx.capWeight);
        acc.tierVotes[uint8(member >> 32)] += weight << (uint256(support) * FIELD_BITS);
        if (support != SUPPORT_AGAINST) acc.quorumVotes += weight;
        ++acc.counted;
        emit IGovernor.VoteCast(voter, ctx.proposalId, support, weight, reason);
    }

    /// @dev A compact ballot: voter and support from one word, an EIP-2098 signature, no reason.
    // slither-disable-next-line unused-return -- the third value is the error's argument, not needed to reject
    function _checkCompact(
        Context memory ctx,
        IConsortiumGovernor.CompactBallot calldata c
    ) private pure returns (address voter, uint256 check) {
        voter = address(uint160(c.voterAndSupport));
        uint8 support = uint8(c.voterAndSupport >> 160);
        bytes32 digest = _digest(ctx, support, voter, keccak256(""));
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, c.r, c.vs);
        check = support;
        if (err == ECDSA.RecoverError.NoError && signer == voter) check |= SIGNATURE_VALID;
    }

    /// @dev A full ballot: any signature (ECDSA or ERC-1271) over a reason.
    function _countFull(
        mapping(uint256 => uint256) storage marks,
        Context memory ctx,
        Accumulator memory acc,
        IConsortiumGovernor.SignedBallot calldata b,
        uint256 member
    ) private {
        bytes32 digest = _digest(ctx, b.support, b.voter, keccak256(bytes(b.reason)));
        uint256 check = b.support;
        if (_isValidSignature(b.voter, digest, b.signature)) check |= SIGNATURE_VALID;
        _count(marks, ctx, acc, b.voter, check, member, b.reason);
    }

    function _reject(Context memory ctx, address voter, IConsortiumGovernor.BallotRejection reason) private {
        emit IConsortiumGovernor.BallotRejected(ctx.proposalId, voter, reason);
    }

    function _seats(
        IConsortiumGovernor.CompactBallot[] calldata compact,
        IConsortiumGovernor.SignedBallot[] calldata full
    ) private pure returns (address[] memory seats) {
        seats = new address[](compact.length + full.length);
        for (uint256 i = 0; i < compact.length; ++i) {
            seats[i] = address(uint160(compact[i].voterAndSupport));
        }
        for (uint256 i = 0; i < full.length; ++i) {
            seats[compact.length + i] = full[i].voter;
        }
    }

    // slither-disable-next-line unused-return -- the third value is the error's argument, not needed to reject
    function _isValidSignature(address voter, bytes32 digest, bytes calldata signature) private view returns (bool) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && signer == voter) return true;
        return SignatureChecker.isValidERC1271SignatureNowCalldata(voter, digest, signature);
    }

    function _digest(
        Context memory ctx,
        uint8 support,
        address voter,
        bytes32 reasonHash
    ) private pure returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(MEMBER_BALLOT_TYPEHASH, ctx.proposalId, support, voter, reasonHash));
        return MessageHashUtils.toTypedDataHash(ctx.domainSeparator, structHash);
    }
}
