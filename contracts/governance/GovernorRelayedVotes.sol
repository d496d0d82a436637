// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRelayedVotes} from "../interfaces/IRelayedVotes.sol";
import {GovernorTieredCounting} from "./GovernorTieredCounting.sol";

/**
 * @title GovernorRelayedVotes
 * @notice Counts votes relayed in batches by the governor's {BallotBox}, which has already checked each
 * signature and looked up each voter's member id, tier and weight at the snapshot. Not in OZ.
 *
 * The box is fixed at construction and has no owner, so no account can inject votes. Each vote goes
 * through the same {_record} as a direct vote; within a batch the bitmap words, tier tallies and quorum
 * counter it touches stay warm, so repeated writes cost 100 gas each, and votes sorted by member id
 * share bitmap words. A member that already voted or recused is reported back in the outcome bytes,
 * never counted twice. Late-quorum protection runs once per batch.
 */
abstract contract GovernorRelayedVotes is GovernorTieredCounting, IRelayedVotes {
    address private immutable _ballotBox;

    constructor(address ballotBox_) {
        _ballotBox = ballotBox_;
    }

    /// @inheritdoc IRelayedVotes
    function ballotBox() public view virtual returns (address) {
        return _ballotBox;
    }

    /// @inheritdoc IRelayedVotes
    function countRelayedVotes(
        uint256 proposalId,
        uint256[] calldata votes,
        string[] calldata reasons
    ) public virtual returns (bytes memory outcomes) {
        if (msg.sender != _ballotBox) revert GovernorOnlyBallotBox(msg.sender);
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        outcomes = new bytes(votes.length);
        bool anyCounted;
        for (uint256 i = 0; i < votes.length; ++i) {
            uint256 vote = votes[i];
            uint8 support = uint8(vote >> 200);
            (RelayOutcome outcome, uint256 counted) = _record(
                proposalId,
                uint32(vote >> 160),
                uint8(vote >> 192),
                support,
                vote >> 208
            );
            outcomes[i] = bytes1(uint8(outcome));
            if (outcome == RelayOutcome.Counted) {
                anyCounted = true;
                emit VoteCast(address(uint160(vote)), proposalId, support, counted, reasons[i]);
            }
        }
        if (anyCounted) _tallyUpdated(proposalId);
    }
}
