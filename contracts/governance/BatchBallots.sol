// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Memory} from "@openzeppelin/contracts/utils/Memory.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {CallArguments} from "../utils/CallArguments.sol";
import {VoterWord} from "../utils/VoterWord.sol";
import {BallotSignatures} from "./BallotSignatures.sol";
import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";
import {VoteLedger} from "./VoteLedger.sol";

/**
 * @title BatchBallots
 * @notice The signature half of {GovernorBatchBallots}: checks each signed ballot and hands it to the
 * {VoteLedger}, which counts it as it counts a direct vote. An external library: the governor reaches it
 * by DELEGATECALL, so it runs in the governor's storage and its events are the governor's.
 *
 * Per batch: one registry call looks up every voter at the snapshot; the ledger session writes each
 * marks word, tier tally and counter once.
 *
 * Signatures are checked by {BallotSignatures} (ECDSA or ERC-1271 with bounded gas, a wallet seat asked first).
 */
library BatchBallots {
    bytes32 internal constant MEMBER_BALLOT_TYPEHASH =
        keccak256("MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)");

    /// @notice What the governor knows and the loop needs. `capWeight` and `quorum` fill the proposal's
    /// counters if this batch holds its first counted ballot.
    struct Context {
        uint256 proposalId;
        uint256 snapshot;
        bytes32 domainSeparator;
        IMemberRegistry registry;
        uint256 capWeight;
        uint256 quorum;
    }

    /**
     * @notice Verify and count the `compact` then the `full` ballots of `call`, the governor's calldata of
     * `castVoteBatch(proposalId, compact, full)` ({CallArguments}); skip each invalid one with
     * {IConsortiumGovernor.BallotRejected}. Returns how many were counted.
     */
    function count(Context memory ctx, bytes calldata call) external returns (uint256) {
        IConsortiumGovernor.CompactBallot[] calldata compact;
        IConsortiumGovernor.SignedBallot[] calldata full;
        (uint256 compactOffset, uint256 compactLength) = CallArguments.array(call, 1);
        (uint256 fullOffset, uint256 fullLength) = CallArguments.array(call, 2);
        // slither-disable-next-line assembly -- points calldata arrays at the governor's checked arguments
        assembly ("memory-safe") {
            compact.offset := compactOffset
            compact.length := compactLength
            full.offset := fullOffset
            full.length := fullLength
        }
        uint256[] memory voters = ctx.registry.electorate(_seats(compact, full), ctx.snapshot);
        // slither-disable-next-line uninitialized-local -- a fresh session, which VoteLedger.open fills
        VoteLedger.Session memory session;
        VoteLedger.open(session, ctx.proposalId);
        if (!session.initialized) (session.capWeight, session.quorum) = (ctx.capWeight, ctx.quorum);
        // Each ballot's memory (its digest's encoding, its event's data, a reason's copy) is freed for the next:
        // nothing allocated for a ballot is used after it, and memory costs quadratically in its size (about
        // 30 gas a ballot at 100, nearly 200 at 1,000; bench).
        Memory.Pointer free = Memory.getFreeMemoryPointer();
        for (uint256 i = 0; i < compact.length; ++i) {
            (address voter, uint8 support, bool signed) = _checkCompact(ctx, compact[i]);
            _count(session, voter, support, signed, voters[i], "");
            Memory.unsafeSetFreeMemoryPointer(free);
        }
        for (uint256 i = 0; i < full.length; ++i) {
            _countFull(ctx, session, full[i], voters[compact.length + i]);
            Memory.unsafeSetFreeMemoryPointer(free);
        }
        VoteLedger.close(session);
        return session.counted;
    }

    /// @dev A ballot with a valid signature goes to the ledger; the outcome is an event either way.
    function _count(
        VoteLedger.Session memory session,
        address voter,
        uint8 support,
        bool signed,
        uint256 member,
        string memory reason
    ) private {
        if (!signed) {
            emit IConsortiumGovernor.BallotRejected(session.proposalId, voter, IConsortiumGovernor.BallotRejection.InvalidSignature);
            return;
        }
        (bool counted, IConsortiumGovernor.BallotRejection rejection, uint256 weight) = VoteLedger.count(
            session,
            VoterWord.memberId(member),
            VoterWord.tier(member),
            VoterWord.weight(member),
            support
        );
        if (counted) emit IGovernor.VoteCast(voter, session.proposalId, support, weight, reason);
        else emit IConsortiumGovernor.BallotRejected(session.proposalId, voter, rejection);
    }

    /// @dev A full ballot: any signature (ECDSA or ERC-1271) over a reason.
    function _countFull(
        Context memory ctx,
        VoteLedger.Session memory session,
        IConsortiumGovernor.SignedBallot calldata b,
        uint256 member
    ) private {
        bytes32 digest = _digest(ctx, b.support, b.voter, keccak256(bytes(b.reason)));
        bool signed = BallotSignatures.isValid(b.voter, digest, b.signature, VoterWord.isWallet(member));
        _count(session, b.voter, b.support, signed, member, b.reason);
    }

    /// @dev A compact ballot: voter and support from one word, an EIP-2098 signature, no reason.
    // slither-disable-next-line unused-return -- the third value is the error's argument, not needed to reject
    function _checkCompact(
        Context memory ctx,
        IConsortiumGovernor.CompactBallot calldata c
    ) private pure returns (address voter, uint8 support, bool signed) {
        voter = address(uint160(c.voterAndSupport));
        support = uint8(c.voterAndSupport >> 160);
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(_digest(ctx, support, voter, keccak256("")), c.r, c.vs);
        signed = err == ECDSA.RecoverError.NoError && signer == voter;
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
