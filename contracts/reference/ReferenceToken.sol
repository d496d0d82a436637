// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/**
 * @title ReferenceToken
 * @notice Benchmark-only: the voting token of the reference OpenZeppelin v5 stack that bench/ measures
 * our suite against (OZ Wizard shape: ERC20 + ERC20Permit + ERC20Votes, block-number clock). Never part
 * of a deployment.
 */
contract ReferenceToken is ERC20, ERC20Permit, ERC20Votes, Ownable {
    constructor(address owner) ERC20("Reference", "REF") ERC20Permit("Reference") Ownable(owner) {}

    /// @notice The benchmark's "admission": the owner mints voting tokens to a new holder.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}
