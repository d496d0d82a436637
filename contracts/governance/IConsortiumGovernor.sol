// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IConsortiumGovernor
 * @notice Types, errors and events of the consortium's own Governor extensions (contracts/governance/).
 * Errors and events that OpenZeppelin's IGovernor already defines are reused, not redeclared.
 */
interface IConsortiumGovernor {
    /// @notice Ordinary: simple majority of cast weight. Constitutional: two thirds of cast weight and a
    /// majority in every tier that cast votes, under its own quorum. Derived from the calls.
    enum ProposalKind {
        Ordinary,
        Constitutional
    }

    /// @notice Why the batch entry point skipped a signed ballot instead of counting it.
    enum BallotRejection {
        InvalidSupport,
        InvalidSignature,
        NotEligible,
        AlreadyVoted,
        Recused
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

    /// @notice How the governor treats calls to `selector` on `target`: whether they make a proposal
    /// constitutional, and whether they are about the member whose id is their first argument (who is
    /// then recused from the proposal).
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
    error GovernorTargetCodeChanged(uint256 proposalId);
    error GovernorTooManyOpenProposals(uint256 memberId, uint256 limit);

    event WeightCapSet(uint256 oldCapBps, uint256 newCapBps);
    event ConstitutionalQuorumSet(uint256 oldNumerator, uint256 newNumerator);
    event CallRuleSet(address indexed target, bytes4 indexed selector, bool constitutional, bool aboutMember);
    event SubjectRecused(uint256 indexed proposalId, uint256 indexed memberId);
    event ProposalClassified(uint256 indexed proposalId, ProposalKind kind);
    event BallotRejected(uint256 indexed proposalId, address indexed voter, BallotRejection reason);
    event VoterRecused(uint256 indexed proposalId, uint256 indexed memberId, address indexed seat, string reason);
}
