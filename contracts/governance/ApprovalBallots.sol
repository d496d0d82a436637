// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IElectionRegistry} from "../interfaces/IElectionRegistry.sol";
import {CallArguments} from "../utils/CallArguments.sol";
import {VoterWord} from "../utils/VoterWord.sol";
import {BallotSignatures} from "./BallotSignatures.sol";
import {BatchBallots} from "./BatchBallots.sol";
import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";
import {VoteLedger} from "./VoteLedger.sol";

/**
 * @title ApprovalBallots
 * @notice Election ballots for {GovernorElections}: which proposals are an election's ballot, and the
 * counting of approval ballots on them. An external library that runs in the governor's storage by
 * DELEGATECALL, like {BatchBallots}; the entry point takes a batch, so a relayer submits many members'
 * ballots at once and a member acting alone sends a batch of one.
 *
 * - An election ballot is a proposal tagged `#election` whose only call is `seat(electionId)`, with no
 *   value, on an election registry that answers, for that election, with this very proposal id
 *   ({IElectionRegistry.ballot}): the registry fixes the description, so there is one ballot proposal per
 *   round and nobody can make a rival one. A contract that merely claims to be a registry gains nothing:
 *   its ballot's only effect is the timelock calling `seat` on it, which carries no value and no power.
 * - Each member casts one approval ballot (a bitmap over the candidates), counted by the {VoteLedger} as a
 *   For vote with the member's weight at the snapshot (the cap, recusal, one vote per member), or as an
 *   abstention if it approves nobody, so quorum is the ordinary one. Open votes are refused on it, so
 *   nobody can vote Against an election: it passes when it reaches quorum.
 * - Each counted ballot adds its weight to every candidate it approves, per tier of the voter; the registry
 *   reads those sums to seat the winners.
 *
 * A refused ballot is skipped with {IConsortiumGovernor.BallotRejected} and a reason, so one cannot stop
 * the others; a counted one emits OZ's `VoteCastWithParams` with the bitmap as its params.
 */
