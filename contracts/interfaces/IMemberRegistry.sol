// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";

/**
 * @title IMemberRegistry
 * @notice The consortium's membership roll: tiers with weights and rights, members with seats,
 * a lifecycle run by governance, and checkpointed, non-transferable voting weight (ERC-5805).
 */
interface IMemberRegistry is IERC5805 {
    /// @dev A member's standing. Resigned and Expelled are final: the seat is freed. Lapsed (dues unpaid
    /// past the grace period) ends when the dues are paid.
    enum Status {
        None,
        Active,
        Suspended,
        Resigned,
        Expelled,
        Lapsed
    }

    /// @notice One row of the tier table. A tier that cannot vote has no weight.
    struct Tier {
        string name;
        uint32 weight;
        bool canPropose;
        bool canVote;
    }

    /// @notice A member as the public reads it.
    struct Member {
        address seat;
        uint8 tier;
        Status status;
        uint48 joinedAt;
        string metadataURI;
        bytes32 metadataHash;
    }

    /// @notice One admission, as governance or the bootstrap gives it.
    struct Admission {
        address seat;
        uint8 tier;
        string metadataURI;
        bytes32 metadataHash;
    }

    error RegistryUnauthorized(address caller);
    error RegistryInvalidTier(uint8 tierId);
    error RegistryUnknownTier(uint8 tierId);
    error RegistryInvalidSeat(address seat);
    error RegistrySeatTaken(address seat);
    error RegistryNotMember(address account);
    error RegistryUnknownMember(uint256 memberId);
    error RegistryInvalidStatus(uint256 memberId, Status status);
    error RegistryFutureLookup(uint256 timepoint, uint48 clock);
    error RegistryWeightNotTransferable();
    error RegistryBootstrapOver();
    error RegistryDuesCurrent(uint256 memberId);
    error RegistryDuesOutstanding(uint256 memberId);
    error RegistryInvalidLedger(address ledger);

    event TierSet(uint8 indexed tierId, string name, uint32 weight, bool canPropose, bool canVote);
    event MemberAdmitted(
        uint256 indexed memberId,
        address indexed seat,
        uint8 tier,
        string metadataURI,
        bytes32 metadataHash
    );
    event MemberTierChanged(uint256 indexed memberId, uint8 oldTier, uint8 newTier);
    event MemberSuspended(uint256 indexed memberId, string reason);
    event MemberReinstated(uint256 indexed memberId);
    event MemberExpelled(uint256 indexed memberId, string reason);
    event MemberResigned(uint256 indexed memberId);
    event SeatRotated(uint256 indexed memberId, address indexed oldSeat, address indexed newSeat);
    event MetadataUpdated(uint256 indexed memberId, string metadataURI, bytes32 metadataHash);
    event TotalWeightChanged(uint256 oldWeight, uint256 newWeight);
    event BootstrapEnded(address indexed bootstrapper);
    event DuesOracleSet(address indexed oracle);
    event MemberLapsed(uint256 indexed memberId);
    event MemberRestored(uint256 indexed memberId);
    event ContributionsLedgerSet(address indexed oldLedger, address indexed newLedger);

    /// @notice The address every governance-only function answers to (the timelock).
    function governance() external view returns (address);

    /// @notice The deployer's one-off admission right, or zero once bootstrap has ended.
    function bootstrapper() external view returns (address);

    function tierCount() external view returns (uint8);

    function tier(uint8 tierId) external view returns (Tier memory);

    function memberCount() external view returns (uint256);

    function member(uint256 memberId) external view returns (Member memory);

    /// @notice The member currently seated at `seat`, or zero.
    function memberIdOf(address seat) external view returns (uint256);

    /// @notice The member seated at `seat` at `timepoint`, or zero (seat history: past answers never change).
    function memberIdAt(address seat, uint256 timepoint) external view returns (uint256);

    /// @notice ERC-5805 lists it for delegation by signature, which this roll refuses: always zero.
    function nonces(address owner) external view returns (uint256);

    /// @notice Whether `account` is the seat of an active member whose tier may propose.
    function canPropose(address account) external view returns (bool);

    /// @notice The elector at `seat`: the member seated there now, with its tier and voting weight at
    /// `timepoint` (what a governor counts), in one {VoterWord}: a governor decodes one word on every direct
    /// vote, not a struct (673 gas less a vote). A zero member id means the seat is not a member now. This and
    /// {electorate} are named so that their selectors sort first: a governor calls one of them on every vote,
    /// and via-IR code dispatches selectors linearly.
    function electorAt(address seat, uint256 timepoint) external view returns (uint256);

    /// @notice {electorAt} for many seats in one call (a relayed batch of ballots), one {VoterWord} per seat.
    function electorate(address[] calldata seats, uint256 timepoint) external view returns (uint256[] memory);

    /// @notice A member's voting weight at `timepoint`, by member id (seat-independent history).
    function memberWeightAt(uint256 memberId, uint256 timepoint) external view returns (uint256);

    /// @notice The contribution ledger in force now (zero: weight is the tier's alone).
    function contributionsLedger() external view returns (address);

    /// @notice The contribution ledger that was in force at `timepoint`.
    function contributionsLedgerAt(uint256 timepoint) external view returns (address);

    /// @notice Name the contribution ledger (zero: none) from now on; past snapshots keep the one in force then.
    /// The bootstrapper while bootstrap lasts (a deployment that weighs contributions from the start),
    /// governance afterwards. The ledger must answer to this registry.
    function setContributionsLedger(address ledger) external;

    function setTier(uint8 tierId, string calldata name, uint32 weight, bool canPropose_, bool canVote) external;

    function admit(Admission calldata admission) external returns (uint256 memberId);

    function bootstrapAdmit(Admission[] calldata admissions) external;

    function endBootstrap() external;

    function changeTier(uint256 memberId, uint8 newTier) external;

    function suspend(uint256 memberId, string calldata reason) external;

    function reinstate(uint256 memberId) external;

    function expel(uint256 memberId, string calldata reason) external;

    function rotateSeatOf(uint256 memberId, address newSeat) external;

    function resign() external;

    function rotateSeat(address newSeat) external;

    function updateMetadata(string calldata metadataURI, bytes32 metadataHash) external;

    /// @notice The contract that says whether a member's dues have lapsed (the treasury), or zero.
    function duesOracle() external view returns (address);

    /// @notice Set the dues oracle: the bootstrapper while bootstrap lasts, governance afterwards.
    function setDuesOracle(address oracle) external;

    /// @notice Anyone: an active member whose dues lapsed (per the oracle) loses its vote from now on.
    function lapse(uint256 memberId) external;

    /// @notice Anyone: a lapsed member whose dues are paid again gets its vote back from now on.
    function restore(uint256 memberId) external;
}
