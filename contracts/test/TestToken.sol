// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only: an ERC-20 anyone can mint, to pay dues and grants in a token. Never deployed by the
/// deployment routine.
contract TestToken is ERC20 {
    constructor() ERC20("Test Dollar", "TUSD") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
