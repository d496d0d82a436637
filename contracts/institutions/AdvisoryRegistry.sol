// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAdvisoryRegistry} from "../interfaces/IAdvisoryRegistry.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";

/**
 * @title AdvisoryRegistry
 * @notice Industry advisories: filed by members, published by a mandated body or by vote, answered by
 * their subject, updated and retracted by the same path that publishes them (see {IAdvisoryRegistry}).
 *
 * - Filing is rate-limited per member (at most `limit` in each fixed window of `window` seconds) and
 *   only active members file: an outsider cannot file, and a member cannot flood the confirmers' queue.
 * - A confirmer is any address governance names; the deployment's practice is a Body whose mandate holds
 *   the confirmers' functions, so k of its n members decide. Governance (the timelock) is always one.
 * - Text and replies are bounded so that no filing or answer makes reading the record expensive.
 */
contract AdvisoryRegistry is IAdvisoryRegistry {
    uint256 public constant MAX_SUBJECT = 256;
    uint256 public constant MAX_TEXT = 1024;
    /// @dev Replies per advisory, so that a subject cannot bury its advisory under its own answers.
    uint256 public constant MAX_REPLIES = 16;

    struct Filings {
        uint48 epoch;
        uint32 used;
    }

    IMemberRegistry public immutable registry;
    address public immutable governance;

    Advisory[] private _advisories; // id = index + 1
    mapping(uint256 advisoryId => Reply[]) private _replies;
    mapping(address account => bool) private _confirmers;
    mapping(uint256 memberId => Filings) private _filings;
    uint32 private _filingLimit;
    uint48 private _filingWindow;

    modifier onlyGovernance() {
        if (msg.sender != governance) revert AdvisoryUnauthorized(msg.sender);
        _;
    }

    modifier onlyConfirmer() {
        if (!isConfirmer(msg.sender)) revert AdvisoryUnauthorized(msg.sender);
        _;
    }

    // slither-disable-next-line missing-zero-check -- deployed by orchestrator/deploy.py with the timelock; consortium audit checks it
    constructor(IMemberRegistry registry_, address governance_, uint32 limit, uint48 window) {
        (registry, governance) = (registry_, governance_);
        _setFilingLimit(limit, window);
    }

    // ───────────────────────────── governance ─────────────────────────────

    /// @notice Governance allows (or stops) `confirmer` publishing, dismissing, updating and retracting.
    function setConfirmer(address confirmer, bool allowed) external onlyGovernance {
        emit ConfirmerSet(confirmer, _confirmers[confirmer], allowed);
        _confirmers[confirmer] = allowed;
    }

    /// @notice Governance sets the filing rate: at most `limit` per member per `window` seconds (0 closes filing).
    function setFilingLimit(uint32 limit, uint48 window) external onlyGovernance {
        _setFilingLimit(limit, window);
    }

    // ───────────────────────────── members ─────────────────────────────

    /// @inheritdoc IAdvisoryRegistry
    function file(
        Kind kind,
        Severity severity,
        string calldata subject,
        address subjectAccount,
        string calldata summary,
        string calldata evidenceURI,
        bytes32 evidenceHash
    ) external returns (uint256 advisoryId) {
        uint256 filer = _callerActiveMember();
        if (bytes(subject).length == 0) revert AdvisoryInvalidSubject();
        _checkLength(bytes(subject).length, MAX_SUBJECT);
        _checkLength(bytes(summary).length, MAX_TEXT);
        _checkEvidence(evidenceURI, evidenceHash);
        _spendFiling(filer);
        _advisories.push(
            Advisory(kind, severity, Status.Pending, 0, uint48(block.timestamp), 0, filer, subjectAccount, subject, summary, evidenceURI, evidenceHash)
        );
        advisoryId = _advisories.length;
        emit AdvisoryFiled(advisoryId, filer, keccak256(bytes(subject)), kind, severity, subject, subjectAccount, summary, evidenceURI, evidenceHash);
    }

    /// @notice The filer's member withdraws its advisory while it is still pending.
    function withdraw(uint256 advisoryId) external {
        Advisory storage a = _require(advisoryId, Status.Pending);
        if (registry.memberIdOf(msg.sender) != a.filer) revert AdvisoryUnauthorized(msg.sender);
        _setStatus(advisoryId, a, Status.Withdrawn, "");
    }

    // ───────────────────────────── confirmers ─────────────────────────────

    function publish(uint256 advisoryId) external onlyConfirmer {
        Advisory storage a = _require(advisoryId, Status.Pending);
        a.decidedAt = uint48(block.timestamp);
        _setStatus(advisoryId, a, Status.Published, "");
    }

    function dismiss(uint256 advisoryId, string calldata reason) external onlyConfirmer {
        _checkLength(bytes(reason).length, MAX_TEXT);
        Advisory storage a = _require(advisoryId, Status.Pending);
        a.decidedAt = uint48(block.timestamp);
        _setStatus(advisoryId, a, Status.Dismissed, reason);
    }

    /// @notice A new revision of a published advisory: its severity and evidence, with a note saying why.
    function update(
        uint256 advisoryId,
        Severity severity,
        string calldata evidenceURI,
        bytes32 evidenceHash,
        string calldata note
    ) external onlyConfirmer {
        _checkEvidence(evidenceURI, evidenceHash);
        _checkLength(bytes(note).length, MAX_TEXT);
        Advisory storage a = _require(advisoryId, Status.Published);
        Severity old = a.severity;
        (a.severity, a.evidenceURI, a.evidenceHash) = (severity, evidenceURI, evidenceHash);
        uint32 revision = ++a.revision;
        emit AdvisoryUpdated(advisoryId, revision, old, severity, evidenceURI, evidenceHash, note);
    }

    /// @notice Retract a published advisory; it stays in the record, marked retracted, with the reason.
    function retract(uint256 advisoryId, string calldata reason) external onlyConfirmer {
        _checkLength(bytes(reason).length, MAX_TEXT);
        _setStatus(advisoryId, _require(advisoryId, Status.Published), Status.Retracted, reason);
    }

    /// @notice Record the reply of a subject that has no account on this chain (sent to the confirmer).
    function recordReply(uint256 advisoryId, string calldata uri, bytes32 contentHash) external onlyConfirmer {
        _existing(advisoryId);
        _reply(advisoryId, false, uri, contentHash);
    }

    // ───────────────────────────── subjects ─────────────────────────────

    /// @notice The subject's own account on this chain answers an advisory about it.
    function reply(uint256 advisoryId, string calldata uri, bytes32 contentHash) external {
        Advisory storage a = _existing(advisoryId);
        if (a.subjectAccount == address(0) || msg.sender != a.subjectAccount) revert AdvisoryNotSubject(advisoryId, msg.sender);
        _reply(advisoryId, true, uri, contentHash);
    }

    // ───────────────────────────── reads ─────────────────────────────

    function isConfirmer(address account) public view returns (bool) {
        return account == governance || _confirmers[account];
    }

    function filingLimit() external view returns (uint32 limit, uint48 window) {
        return (_filingLimit, _filingWindow);
    }

    // slither-disable-next-line timestamp,incorrect-equality -- windows are days long, so a validator's few seconds do not matter; epochs are counters, not balances
    function filingAllowance(uint256 memberId) external view returns (uint32 remaining, uint48 resetsAt) {
        uint48 epoch = uint48(block.timestamp / _filingWindow);
        Filings memory f = _filings[memberId];
        uint32 used = f.epoch == epoch ? f.used : 0;
        remaining = used >= _filingLimit ? 0 : _filingLimit - used;
        resetsAt = (epoch + 1) * _filingWindow;
    }

    function advisoryCount() external view returns (uint256) {
        return _advisories.length;
    }

    function advisory(uint256 advisoryId) external view returns (Advisory memory) {
        return _existing(advisoryId);
    }

    function replies(uint256 advisoryId) external view returns (Reply[] memory) {
        _existing(advisoryId);
        return _replies[advisoryId];
    }

    // ───────────────────────────── internals ─────────────────────────────

    // slither-disable-next-line timestamp -- windows are days long; a validator's few seconds do not matter
    function _spendFiling(uint256 memberId) private {
        uint48 epoch = uint48(block.timestamp / _filingWindow);
        Filings storage f = _filings[memberId];
        if (f.epoch != epoch) (f.epoch, f.used) = (epoch, 0);
        if (f.used >= _filingLimit) revert AdvisoryRateLimited(memberId, _filingLimit, (epoch + 1) * _filingWindow);
        ++f.used;
    }

    function _setFilingLimit(uint32 limit, uint48 window) private {
        if (window == 0) revert AdvisoryInvalidFilingLimit(limit, window);
        emit FilingLimitSet(_filingLimit, _filingWindow, limit, window);
        (_filingLimit, _filingWindow) = (limit, window);
    }

    function _reply(uint256 advisoryId, bool bySubject, string calldata uri, bytes32 contentHash) private {
        _checkEvidence(uri, contentHash);
        uint256 index = _replies[advisoryId].length;
        if (index >= MAX_REPLIES) revert AdvisoryTooManyReplies(advisoryId, MAX_REPLIES);
        _replies[advisoryId].push(Reply(bySubject, uint48(block.timestamp), uri, contentHash));
        emit AdvisoryReplied(advisoryId, index, bySubject, uri, contentHash);
    }

    function _setStatus(uint256 advisoryId, Advisory storage a, Status status, string memory reason) private {
        emit AdvisoryStatusChanged(advisoryId, a.status, status, msg.sender, reason);
        a.status = status;
    }

    function _callerActiveMember() private view returns (uint256 memberId) {
        memberId = registry.memberIdOf(msg.sender);
        if (memberId == 0 || registry.member(memberId).status != IMemberRegistry.Status.Active) {
            revert AdvisoryNotActiveMember(msg.sender);
        }
    }

    function _checkEvidence(string calldata uri, bytes32 contentHash) private pure {
        if (bytes(uri).length == 0 || contentHash == bytes32(0)) revert AdvisoryInvalidEvidence();
        _checkLength(bytes(uri).length, MAX_TEXT);
    }

    function _checkLength(uint256 length, uint256 max) private pure {
        if (length > max) revert AdvisoryTextTooLong(length, max);
    }

    // slither-disable-next-line timestamp -- an id range check; no time involved
    function _existing(uint256 advisoryId) private view returns (Advisory storage) {
        if (advisoryId == 0 || advisoryId > _advisories.length) revert AdvisoryUnknown(advisoryId);
        return _advisories[advisoryId - 1];
    }

    function _require(uint256 advisoryId, Status status) private view returns (Advisory storage a) {
        a = _existing(advisoryId);
        if (a.status != status) revert AdvisoryInvalidStatus(advisoryId, a.status);
    }
}
