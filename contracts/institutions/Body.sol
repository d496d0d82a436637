// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";

/**
 * @title Body
 * @notice A council, technical committee, working group or secretariat: consortium members appointed by
 * governance who act together, k of n, within a mandate, without a full member vote.
 *
 * - The mandate is a set of (target, function) pairs; an action calls exactly one of them, with no ETH.
 *   Spending goes through the treasury's budget for this body, so the budget bounds it.
 * - A body member proposes an action (approving it), others approve; the approval that reaches the
 *   threshold executes it. The mandate is checked at proposal and again at execution, and a body
 *   member must still be an active consortium member when it proposes or approves.
 * - Approvals are counted when the threshold is checked, not kept as a running total: only those of
 *   members who still sit on the body and are still active consortium members count, so an approval
 *   given by a member since removed, suspended, lapsed or expelled no longer helps an action pass.
 * - Governance (the timelock) appoints and removes members, sets the threshold and the mandate, and
 *   dissolves the body; a dissolved body can do nothing more.
 * - Governance may name an elector (the election registry), which seats the members an election chose
 *   and vacates their seats when the term ends. A vacancy never lowers the threshold: a body left with
 *   fewer members than its threshold cannot act until seats are filled again.
 */
contract Body {
    using EnumerableSet for EnumerableSet.UintSet;

    enum Kind {
        Council,
        TechnicalCommittee,
        WorkingGroup,
        Secretariat
    }

    struct MandateCall {
        address target;
        bytes4 selector;
    }

    /// @notice An action as read: `approvals` are those that count now (see {approvalsOf}).
    struct Action {
        address target;
        bytes data;
        uint256 proposer;
        uint256 approvals;
        bool executed;
        string description;
    }

    struct ActionRecord {
        address target;
        bytes data;
        uint256 proposer;
        bool executed;
        string description;
    }

    IMemberRegistry public immutable registry;
    address public immutable governance;
    Kind public immutable kind;
    string public name;
    uint256 public threshold;
    bool public dissolved;
    /// @notice Who besides governance appoints members, and vacates the seats it filled (zero: nobody, as no
    /// call comes from the zero address).
    address public elector;

    EnumerableSet.UintSet private _members;
    mapping(address target => mapping(bytes4 selector => bool)) private _mandate;
    ActionRecord[] private _actions;
    mapping(uint256 actionId => mapping(uint256 memberId => bool)) private _approved;

    error BodyUnauthorized(address caller);
    error BodyDissolved();
    error BodyNotBodyMember(address account);
    error BodyNotConsortiumMember(uint256 memberId);
    error BodyAlreadyMember(uint256 memberId);
    error BodyNotMember(uint256 memberId);
    error BodyInvalidThreshold(uint256 threshold, uint256 members);
    error BodyOutsideMandate(address target, bytes4 selector);
    error BodyUnknownAction(uint256 actionId);
    error BodyActionExecuted(uint256 actionId);
    error BodyAlreadyApproved(uint256 actionId, uint256 memberId);

    event BodyMemberAppointed(uint256 indexed memberId);
    event BodyMemberRemoved(uint256 indexed memberId);
    event ThresholdSet(uint256 threshold);
    event MandateSet(address indexed target, bytes4 indexed selector, bool allowed);
    event ActionProposed(uint256 indexed actionId, uint256 indexed proposer, address target, bytes data, string description);
    event ActionApproved(uint256 indexed actionId, uint256 indexed memberId, uint256 approvals);
    event ActionExecuted(uint256 indexed actionId, bytes returndata);
    event Dissolved();
    event ElectorSet(address indexed oldElector, address indexed newElector);

    modifier onlyGovernance() {
        if (msg.sender != governance) revert BodyUnauthorized(msg.sender);
        _;
    }

    modifier onlyElector() {
        if (msg.sender != elector) revert BodyUnauthorized(msg.sender);
        _;
    }

    modifier notDissolved() {
        if (dissolved) revert BodyDissolved();
        _;
    }

    constructor(
        IMemberRegistry registry_,
        // slither-disable-next-line missing-zero-check -- only BodyFactory deploys bodies, passing its own governance (the timelock)
        address governance_,
        Kind kind_,
        string memory name_,
        uint256 threshold_,
        uint256[] memory memberIds,
        MandateCall[] memory mandate
    ) {
        (registry, governance, kind, name) = (registry_, governance_, kind_, name_);
        for (uint256 i = 0; i < memberIds.length; ++i) _appoint(memberIds[i]);
        for (uint256 i = 0; i < mandate.length; ++i) _setMandate(mandate[i].target, mandate[i].selector, true);
        _setThreshold(threshold_);
    }

    // ───────────────────────────── governance ─────────────────────────────

    /// @notice Governance, or the elector, appoints consortium member `memberId` (it must be active).
    function appoint(uint256 memberId) external notDissolved {
        if (msg.sender != governance && msg.sender != elector) {
            revert BodyUnauthorized(msg.sender);
        }
        _appoint(memberId);
    }

    /// @notice Governance names `elector` (zero: none), which may then appoint members and vacate seats.
    // slither-disable-next-line missing-zero-check -- zero is how governance takes the elector's rights away
    function setElector(address elector_) external onlyGovernance notDissolved {
        emit ElectorSet(elector, elector_);
        elector = elector_;
    }

    /// @notice The elector vacates `memberId`'s seat at the end of its term. The threshold stays: the body
    /// cannot act with fewer members than it until seats are filled again.
    function vacate(uint256 memberId) external onlyElector notDissolved {
        if (!_members.remove(memberId)) revert BodyNotMember(memberId);
        emit BodyMemberRemoved(memberId);
    }

    /// @notice Governance removes `memberId`; the threshold must still be reachable afterwards.
    function remove(uint256 memberId) external onlyGovernance notDissolved {
        if (!_members.remove(memberId)) revert BodyNotMember(memberId);
        _checkThreshold(threshold);
        emit BodyMemberRemoved(memberId);
    }

    /// @notice Governance sets how many approvals an action needs (1 .. members).
    function setThreshold(uint256 threshold_) external onlyGovernance notDissolved {
        _setThreshold(threshold_);
    }

    /// @notice Governance adds or removes (target, selector) from the mandate.
    function setMandate(address target, bytes4 selector, bool allowed) external onlyGovernance notDissolved {
        _setMandate(target, selector, allowed);
    }

    /// @notice Governance dissolves the body: no more appointments, proposals, approvals or executions.
    function dissolve() external onlyGovernance notDissolved {
        dissolved = true;
        emit Dissolved();
    }

    // ───────────────────────────── body members ─────────────────────────────

    /// @notice Propose calling `data` on `target` (inside the mandate); counts as the proposer's approval.
    function propose(address target, bytes calldata data, string calldata description) external notDissolved returns (uint256 actionId) {
        uint256 memberId = _callerBodyMember();
        _checkMandate(target, data);
        actionId = _actions.length;
        _actions.push(ActionRecord(target, data, memberId, false, description));
        emit ActionProposed(actionId, memberId, target, data, description);
        _approve(actionId, memberId);
    }

    /// @notice Approve action `actionId`; the approval that reaches the threshold executes it.
    function approve(uint256 actionId) external notDissolved {
        uint256 memberId = _callerBodyMember();
        if (actionId >= _actions.length) revert BodyUnknownAction(actionId);
        _approve(actionId, memberId);
    }

    // ───────────────────────────── reads ─────────────────────────────

    /// @notice The body's members (consortium member ids).
    function members() external view returns (uint256[] memory) {
        return _members.values();
    }

    function isMember(uint256 memberId) external view returns (bool) {
        return _members.contains(memberId);
    }

    function inMandate(address target, bytes4 selector) external view returns (bool) {
        return _mandate[target][selector];
    }

    function actionCount() external view returns (uint256) {
        return _actions.length;
    }

    function action(uint256 actionId) external view returns (Action memory) {
        if (actionId >= _actions.length) revert BodyUnknownAction(actionId);
        ActionRecord storage a = _actions[actionId];
        return Action(a.target, a.data, a.proposer, approvalsOf(actionId), a.executed, a.description);
    }

    /// @notice The approvals of `actionId` that count now: those of current body members who are active
    /// consortium members.
    // slither-disable-next-line calls-loop -- the registry is the system's own contract; a body has few members
    function approvalsOf(uint256 actionId) public view returns (uint256 approvals) {
        uint256 count = _members.length();
        for (uint256 i = 0; i < count; ++i) {
            uint256 memberId = _members.at(i);
            if (_approved[actionId][memberId] && _isActive(memberId)) ++approvals;
        }
    }

    function hasApproved(uint256 actionId, uint256 memberId) external view returns (bool) {
        return _approved[actionId][memberId];
    }

    // ───────────────────────────── internals ─────────────────────────────

    function _approve(uint256 actionId, uint256 memberId) private {
        ActionRecord storage a = _actions[actionId];
        if (a.executed) revert BodyActionExecuted(actionId);
        if (_approved[actionId][memberId]) revert BodyAlreadyApproved(actionId, memberId);
        _approved[actionId][memberId] = true;
        uint256 approvals = approvalsOf(actionId);
        emit ActionApproved(actionId, memberId, approvals);
        if (approvals < threshold) return;
        // Mandates can shrink while an action waits: check again, then mark before calling out.
        _checkMandate(a.target, a.data);
        a.executed = true;
        // A failing call reverts the approval with the target's own error (a budget overrun, …).
        bytes memory returndata = Address.functionCall(a.target, a.data);
        emit ActionExecuted(actionId, returndata);
    }

    function _appoint(uint256 memberId) private {
        if (!_isActive(memberId)) revert BodyNotConsortiumMember(memberId);
        if (!_members.add(memberId)) revert BodyAlreadyMember(memberId);
        emit BodyMemberAppointed(memberId);
    }

    function _setThreshold(uint256 threshold_) private {
        _checkThreshold(threshold_);
        threshold = threshold_;
        emit ThresholdSet(threshold_);
    }

    function _checkThreshold(uint256 threshold_) private view {
        if (threshold_ == 0 || threshold_ > _members.length()) revert BodyInvalidThreshold(threshold_, _members.length());
    }

    function _setMandate(address target, bytes4 selector, bool allowed) private {
        _mandate[target][selector] = allowed;
        emit MandateSet(target, selector, allowed);
    }

    function _checkMandate(address target, bytes memory data) private view {
        bytes4 selector = data.length >= 4 ? bytes4(data) : bytes4(0);
        if (!_mandate[target][selector]) revert BodyOutsideMandate(target, selector);
    }

    /// @dev The caller's consortium member id, if it sits on this body and is an active member.
    function _callerBodyMember() private view returns (uint256 memberId) {
        memberId = registry.memberIdOf(msg.sender);
        if (memberId == 0 || !_members.contains(memberId)) revert BodyNotBodyMember(msg.sender);
        if (!_isActive(memberId)) revert BodyNotConsortiumMember(memberId);
    }

    // slither-disable-next-line calls-loop -- the registry is the system's own contract
    function _isActive(uint256 memberId) private view returns (bool) {
        return registry.member(memberId).status == IMemberRegistry.Status.Active;
    }
}
