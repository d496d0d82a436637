// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";

/**
 * @title StandardsRegistry
 * @notice Industry standards the consortium adopts, and its members' attestations of compliance.
 *
 * - A publisher (an address governance names: a technical committee) publishes drafts, optionally as
 *   the next version of an adopted standard.
 * - Governance adopts or deprecates a standard; the deployment makes both calls constitutional, so they
 *   need the consensus vote. Adopting a draft that supersedes another marks that one Superseded.
 * - Active members attest compliance with an adopted standard, with an evidence URI, and may withdraw.
 *   Compliance is listed per standard and per member.
 */
contract StandardsRegistry {
    using EnumerableSet for EnumerableSet.UintSet;

    enum Status {
        None,
        Draft,
        Adopted,
        Superseded,
        Deprecated
    }

    struct Standard {
        string title;
        string version;
        bytes32 contentHash;
        string uri;
        Status status;
        uint256 supersedes;
        address publisher;
        uint48 publishedAt;
        uint48 decidedAt;
    }

    struct Attestation {
        uint48 attestedAt;
        string evidenceURI;
    }

    IMemberRegistry public immutable registry;
    address public immutable governance;

    Standard[] private _standards; // id = index + 1
    mapping(address => bool) public isPublisher;
    mapping(uint256 standardId => mapping(uint256 memberId => Attestation)) private _attestations;
    mapping(uint256 standardId => EnumerableSet.UintSet) private _attesters;
    mapping(uint256 memberId => EnumerableSet.UintSet) private _attested;

    error StandardsUnauthorized(address caller);
    error StandardsInvalidDraft();
    error StandardsUnknown(uint256 standardId);
    error StandardsInvalidStatus(uint256 standardId, Status status);
    error StandardsNotMember(address account);
    error StandardsAlreadyAttested(uint256 standardId, uint256 memberId);
    error StandardsNotAttested(uint256 standardId, uint256 memberId);

    event PublisherSet(address indexed publisher, bool allowed);
    event StandardDrafted(uint256 indexed standardId, address indexed publisher, string title, string version, bytes32 contentHash, string uri, uint256 supersedes);
    event StandardStatusChanged(uint256 indexed standardId, Status status);
    event ComplianceAttested(uint256 indexed standardId, uint256 indexed memberId, string evidenceURI);
    event ComplianceWithdrawn(uint256 indexed standardId, uint256 indexed memberId);

    modifier onlyGovernance() {
        if (msg.sender != governance) revert StandardsUnauthorized(msg.sender);
        _;
    }

    // slither-disable-next-line missing-zero-check -- deployed by orchestrator/deploy.py with the timelock; consortium audit checks it
    constructor(IMemberRegistry registry_, address governance_) {
        (registry, governance) = (registry_, governance_);
    }

    // ───────────────────────────── governance ─────────────────────────────

    /// @notice Governance allows (or stops) `publisher` publishing drafts.
    function setPublisher(address publisher, bool allowed) external onlyGovernance {
        isPublisher[publisher] = allowed;
        emit PublisherSet(publisher, allowed);
    }

    /// @notice Governance adopts draft `standardId` (a constitutional call); the version it supersedes,
    /// if still adopted, becomes Superseded.
    function adopt(uint256 standardId) external onlyGovernance {
        Standard storage s = _require(standardId, Status.Draft);
        _setStatus(standardId, s, Status.Adopted);
        uint256 previous = s.supersedes;
        if (previous != 0 && _standards[previous - 1].status == Status.Adopted) {
            _setStatus(previous, _standards[previous - 1], Status.Superseded);
        }
    }

    /// @notice Governance deprecates adopted standard `standardId` (a constitutional call).
    function deprecate(uint256 standardId) external onlyGovernance {
        _setStatus(standardId, _require(standardId, Status.Adopted), Status.Deprecated);
    }

    // ───────────────────────────── publishers ─────────────────────────────

    /// @notice Publish a draft; `supersedes` is the id of the adopted standard it replaces, or zero.
    function publishDraft(
        string calldata title,
        string calldata version,
        bytes32 contentHash,
        string calldata uri,
        uint256 supersedes
    ) external returns (uint256 standardId) {
        if (!isPublisher[msg.sender]) revert StandardsUnauthorized(msg.sender);
        if (bytes(title).length == 0 || bytes(version).length == 0 || contentHash == bytes32(0)) {
            revert StandardsInvalidDraft();
        }
        if (supersedes != 0) _require(supersedes, Status.Adopted);
        _standards.push(Standard(title, version, contentHash, uri, Status.Draft, supersedes, msg.sender, uint48(block.timestamp), 0));
        standardId = _standards.length;
        emit StandardDrafted(standardId, msg.sender, title, version, contentHash, uri, supersedes);
    }

    // ───────────────────────────── members ─────────────────────────────

    /// @notice The caller's member attests compliance with adopted standard `standardId`.
    // slither-disable-next-line unused-return -- the two sets change together: the first add's result decides for both
    function attest(uint256 standardId, string calldata evidenceURI) external {
        _require(standardId, Status.Adopted);
        uint256 memberId = _callerMember();
        if (!_attesters[standardId].add(memberId)) revert StandardsAlreadyAttested(standardId, memberId);
        _attested[memberId].add(standardId);
        _attestations[standardId][memberId] = Attestation(uint48(block.timestamp), evidenceURI);
        emit ComplianceAttested(standardId, memberId, evidenceURI);
    }

    /// @notice The caller's member withdraws its attestation (allowed whatever the standard's status).
    // slither-disable-next-line unused-return -- the two sets change together: the first remove's result decides for both
    function withdraw(uint256 standardId) external {
        uint256 memberId = registry.memberIdOf(msg.sender);
        if (memberId == 0) revert StandardsNotMember(msg.sender);
        if (!_attesters[standardId].remove(memberId)) revert StandardsNotAttested(standardId, memberId);
        _attested[memberId].remove(standardId);
        delete _attestations[standardId][memberId];
        emit ComplianceWithdrawn(standardId, memberId);
    }

    // ───────────────────────────── reads ─────────────────────────────

    function standardCount() external view returns (uint256) {
        return _standards.length;
    }

    // slither-disable-next-line timestamp -- an id range check; no time involved
    function standard(uint256 standardId) external view returns (Standard memory) {
        if (standardId == 0 || standardId > _standards.length) revert StandardsUnknown(standardId);
        return _standards[standardId - 1];
    }

    /// @notice Members attesting compliance with `standardId`.
    function attesters(uint256 standardId) external view returns (uint256[] memory) {
        return _attesters[standardId].values();
    }

    /// @notice Standards `memberId` attests compliance with.
    function attestedBy(uint256 memberId) external view returns (uint256[] memory) {
        return _attested[memberId].values();
    }

    function attestation(uint256 standardId, uint256 memberId) external view returns (Attestation memory) {
        return _attestations[standardId][memberId];
    }

    // ───────────────────────────── internals ─────────────────────────────

    // slither-disable-next-line timestamp -- an id and status check; no time involved
    function _require(uint256 standardId, Status expected) private view returns (Standard storage s) {
        if (standardId == 0 || standardId > _standards.length) revert StandardsUnknown(standardId);
        s = _standards[standardId - 1];
        if (s.status != expected) revert StandardsInvalidStatus(standardId, s.status);
    }

    function _setStatus(uint256 standardId, Standard storage s, Status status) private {
        s.status = status;
        s.decidedAt = uint48(block.timestamp);
        emit StandardStatusChanged(standardId, status);
    }

    /// @dev Attestations come from active members only.
    function _callerMember() private view returns (uint256 memberId) {
        memberId = registry.memberIdOf(msg.sender);
        if (memberId == 0 || registry.member(memberId).status != IMemberRegistry.Status.Active) {
            revert StandardsNotMember(msg.sender);
        }
    }
}
