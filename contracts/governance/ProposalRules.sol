// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";

/**
 * @title ProposalRules
 * @notice The rules the governor applies to a proposal's calls and tallies, as an external library
 * (reached by DELEGATECALL, so it runs in the governor's storage and emits as the governor). It keeps
 * the governor under the 24 KiB code limit and holds no state of its own.
 *
 * - The kind: constitutional when a call targets the governor or its executor, or matches a
 *   (target, selector) flagged constitutional; ordinary otherwise.
 * - Automatic recusal: a call flagged "about a member" (suspend, expel, censure …) names the member in
 *   its first argument; that member is recused from the proposal, so nobody votes on its own case.
 * - Recusal by a member's own declaration, final and public.
 * - Guards: the code hashes of a proposal's targets are pinned when it is created and checked again
 *   before it executes, so a target whose code changed after the vote (a contract redeployed at the same
 *   address) cannot run in its place; and a member may have at most MAX_OPEN_PROPOSALS proposals whose
 *   voting has not ended, so nobody can flood the agenda.
 * - Constitutional success: for ≥ 2/3 of for + against, and for > against in every tier that cast a
 *   for or against vote (concurrent majorities).
 */
library ProposalRules {
    uint8 internal constant CONSTITUTIONAL = 1;
    uint8 internal constant ABOUT_MEMBER = 2;
    uint256 internal constant MAX_OPEN_PROPOSALS = 3;
    uint256 private constant DEADLINE_BITS = 64;
    uint256 private constant DEADLINE_MASK = (1 << DEADLINE_BITS) - 1;

    /// @notice The guards' state, kept in the governor's storage.
    struct Guards {
        mapping(uint256 proposalId => bytes32) codePins;
        /// @dev Per member id: the voting deadlines of its open proposals, MAX_OPEN_PROPOSALS × 64 bits.
        mapping(uint256 memberId => uint256) openDeadlines;
    }

    /// @notice What the governor knows about a proposal being created.
    struct Intake {
        uint256 proposalId;
        address executor;
        IMemberRegistry registry;
        address proposer;
        uint256 deadline;
    }
    uint256 private constant VOTED = 1;
    uint256 private constant RECUSED = 2; // GovernorTieredCounting's mark layout: 2 bits per member
    uint256 private constant FIELD_BITS = 80; // GovernorTieredCounting's tally layout
    uint256 private constant FIELD_MASK = (1 << FIELD_BITS) - 1;

    /// @notice The kind a proposal with these calls gets.
    function classify(
        mapping(address => mapping(bytes4 => uint8)) storage rules,
        address executor,
        address[] memory targets,
        bytes[] memory calldatas
    ) public view returns (IConsortiumGovernor.ProposalKind) {
        for (uint256 i = 0; i < targets.length; ++i) {
            address target = targets[i];
            if (target == address(this) || target == executor) return IConsortiumGovernor.ProposalKind.Constitutional;
            if (_rulesOf(rules, target, calldatas[i]) & CONSTITUTIONAL != 0) {
                return IConsortiumGovernor.ProposalKind.Constitutional;
            }
        }
        return IConsortiumGovernor.ProposalKind.Ordinary;
    }

    /// @notice Admit a new proposal: check the proposer's open proposals, pin its targets' code,
    /// classify it and recuse every member it is about; returns the kind.
    // slither-disable-next-line assembly -- hashes the targets' code hashes in place (see inline)
    function intake(
        mapping(address => mapping(bytes4 => uint8)) storage rules,
        mapping(uint256 => uint256) storage marks,
        Guards storage guards,
        Intake memory p,
        address[] memory targets,
        bytes[] memory calldatas
    ) external returns (IConsortiumGovernor.ProposalKind kind) {
        _holdOpenSlot(guards, p.registry.memberIdOf(p.proposer), p.deadline);
        guards.codePins[p.proposalId] = codeFingerprint(targets);
        uint256 proposalId = p.proposalId;
        kind = classify(rules, p.executor, targets, calldatas);
        emit IConsortiumGovernor.ProposalClassified(proposalId, kind);
        for (uint256 i = 0; i < targets.length; ++i) {
            bytes memory data = calldatas[i];
            if (data.length < 36 || _rulesOf(rules, targets[i], data) & ABOUT_MEMBER == 0) continue;
            uint256 memberId;
            assembly ("memory-safe") {
                memberId := mload(add(data, 36))
            }
            // Ids above 2^32 name no member (the registry counts in uint32); the call itself will fail.
            if (memberId == 0 || memberId > type(uint32).max) continue;
            uint256 word = memberId >> 7;
            uint256 mark = RECUSED << ((memberId & 127) << 1);
            if (marks[word] & mark != 0) continue;
            marks[word] |= mark;
            emit IConsortiumGovernor.SubjectRecused(proposalId, memberId);
        }
    }

    /// @notice The code hashes of `targets`, hashed together.
    function codeFingerprint(address[] memory targets) public view returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](targets.length);
        for (uint256 i = 0; i < targets.length; ++i) {
            hashes[i] = targets[i].codehash;
        }
        return keccak256(abi.encodePacked(hashes));
    }

    /// @notice Revert unless `targets` carry the code they had when `proposalId` was created.
    function checkCode(Guards storage guards, uint256 proposalId, address[] memory targets) external view {
        if (guards.codePins[proposalId] != codeFingerprint(targets)) {
            revert IConsortiumGovernor.GovernorTargetCodeChanged(proposalId);
        }
    }

    /// @notice Mark `memberId` (seated at `seat`) recused from `proposalId` by its own declaration.
    function recuse(
        mapping(uint256 => uint256) storage marks,
        uint256 proposalId,
        uint256 memberId,
        address seat,
        string calldata reason
    ) external {
        if (memberId == 0) revert IConsortiumGovernor.GovernorNotMember(seat);
        uint256 word = memberId >> 7;
        uint256 shift = (memberId & 127) << 1;
        uint256 current = marks[word];
        if ((current >> shift) & RECUSED != 0) revert IConsortiumGovernor.GovernorAlreadyRecused(seat);
        if ((current >> shift) & VOTED != 0) revert IGovernor.GovernorAlreadyCastVote(seat);
        marks[word] = current | (RECUSED << shift);
        emit IConsortiumGovernor.VoterRecused(proposalId, memberId, seat, reason);
    }

    /// @notice Whether tallies (one packed word per tier: against | for << 80 | abstain << 160) pass
    /// the constitutional test.
    function constitutionalSucceeded(
        mapping(uint8 => uint256) storage tierTallies,
        uint8 tierCount
    ) external view returns (bool) {
        uint256 forVotes = 0;
        uint256 againstVotes = 0;
        for (uint8 t = 0; t < tierCount; ++t) {
            uint256 packed = tierTallies[t];
            uint256 tierAgainst = packed & FIELD_MASK;
            uint256 tierFor = (packed >> FIELD_BITS) & FIELD_MASK;
            if (tierAgainst + tierFor > 0 && tierFor <= tierAgainst) return false;
            (forVotes, againstVotes) = (forVotes + tierFor, againstVotes + tierAgainst);
        }
        return forVotes != 0 && forVotes * 3 >= (forVotes + againstVotes) * 2;
    }

    /// @dev Takes a free slot (one whose deadline has passed) for a proposal ending at `deadline`.
    // slither-disable-next-line timestamp -- voting deadlines are days long; seconds of drift only move when a slot frees
    function _holdOpenSlot(Guards storage guards, uint256 memberId, uint256 deadline) private {
        uint256 slots = guards.openDeadlines[memberId];
        for (uint256 i = 0; i < MAX_OPEN_PROPOSALS; ++i) {
            uint256 shift = i * DEADLINE_BITS;
            if ((slots >> shift) & DEADLINE_MASK < block.timestamp) {
                guards.openDeadlines[memberId] = (slots & ~(DEADLINE_MASK << shift)) | (deadline << shift);
                return;
            }
        }
        revert IConsortiumGovernor.GovernorTooManyOpenProposals(memberId, MAX_OPEN_PROPOSALS);
    }

    function _rulesOf(
        mapping(address => mapping(bytes4 => uint8)) storage rules,
        address target,
        bytes memory data
    ) private view returns (uint8) {
        return data.length >= 4 ? rules[target][bytes4(data)] : 0;
    }
}
