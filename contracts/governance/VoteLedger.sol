// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";

/**
 * @title VoteLedger
 * @notice The one place where the governor records votes, and the one function that counts a ballot.
 * Per proposal: each member's marks (voted, recused), the tallies per tier and the quorum counter. Direct
 * votes and relayed batches both count through {count}: a direct vote is a session of one ballot.
 *
 * An internal library over one namespaced storage struct (ERC-7201). The governor's modules and the
 * {BatchBallots} library (which runs in the governor's storage by DELEGATECALL) reach the same struct
 * without passing storage pointers around, and nobody else knows its layout.
 *
 * Layout:
 * - Marks: two bits per member id (VOTED, RECUSED), 128 members per word, so ballots of neighbouring
 *   members share a word.
 * - Tallies: one word per (proposal, tier) packing against, for and abstain as three 80-bit fields. A
 *   tier's sum is at most 2^32 members × 2^32 weight < 2^80, so fields never spill, even summed over tiers.
 * - Counters: one word per proposal with the weight cap, the quorum and the for + abstain weight counted
 *   toward it, filled at the first counted ballot (the snapshot is past by then, so cap and quorum are
 *   final). The counter saturates at the quorum: only "reached or not" is ever asked of it. The same word
 *   holds the deadline late-quorum protection set ({extendDeadline}), so that the read every vote makes
 *   of the counters answers it too, and reaching quorum writes no fresh slot.
 *
 * A session ({open}, {count} per ballot, {close}) caches the current marks word, the current tier's new
 * votes and the counters in memory, so a batch sorted by member id pays for few storage writes.
 *
 * Sealed proposals ({seal}) and election ballots ({markElection}): the counters word also says how the
 * proposal is voted on (its mode), so every session knows it from the read it makes anyway. A session is
 * opened for open ballots ({open}), revealed sealed ones ({openSealed}) or approval ballots
 * ({openElection}), and each refuses the other modes. Members' commitments ({commit}) are kept by member id
 * next to the marks; an election's approval weight per candidate and tier ({addApprovals}) next to its
 * tallies.
 */
