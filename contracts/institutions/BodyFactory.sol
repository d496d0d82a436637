// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {Body} from "./Body.sol";

/**
 * @title BodyFactory
 * @notice Governance creates the consortium's bodies here; each is its own {Body} contract, governed by
 * the same timelock, and listed here so observers and tools find them all.
 */
contract BodyFactory {
    IMemberRegistry public immutable registry;
    address public immutable governance;
    Body[] private _bodies;
    mapping(address => bool) private _isBody;

    error BodyFactoryUnauthorized(address caller);

    event BodyCreated(address indexed body, Body.Kind kind, string name);

    // slither-disable-next-line missing-zero-check -- deployed by orchestrator/deploy.py with the timelock; consortium audit checks it
    constructor(IMemberRegistry registry_, address governance_) {
        (registry, governance) = (registry_, governance_);
    }

    /// @notice Governance creates a body with its members (consortium member ids), k-of-n threshold and
    /// mandate.
    function create(
        Body.Kind kind,
        string calldata name,
        uint256 threshold,
        uint256[] calldata memberIds,
        Body.MandateCall[] calldata mandate
    ) external returns (Body body) {
        if (msg.sender != governance) revert BodyFactoryUnauthorized(msg.sender);
        body = new Body(registry, governance, kind, name, threshold, memberIds, mandate);
        _bodies.push(body);
        _isBody[address(body)] = true;
        emit BodyCreated(address(body), kind, name);
    }

    /// @notice Every body ever created, dissolved ones included (see {Body.dissolved}).
    function bodies() external view returns (Body[] memory) {
        return _bodies;
    }

    function isBody(address account) external view returns (bool) {
        return _isBody[account];
    }
}
