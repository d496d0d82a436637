// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IAdvisoryRegistry
 * @notice The consortium's public advisories about any party in the industry, member or not: a scam
 * token, an exploit address, a venue manipulating markets, a counterparty at risk of insolvency.
 *
 * A member files an advisory (rate-limited per member); a confirmer (a mandated body such as a security
 * working group, named by governance) or governance itself (a vote) publishes or dismisses it, updates
 * it and retracts it. The subject answers: directly when it is an account on this chain, otherwise
 * through a confirmer who records its reply. Nothing is deleted: a retracted advisory stays retracted.
 */
interface IAdvisoryRegistry {
    enum Kind {
        Scam,
        Exploit,
        SanctionsExposure,
        MarketManipulation,
        InsolvencyRisk,
        Other
    }

    enum Severity {
        Low,
        Medium,
        High,
        Critical
    }

    /// @dev Pending until a confirmer decides: Published or Dismissed. The filer may withdraw a pending
    /// one. Only a published advisory is updated or retracted. Dismissed, Withdrawn and Retracted are final.
    enum Status {
        None,
        Pending,
        Published,
        Dismissed,
        Withdrawn,
        Retracted
    }

    /// @notice An advisory as the public reads it. `subject` names the party: a CAIP-10 account id
    /// (`eip155:1:0xab…`, `bip122:…:1A1z…`) or an entity's name; `subjectAccount`, if not zero, is the
    /// subject's own account on this chain, which may reply itself.
    struct Advisory {
        Kind kind;
        Severity severity;
        Status status;
        uint32 revision;
        uint48 filedAt;
        uint48 decidedAt;
        uint256 filer;
        address subjectAccount;
        string subject;
        string summary;
        string evidenceURI;
        bytes32 evidenceHash;
    }

    /// @notice The subject's answer: by the subject's account itself, or recorded by a confirmer for it.
    struct Reply {
        bool bySubject;
        uint48 repliedAt;
        string uri;
        bytes32 contentHash;
    }

    error AdvisoryUnauthorized(address caller);
    error AdvisoryNotActiveMember(address account);
    error AdvisoryInvalidSubject();
    error AdvisoryInvalidEvidence();
    error AdvisoryTextTooLong(uint256 length, uint256 max);
    error AdvisoryRateLimited(uint256 memberId, uint32 limit, uint48 availableAt);
    error AdvisoryInvalidFilingLimit(uint32 limit, uint48 window);
    error AdvisoryUnknown(uint256 advisoryId);
    error AdvisoryInvalidStatus(uint256 advisoryId, Status status);
    error AdvisoryNotSubject(uint256 advisoryId, address caller);
    error AdvisoryTooManyReplies(uint256 advisoryId, uint256 max);

    event AdvisoryFiled(
        uint256 indexed advisoryId,
        uint256 indexed filer,
        bytes32 indexed subjectHash,
        Kind kind,
        Severity severity,
        string subject,
        address subjectAccount,
        string summary,
        string evidenceURI,
        bytes32 evidenceHash
    );
    event AdvisoryStatusChanged(uint256 indexed advisoryId, Status oldStatus, Status newStatus, address indexed by, string reason);
    event AdvisoryUpdated(
        uint256 indexed advisoryId,
        uint32 revision,
        Severity oldSeverity,
        Severity newSeverity,
        string evidenceURI,
        bytes32 evidenceHash,
        string note
    );
    event AdvisoryReplied(uint256 indexed advisoryId, uint256 replyIndex, bool bySubject, string uri, bytes32 contentHash);
    event ConfirmerSet(address indexed confirmer, bool oldAllowed, bool newAllowed);
    event FilingLimitSet(uint32 oldLimit, uint48 oldWindow, uint32 newLimit, uint48 newWindow);

    /// @notice The address every governance-only function answers to (the timelock).
    function governance() external view returns (address);

    function isConfirmer(address account) external view returns (bool);

    /// @notice At most `limit` filings per member in each window of `window` seconds.
    function filingLimit() external view returns (uint32 limit, uint48 window);

    /// @notice How many more advisories `memberId` may file in the current window, and when it resets.
    function filingAllowance(uint256 memberId) external view returns (uint32 remaining, uint48 resetsAt);

    function advisoryCount() external view returns (uint256);

    function advisory(uint256 advisoryId) external view returns (Advisory memory);

    function replies(uint256 advisoryId) external view returns (Reply[] memory);

    function setConfirmer(address confirmer, bool allowed) external;

    function setFilingLimit(uint32 limit, uint48 window) external;

    function file(
        Kind kind,
        Severity severity,
        string calldata subject,
        address subjectAccount,
        string calldata summary,
        string calldata evidenceURI,
        bytes32 evidenceHash
    ) external returns (uint256 advisoryId);

    function withdraw(uint256 advisoryId) external;

    function publish(uint256 advisoryId) external;

    function dismiss(uint256 advisoryId, string calldata reason) external;

    function update(uint256 advisoryId, Severity severity, string calldata evidenceURI, bytes32 evidenceHash, string calldata note) external;

    function retract(uint256 advisoryId, string calldata reason) external;

    function reply(uint256 advisoryId, string calldata uri, bytes32 contentHash) external;

    function recordReply(uint256 advisoryId, string calldata uri, bytes32 contentHash) external;
}
