// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";
import {VoteLedger} from "./VoteLedger.sol";

/**
 * @title GovernorLateQuorum
 * @notice A proposal that reaches quorum late stays open for at least the vote extension after the vote
 * that reached it, so a bloc cannot wait until the last block and pass a proposal with nobody left the
 * time to answer.
 *
 * Replaces OZ {GovernorPreventLateQuorum}, with the same rule, interface, events and error, and one
 * difference: the extended deadline lives in the {VoteLedger}'s counters word of the proposal, which every
 * vote reads anyway, instead of a mapping of its own. OZ's costs every vote a cold read (2,100 gas) and
 * the vote that reaches quorum a fresh slot (22,100).
 */
abstract contract GovernorLateQuorum is Governor, IConsortiumGovernor {
    uint48 private _voteExtension;

    constructor(uint48 initialVoteExtension) {
        _setLateQuorumVoteExtension(initialVoteExtension);
    }

    /// @notice The proposal's deadline, or the one late quorum set if that is later.
    function proposalDeadline(uint256 proposalId) public view virtual override returns (uint256) {
        return Math.max(super.proposalDeadline(proposalId), VoteLedger.extendedDeadlineOf(proposalId));
    }

    /// @notice How long a proposal stays open after the vote that reached its quorum, at least.
    function lateQuorumVoteExtension() public view virtual returns (uint48) {
        return _voteExtension;
    }

    /// @notice Governance sets the extension (at most the voting period).
    function setLateQuorumVoteExtension(uint48 newVoteExtension) public virtual onlyGovernance {
        _setLateQuorumVoteExtension(newVoteExtension);
    }

    /// @dev The first tally update that finds quorum reached sets the proposal's extended deadline, once.
    function _tallyUpdated(uint256 proposalId) internal virtual override {
        super._tallyUpdated(proposalId);
        if (VoteLedger.extendedDeadlineOf(proposalId) == 0 && _quorumReached(proposalId)) {
            uint48 extendedDeadline = clock() + lateQuorumVoteExtension();
            if (extendedDeadline > proposalDeadline(proposalId)) emit ProposalExtended(proposalId, extendedDeadline);
            VoteLedger.extendDeadline(proposalId, extendedDeadline);
        }
    }

    function _setLateQuorumVoteExtension(uint48 newVoteExtension) internal virtual {
        uint256 maxVoteExtension = votingPeriod();
        if (newVoteExtension > maxVoteExtension) {
            revert GovernorPreventLateQuorumVoteExtensionTooLarge(newVoteExtension, maxVoteExtension);
        }
        emit LateQuorumVoteExtensionSet(_voteExtension, newVoteExtension);
        _voteExtension = newVoteExtension;
    }
}
