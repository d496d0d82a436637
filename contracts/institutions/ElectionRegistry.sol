// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IElectionRegistry} from "../interfaces/IElectionRegistry.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {Body} from "./Body.sol";
import {BodyFactory} from "./BodyFactory.sol";

/// @dev What the registry reads of the governor: the approval weight per candidate and voters' tier.
interface IApprovalTallies {
    function proposalApprovals(uint256 proposalId, uint256 candidate, uint8 tierId) external view returns (uint256);
}

/**
 * @title ElectionRegistry
 * @notice Elections of a body's seats (see {IElectionRegistry}): candidate lists, reserved seats, terms
 * and the count that seats the winners. Timelock-governed like the treasury and the bodies; the votes
 * themselves are counted by the governor's vote ledger.
 *
 * Seating, when the election's ballot proposal executes ({seat}):
 * - A candidate's approvals are the weight of every counted ballot approving it, summed over voters' tiers.
 *   Only candidates with at least one approval, not withdrawn, and still active members can win.
 * - Reserved seats first: each reservation's seats go to the best candidates of its tier (the tier the member
 *   is in when seated). Then the other seats go to the best of those left, whatever their tier. Seats nobody
 *   can fill stay vacant, a reserved seat its tier could not fill included.
 * - "Best": more approvals; between equal approvals, the lower keccak256(abi.encode(electionId, memberId))
 *   (a published rule: fixed, and computable by anyone, once the election is opened and the member nominates;
 *   whoever executes the proposals that open elections orders them, and so their ids).
 * - A body dissolved before seating ends the election (Cancelled); its ballot still executes. A body whose
 *   elector governance has changed refuses the appointments, and the ballot's execution with them, until
 *   governance names the registry again (or cancels the election).
 * - The registry appoints the winners in the body as its elector (governance names it with
 *   `Body.setElector`); a winner already sitting keeps its seat and is not vacated by this election.
 * - A body has one elected term at a time: seating a new term first vacates the previous one, whose term
 *   must be over.
 *
 * After `termEnd`, anyone vacates the seats ({vacate}). A vacancy does not lower the body's threshold.
 */
