// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IContributionLedger
 * @notice What members contributed beyond their dues, as a checkpointed, concave and decaying part of their
 * voting weight that the {MemberRegistry} adds to the tier weight at a proposal's snapshot.
 */
interface IContributionLedger {
    /// @notice Where a contribution came from: a sponsorship paid to the treasury from a member's seat, or an
    /// attribution by governance (a grant, standards authored, body service).
    enum Source {
        Sponsorship,
        Attribution
    }

    /// @notice The deployment's choices, fixed for the ledger's life (a different choice is a new ledger).
    /// @param unit the contribution, in the dues token's smallest units, worth one weight unit
    /// @param period seconds after which a contribution is worth half (decay, counted from the ledger's origin)
    /// @param maxPart the most weight a member's contribution part may reach (0: no cap of its own)
    /// @param sponsorships whether sponsorships in the dues token count
    /// @param attributions whether governance may attribute contributions (grants and work)
    struct Parameters {
        uint256 unit;
        uint48 period;
        uint32 maxPart;
        bool sponsorships;
        bool attributions;
    }

    error LedgerUnauthorized(address caller);
    error LedgerInvalidParameters(uint256 unit, uint48 period);
    error LedgerZeroAmount();
    error LedgerAmountTooLarge(uint256 amount);
    error LedgerNotCounted(Source source);
    error LedgerUnknownMember(uint256 memberId);
    error LedgerExpired(uint256 periodIndex);
    error LedgerOverflow(uint256 memberId);

    /// @notice A contribution was recorded; `oldScore` and `newScore` are the member's counted score
    /// (the square root of its undecayed contributions, in 1e-9 weight units before decay).
    event ContributionRecorded(
        uint256 indexed memberId,
        Source indexed source,
        uint256 amount,
        uint256 oldScore,
        uint256 newScore,
        string memo
    );
    /// @notice The member's contributions started or stopped counting (its standing in the registry changed).
    event CountingChanged(uint256 indexed memberId, bool counted, uint256 oldScore, uint256 newScore);

    /// @notice The timelock: the only one who may attribute contributions.
    function governance() external view returns (address);

    /// @notice The roll whose members contribute, and the only caller of {setCounted}.
    function registry() external view returns (address);

    /// @notice The treasury: the only caller of {recordSponsorship}.
    function treasury() external view returns (address);

    /// @notice The deployment's parameters.
    function parameters() external view returns (Parameters memory);

    /// @notice The ledger's deployment time: periods are counted from it.
    function origin() external view returns (uint48);

    /// @notice The period index at `timepoint` (0 before the origin).
    function periodAt(uint256 timepoint) external view returns (uint256);

    /// @notice The treasury: a sponsorship of `amount` (in the dues token) paid from `seat`. Records it for the
    /// member seated there if that member is active in a voting tier, else records nothing.
    function recordSponsorship(address seat, uint256 amount) external;

    /// @notice Governance: attribute a contribution worth `amount` (dues-token units) to `memberId`.
    function attribute(uint256 memberId, uint256 amount, string calldata memo) external;

    /// @notice The registry: `memberId` starts (true) or stops counting (it became, or stopped being, an active
    /// member of a voting tier).
    function setCounted(uint256 memberId, bool counted) external;

    /// @notice `memberId`'s contribution part of its weight at `timepoint` (zero when it does not count).
    function partAt(uint256 memberId, uint256 timepoint) external view returns (uint256);

    /// @notice {partAt} for many members at one timepoint (a relayed batch); member id 0 answers zero.
    function partsAt(uint256[] calldata memberIds, uint256 timepoint) external view returns (uint256[] memory);

    /// @notice The contribution part of the total weight at `timepoint`: at least the sum of every counted
    /// member's part (each part is rounded down, the total once), by less than one unit per contributing member.
    function totalPartAt(uint256 timepoint) external view returns (uint256);

    /// @notice `memberId`'s contributions as they are worth now, decayed (dues-token units).
    function contributionOf(uint256 memberId) external view returns (uint256);

    /// @notice Whether `memberId`'s score counts in the total now.
    function isCounted(uint256 memberId) external view returns (bool);
}
