// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IConsortiumGovernor
 * @notice Types, errors and events of the consortium's own Governor extensions (contracts/governance/).
 * Errors and events that OpenZeppelin's IGovernor already defines are reused, not redeclared.
 */
interface IConsortiumGovernor {
    /// @notice Derived from the calls, never chosen by the proposer. Ordinary: simple majority of cast
    /// weight. Constitutional: two thirds of cast weight, a majority in every tier that cast votes and for
    /// votes above half of all weight, under its own quorum. MemberCase: a proposal about one member alone
    /// (a sanction, a change of its tier or seat), decided by the constitutional rule without that member.
    enum ProposalKind {
        Ordinary,
        Constitutional,
        MemberCase
    }

    /// @notice Why the batch entry point skipped a signed ballot instead of counting it.
    enum BallotRejection {
        InvalidSupport,
        InvalidSignature,
        NotEligible,
        AlreadyVoted,
        Recused,
        NoCommitment,
        AlreadyCommitted,
        RevealMismatch,
        InvalidApprovals
    }

    /// @notice A signed ballot in the compact calldata layout: an account's ballot with no reason and an
    /// EIP-2098 64-byte signature. `voterAndSupport` = voter | support << 160. Three words, no offsets.
    struct CompactBallot {
        uint256 voterAndSupport;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice A signed ballot in the full layout: any signature (65-byte ECDSA or ERC-1271) and a reason.
    struct SignedBallot {
        address voter;
        uint8 support;
        string reason;
        bytes signature;
    }

    /// @notice A member's commitment to a vote on a sealed proposal, signed like a ballot (empty
    /// `signature`: the caller's own). `commitment` = keccak256(abi.encode(chain id, governor, proposal id,
    /// member id, support, salt)).
    struct SealedCommit {
        address voter;
        bytes32 commitment;
        bytes signature;
    }

    /// @notice What opens a commitment: the member's seat, its vote and the salt it committed with.
    struct SealedReveal {
        address voter;
        uint8 support;
        bytes32 salt;
    }

    /// @notice A member's approval ballot in an election: bit c of `approvals` approves candidate c of the
    /// election's list (none: the member takes part and approves nobody, which counts as abstaining). Signed
    /// as `ApprovalBallot(uint256 proposalId,address voter,uint256 approvals)` (empty `signature`: the
    /// caller's own).
    struct ApprovalBallot {
        address voter;
        uint256 approvals;
        bytes signature;
    }

    /// @notice How the governor treats calls to `selector` on `target`: whether they make a proposal
    /// constitutional, and whether they are about the member whose id is their first argument. A call about
    /// a member makes the proposal that member's case: only calls about the same member may join it, the
    /// member is recused from it, and it is decided as a {ProposalKind.MemberCase}.
    struct CallRule {
        address target;
        bytes4 selector;
        bool constitutional;
        bool aboutMember;
    }

    error GovernorProposerWithoutRight(address proposer);
    error GovernorIneligibleVoter(address voter);
    error GovernorVoterRecused(address voter);
    error GovernorAlreadyRecused(address voter);
    error GovernorNotMember(address account);
    error GovernorInvalidWeightCap(uint256 capBps);
    error GovernorInvalidConstitutionalQuorum(uint256 numerator, uint256 denominator);
    /// @dev As OZ's GovernorVotesQuorumFraction names it: an ordinary quorum above 100%.
    error GovernorInvalidQuorumFraction(uint256 quorumNumerator, uint256 quorumDenominator);
    error GovernorTargetCodeChanged(uint256 proposalId);
    error GovernorTooManyOpenProposals(uint256 memberId, uint256 limit);
    /// @dev A proposal may call the governor only to change its settings, and the timelock only to change
    /// its delay: scheduling, executing or cancelling timelock operations, granting roles, relaying calls or
    /// replacing the timelock would open a path to execution that bypasses the governor.
    error GovernorForbiddenCall(address target, bytes4 selector);
    /// @dev Call `callIndex` of a proposal about member `subject` is not about that member: a member's case
    /// cannot carry anything else, because the member is recused from the whole proposal.
    error GovernorMemberCaseBundled(uint256 subject, uint256 callIndex);
    /// @dev The batch ran so low on gas that contract wallet `wallet` may not have had its full allowance to
    /// check its signature: the batch reverts rather than reject a ballot that might be valid.
    error GovernorBatchUnderfunded(address wallet);
    /// @dev An open vote on a sealed proposal: commit to it, then reveal it.
    error GovernorProposalSealed(uint256 proposalId);
    /// @dev A commitment or a reveal on a proposal that is not sealed: vote on it.
    error GovernorProposalNotSealed(uint256 proposalId);
    /// @dev Commitments to `proposalId` were taken until `revealStart`.
    error GovernorCommitsClosed(uint256 proposalId, uint256 revealStart);
    /// @dev Votes on `proposalId` are revealed from `revealStart`, not before.
    error GovernorRevealsNotOpen(uint256 proposalId, uint256 revealStart);

    /// @dev An open vote, or a commitment, on an election ballot: vote by approval ({ApprovalBallot}).
    error GovernorProposalIsElection(uint256 proposalId);
    /// @dev Approval ballots on a proposal that is not an election ballot.
    error GovernorProposalNotElection(uint256 proposalId);
    /// @dev A proposal marked `#election` that is not its election's ballot: one call, `seat(electionId)`
    /// with no value, exactly as the election registry describes the current round's ballot.
    error GovernorInvalidElectionBallot(uint256 proposalId);
    /// @dev As OZ's GovernorPreventLateQuorum names it: an extension longer than the voting period.
    error GovernorPreventLateQuorumVoteExtensionTooLarge(uint256 newVoteExtension, uint256 maxVoteExtension);

    /// @dev As OZ's GovernorPreventLateQuorum names them, so tools that follow an OZ governor follow this one.
    event ProposalExtended(uint256 indexed proposalId, uint64 extendedDeadline);
    event LateQuorumVoteExtensionSet(uint64 oldVoteExtension, uint64 newVoteExtension);
    /// @dev As OZ's GovernorVotesQuorumFraction names it, so tools that follow an OZ governor follow this one.
    event QuorumNumeratorUpdated(uint256 oldQuorumNumerator, uint256 newQuorumNumerator);
    event WeightCapSet(uint256 oldCapBps, uint256 newCapBps);
    event ConstitutionalQuorumSet(uint256 oldNumerator, uint256 newNumerator);
    event CallRuleSet(address indexed target, bytes4 indexed selector, bool constitutional, bool aboutMember);
    event SubjectRecused(uint256 indexed proposalId, uint256 indexed memberId);
    event ProposalClassified(uint256 indexed proposalId, ProposalKind kind);
    event BallotRejected(uint256 indexed proposalId, address indexed voter, BallotRejection reason);
    /// @notice `proposalId` is sealed: commitments until `revealStart`, reveals from then to its deadline.
    event ProposalSealed(uint256 indexed proposalId, uint256 revealStart);
    /// @notice `proposalId` is the ballot of election `electionId` of registry `elections`, listing
    /// `candidates` candidates. Each counted approval ballot emits OZ's `VoteCastWithParams` with
    /// `params` = abi.encode(approvals bitmap).
    event ElectionBallotProposed(
        uint256 indexed proposalId,
        address indexed elections,
        uint256 indexed electionId,
        uint256 candidates
    );
    event VoteCommitted(uint256 indexed proposalId, address indexed voter, uint256 indexed memberId, bytes32 commitment);
    event VoterRecused(uint256 indexed proposalId, uint256 indexed memberId, address indexed seat, string reason);
}
