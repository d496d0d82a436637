// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";

/**
 * @title GovernorMemberVotes
 * @notice {GovernorVotes} over a {MemberRegistry}: reads a voter's member id, tier and weight at the
 * snapshot in one call, and lets only members whose tier carries the right propose.
 *
 * Differs from OZ: the proposal threshold is replaced by a tier right (observers cannot propose,
 * whatever their weight), and votes are looked up by member, so a rotated seat keeps its member's vote.
 */
abstract contract GovernorMemberVotes is GovernorVotes, IConsortiumGovernor {
    constructor(IMemberRegistry registry_) GovernorVotes(IVotes(address(registry_))) {}

    /// @notice The membership roll this governor counts votes from.
    function registry() public view virtual returns (IMemberRegistry) {
        return IMemberRegistry(address(token()));
    }

    /// @dev Only an active member in a tier with the propose right may propose.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256) {
        if (!registry().canPropose(proposer)) revert GovernorProposerWithoutRight(proposer);
        return super._propose(targets, values, calldatas, description, proposer);
    }

    /// @dev The member seated at `account` now, with its tier and weight at `timepoint`.
    function _voterAt(address account, uint256 timepoint) internal view virtual returns (IMemberRegistry.Voter memory) {
        return registry().voterAt(account, timepoint);
    }

    /// @dev The total voting weight at `timepoint`.
    function _totalWeightAt(uint256 timepoint) internal view virtual returns (uint256) {
        return token().getPastTotalSupply(timepoint);
    }
}
