// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchBallots} from "./BatchBallots.sol";
import {GovernorVoteLedger} from "./GovernorVoteLedger.sol";
import {SealedBallots} from "./SealedBallots.sol";
import {VoteLedger} from "./VoteLedger.sol";

/**
 * @title GovernorSealedBallots
 * @notice Sealed proposals: while a sealed proposal runs, members commit to their votes without showing
 * them, and nobody (members, relayer, observers) sees a running tally; from its reveal start to its
 * deadline, the votes are revealed and counted by the {VoteLedger} with the same rules as open votes. An
 * unrevealed commitment counts toward nothing. {SealedBallots} does the work.
 *
 * Who seals: the proposer, by ending the description with `#sealed` (before OpenZeppelin's
 * `#proposer=0x…` reservation, if any, so that nobody can make the proposal first and cancel it). The description is part of the
 * proposal id, so the seal can be neither added nor removed later, and every tool reading ProposalCreated
 * sees it. Sealing changes no rule of the count (kind, quorum, cap, recusal, tiers), only when votes are
 * seen. The last third of the voting period (rounded down) is for reveals; a late-quorum extension
 * lengthens it.
 *
 * Not in OZ. What it gives and does not: running-tally privacy (no vote is seen before the reveal start,
 * as Shutter's and Cicada's sealed votes), but no lasting secrecy (every vote is public once revealed)
 * and no coercion resistance (a member can prove its vote by showing its salt), which MACI addresses.
 */
abstract contract GovernorSealedBallots is GovernorVoteLedger {
    /// @notice When reveals of `proposalId` start; zero if it is not sealed.
    function proposalRevealStart(uint256 proposalId) public view virtual returns (uint256) {
        return VoteLedger.revealStartOf(proposalId);
    }

    /// @notice Record members' commitments to their votes on sealed `proposalId`, which must be Active and
    /// before its reveal start. Returns how many were recorded.
    /// @dev The commitments reach the library as this call's own calldata ({CallArguments}).
    function commitVotes(uint256 proposalId, SealedCommit[] calldata) public virtual returns (uint256) {
        return SealedBallots.commit(_sealedContext(proposalId, false), msg.data);
    }

    /// @notice Reveal and count votes committed to on sealed `proposalId`, which must be Active and past its
    /// reveal start. Anyone may reveal with the vote and salt. Returns how many were counted.
    /// @dev The reveals reach the library as this call's calldata, as in {commitVotes}.
    function revealVotes(uint256 proposalId, SealedReveal[] calldata) public virtual returns (uint256 counted) {
        counted = SealedBallots.reveal(_sealedContext(proposalId, true), msg.data);
        if (counted != 0) _tallyUpdated(proposalId);
    }

    /// @dev Seals a new proposal whose description ends with `#sealed`.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        if (_sealedDescription(description)) {
            uint48 revealStart = uint48(proposalDeadline(proposalId) - votingPeriod() / 3);
            VoteLedger.seal(proposalId, revealStart);
            emit ProposalSealed(proposalId, revealStart);
        }
    }

    /// @dev What the library needs of `proposalId`, which must be Active; the cap and quorum only for
    /// counting (`counting`) before its first counted ballot.
    function _sealedContext(uint256 proposalId, bool counting) private view returns (BatchBallots.Context memory ctx) {
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        (ctx.proposalId, ctx.snapshot, ctx.domainSeparator, ctx.registry) =
            (proposalId, proposalSnapshot(proposalId), _domainSeparatorV4(), _registry());
        if (!counting) return ctx; // a commitment counts nothing: no counters to read
        // slither-disable-next-line unused-return -- only whether the counters exist yet matters here
        (bool initialized, ) = VoteLedger.quorumReached(proposalId);
        if (!initialized) (ctx.capWeight, ctx.quorum) = _proposalThresholds(proposalId);
    }

    /// @dev Whether `description` ends with "#sealed", or with "#sealed" followed by OpenZeppelin's proposer
    /// reservation ("#proposer=0x" and 40 hex digits, which {propose} checks): so a sealed proposal can be
    /// reserved to its proposer, and nobody can make the same proposal first and cancel it.
    // slither-disable-next-line dead-code -- called from _propose, reached through the _propose chain (super) from ConsortiumGovernor
    function _sealedDescription(string memory description) private pure returns (bool) {
        uint256 length = bytes(description).length;
        if (length >= 59 && bytes12(_wordAt(description, length - 52)) == "#proposer=0x") length -= 52;
        return length >= 7 && bytes7(_wordAt(description, length - 7)) == "#sealed";
    }

    /// @dev The 32 bytes of `text` from `offset` (past its end: whatever memory follows, never used here).
    // slither-disable-next-line assembly,dead-code -- reads a description's bytes in place; reached from _sealedDescription
    function _wordAt(string memory text, uint256 offset) private pure returns (bytes32 word) {
        assembly ("memory-safe") {
            word := mload(add(add(text, 0x20), offset))
        }
    }
}
