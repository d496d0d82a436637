// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {VoterWord} from "../utils/VoterWord.sol";
import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";

/**
 * @title GovernorMemberVotes
 * @notice {GovernorVotes} over a {MemberRegistry}: reads a voter's member id, tier and weight at the
 * snapshot in one call, and lets only members whose tier carries the right propose.
 *
 * Differs from OZ:
 * - The proposal threshold is replaced by a tier right (observers cannot propose, whatever their weight).
 * - Votes are looked up by member: the member seated at an account now votes with the weight it had at
 *   the snapshot, so a rotated seat keeps its member's vote and a retired key has none. {getVotes}
 *   answers the same question ({IMemberRegistry.getPastVotes} answers for the address's own history).
 * - The clock is the block timestamp, as the registry's (ERC-6372 `mode=timestamp`), read here rather
 *   than asked of the registry on every call.
 */
abstract contract GovernorMemberVotes is GovernorVotes, IConsortiumGovernor {
    constructor(IMemberRegistry registry_) GovernorVotes(IVotes(address(registry_))) {}

    /// @dev The membership roll this governor counts votes from ({token}).
    function _registry() internal view returns (IMemberRegistry) {
        return IMemberRegistry(address(token()));
    }

    /// @inheritdoc GovernorVotes
    function clock() public view virtual override returns (uint48) {
        return Time.timestamp();
    }

    /// @inheritdoc GovernorVotes
    // slither-disable-next-line naming-convention -- ERC-6372 names this function
    function CLOCK_MODE() public view virtual override returns (string memory) {
        return "mode=timestamp";
    }

    /// @dev Only an active member in a tier with the propose right may propose.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256) {
        if (!_registry().canPropose(proposer)) revert GovernorProposerWithoutRight(proposer);
        return super._propose(targets, values, calldatas, description, proposer);
    }

    /// @dev The weight this governor counts for `account` at `timepoint`: its current member's.
    function _getVotes(address account, uint256 timepoint, bytes memory) internal view virtual override returns (uint256) {
        return VoterWord.weight(_electorAt(account, timepoint));
    }

    /// @dev The member seated at `account` now, with its tier and weight at `timepoint`.
    function _electorAt(address account, uint256 timepoint) internal view virtual returns (uint256) {
        return _registry().electorAt(account, timepoint);
    }

    /// @dev The total voting weight at `timepoint`.
    function _totalWeightAt(uint256 timepoint) internal view virtual returns (uint256) {
        return token().getPastTotalSupply(timepoint);
    }
}
