// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {IContributionLedger} from "./interfaces/IContributionLedger.sol";
import {IDuesOracle} from "./interfaces/IDuesOracle.sol";
import {MAX_TIERS, VoterWord} from "./utils/VoterWord.sol";

/**
 * @title MemberRegistry
 * @notice The consortium's roll. Implements ERC-5805 (IVotes) and ERC-6372 with a timestamp clock, so an
 * OpenZeppelin Governor reads weight at a proposal's snapshot.
 *
 * How it differs from OZ `Votes`:
 * - Weight belongs to a member, not to an address. A member speaks through a seat (an EOA or a
 *   contract wallet) that it may rotate. A governor asks {electorAt}: the member seated at an address now,
 *   with its weight at the snapshot, so the new seat speaks for the member's whole history and a retired
 *   key cannot vote even on proposals snapshotted before the rotation.
 * - ERC-5805's {getPastVotes} answers for the address: the weight of the member seated there at that
 *   time, from a seat history, so past answers never change when seats rotate, members resign or a freed
 *   address is seated again.
 * - Weight is derived: a member's tier and standing are checkpointed, and each tier's weight is
 *   checkpointed, so governance re-weighs a whole tier in O(1). The total is checkpointed too.
 * - Nothing is transferable or delegable: those entry points revert with {RegistryWeightNotTransferable}.
 *
 * Every lifecycle change except a member's own resignation, seat rotation and metadata update is
 * governance-only (the timelock). The deployer may admit the founding roll and name the dues oracle
 * (the treasury) once, before {endBootstrap}; after that no externally owned account holds any power here.
 *
 * Dues: a member whose dues the oracle reports lapsed can be marked Lapsed by anyone ({lapse}): it
 * keeps its seat but has no weight from that moment, so proposals snapshotted later do not count it.
 * Paying restores it ({restore}, which the treasury calls on payment). No keeper is trusted: the
 * condition is checked here, against the oracle, whoever pokes.
 *
 * Contributions: once governance names a {IContributionLedger} ({setContributionsLedger}), an active member of
 * a voting tier weighs its tier weight plus its contribution part at the snapshot, and the total weight is
 * the tiers' total plus the ledger's total part. Which ledger is in force is checkpointed, so naming another
 * (or none) changes weights from that moment on and no past snapshot. With no ledger ever named, reads cost
 * what they did: a flag in each tier's slot (read anyway) says whether to look, and the total's checkpoint
 * carries the ledger in force beside the tiers' total.
 */
