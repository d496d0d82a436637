// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {VoterWord} from "../utils/VoterWord.sol";
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
 * Signatures: ECDSA first (OZ, low-s only), ERC-1271 second. OZ's {SignatureChecker} asks for the
 * signer's code first, a cold account access (2,600 gas) on every ballot; recovering first spends that
 * only on contract wallets and failed signatures. A signature that recovers to the voter's address can
 * only come from that address's key. A contract wallet is asked with {WALLET_GAS} and no more, so one
 * wallet cannot spend a batch's gas; if the batch itself runs so low that the wallet may have had less,
 * the batch reverts ({IConsortiumGovernor.GovernorBatchUnderfunded}) instead of rejecting the ballot.
 */
library BatchBallots {
    bytes32 internal constant MEMBER_BALLOT_TYPEHASH =
        keccak256("MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)");

    /// @notice The gas a contract wallet gets to check one signature: a Safe with a threshold of a dozen
    /// owners needs well under half of it.
    uint256 internal constant WALLET_GAS = 200_000;

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
     * @notice Verify and count `compact` then `full` ballots; skip each invalid one with
     * {IConsortiumGovernor.BallotRejected}. Returns how many were counted.
     */
    function count(
        Context memory ctx,
        IConsortiumGovernor.CompactBallot[] calldata compact,
        IConsortiumGovernor.SignedBallot[] calldata full
    ) external returns (uint256) {
        uint256[] memory voters = ctx.registry.electorate(_seats(compact, full), ctx.snapshot);
        // slither-disable-next-line uninitialized-local -- a fresh session, which VoteLedger.open fills
        VoteLedger.Session memory session;
        VoteLedger.open(session, ctx.proposalId);
        if (!session.initialized) (session.capWeight, session.quorum) = (ctx.capWeight, ctx.quorum);
        for (uint256 i = 0; i < compact.length; ++i) {
            (address voter, uint8 support, bool signed) = _checkCompact(ctx, compact[i]);
            _count(session, voter, support, signed, voters[i], "");
        }
        for (uint256 i = 0; i < full.length; ++i) {
            _countFull(ctx, session, full[i], voters[compact.length + i]);
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
        _count(session, b.voter, b.support, _isValidSignature(b.voter, digest, b.signature), member, b.reason);
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

    // slither-disable-next-line unused-return -- the third value is the error's argument, not needed to reject
    function _isValidSignature(address voter, bytes32 digest, bytes calldata signature) private view returns (bool) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && signer == voter) return true;
        return _askWallet(voter, digest, signature);
    }

    /**
     * @dev ERC-1271 `isValidSignature` with {WALLET_GAS}, reading at most one word back (a wallet cannot
     * make the batch pay to copy a large answer). OZ's SignatureChecker forwards all the gas, hence this
     * variant of its calldata encoding. Underfunding is detected as in OZ's ERC2771Forwarder: a call
     * starved of gas leaves at most 1/64 of what it was given, so less than WALLET_GAS / 63 left after it
     * means the wallet may have had less than WALLET_GAS.
     */
    // slither-disable-next-line assembly -- a bounded staticcall that copies one word of return data (see above)
    function _askWallet(address wallet, bytes32 digest, bytes calldata signature) private view returns (bool valid) {
        bytes4 selector = IERC1271.isValidSignature.selector;
        uint256 length = signature.length;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), digest)
            mstore(add(ptr, 0x24), 0x40)
            mstore(add(ptr, 0x44), length)
            calldatacopy(add(ptr, 0x64), signature.offset, length)
            mstore(add(add(ptr, 0x64), length), 0)
            length := shl(5, shr(5, add(length, 0x1F)))
            let success := staticcall(WALLET_GAS, wallet, ptr, add(length, 0x64), 0x00, 0x20)
            valid := and(success, and(gt(returndatasize(), 0x1f), eq(mload(0x00), selector)))
        }
        if (gasleft() < WALLET_GAS / 63) revert IConsortiumGovernor.GovernorBatchUnderfunded(wallet);
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