contract ElectionRegistry is IElectionRegistry {
    using Strings for uint256;

    /// @dev One bit per candidate in an approval ballot; 64 keeps seating's reads bounded.
    uint256 public constant MAX_CANDIDATES = 64;
    uint256 public constant MAX_SEATS = 32;
    uint256 public constant MAX_TITLE = 200;

    IMemberRegistry public immutable registry;
    address public immutable governance;
    IGovernor public immutable governor;
    BodyFactory public immutable bodyFactory;

    Election[] private _elections; // id = index + 1
    mapping(uint256 electionId => Reservation[]) private _reserved;
    mapping(uint256 electionId => Candidate[]) private _candidates;
    mapping(uint256 electionId => mapping(uint256 memberId => uint256)) private _candidateSlot; // index + 1
    mapping(uint256 electionId => uint256[]) private _seated;
    mapping(address body => uint256) private _currentTerm;

    modifier onlyGovernance() {
        if (msg.sender != governance) revert ElectionUnauthorized(msg.sender);
        _;
    }

    // slither-disable-next-line missing-zero-check -- deployed by orchestrator/deploy.py with the timelock; consortium audit checks it
    constructor(IMemberRegistry registry_, address governance_, IGovernor governor_, BodyFactory bodyFactory_) {
        (registry, governance, governor, bodyFactory) = (registry_, governance_, governor_, bodyFactory_);
    }

    // ───────────────────────────── governance ─────────────────────────────

    /// @notice Governance opens an election of `seats` seats of `body`, `reserved` of them kept for
    /// candidates of given tiers; members nominate themselves until `nominationsEnd`, and the seats
    /// are held until `termEnd`.
    function open(
        address body,
        uint8 seats,
        Reservation[] calldata reserved,
        uint48 nominationsEnd,
        uint48 termEnd,
        string calldata title
    ) external onlyGovernance returns (uint256 electionId) {
        if (!bodyFactory.isBody(body) || Body(body).dissolved()) revert ElectionInvalidBody(body);
        uint256 reservedSeats = 0;
        uint8 tierCount = registry.tierCount();
        for (uint256 i = 0; i < reserved.length; ++i) {
            if (reserved[i].tier >= tierCount || reserved[i].seats == 0) revert ElectionInvalidSeats(seats, reservedSeats);
            reservedSeats += reserved[i].seats;
        }
        if (seats == 0 || seats > MAX_SEATS || reservedSeats > seats) revert ElectionInvalidSeats(seats, reservedSeats);
        // slither-disable-next-line timestamp -- schedules are in seconds, like the governor's clock
        if (nominationsEnd <= block.timestamp || termEnd <= nominationsEnd) {
            revert ElectionInvalidSchedule(nominationsEnd, termEnd);
        }
        if (bytes(title).length > MAX_TITLE) revert ElectionTitleTooLong(bytes(title).length, MAX_TITLE);
        _elections.push(Election(body, seats, 1, nominationsEnd, termEnd, Status.Nominating, title));
        electionId = _elections.length;
        for (uint256 i = 0; i < reserved.length; ++i) _reserved[electionId].push(reserved[i]);
        emit ElectionOpened(electionId, body, seats, reserved, nominationsEnd, termEnd, title);
    }

    /// @notice Governance cancels an election that has not seated anybody.
    function cancel(uint256 electionId) external onlyGovernance {
        Status current = status(electionId);
        if (current != Status.Nominating && current != Status.Balloting) revert ElectionWrongStatus(electionId, current);
        _elections[electionId - 1].status = Status.Cancelled;
        emit ElectionCancelled(electionId);
    }

    /// @notice Seat the winners of `electionId`. Only its ballot proposal does this, as it executes (its
    /// one call): a proposal reaches this function only through the timelock, and the ballot must be the
    /// governor's Executed proposal of the current round.
    // slither-disable-next-line reentrancy-no-eth,reentrancy-events -- the only calls out are to the body, a Body of the system's own factory (checked at open), whose appoint and vacate call nothing but the registry's views; and seat runs only as the timelock executes the ballot
    function seat(uint256 electionId) external onlyGovernance {
        _requireStatus(electionId, Status.Balloting);
        (uint256 proposalId, ) = _ballot(electionId);
        if (governor.state(proposalId) != IGovernor.ProposalState.Executed) {
            revert ElectionBallotNotExecuted(electionId, proposalId);
        }
        Election storage e = _elections[electionId - 1];
        if (Body(e.body).dissolved()) {
            // Nobody can sit on a dissolved body: the election ends, and its ballot still executes.
            e.status = Status.Cancelled;
            emit ElectionCancelled(electionId);
            return;
        }
        uint256 previous = _currentTerm[e.body];
        _currentTerm[e.body] = electionId;
        e.status = Status.Seated;
        if (previous != 0 && _elections[previous - 1].status == Status.Seated) _vacate(previous);

        uint256[] memory approvals = _approvals(electionId, proposalId);
        (bool[] memory out, uint8[] memory tiers) = _standing(electionId, approvals);
        uint256 elected = 0;
        uint256 reservedSeats = 0;
        Reservation[] storage reserved = _reserved[electionId];
        for (uint256 r = 0; r < reserved.length; ++r) {
            reservedSeats += reserved[r].seats;
            for (uint256 k = 0; k < reserved[r].seats; ++k) {
                if (!_electBest(electionId, approvals, out, tiers, true, reserved[r].tier)) break;
                ++elected;
            }
        }
        // The other seats, to anyone; a reserved seat its tier could not fill stays vacant.
        for (uint256 k = reservedSeats; k < e.seats && _electBest(electionId, approvals, out, tiers, false, 0); ++k) {
            ++elected;
        }
        emit ElectionSeated(electionId, proposalId, elected);
    }

    // ───────────────────────────── members and anyone ─────────────────────────────

    /// @notice An active member nominates itself while nominations are open.
    function nominate(uint256 electionId) external {
        _requireNominating(electionId);
        uint256 memberId = _activeCaller();
        uint256 slot = _candidateSlot[electionId][memberId];
        Candidate[] storage list = _candidates[electionId];
        if (slot != 0) {
            if (!list[slot - 1].withdrawn) revert ElectionAlreadyCandidate(electionId, memberId);
            list[slot - 1].withdrawn = false; // back on the list, at its place
            emit CandidateNominated(electionId, memberId, slot - 1, list[slot - 1].tier);
            return;
        }
        if (list.length >= MAX_CANDIDATES) revert ElectionTooManyCandidates(electionId, MAX_CANDIDATES);
        uint8 tierId = registry.member(memberId).tier;
        list.push(Candidate(uint32(memberId), tierId, false));
        _candidateSlot[electionId][memberId] = list.length;
        emit CandidateNominated(electionId, memberId, list.length - 1, tierId);
    }

    /// @notice A candidate withdraws while nominations are open; it keeps its place on the list, unelectable.
    function withdraw(uint256 electionId) external {
        _requireNominating(electionId);
        uint256 memberId = registry.memberIdOf(msg.sender);
        uint256 slot = _candidateSlot[electionId][memberId];
        if (memberId == 0 || slot == 0 || _candidates[electionId][slot - 1].withdrawn) {
            revert ElectionNotCandidate(electionId, memberId);
        }
        _candidates[electionId][slot - 1].withdrawn = true;
        emit CandidateWithdrawn(electionId, memberId, slot - 1);
    }

    /// @notice Start a new ballot round when the current round's proposal can no longer pass (defeated or
    /// expired; cancelled too, though the governor lets nobody cancel a ballot): its winners could never be
    /// seated. Anyone may call it; at most 255 rounds.
    function nextRound(uint256 electionId) external {
        _requireStatus(electionId, Status.Balloting);
        (uint256 proposalId, ) = _ballot(electionId);
        IGovernor.ProposalState state = governor.state(proposalId);
        if (
            state != IGovernor.ProposalState.Canceled &&
            state != IGovernor.ProposalState.Defeated &&
            state != IGovernor.ProposalState.Expired
        ) revert ElectionBallotStillLive(electionId, proposalId);
        Election storage e = _elections[electionId - 1];
        if (e.round == type(uint8).max) revert ElectionTooManyRounds(electionId, e.round);
        ++e.round;
        (uint256 next, ) = _ballot(electionId);
        emit BallotRoundStarted(electionId, e.round, next);
    }

    /// @notice After the term, anyone vacates the seats the election filled.
    function vacate(uint256 electionId) external {
        _requireStatus(electionId, Status.Seated);
        _vacate(electionId);
    }

    // ───────────────────────────── views ─────────────────────────────

    /// @inheritdoc IElectionRegistry
    function ballot(uint256 electionId) external view returns (uint256 proposalId, uint256 candidateCount) {
        Status current = status(electionId);
        if (current == Status.Nominating) {
            revert ElectionNominationsOpen(electionId, _elections[electionId - 1].nominationsEnd);
        }
        if (current != Status.Balloting) revert ElectionWrongStatus(electionId, current);
        return _ballot(electionId);
    }

    /// @inheritdoc IElectionRegistry
    function ballotDescription(uint256 electionId) public view returns (string memory) {
        Election storage e = _election(electionId);
        return string.concat(
            e.title,
            "\n\nBallot of election ",
            electionId.toString(),
            ", round ",
            uint256(e.round).toString(),
            ": approve any number of candidates.#election"
        );
    }

    /// @notice The election's status now: Balloting once nominations have closed.
    function status(uint256 electionId) public view returns (Status) {
        Election storage e = _election(electionId);
        // slither-disable-next-line timestamp -- schedules are in seconds, like the governor's clock
        if (e.status == Status.Nominating && block.timestamp >= e.nominationsEnd) return Status.Balloting;
        return e.status;
    }

    function election(uint256 electionId) external view returns (Election memory e) {
        e = _election(electionId);
        e.status = status(electionId);
    }

    function electionCount() external view returns (uint256) {
        return _elections.length;
    }

    function reservations(uint256 electionId) external view returns (Reservation[] memory) {
        _election(electionId);
        return _reserved[electionId];
    }

    /// @notice The candidates in ballot order: bit c of an approval ballot approves `candidates(id)[c]`.
    function candidates(uint256 electionId) external view returns (Candidate[] memory) {
        _election(electionId);
        return _candidates[electionId];
    }

    /// @notice The members this election appointed (its winners already sitting are not listed).
    function seated(uint256 electionId) external view returns (uint256[] memory) {
        _election(electionId);
        return _seated[electionId];
    }

    /// @notice The published tie rule: between equal approvals, the lower key wins.
    function tieKey(uint256 electionId, uint256 memberId) public pure returns (bytes32) {
        return keccak256(abi.encode(electionId, memberId));
    }

    // ───────────────────────────── internals ─────────────────────────────

    function _ballot(uint256 electionId) private view returns (uint256 proposalId, uint256 candidateCount) {
        candidateCount = _candidates[electionId].length;
        if (candidateCount == 0) revert ElectionNoCandidates(electionId);
        address[] memory targets = new address[](1);
        targets[0] = address(this);
        bytes[] memory calldatas = new bytes[](1);
        calldatas[0] = abi.encodeCall(this.seat, (electionId));
        proposalId = governor.hashProposal(
            targets,
            new uint256[](1),
            calldatas,
            keccak256(bytes(ballotDescription(electionId)))
        );
    }

    /// @dev Each candidate's approvals on `proposalId`, summed over the voters' tiers.
    // slither-disable-next-line calls-loop -- the governor is the system's own; at most 64 candidates × 16 tiers
    function _approvals(uint256 electionId, uint256 proposalId) private view returns (uint256[] memory approvals) {
        uint256 count = _candidates[electionId].length;
        uint8 tierCount = registry.tierCount();
        approvals = new uint256[](count);
        for (uint256 c = 0; c < count; ++c) {
            for (uint8 t = 0; t < tierCount; ++t) {
                approvals[c] += IApprovalTallies(address(governor)).proposalApprovals(proposalId, c, t);
            }
        }
    }

    /// @dev Per candidate: whether it cannot win (withdrawn, unapproved, or no longer an active member) and its
    /// tier now, which decides the seats reserved for a tier (not the tier it had when it nominated itself).
    // slither-disable-next-line calls-loop -- the registry is the system's own; at most 64 candidates
    function _standing(
        uint256 electionId,
        uint256[] memory approvals
    ) private view returns (bool[] memory out, uint8[] memory tiers) {
        Candidate[] storage list = _candidates[electionId];
        (out, tiers) = (new bool[](list.length), new uint8[](list.length));
        for (uint256 c = 0; c < list.length; ++c) {
            IMemberRegistry.Member memory m = registry.member(list[c].memberId);
            tiers[c] = m.tier;
            out[c] = list[c].withdrawn || approvals[c] == 0 || m.status != IMemberRegistry.Status.Active;
        }
    }

    /// @dev Elects the best candidate not yet out (of tier `tierId` if `inTier`); false if there is none.
    // slither-disable-next-line reentrancy-events,calls-loop -- the body is a Body of the system's own factory (checked at open); at most 32 seats
    function _electBest(
        uint256 electionId,
        uint256[] memory approvals,
        bool[] memory out,
        uint8[] memory tiers,
        bool inTier,
        uint8 tierId
    ) private returns (bool) {
        Candidate[] storage list = _candidates[electionId];
        uint256 best = type(uint256).max;
        for (uint256 c = 0; c < list.length; ++c) {
            if (out[c] || (inTier && tiers[c] != tierId)) continue;
            if (best == type(uint256).max || _beats(electionId, c, best, approvals)) best = c;
        }
        if (best == type(uint256).max) return false;
        out[best] = true;
        uint256 memberId = list[best].memberId;
        Body body = Body(_elections[electionId - 1].body);
        if (!body.isMember(memberId)) {
            _seated[electionId].push(memberId);
            body.appoint(memberId);
        }
        emit CandidateElected(electionId, memberId, approvals[best], inTier);
        return true;
    }

    function _beats(uint256 electionId, uint256 c, uint256 best, uint256[] memory approvals) private view returns (bool) {
        if (approvals[c] != approvals[best]) return approvals[c] > approvals[best];
        Candidate[] storage list = _candidates[electionId];
        return tieKey(electionId, list[c].memberId) < tieKey(electionId, list[best].memberId);
    }

    /// @dev Vacates the seats `electionId` filled once its term is over. A member no longer sitting has
    /// nothing to vacate; a dissolved body, or one whose elector governance has changed since, is left to
    /// governance, so that a new term can still be seated.
    // slither-disable-next-line calls-loop,reentrancy-events -- the body is a Body of the system's own factory, whose vacate calls nothing back; at most 32 seats
    function _vacate(uint256 electionId) private {
        Election storage e = _elections[electionId - 1];
        // slither-disable-next-line timestamp -- schedules are in seconds, like the governor's clock
        if (block.timestamp < e.termEnd) revert ElectionTermNotOver(electionId, e.termEnd);
        e.status = Status.Vacated;
        emit ElectionVacated(electionId);
        Body body = Body(e.body);
        bool active = !body.dissolved() && body.elector() == address(this);
        uint256[] storage members = _seated[electionId];
        for (uint256 i = 0; i < members.length; ++i) {
            if (active && body.isMember(members[i])) {
                emit SeatVacated(electionId, members[i]);
                body.vacate(members[i]);
            }
        }
    }

    function _requireNominating(uint256 electionId) private view {
        Status current = status(electionId);
        if (current == Status.Nominating) return;
        if (current == Status.Balloting) {
            revert ElectionNominationsClosed(electionId, _elections[electionId - 1].nominationsEnd);
        }
        revert ElectionWrongStatus(electionId, current);
    }

    function _requireStatus(uint256 electionId, Status wanted) private view {
        Status current = status(electionId);
        if (current != wanted) revert ElectionWrongStatus(electionId, current);
    }

    // slither-disable-next-line calls-loop -- the registry is the system's own contract
    function _activeCaller() private view returns (uint256 memberId) {
        memberId = registry.memberIdOf(msg.sender);
        if (memberId == 0 || registry.member(memberId).status != IMemberRegistry.Status.Active) {
            revert ElectionNotActiveMember(msg.sender);
        }
    }

    function _election(uint256 electionId) private view returns (Election storage) {
        if (electionId == 0 || electionId > _elections.length) revert ElectionUnknown(electionId);
        return _elections[electionId - 1];
    }
}