library VoteLedger {
    uint8 internal constant SUPPORT_AGAINST = 0;
    uint8 internal constant SUPPORT_FOR = 1;
    uint8 internal constant SUPPORT_ABSTAIN = 2;
    uint256 private constant VOTED = 1;
    uint256 private constant RECUSED = 2;
    /// @dev A tally field (see the header).
    uint256 private constant FIELD_BITS = 80;
    uint256 private constant FIELD_MASK = (1 << FIELD_BITS) - 1;
    /// @dev The counters word, laid out as Solidity packs {Counters} (from the low bits).
    uint256 private constant QUORUM_SHIFT = 32;
    uint256 private constant QUORUM_VOTES_SHIFT = 96;
    uint256 private constant DEADLINE_SHIFT = 160;
    uint256 private constant INITIALIZED_BIT = 208;
    /// @dev How a proposal is voted on: open by default; sealed ({seal}); an election ballot ({markElection}).
    uint256 private constant MODE_BIT = 216;
    uint256 private constant QUORUM_MASK = type(uint64).max;
    uint256 private constant DEADLINE_MASK = type(uint48).max;
    uint8 private constant MODE_SEALED = 1;
    uint8 private constant MODE_ELECTION = 2;

    // keccak256(abi.encode(uint256(keccak256("consortium.storage.VoteLedger")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant LOCATION = 0x66174d2c5963b46217eecb387575cd1cfab419b8037b02390e89273aa709a800;

    /// @dev Cap, quorum and counter in as few bits as they can need (see {close}), to leave room for the
    /// extended deadline.
    struct Counters {
        uint32 capWeight;
        uint64 quorum;
        uint64 quorumVotes;
        uint48 extendedDeadline;
        bool initialized;
        uint8 mode;
    }

    struct Proposal {
        mapping(uint256 word => uint256) marks;
        mapping(uint256 tierId => uint256) tallies;
        Counters counters;
        uint48 revealStart;
        uint16 candidates;
        mapping(uint256 memberId => bytes32) commitments;
        mapping(uint256 candidateAndTier => uint256) approvals;
    }

    /// @custom:storage-location erc7201:consortium.storage.VoteLedger
    struct Layout {
        mapping(uint256 proposalId => Proposal) proposals;
    }

    /// @notice Ballots being counted on one proposal, written to storage by {close}. The session holds the
    /// proposal's counters, one marks word and one tier's new votes at a time, writing the previous word or
    /// tier back when a ballot needs another: a direct vote pays for little memory, and a batch sorted by
    /// member id (neighbours share a word and mostly a tier) for few writes.
    struct Session {
        uint256 proposalId;
        uint256 capWeight;
        uint256 quorum;
        uint256 quorumVotes;
        bool initialized;
        uint8 mode;
        bool countersChanged;
        bool marksLoaded;
        uint256 word;
        uint256 marks;
        uint256 tier;
        uint256 tierVotes;
        uint256 counted;
    }

    /// @notice Start counting open ballots on `proposalId` in `session` (a fresh one); reverts if it is sealed
    /// or an election. A proposal with no counted ballot yet has no counters: the caller fills `capWeight`
    /// and `quorum` when `initialized` is false.
    function open(Session memory session, uint256 proposalId) internal view {
        uint256 mode = _load(session, proposalId) >> MODE_BIT;
        if (mode != 0) _refuseOpen(mode, proposalId);
    }

    /// @notice {open} for the revealed votes of sealed `proposalId`; reverts if it is not sealed.
    function openSealed(Session memory session, uint256 proposalId) internal view {
        if (_load(session, proposalId) >> MODE_BIT != MODE_SEALED) {
            revert IConsortiumGovernor.GovernorProposalNotSealed(proposalId);
        }
        session.mode = MODE_SEALED;
    }

    /// @notice {open} for the approval ballots of election `proposalId`; reverts if it is not an election.
    /// Returns how many candidates its ballot lists.
    function openElection(Session memory session, uint256 proposalId) internal view returns (uint256 candidates) {
        if (_load(session, proposalId) >> MODE_BIT != MODE_ELECTION) {
            revert IConsortiumGovernor.GovernorProposalNotElection(proposalId);
        }
        session.mode = MODE_ELECTION;
        return _layout().proposals[proposalId].candidates;
    }

    /**
     * @notice Count one ballot of member `memberId`, in tier `tierId` with `weight` at the snapshot, or say
     * why not. Checks, in order: a valid support, a weight, not voted yet, not recused. A counted ballot
     * weighs at most the cap; for and abstain count toward quorum.
     */
    function count(
        Session memory session,
        uint256 memberId,
        uint256 tierId,
        uint256 weight,
        uint8 support
    ) internal returns (bool counted, IConsortiumGovernor.BallotRejection rejection, uint256 countedWeight) {
        if (support > SUPPORT_ABSTAIN) return (false, IConsortiumGovernor.BallotRejection.InvalidSupport, 0);
        if (weight == 0) return (false, IConsortiumGovernor.BallotRejection.NotEligible, 0);

        (uint256 word, uint256 shift) = _position(memberId);
        if (!session.marksLoaded || word != session.word) {
            Proposal storage p = _layout().proposals[session.proposalId];
            if (session.marksLoaded) p.marks[session.word] = session.marks;
            (session.word, session.marks, session.marksLoaded) = (word, p.marks[word], true);
        }
        uint256 mine = session.marks >> shift;
        if (mine & VOTED != 0) return (false, IConsortiumGovernor.BallotRejection.AlreadyVoted, 0);
        if (mine & RECUSED != 0) return (false, IConsortiumGovernor.BallotRejection.Recused, 0);
        session.marks |= VOTED << shift;

        countedWeight = weight < session.capWeight ? weight : session.capWeight;
        if (tierId != session.tier) {
            uint256 pending = session.tierVotes;
            if (pending != 0) _layout().proposals[session.proposalId].tallies[session.tier] += pending;
            (session.tier, session.tierVotes) = (tierId, 0);
        }
        session.tierVotes += countedWeight << (uint256(support) * FIELD_BITS);
        if (support != SUPPORT_AGAINST && session.quorumVotes < session.quorum) {
            // Cannot overflow: the counter stays below quorum + one capped weight, both below 2^65.
            unchecked {
                session.quorumVotes += countedWeight;
            }
            session.countersChanged = true;
        }
        unchecked {
            ++session.counted; // at most one per ballot in calldata
        }
        return (true, IConsortiumGovernor.BallotRejection.InvalidSupport, countedWeight);
    }

    /// @notice Write what the session counted. Nothing is written when it counted nothing.
    function close(Session memory session) internal {
        if (session.counted == 0) return;
        Proposal storage p = _layout().proposals[session.proposalId];
        p.marks[session.word] = session.marks;
        if (session.tierVotes != 0) p.tallies[session.tier] += session.tierVotes;
        if (session.countersChanged || !session.initialized) {
            // The counters' word in one store, laid out as {Counters}. Each field is stored clamped, which
            // changes no answer: a weight is a uint32 (VoterWord), so a cap above the largest weight caps
            // nobody; 2^32 members of such weights sum below 2^64 - 1, so a quorum above that is as
            // unreachable at 2^64 - 1; and the counter is only ever compared with the quorum. The extended
            // deadline is left zero: it is set once quorum is reached, and from then on a session changes
            // no counter, so this word is never written again.
            uint256 capWeight = Math.min(session.capWeight, type(uint32).max);
            uint256 quorum = Math.min(session.quorum, QUORUM_MASK);
            _storeCountersWord(
                p.counters,
                capWeight |
                    (quorum << QUORUM_SHIFT) |
                    (Math.min(session.quorumVotes, quorum) << QUORUM_VOTES_SHIFT) |
                    (1 << INITIALIZED_BIT) |
                    (uint256(session.mode) << MODE_BIT)
            );
        }
    }

    /// @notice Revert with the error a refused direct vote gets: OpenZeppelin's where it has one.
    function revertRejected(IConsortiumGovernor.BallotRejection rejection, address account) internal pure {
        if (rejection == IConsortiumGovernor.BallotRejection.InvalidSupport) revert IGovernor.GovernorInvalidVoteType();
        if (rejection == IConsortiumGovernor.BallotRejection.NotEligible) {
            revert IConsortiumGovernor.GovernorIneligibleVoter(account);
        }
        if (rejection == IConsortiumGovernor.BallotRejection.AlreadyVoted) revert IGovernor.GovernorAlreadyCastVote(account);
        revert IConsortiumGovernor.GovernorVoterRecused(account);
    }

    /**
     * @notice Whether the member that held `account` at `snapshot`, or holds it now, has voted on
     * `proposalId`. Votes are the member's, whichever of its seats cast them: a seat keeps its answer after
     * it is rotated away, and a member's new seat cannot vote again.
     */
    // slither-disable-next-line calls-loop -- the registry is the system's own contract
    function hasVoted(
        uint256 proposalId,
        IMemberRegistry registry,
        address account,
        uint256 snapshot
    ) internal view returns (bool) {
        (bool voted, ) = marksOf(proposalId, registry.memberIdAt(account, snapshot));
        if (voted) return true;
        (voted, ) = marksOf(proposalId, registry.memberIdOf(account));
        return voted;
    }

    /// @notice Seal a new `proposalId`: members commit to their votes until `revealStart`, then reveal them.
    function seal(uint256 proposalId, uint48 revealStart) internal {
        Proposal storage p = _layout().proposals[proposalId];
        p.counters.mode = MODE_SEALED;
        p.revealStart = revealStart;
    }

    /// @notice Make a new `proposalId` an election ballot with `candidates` candidates (at most 256, one
    /// bit each in an approval ballot): members vote on it only by approval ({addApprovals}).
    function markElection(uint256 proposalId, uint16 candidates) internal {
        Proposal storage p = _layout().proposals[proposalId];
        p.counters.mode = MODE_ELECTION;
        p.candidates = candidates;
    }

    /// @notice Whether `proposalId` is an election ballot.
    function isElection(uint256 proposalId) internal view returns (bool) {
        return _countersWord(_layout().proposals[proposalId].counters) >> MODE_BIT == MODE_ELECTION;
    }

    /// @notice Add `sums[c]`, the approval weight of tier `tierId`'s counted ballots, to each candidate c of
    /// election `proposalId`.
    function addApprovals(uint256 proposalId, uint256 tierId, uint256[] memory sums) internal {
        mapping(uint256 => uint256) storage approvals = _layout().proposals[proposalId].approvals;
        for (uint256 c = 0; c < sums.length; ++c) {
            if (sums[c] != 0) approvals[(c << 8) | tierId] += sums[c];
        }
    }

    /// @notice The approval weight candidate `candidate` of election `proposalId` received from tier `tierId`.
    function approvalsOf(uint256 proposalId, uint256 candidate, uint256 tierId) internal view returns (uint256) {
        return _layout().proposals[proposalId].approvals[(candidate << 8) | tierId];
    }

    /// @notice When reveals of `proposalId` start (zero: the proposal is not sealed).
    function revealStartOf(uint256 proposalId) internal view returns (uint256) {
        return _layout().proposals[proposalId].revealStart;
    }

    /// @notice Record `memberId`'s commitment on `proposalId`, once: false if it had one already.
    function commit(uint256 proposalId, uint256 memberId, bytes32 commitment) internal returns (bool) {
        mapping(uint256 => bytes32) storage commitments = _layout().proposals[proposalId].commitments;
        if (commitments[memberId] != 0) return false;
        commitments[memberId] = commitment;
        return true;
    }

    /// @notice `memberId`'s commitment on `proposalId` (zero: none).
    function commitmentOf(uint256 proposalId, uint256 memberId) internal view returns (bytes32) {
        return _layout().proposals[proposalId].commitments[memberId];
    }

    /// @notice Mark `memberId` recused from `proposalId`; says whether it had voted or was recused before.
    function recuse(uint256 proposalId, uint256 memberId) internal returns (bool hadVoted, bool wasRecused) {
        Proposal storage p = _layout().proposals[proposalId];
        (uint256 word, uint256 shift) = _position(memberId);
        uint256 marks = p.marks[word];
        (hadVoted, wasRecused) = ((marks >> shift) & VOTED != 0, (marks >> shift) & RECUSED != 0);
        p.marks[word] = marks | (RECUSED << shift);
    }

    /// @notice Whether `memberId` voted on, and whether it is recused from, `proposalId`.
    function marksOf(uint256 proposalId, uint256 memberId) internal view returns (bool voted, bool recused) {
        if (memberId == 0) return (false, false);
        (uint256 word, uint256 shift) = _position(memberId);
        uint256 mine = _layout().proposals[proposalId].marks[word] >> shift;
        return (mine & VOTED != 0, mine & RECUSED != 0);
    }

    /// @notice One tier's tallies on `proposalId`, in OpenZeppelin's order.
    function tierTally(
        uint256 proposalId,
        uint256 tierId
    ) internal view returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) {
        return _unpack(_layout().proposals[proposalId].tallies[tierId]);
    }

    /// @notice The tallies of tiers 0 .. `tierCount`-1 summed, in OpenZeppelin's order.
    function totals(
        uint256 proposalId,
        uint256 tierCount
    ) internal view returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) {
        mapping(uint256 => uint256) storage tallies = _layout().proposals[proposalId].tallies;
        uint256 packed = 0;
        for (uint256 t = 0; t < tierCount; ++t) {
            packed += tallies[t]; // cannot spill between fields (see the header)
        }
        return _unpack(packed);
    }

    /// @notice The proposal's counters: whether any ballot was counted yet, and whether quorum is reached.
    function quorumReached(uint256 proposalId) internal view returns (bool initialized, bool reached) {
        uint256 word = _countersWord(_layout().proposals[proposalId].counters);
        uint256 quorum = (word >> QUORUM_SHIFT) & QUORUM_MASK;
        uint256 quorumVotes = (word >> QUORUM_VOTES_SHIFT) & QUORUM_MASK;
        return ((word >> INITIALIZED_BIT) & 1 != 0, quorumVotes >= quorum);
    }

    /// @notice The deadline late-quorum protection set for `proposalId` (zero: none yet).
    function extendedDeadlineOf(uint256 proposalId) internal view returns (uint256) {
        return (_countersWord(_layout().proposals[proposalId].counters) >> DEADLINE_SHIFT) & DEADLINE_MASK;
    }

    /// @notice Record `deadline` as `proposalId`'s extended deadline, in the counters word a counted ballot
    /// has already written (so a write to a warm, non-zero slot).
    function extendDeadline(uint256 proposalId, uint48 deadline) internal {
        _layout().proposals[proposalId].counters.extendedDeadline = deadline;
    }

    /// @dev Fills `session` from the proposal's counters word, read once; returns the word.
    function _load(Session memory session, uint256 proposalId) private view returns (uint256 word) {
        word = _countersWord(_layout().proposals[proposalId].counters);
        session.proposalId = proposalId;
        session.capWeight = uint32(word);
        session.quorum = (word >> QUORUM_SHIFT) & QUORUM_MASK;
        session.quorumVotes = (word >> QUORUM_VOTES_SHIFT) & QUORUM_MASK;
        session.initialized = (word >> INITIALIZED_BIT) & 1 != 0;
    }

    /// @dev The counters' one storage word, read once: Solidity reads a packed struct's slot again for each
    /// member it is asked for. Layout: Solidity's packing of {Counters}, from the low bits.
    // slither-disable-next-line assembly -- one SLOAD of the struct's slot
    function _countersWord(Counters storage counters) private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(counters.slot)
        }
    }

    /// @dev Why an open ballot is refused on `proposalId`, whose mode is `mode` (not open). Apart from {open},
    /// so that {open}, on every direct vote's path, stays small enough to be inlined.
    function _refuseOpen(uint256 mode, uint256 proposalId) private pure {
        if (mode == MODE_SEALED) revert IConsortiumGovernor.GovernorProposalSealed(proposalId);
        revert IConsortiumGovernor.GovernorProposalIsElection(proposalId);
    }

    /// @dev Writes the counters' one storage word ({_countersWord}'s layout) in one SSTORE.
    // slither-disable-next-line assembly -- one SSTORE of the struct's slot
    function _storeCountersWord(Counters storage counters, uint256 word) private {
        assembly ("memory-safe") {
            sstore(counters.slot, word)
        }
    }

    function _position(uint256 memberId) private pure returns (uint256 word, uint256 shift) {
        return (memberId >> 7, (memberId & 127) << 1);
    }

    function _unpack(uint256 packed) private pure returns (uint256, uint256, uint256) {
        return (packed & FIELD_MASK, (packed >> FIELD_BITS) & FIELD_MASK, packed >> (2 * FIELD_BITS));
    }

    // slither-disable-next-line assembly -- the ERC-7201 namespaced slot; Solidity has no other way to place a struct
    function _layout() private pure returns (Layout storage $) {
        assembly ("memory-safe") {
            $.slot := LOCATION
        }
    }
}