contract MemberRegistry is IMemberRegistry {
    using Checkpoints for Checkpoints.Trace208;
    using SafeCast for uint256;

    /// @dev One slot: a tier's current state, with the time of its last change for the fast path, and whether
    /// a contribution ledger was ever named (every tier alike: read here because weight reads load this slot).
    struct TierRecord {
        uint32 weight;
        uint48 updatedAt;
        bool canPropose;
        bool canVote;
        bool exists;
        bool contributions;
    }

    /// @dev One slot per seat: the member's current tier and standing, and when they last changed.
    /// A governor reading a snapshot taken at or after `updatedAt` needs this slot alone. `wallet`: the
    /// address was a contract wallet ({_isWallet}) when it was seated (admitted, or rotated there) or its
    /// standing last changed, so a governor asks it (ERC-1271) before trying to recover a signature, which a
    /// contract, having no key, cannot make.
    struct Seat {
        uint32 memberId;
        uint8 tier;
        bool active;
        uint48 updatedAt;
        bool wallet;
    }

    struct MemberRecord {
        address seat;
        uint8 tier;
        Status status;
        uint48 joinedAt;
        bytes32 metadataHash;
        string metadataURI;
    }

    address private immutable _governance;
    address private _bootstrapper;
    address private _duesOracle;

    uint8 private _tierCount;
    /// @dev Whether a contribution ledger was ever named (packed with the tier count: new tiers copy it).
    bool private _contributionsEver;
    mapping(uint8 tierId => TierRecord) private _tiers;
    mapping(uint8 tierId => string) private _tierNames;
    mapping(uint8 tierId => Checkpoints.Trace208) private _tierWeightHistory;
    mapping(uint8 tierId => uint256) private _activeInTier;

    uint32 private _memberCount;
    mapping(uint256 memberId => MemberRecord) private _members;
    mapping(address seat => Seat) private _seats;
    /// @dev Per address: the member seated there over time (zero: none).
    mapping(address seat => Checkpoints.Trace208) private _seatHistory;
    /// @dev Checkpointed standing of a member: (active ? 1 << 8 : 0) | tier.
    mapping(uint256 memberId => Checkpoints.Trace208) private _standingHistory;
    /// @dev The tiers' total weight (bits 0-47) and the contribution ledger in force (bits 48-207), over time.
    Checkpoints.Trace208 private _totalWeight;
    /// @dev The contribution ledger in force over time (zero: none).
    Checkpoints.Trace208 private _ledgers;

    uint256 private constant TOTAL_BITS = 48;

    modifier onlyGovernance() {
        if (msg.sender != _governance) revert RegistryUnauthorized(msg.sender);
        _;
    }

    /// @param governance_ the timelock that executes member votes
    /// @param tiers the initial tier table, ids 0, 1, 2, … in order
    constructor(address governance_, Tier[] memory tiers) {
        if (governance_ == address(0)) revert RegistryUnauthorized(address(0));
        _governance = governance_;
        _bootstrapper = msg.sender;
        for (uint256 i = 0; i < tiers.length; ++i) {
            _setTier(i.toUint8(), tiers[i]);
        }
    }

    // ───────────────────────────── ERC-6372 clock ─────────────────────────────

    /// @inheritdoc IMemberRegistry
    function governance() external view returns (address) {
        return _governance;
    }

    /// @inheritdoc IMemberRegistry
    function bootstrapper() external view returns (address) {
        return _bootstrapper;
    }

    /// @notice The timestamp clock (ERC-6372).
    function clock() public view returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice Machine-readable description of the clock (ERC-6372).
    // slither-disable-next-line naming-convention -- ERC-6372 names this function
    function CLOCK_MODE() external pure returns (string memory) {
        return "mode=timestamp";
    }

    // ───────────────────────────── IVotes ─────────────────────────────

    /// @notice The current voting weight of the member seated at `account`.
    // slither-disable-next-line timestamp -- compares weights, not times
    function getVotes(address account) external view returns (uint256) {
        Seat memory s = _seats[account];
        if (!s.active) return 0;
        TierRecord memory t = _tiers[s.tier];
        uint32 weight = _votingWeight(t);
        return t.contributions && weight != 0 ? _addPart(weight, _partAt(s.memberId, clock())) : weight;
    }

    /// @notice The voting weight at `timepoint` of the member seated at `account` at that time.
    function getPastVotes(address account, uint256 timepoint) external view returns (uint256) {
        _checkPast(timepoint);
        uint256 memberId = _seatHistory[account].upperLookupRecent(uint48(timepoint));
        if (memberId == 0) return 0;
        (uint8 tierId, bool active) = _standingAt(memberId, timepoint);
        return active ? _weightAt(memberId, tierId, timepoint) : 0;
    }

    /// @notice Always zero: ERC-5805 lists nonces for {delegateBySig}, which this roll refuses.
    function nonces(address) external pure returns (uint256) {
        return 0;
    }

    /// @notice The sum of all members' voting weight at `timepoint` (with contributions, at least the sum).
    function getPastTotalSupply(uint256 timepoint) external view returns (uint256) {
        _checkPast(timepoint);
        uint256 packed = _totalWeight.upperLookupRecent(uint48(timepoint));
        // No ledger in force: the checkpoint is the tiers' total alone (the common case, answered inline).
        return packed >> TOTAL_BITS == 0 ? packed : _withTotalPart(packed, timepoint);
    }

    /// @notice The sum of all members' voting weight now.
    function totalWeight() external view returns (uint256) {
        return _withTotalPart(_totalWeight.latest(), clock());
    }

    /// @notice Members vote for themselves: a seat is its own delegate.
    // slither-disable-next-line incorrect-equality,timestamp -- member id 0 means no member; no time involved
    function delegates(address account) external view returns (address) {
        return _seats[account].memberId == 0 ? address(0) : account;
    }

    /// @notice Always reverts: voting weight cannot be delegated.
    function delegate(address) external pure {
        revert RegistryWeightNotTransferable();
    }

    /// @notice Always reverts: voting weight cannot be delegated.
    function delegateBySig(address, uint256, uint256, uint8, bytes32, bytes32) external pure {
        revert RegistryWeightNotTransferable();
    }

    /// @notice Always reverts: present so that token tooling gets a clear answer.
    function transfer(address, uint256) external pure returns (bool) {
        revert RegistryWeightNotTransferable();
    }

    /// @notice Always reverts: present so that token tooling gets a clear answer.
    function transferFrom(address, address, uint256) external pure returns (bool) {
        revert RegistryWeightNotTransferable();
    }

    // ───────────────────────────── reads ─────────────────────────────

    /// @inheritdoc IMemberRegistry
    function tierCount() external view returns (uint8) {
        return _tierCount;
    }

    /// @inheritdoc IMemberRegistry
    function tier(uint8 tierId) external view returns (Tier memory) {
        TierRecord memory t = _tiers[tierId];
        if (!t.exists) revert RegistryUnknownTier(tierId);
        return Tier(_tierNames[tierId], t.weight, t.canPropose, t.canVote);
    }

    /// @inheritdoc IMemberRegistry
    function memberCount() external view returns (uint256) {
        return _memberCount;
    }

    /// @inheritdoc IMemberRegistry
    function member(uint256 memberId) external view returns (Member memory) {
        MemberRecord storage m = _record(memberId);
        return Member(m.seat, m.tier, m.status, m.joinedAt, m.metadataURI, m.metadataHash);
    }

    /// @inheritdoc IMemberRegistry
    function memberIdOf(address seat) external view returns (uint256) {
        return _seats[seat].memberId;
    }

    /// @inheritdoc IMemberRegistry
    function memberIdAt(address seat, uint256 timepoint) external view returns (uint256) {
        return _seatHistory[seat].upperLookupRecent(SafeCast.toUint48(timepoint));
    }

    /// @inheritdoc IMemberRegistry
    // slither-disable-next-line timestamp -- reads a seat's standing; no time comparison decides it
    function canPropose(address account) external view returns (bool) {
        Seat memory s = _seats[account];
        return s.active && _tiers[s.tier].canPropose;
    }

    /// @inheritdoc IMemberRegistry
    function electorAt(address seat, uint256 timepoint) external view returns (uint256) {
        _checkPast(timepoint);
        (uint256 seatWord, uint8 tierId, bool active) = _standingOf(seat, timepoint);
        uint32 weight = active ? _weightAt(VoterWord.memberId(seatWord), tierId, timepoint) : 0;
        return VoterWord.pack(seatWord, tierId, weight);
    }

    /// @inheritdoc IMemberRegistry
    // slither-disable-next-line timestamp -- timepoints are past snapshots, minutes apart
    function electorate(address[] calldata seats, uint256 timepoint) external view returns (uint256[] memory voters) {
        _checkPast(timepoint);
        voters = new uint256[](seats.length);
        // Each tier's weight at `timepoint` plus one (0: not looked up yet): a batch's voters share few tiers.
        // slither-disable-next-line uninitialized-local -- starts zeroed on purpose: nothing looked up yet
        uint256[MAX_TIERS] memory tierWeights;
        // In memory, not on the stack: written once per tier, it must cost nothing per voter.
        // slither-disable-next-line uninitialized-local -- starts false on purpose: no ledger seen yet
        bool[1] memory contributions;
        for (uint256 i = 0; i < seats.length; ++i) {
            (uint256 seatWord, uint8 tierId, bool active) = _standingOf(seats[i], timepoint);
            uint256 weight = 0;
            if (active) {
                weight = tierWeights[tierId];
                if (weight == 0) {
                    (uint32 tierWeight, bool ledgerNamed) = _tierAt(tierId, timepoint);
                    if (ledgerNamed) contributions[0] = true;
                    tierWeights[tierId] = weight = tierWeight + uint256(1);
                }
                unchecked {
                    --weight;
                }
            }
            voters[i] = VoterWord.pack(seatWord, tierId, weight);
        }
        if (contributions[0]) _addParts(voters, timepoint);
    }

    /// @dev Adds each weighing voter's contribution part at `timepoint`, asked of the ledger in one call.
    // slither-disable-next-line calls-loop,timestamp -- one call per batch, to the system's own ledger; compares an address and weights, not times
    function _addParts(uint256[] memory voters, uint256 timepoint) private view {
        address ledger = _ledgerAt(timepoint);
        if (ledger == address(0)) return;
        uint256[] memory ids = new uint256[](voters.length);
        for (uint256 i = 0; i < voters.length; ++i) {
            if (VoterWord.weight(voters[i]) != 0) ids[i] = VoterWord.memberId(voters[i]);
        }
        uint256[] memory parts = IContributionLedger(ledger).partsAt(ids, timepoint);
        for (uint256 i = 0; i < voters.length; ++i) {
            if (ids[i] == 0) continue;
            uint256 weight = VoterWord.weight(voters[i]);
            // The weight field (bits 40-71, see VoterWord) grows by the part, saturated. Added in place rather
            // than packed again: a second call of pack stops the optimizer inlining it in the per-voter loop.
            voters[i] += (uint256(_addPart(uint32(weight), parts[i])) - weight) << 40;
        }
    }

    /**
     * @dev The member at `seat` now, and its tier and standing at `timepoint`. Fast path: a seat whose
     * standing has not changed since `timepoint` answers from its one slot, read as one word and unpacked
     * by hand, because copying the struct to memory costs more than the cold read itself (bench/profile).
     * Layout of {Seat}: memberId bits 0-31, tier 32-39, active 40-47, updatedAt 48-95, wallet 96-103. Whether
     * the seat is a wallet is the seat's now: it says how its signatures are checked, not what it weighs.
     */
    // slither-disable-next-line assembly,incorrect-equality,timestamp -- reads the Seat slot as one word (see above); member id 0 means no seat; timepoints are past snapshots
    function _standingOf(
        address seat,
        uint256 timepoint
    ) private view returns (uint256 seatWord, uint8 tierId, bool active) {
        Seat storage s = _seats[seat];
        uint256 packed;
        assembly ("memory-safe") {
            packed := sload(s.slot)
        }
        uint32 memberId = uint32(packed);
        if (memberId == 0) return (0, 0, false);
        seatWord = VoterWord.seat(memberId, (packed >> 96) & 1);
        if (uint48(packed >> 48) <= timepoint) return (seatWord, uint8(packed >> 32), uint8(packed >> 40) != 0);
        (tierId, active) = _standingAt(memberId, timepoint);
    }

    /// @inheritdoc IMemberRegistry
    function memberWeightAt(uint256 memberId, uint256 timepoint) external view returns (uint256) {
        _checkPast(timepoint);
        (uint8 tierId, bool active) = _standingAt(memberId, timepoint);
        return active ? _weightAt(memberId, tierId, timepoint) : 0;
    }

    /// @inheritdoc IMemberRegistry
    function contributionsLedger() external view returns (address) {
        return address(uint160(_ledgers.latest()));
    }

    /// @inheritdoc IMemberRegistry
    function contributionsLedgerAt(uint256 timepoint) external view returns (address) {
        return _ledgerAt(timepoint);
    }

    // ───────────────────────────── governance ─────────────────────────────

    /// @inheritdoc IMemberRegistry
    function setTier(
        uint8 tierId,
        string calldata name,
        uint32 weight,
        bool canPropose_,
        bool canVote
    ) external onlyGovernance {
        _setTier(tierId, Tier(name, weight, canPropose_, canVote));
    }

    /// @inheritdoc IMemberRegistry
    function admit(Admission calldata admission) external onlyGovernance returns (uint256) {
        return _admit(admission);
    }

    /// @inheritdoc IMemberRegistry
    function bootstrapAdmit(Admission[] calldata admissions) external {
        _checkBootstrapper();
        for (uint256 i = 0; i < admissions.length; ++i) {
            _admit(admissions[i]);
        }
    }

    /// @inheritdoc IMemberRegistry
    function duesOracle() external view returns (address) {
        return _duesOracle;
    }

    /// @inheritdoc IMemberRegistry
    // slither-disable-next-line missing-zero-check -- zero is meaningful: no oracle switches lapsing off (see lapse)
    function setDuesOracle(address oracle) external {
        if (msg.sender != _governance) _checkBootstrapper();
        _duesOracle = oracle;
        emit DuesOracleSet(oracle);
    }

    /// @inheritdoc IMemberRegistry
    // slither-disable-next-line costly-loop,unused-return -- the tiers are written once, the first time (at most MAX_TIERS); push's return values are not needed
    function setContributionsLedger(address ledger) external {
        if (msg.sender != _governance) _checkBootstrapper();
        if (ledger != address(0) && IContributionLedger(ledger).registry() != address(this)) {
            revert RegistryInvalidLedger(ledger);
        }
        address oldLedger = address(uint160(_ledgers.latest()));
        _ledgers.push(clock(), uint160(ledger));
        uint256 tiersTotal = uint48(_totalWeight.latest());
        _totalWeight.push(clock(), uint208(tiersTotal | (uint256(uint160(ledger)) << TOTAL_BITS)));
        if (!_contributionsEver) {
            _contributionsEver = true;
            for (uint8 i = 0; i < _tierCount; ++i) _tiers[i].contributions = true;
        }
        emit ContributionsLedgerSet(oldLedger, ledger);
    }

    /// @inheritdoc IMemberRegistry
    // slither-disable-next-line reentrancy-events -- the only call out is to the system's own contribution ledger, named by governance
    function lapse(uint256 memberId) external {
        MemberRecord storage m = _record(memberId);
        _requireStatus(memberId, m.status == Status.Active);
        if (!_duesLapsed(memberId)) revert RegistryDuesCurrent(memberId);
        _setStanding(memberId, m.tier, Status.Lapsed);
        emit MemberLapsed(memberId);
    }

    /// @inheritdoc IMemberRegistry
    // slither-disable-next-line reentrancy-events -- the only call out is to the system's own contribution ledger, named by governance
    function restore(uint256 memberId) external {
        MemberRecord storage m = _record(memberId);
        _requireStatus(memberId, m.status == Status.Lapsed);
        if (_duesLapsed(memberId)) revert RegistryDuesOutstanding(memberId);
        _setStanding(memberId, m.tier, Status.Active);
        emit MemberRestored(memberId);
    }

    /// @inheritdoc IMemberRegistry
    function endBootstrap() external {
        _checkBootstrapper();
        emit BootstrapEnded(_bootstrapper);
        delete _bootstrapper;
    }

    /// @inheritdoc IMemberRegistry
    // slither-disable-next-line reentrancy-events -- the only call out is to the system's own contribution ledger, named by governance
    function changeTier(uint256 memberId, uint8 newTier) external onlyGovernance {
        MemberRecord storage m = _record(memberId);
        _requireStatus(memberId, _isSeated(m.status));
        if (!_tiers[newTier].exists) revert RegistryUnknownTier(newTier);
        uint8 oldTier = m.tier;
        _setStanding(memberId, newTier, m.status);
        emit MemberTierChanged(memberId, oldTier, newTier);
    }

    /// @inheritdoc IMemberRegistry
    // slither-disable-next-line reentrancy-events -- the only call out is to the system's own contribution ledger, named by governance
    function suspend(uint256 memberId, string calldata reason) external onlyGovernance {
        MemberRecord storage m = _record(memberId);
        _requireStatus(memberId, m.status == Status.Active || m.status == Status.Lapsed);
        _setStanding(memberId, m.tier, Status.Suspended);
        emit MemberSuspended(memberId, reason);
    }

    /// @inheritdoc IMemberRegistry
    // slither-disable-next-line reentrancy-events -- the only call out is to the system's own contribution ledger, named by governance
    function reinstate(uint256 memberId) external onlyGovernance {
        MemberRecord storage m = _record(memberId);
        _requireStatus(memberId, m.status == Status.Suspended);
        _setStanding(memberId, m.tier, Status.Active);
        emit MemberReinstated(memberId);
    }

    /// @inheritdoc IMemberRegistry
    // slither-disable-next-line reentrancy-events -- the only call out is to the system's own contribution ledger, named by governance
    function expel(uint256 memberId, string calldata reason) external onlyGovernance {
        MemberRecord storage m = _record(memberId);
        _requireStatus(memberId, _isSeated(m.status));
        _setStanding(memberId, m.tier, Status.Expelled);
        emit MemberExpelled(memberId, reason);
    }

    /// @inheritdoc IMemberRegistry
    function rotateSeatOf(uint256 memberId, address newSeat) external onlyGovernance {
        MemberRecord storage m = _record(memberId);
        _requireStatus(memberId, _isSeated(m.status));
        _moveSeat(memberId, m, newSeat);
    }

    // ───────────────────────────── the member's own actions ─────────────────────────────

    /// @inheritdoc IMemberRegistry
    // slither-disable-next-line reentrancy-events -- the only call out is to the system's own contribution ledger, named by governance
    function resign() external {
        uint256 memberId = _callerMemberId();
        _setStanding(memberId, _members[memberId].tier, Status.Resigned);
        emit MemberResigned(memberId);
    }

    /// @inheritdoc IMemberRegistry
    function rotateSeat(address newSeat) external {
        uint256 memberId = _callerMemberId();
        _moveSeat(memberId, _members[memberId], newSeat);
    }

    /// @inheritdoc IMemberRegistry
    function updateMetadata(string calldata metadataURI, bytes32 metadataHash) external {
        uint256 memberId = _callerMemberId();
        MemberRecord storage m = _members[memberId];
        m.metadataURI = metadataURI;
        m.metadataHash = metadataHash;
        emit MetadataUpdated(memberId, metadataURI, metadataHash);
    }

    // ───────────────────────────── internals ─────────────────────────────

    // slither-disable-next-line costly-loop,unused-return -- writes once per tier change, not a loop in a transaction members pay; push's return values are not needed
    function _setTier(uint8 tierId, Tier memory t) internal virtual {
        // Ids are dense so that tallies loop over 0 .. tierCount-1; a voting tier must carry weight.
        if (tierId >= MAX_TIERS || tierId > _tierCount || (t.canVote && t.weight == 0)) {
            revert RegistryInvalidTier(tierId);
        }
        TierRecord storage r = _tiers[tierId];
        uint256 oldWeight = _votingWeight(r);
        if (!r.exists) {
            r.exists = true;
            ++_tierCount;
            r.contributions = _contributionsEver;
        }
        (r.weight, r.canPropose, r.canVote, r.updatedAt) = (t.weight, t.canPropose, t.canVote, clock());
        _tierNames[tierId] = t.name;
        uint256 newWeight = _votingWeight(r);
        _tierWeightHistory[tierId].push(clock(), newWeight.toUint208());
        uint256 active = _activeInTier[tierId];
        _updateTotal(oldWeight * active, newWeight * active);
        emit TierSet(tierId, t.name, t.weight, t.canPropose, t.canVote);
    }

    // slither-disable-next-line costly-loop,timestamp,unused-return,reentrancy-events -- bootstrapAdmit calls this in a loop over the founding roll, once, in chunks the deployment sizes; member id 0 means a free seat; push's return values are not needed; the only call out is to the system's own contribution ledger, named by governance
    function _admit(Admission calldata a) internal virtual returns (uint256 memberId) {
        if (a.seat == address(0)) revert RegistryInvalidSeat(a.seat);
        if (_seats[a.seat].memberId != 0) revert RegistrySeatTaken(a.seat);
        if (!_tiers[a.tier].exists) revert RegistryUnknownTier(a.tier);
        memberId = ++_memberCount;
        MemberRecord storage m = _members[memberId];
        (m.seat, m.joinedAt, m.metadataURI, m.metadataHash) = (a.seat, clock(), a.metadataURI, a.metadataHash);
        _setStanding(memberId, a.tier, Status.Active);
        _seatHistory[a.seat].push(clock(), uint208(memberId));
        emit MemberAdmitted(memberId, a.seat, a.tier, a.metadataURI, a.metadataHash);
    }

    /// @dev The one place a member's tier or status changes: keeps the record, the seat slot, the
    /// standing history, the per-tier active count and the checkpointed total in step.
    // slither-disable-next-line costly-loop,unused-return,timestamp -- the standing history must be written per member; push's return values are not needed; compares weights, not times
    function _setStanding(uint256 memberId, uint8 newTier, Status newStatus) internal virtual {
        MemberRecord storage m = _members[memberId];
        bool wasActive = m.status == Status.Active;
        bool isActive = newStatus == Status.Active;
        uint256 oldWeight = 0;
        uint256 newWeight = 0;
        bool contributions = false;
        if (wasActive) {
            TierRecord memory t = _tiers[m.tier];
            (oldWeight, contributions) = (_votingWeight(t), t.contributions);
        }
        if (isActive) {
            TierRecord memory t = _tiers[newTier];
            (newWeight, contributions) = (_votingWeight(t), t.contributions);
        }
        if (wasActive) --_activeInTier[m.tier];
        if (isActive) ++_activeInTier[newTier];
        (m.tier, m.status) = (newTier, newStatus);

        _standingHistory[memberId].push(clock(), _encodeStanding(newTier, isActive));
        if (_isSeated(newStatus)) {
            // Safe cast: member ids come from the uint32 counter _memberCount.
            _seats[m.seat] = Seat(uint32(memberId), newTier, isActive, clock(), _isWallet(m.seat));
        } else {
            delete _seats[m.seat];
            _seatHistory[m.seat].push(clock(), 0);
        }
        _updateTotal(oldWeight, newWeight);
        // The ledger in force keeps its total to the members that count: active, in a voting tier.
        if (contributions && (oldWeight != 0) != (newWeight != 0)) _setCounted(memberId, newWeight != 0);
    }

    /**
     * @dev Whether `seat` is a contract wallet, whose signatures a governor asks it for (ERC-1271) before
     * recovering any: it has code, and that code is not an EIP-7702 delegation (0xef0100 and an address,
     * 23 bytes), because a delegated account still signs with its key and its delegate, asked first, could
     * spend a batch's gas on ballots that the relayer, seeing them recover, did not fund as a wallet's.
     */
    function _isWallet(address seat) private view returns (bool) {
        uint256 size = seat.code.length;
        return size != 0 && (size != 23 || bytes3(seat.code) != 0xef0100);
    }

    // slither-disable-next-line calls-loop -- the ledger is the system's own contract; bootstrapAdmit's loop is the founding roll's
    function _setCounted(uint256 memberId, bool counted) private {
        address ledger = address(uint160(_ledgers.latest()));
        if (ledger != address(0)) IContributionLedger(ledger).setCounted(memberId, counted);
    }

    // slither-disable-next-line timestamp,unused-return -- member id 0 means a free seat; no time involved; push's return values are not needed
    function _moveSeat(uint256 memberId, MemberRecord storage m, address newSeat) internal virtual {
        if (newSeat == address(0)) revert RegistryInvalidSeat(newSeat);
        if (_seats[newSeat].memberId != 0) revert RegistrySeatTaken(newSeat);
        address oldSeat = m.seat;
        Seat memory seat = _seats[oldSeat];
        seat.wallet = _isWallet(newSeat);
        _seats[newSeat] = seat;
        delete _seats[oldSeat];
        _seatHistory[oldSeat].push(clock(), 0);
        _seatHistory[newSeat].push(clock(), uint208(memberId));
        m.seat = newSeat;
        emit SeatRotated(memberId, oldSeat, newSeat);
    }

    // slither-disable-next-line incorrect-equality,timestamp,unused-return -- equal weights need no checkpoint; push's return values are not needed
    function _updateTotal(uint256 removed, uint256 added) private {
        if (removed == added) return;
        uint256 packed = _totalWeight.latest();
        uint256 oldTotal = uint48(packed);
        uint256 newTotal = oldTotal - removed + added;
        // Keeps the ledger in force (bits 48 and up); the tiers' total must fit its 48 bits.
        _totalWeight.push(clock(), uint208(((packed >> TOTAL_BITS) << TOTAL_BITS) | newTotal.toUint48()));
        emit TotalWeightChanged(oldTotal, newTotal);
    }

    /// @dev The tiers' total in a checkpoint of {_totalWeight}, plus the total part of the ledger it names.
    function _withTotalPart(uint256 packed, uint256 timepoint) private view returns (uint256) {
        address ledger = address(uint160(packed >> TOTAL_BITS));
        uint256 total = uint48(packed);
        return ledger == address(0) ? total : total + IContributionLedger(ledger).totalPartAt(timepoint);
    }

    function _ledgerAt(uint256 timepoint) private view returns (address) {
        return address(uint160(_ledgers.upperLookupRecent(SafeCast.toUint48(timepoint))));
    }

    /// @dev The voting weight at `timepoint` of `memberId`, active then in `tierId`: its tier's, plus its
    /// contribution part once a ledger was ever named (and the tier votes).
    function _weightAt(uint256 memberId, uint8 tierId, uint256 timepoint) private view returns (uint32) {
        (uint32 weight, bool contributions) = _tierAt(tierId, timepoint);
        return contributions && weight != 0 ? _addPart(weight, _partAt(memberId, timepoint)) : weight;
    }

    // slither-disable-next-line timestamp -- compares an address, not times
    function _partAt(uint256 memberId, uint256 timepoint) private view returns (uint256) {
        address ledger = _ledgerAt(timepoint);
        return ledger == address(0) ? 0 : IContributionLedger(ledger).partAt(memberId, timepoint);
    }

    /// @dev Weights travel as uint32 ({Voter}, {VoterWord}): a part that would overflow saturates.
    // slither-disable-next-line timestamp -- compares weights, not times
    function _addPart(uint32 weight, uint256 part) private pure returns (uint32) {
        uint256 sum = uint256(weight) + part;
        return sum > type(uint32).max ? type(uint32).max : uint32(sum);
    }

    function _standingAt(uint256 memberId, uint256 timepoint) private view returns (uint8 tierId, bool active) {
        uint256 standing = _standingHistory[memberId].upperLookupRecent(uint48(timepoint));
        return (uint8(standing), standing >> 8 == 1);
    }

    /**
     * @dev A tier's voting weight at `timepoint`, and whether a contribution ledger was ever named. Reads the
     * tier's slot as one word, as {_standingOf} reads a seat's: copying the struct to memory field by field
     * costs more than the rest of a vote's lookup. Layout of {TierRecord}: weight bits 0-31, updatedAt 32-79,
     * canPropose 80-87, canVote 88-95, exists 96-103, contributions 104-111.
     */
    // slither-disable-next-line assembly,timestamp -- reads the TierRecord slot as one word (see above); timepoints are past snapshots
    function _tierAt(uint8 tierId, uint256 timepoint) private view returns (uint32 weight, bool contributions) {
        TierRecord storage t = _tiers[tierId];
        uint256 packed;
        assembly ("memory-safe") {
            packed := sload(t.slot)
        }
        contributions = uint8(packed >> 104) != 0;
        if (uint48(packed >> 32) <= timepoint) return (uint8(packed >> 88) != 0 ? uint32(packed) : 0, contributions);
        // Safe: every value pushed to a tier's history came from a uint32 weight.
        weight = uint32(_tierWeightHistory[tierId].upperLookupRecent(uint48(timepoint)));
    }

    function _votingWeight(TierRecord memory t) private pure returns (uint32) {
        return t.canVote ? t.weight : 0;
    }

    function _encodeStanding(uint8 tierId, bool active) private pure returns (uint208) {
        return (active ? uint208(1) << 8 : 0) | tierId;
    }

    /// @dev Statuses that keep the seat (and so can still change): all but Resigned and Expelled.
    function _isSeated(Status status) private pure returns (bool) {
        return status == Status.Active || status == Status.Suspended || status == Status.Lapsed;
    }

    function _duesLapsed(uint256 memberId) private view returns (bool) {
        return _duesOracle != address(0) && IDuesOracle(_duesOracle).duesLapsed(memberId);
    }

    // slither-disable-next-line timestamp -- ERC-5805 refuses lookups at or after the current clock, as OZ Votes does
    function _checkPast(uint256 timepoint) private view {
        if (timepoint >= clock()) revert RegistryFutureLookup(timepoint, clock());
    }

    function _checkBootstrapper() private view {
        if (_bootstrapper == address(0)) revert RegistryBootstrapOver();
        if (msg.sender != _bootstrapper) revert RegistryUnauthorized(msg.sender);
    }

    // slither-disable-next-line incorrect-equality,timestamp -- member id 0 means the caller holds no seat
    function _callerMemberId() private view returns (uint256 memberId) {
        memberId = _seats[msg.sender].memberId;
        if (memberId == 0) revert RegistryNotMember(msg.sender);
    }

    function _record(uint256 memberId) private view returns (MemberRecord storage) {
        if (memberId == 0 || memberId > _memberCount) revert RegistryUnknownMember(memberId);
        return _members[memberId];
    }

    function _requireStatus(uint256 memberId, bool allowed) private view {
        if (!allowed) revert RegistryInvalidStatus(memberId, _members[memberId].status);
    }
}
