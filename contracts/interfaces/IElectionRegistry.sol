// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IElectionRegistry
 * @notice Elections of a body's seats. Governance opens an election (the body, how many seats, seats
 * reserved per tier, when nominations close and when the term ends); members nominate themselves; after
 * nominations close, the election's ballot proposal is made in the governor, where members vote by approval
 * (one ballot, any number of candidates, counted by the governor's vote ledger at the snapshot); when that
 * proposal executes, the registry seats the winners in the body, and after the term anyone vacates them.
 *
 * The ballot proposal is one exact proposal per round ({ballot}): its only call is `seat(electionId)` on
 * this registry and its description is fixed here, so no rival proposal can seat anybody. A round whose
 * proposal was defeated (no quorum) or expired is followed by another ({nextRound}); nobody cancels a ballot
 * (GovernorElections), so that nobody can stall an election by cancelling each round's.
 */
interface IElectionRegistry {
    /// @dev Nominating until `nominationsEnd`; then Balloting until its ballot executes (Seated) or
    /// governance cancels it (Cancelled); Seated until the term ends and the seats are vacated (Vacated).
    enum Status {
        None,
        Nominating,
        Balloting,
        Seated,
        Vacated,
        Cancelled
    }

    /// @notice Seats reserved for candidates of one tier: the best of that tier take them first.
    struct Reservation {
        uint8 tier;
        uint8 seats;
    }

    struct Election {
        address body;
        uint8 seats;
        uint8 round;
        uint48 nominationsEnd;
        uint48 termEnd;
        Status status;
        string title;
    }

    /// @notice A candidate: the member, its tier when it nominated itself, and whether it withdrew.
    struct Candidate {
        uint32 memberId;
        uint8 tier;
        bool withdrawn;
    }

    error ElectionUnauthorized(address caller);
    error ElectionUnknown(uint256 electionId);
    error ElectionInvalidSeats(uint256 seats, uint256 reserved);
    error ElectionInvalidSchedule(uint256 nominationsEnd, uint256 termEnd);
    error ElectionInvalidBody(address body);
    error ElectionTitleTooLong(uint256 length, uint256 max);
    error ElectionWrongStatus(uint256 electionId, Status status);
    error ElectionNominationsClosed(uint256 electionId, uint256 nominationsEnd);
    error ElectionNominationsOpen(uint256 electionId, uint256 nominationsEnd);
    error ElectionNotActiveMember(address account);
    error ElectionAlreadyCandidate(uint256 electionId, uint256 memberId);
    error ElectionNotCandidate(uint256 electionId, uint256 memberId);
    error ElectionTooManyCandidates(uint256 electionId, uint256 max);
    error ElectionNoCandidates(uint256 electionId);
    /// @dev Seating is done only by the election's own ballot proposal, once it has executed.
    error ElectionBallotNotExecuted(uint256 electionId, uint256 proposalId);
    /// @dev A new round is for a ballot that can no longer pass: defeated or expired (or cancelled, which the
    /// governor allows nobody).
    error ElectionBallotStillLive(uint256 electionId, uint256 proposalId);
    error ElectionTermNotOver(uint256 electionId, uint256 termEnd);
    error ElectionTooManyRounds(uint256 electionId, uint256 rounds);

    event ElectionOpened(
        uint256 indexed electionId,
        address indexed body,
        uint8 seats,
        Reservation[] reserved,
        uint48 nominationsEnd,
        uint48 termEnd,
        string title
    );
    event CandidateNominated(uint256 indexed electionId, uint256 indexed memberId, uint256 candidate, uint8 tier);
    event CandidateWithdrawn(uint256 indexed electionId, uint256 indexed memberId, uint256 candidate);
    event BallotRoundStarted(uint256 indexed electionId, uint8 round, uint256 proposalId);
    /// @notice A winner, with its approvals (weight) and whether it took a seat reserved for its tier.
    event CandidateElected(uint256 indexed electionId, uint256 indexed memberId, uint256 approvals, bool reservedSeat);
    event ElectionSeated(uint256 indexed electionId, uint256 proposalId, uint256 elected);
    event SeatVacated(uint256 indexed electionId, uint256 indexed memberId);
    event ElectionVacated(uint256 indexed electionId);
    event ElectionCancelled(uint256 indexed electionId);

    /// @notice The ballot proposal of `electionId`'s current round and how many candidates are on it
    /// (indices 0 .. candidates-1 of {candidates}, withdrawn ones included). Reverts while nominations are
    /// open, with no candidate, or once the election is no longer balloting. The governor asks this when
    /// the proposal is made, and counts approval ballots only on that exact proposal.
    function ballot(uint256 electionId) external view returns (uint256 proposalId, uint256 candidateCount);

    /// @notice The description of `electionId`'s current ballot proposal (its call is `seat(electionId)`).
    function ballotDescription(uint256 electionId) external view returns (string memory);
}
