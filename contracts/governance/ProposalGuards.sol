// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";

/**
 * @title ProposalGuards
 * @notice The guards of {GovernorProposalGuards}, as an external library (reached by DELEGATECALL, so it
 * runs in the governor's storage) with its state in its own namespaced struct (ERC-7201):
 * - What runs is what was voted: the code hashes of a proposal's targets are pinned when it is created
 *   and checked again before it executes, so a contract redeployed at a target's address (or deployed
 *   at an address that had no code) after the vote cannot run in its place.
 * - Nobody floods the agenda: a member may have at most {MAX_OPEN_PROPOSALS} proposals whose voting has
 *   not ended.
 */
library ProposalGuards {
    uint256 internal constant MAX_OPEN_PROPOSALS = 3;
    uint256 private constant DEADLINE_BITS = 64;
    uint256 private constant DEADLINE_MASK = (1 << DEADLINE_BITS) - 1;
    bytes32 private constant EMPTY_CODE_HASH = keccak256("");

    // keccak256(abi.encode(uint256(keccak256("consortium.storage.ProposalGuards")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant LOCATION = 0xbdff28afd90916a0da76a7e0f9f1d2fafe7bdc656a0b5dfb8ff35a15456a0700;

    /// @custom:storage-location erc7201:consortium.storage.ProposalGuards
    struct Layout {
        mapping(uint256 proposalId => bytes32) codePins;
        /// @dev Per member id: the voting deadlines of its open proposals, MAX_OPEN_PROPOSALS × 64 bits.
        mapping(uint256 memberId => uint256) openDeadlines;
    }

    /// @notice Admit a new proposal by `memberId` ending at `deadline`: take one of the member's open slots
    /// and pin the code of `targets`.
    // slither-disable-next-line timestamp -- voting deadlines are days long; seconds of drift only move when a slot frees
    function admit(uint256 proposalId, uint256 memberId, uint256 deadline, address[] memory targets) external {
        Layout storage $ = _layout();
        uint256 slots = $.openDeadlines[memberId];
        uint256 i = 0;
        while ((slots >> (i * DEADLINE_BITS)) & DEADLINE_MASK >= block.timestamp) {
            if (++i == MAX_OPEN_PROPOSALS) {
                revert IConsortiumGovernor.GovernorTooManyOpenProposals(memberId, MAX_OPEN_PROPOSALS);
            }
        }
        uint256 shift = i * DEADLINE_BITS;
        $.openDeadlines[memberId] = (slots & ~(DEADLINE_MASK << shift)) | (deadline << shift);
        $.codePins[proposalId] = _codeFingerprint(targets);
    }

    /// @notice Revert unless `targets` carry the code they had when `proposalId` was created.
    function checkCode(uint256 proposalId, address[] memory targets) external view {
        if (_layout().codePins[proposalId] != _codeFingerprint(targets)) {
            revert IConsortiumGovernor.GovernorTargetCodeChanged(proposalId);
        }
    }

    /// @dev The code hashes of `targets`, hashed together. An account without code counts as zero whether
    /// it exists or not: its EXTCODEHASH is zero until it holds a balance and keccak256("") after, and
    /// anyone could send a fresh target 1 wei to make a passed proposal fail the pin.
    function _codeFingerprint(address[] memory targets) private view returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](targets.length);
        for (uint256 i = 0; i < targets.length; ++i) {
            bytes32 codehash = targets[i].codehash;
            hashes[i] = codehash == EMPTY_CODE_HASH ? bytes32(0) : codehash;
        }
        return keccak256(abi.encodePacked(hashes));
    }

    // slither-disable-next-line assembly -- the ERC-7201 namespaced slot; Solidity has no other way to place a struct
    function _layout() private pure returns (Layout storage $) {
        assembly ("memory-safe") {
            $.slot := LOCATION
        }
    }
}