library ApprovalBallots {
    bytes32 internal constant APPROVAL_BALLOT_TYPEHASH =
        keccak256("ApprovalBallot(uint256 proposalId,address voter,uint256 approvals)");
    bytes4 private constant SEAT_SELECTOR = bytes4(keccak256("seat(uint256)"));
    uint256 private constant MAX_CANDIDATES = 256;

    /// @notice Make new proposal `proposalId`, tagged `#election`, its election's ballot; reverts with
    /// {IConsortiumGovernor.GovernorInvalidElectionBallot} unless it is exactly that (see the header).
    function openBallot(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas
    ) external {
        if (targets.length != 1 || values[0] != 0 || calldatas[0].length != 36 || bytes4(calldatas[0]) != SEAT_SELECTOR) {
            revert IConsortiumGovernor.GovernorInvalidElectionBallot(proposalId);
        }
        uint256 electionId = _argument(calldatas[0]);
        // slither-disable-next-line calls-loop -- one call, to the registry the proposal itself names
        (uint256 ballotId, uint256 candidates) = IElectionRegistry(targets[0]).ballot(electionId);
        if (ballotId != proposalId || candidates == 0 || candidates > MAX_CANDIDATES) {
            revert IConsortiumGovernor.GovernorInvalidElectionBallot(proposalId);
        }
        VoteLedger.markElection(proposalId, uint16(candidates));
        emit IConsortiumGovernor.ElectionBallotProposed(proposalId, targets[0], electionId, candidates);
    }

    /// @notice Count each valid approval ballot in `call` (the governor's `castApprovals(proposalId,
    /// ballots)` calldata) on election `ctx.proposalId`; returns how many were counted.
    function cast(BatchBallots.Context memory ctx, bytes calldata call) external returns (uint256) {
        IConsortiumGovernor.ApprovalBallot[] calldata ballots;
        (uint256 offset, uint256 length) = CallArguments.array(call, 1);
        // slither-disable-next-line assembly -- points a calldata array at the governor's checked argument
        assembly ("memory-safe") {
            ballots.offset := offset
            ballots.length := length
        }
        // slither-disable-next-line uninitialized-local -- a fresh session, which VoteLedger.openElection fills
        VoteLedger.Session memory session;
        uint256 candidates = VoteLedger.openElection(session, ctx.proposalId);
        if (!session.initialized) (session.capWeight, session.quorum) = (ctx.capWeight, ctx.quorum);
        address[] memory seats = new address[](ballots.length);
        for (uint256 i = 0; i < ballots.length; ++i) {
            seats[i] = ballots[i].voter;
        }
        uint256[] memory voters = ctx.registry.electorate(seats, ctx.snapshot);
        // The approval weight of the current tier's counted ballots, per candidate, written when the tier
        // changes and at the end: a batch sorted by member id writes each candidate's sum about once.
        uint256[] memory sums = new uint256[](candidates);
        uint256 sumsTier = 0;
        for (uint256 i = 0; i < ballots.length; ++i) {
            IConsortiumGovernor.ApprovalBallot calldata b = ballots[i];
            (bool counted, IConsortiumGovernor.BallotRejection rejection, uint256 weight) =
                _count(ctx, session, b, voters[i], candidates);
            if (!counted) {
                emit IConsortiumGovernor.BallotRejected(ctx.proposalId, b.voter, rejection);
                continue;
            }
            uint256 tierId = VoterWord.tier(voters[i]);
            if (tierId != sumsTier) {
                VoteLedger.addApprovals(ctx.proposalId, sumsTier, sums);
                (sums, sumsTier) = (new uint256[](candidates), tierId);
            }
            for ((uint256 c, uint256 bits) = (0, b.approvals); bits != 0; (c, bits) = (c + 1, bits >> 1)) {
                if (bits & 1 != 0) sums[c] += weight;
            }
            emit IGovernor.VoteCastWithParams(b.voter, ctx.proposalId, _support(b.approvals), weight, "", abi.encode(b.approvals));
        }
        VoteLedger.addApprovals(ctx.proposalId, sumsTier, sums);
        VoteLedger.close(session);
        return session.counted;
    }

    /// @dev Counts `b` in the ledger, or says why not (the reason is meaningless when it is counted).
    function _count(
        BatchBallots.Context memory ctx,
        VoteLedger.Session memory session,
        IConsortiumGovernor.ApprovalBallot calldata b,
        uint256 voter,
        uint256 candidates
    ) private returns (bool, IConsortiumGovernor.BallotRejection, uint256) {
        if (b.approvals >> candidates != 0) return (false, IConsortiumGovernor.BallotRejection.InvalidApprovals, 0);
        bool own = b.voter == msg.sender && b.signature.length == 0;
        if (!own && !BallotSignatures.isValid(b.voter, _digest(ctx, b), b.signature, VoterWord.isWallet(voter))) {
            return (false, IConsortiumGovernor.BallotRejection.InvalidSignature, 0);
        }
        return VoteLedger.count(
            session,
            VoterWord.memberId(voter),
            VoterWord.tier(voter),
            VoterWord.weight(voter),
            _support(b.approvals)
        );
    }

    /// @dev A ballot approving somebody counts For; one approving nobody is an abstention (it takes part).
    function _support(uint256 approvals) private pure returns (uint8) {
        return approvals == 0 ? VoteLedger.SUPPORT_ABSTAIN : VoteLedger.SUPPORT_FOR;
    }

    function _digest(
        BatchBallots.Context memory ctx,
        IConsortiumGovernor.ApprovalBallot calldata b
    ) private pure returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(APPROVAL_BALLOT_TYPEHASH, ctx.proposalId, b.voter, b.approvals));
        return MessageHashUtils.toTypedDataHash(ctx.domainSeparator, structHash);
    }

    /// @dev The first argument word of a 36-byte call.
    // slither-disable-next-line assembly -- reads one word of a bytes array in place
    function _argument(bytes memory data) private pure returns (uint256 word) {
        assembly ("memory-safe") {
            word := mload(add(data, 36))
        }
    }
}
