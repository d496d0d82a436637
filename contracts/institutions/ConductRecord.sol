// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";

/**
 * @title ConductRecord
 * @notice The public record of members' conduct: reports any voting member may file about another, and
 * censures governance issues. Suspension and expulsion are the registry's (also governance-only).
 * The governor recuses the member a censure, suspension or expulsion proposal is about.
 */
contract ConductRecord {
    struct Report {
        uint256 reporter;
        uint256 subject;
        string evidenceURI;
        bytes32 evidenceHash;
        uint48 filedAt;
    }

    struct Censure {
        uint256 memberId;
        uint256 reportId;
        string reason;
        uint48 issuedAt;
    }

    IMemberRegistry public immutable registry;
    address public immutable governance;
    Report[] private _reports; // id = index + 1
    Censure[] private _censures; // id = index + 1

    error ConductUnauthorized(address caller);
    error ConductNotVotingMember(address account);
    error ConductUnknownMember(uint256 memberId);
    error ConductSelfReport(uint256 memberId);
    error ConductInvalidEvidence();
    error ConductUnknownReport(uint256 reportId);
    error ConductUnknownCensure(uint256 censureId);

    event ReportFiled(uint256 indexed reportId, uint256 indexed reporter, uint256 indexed subject, string evidenceURI, bytes32 evidenceHash);
    event MemberCensured(uint256 indexed censureId, uint256 indexed memberId, uint256 reportId, string reason);

    // slither-disable-next-line missing-zero-check -- deployed by orchestrator/deploy.py with the timelock; consortium audit checks it
    constructor(IMemberRegistry registry_, address governance_) {
        (registry, governance) = (registry_, governance_);
    }

    /// @notice A voting member reports `subject` (another member), with evidence.
    function fileReport(uint256 subject, string calldata evidenceURI, bytes32 evidenceHash) external returns (uint256 reportId) {
        uint256 reporter = registry.memberIdOf(msg.sender);
        if (reporter == 0 || registry.getVotes(msg.sender) == 0) revert ConductNotVotingMember(msg.sender);
        if (subject == reporter) revert ConductSelfReport(subject);
        _requireMember(subject);
        IMemberRegistry.Status status = registry.member(subject).status;
        if (status == IMemberRegistry.Status.Resigned || status == IMemberRegistry.Status.Expelled) {
            revert ConductUnknownMember(subject);
        }
        if (bytes(evidenceURI).length == 0 || evidenceHash == bytes32(0)) revert ConductInvalidEvidence();
        _reports.push(Report(reporter, subject, evidenceURI, evidenceHash, uint48(block.timestamp)));
        reportId = _reports.length;
        emit ReportFiled(reportId, reporter, subject, evidenceURI, evidenceHash);
    }

    /// @notice Governance censures `memberId` (its first argument: the governor recuses that member),
    /// citing report `reportId` or zero.
    function censure(uint256 memberId, string calldata reason, uint256 reportId) external returns (uint256 censureId) {
        if (msg.sender != governance) revert ConductUnauthorized(msg.sender);
        _requireMember(memberId);
        if (reportId > _reports.length) revert ConductUnknownReport(reportId);
        _censures.push(Censure(memberId, reportId, reason, uint48(block.timestamp)));
        censureId = _censures.length;
        emit MemberCensured(censureId, memberId, reportId, reason);
    }

    function reportCount() external view returns (uint256) {
        return _reports.length;
    }

    // slither-disable-next-line timestamp -- an id range check; no time involved
    function report(uint256 reportId) external view returns (Report memory) {
        if (reportId == 0 || reportId > _reports.length) revert ConductUnknownReport(reportId);
        return _reports[reportId - 1];
    }

    function censureCount() external view returns (uint256) {
        return _censures.length;
    }

    // slither-disable-next-line timestamp -- an id range check; no time involved
    function censureRecord(uint256 censureId) external view returns (Censure memory) {
        if (censureId == 0 || censureId > _censures.length) revert ConductUnknownCensure(censureId);
        return _censures[censureId - 1];
    }

    /// @dev Members who ever joined. Reports need a current member; a censure may also record a former one.
    function _requireMember(uint256 memberId) private view {
        if (memberId == 0 || memberId > registry.memberCount()) revert ConductUnknownMember(memberId);
    }
}
