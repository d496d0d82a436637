// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only: an ERC-20 that burns 10% of every transfer (a fee-on-transfer token).
contract TestFeeToken is ERC20 {
    constructor() ERC20("Fee Dollar", "FEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = value / 10;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}

/// @notice Test-only: an ERC-20 whose transferFrom reports success and moves nothing.
contract TestHollowToken is ERC20 {
    constructor() ERC20("Hollow Dollar", "HOLLOW") {}

    function transferFrom(address, address, uint256) public pure override returns (bool) {
        return true;
    }
}
