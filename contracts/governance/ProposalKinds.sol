// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConsortiumGovernor} from "./IConsortiumGovernor.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {VoteLedger} from "./VoteLedger.sol";

/**
 * @title ProposalKinds
 * @notice What a proposal is, read from its calls, and what it takes to pass: the rules of
 * {GovernorProposalKinds}, as an external library (reached by DELEGATECALL, so it runs in the governor's
 * storage) that keeps the governor small. Its state lives in its own namespaced struct (ERC-7201).
 *
 * Classification, in order:
 * - A call to the governor itself may only change one of its settings, and a call to the timelock only
 *   its delay; anything else there is refused ({IConsortiumGovernor.GovernorForbiddenCall}). Either makes
 *   the proposal constitutional.
 * - A call flagged constitutional in the call-rule table makes the proposal constitutional.
 * - A call flagged "about a member" names the member in its first argument and makes the proposal that
 *   member's case: every other call must be about the same member
 *   ({IConsortiumGovernor.GovernorMemberCaseBundled}), so recusing the member can never change who votes
 *   on anything else. The kind is then MemberCase.
 *
 * Passing (after quorum, which {GovernorProposalKinds} sets per kind):
 * - Ordinary: for > against.
 * - Constitutional and MemberCase: for ≥ 2/3 of for + against, for > against inside every tier that
 *   cast for or against votes (concurrent majorities: no tier can impose on another), and for > half of
 *   all weight at the snapshot (a member's own included when it is recused from its case). So a bloc
 *   below half of the weight can neither remove a member by recusing it, nor change a rule (the call
 *   rules, the quorums, the tiers) while the others stay home.
 */
library ProposalKinds {
    uint8 internal constant CONSTITUTIONAL = 1;
    uint8 internal constant ABOUT_MEMBER = 2;

    // keccak256(abi.encode(uint256(keccak256("consortium.storage.ProposalKinds")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant LOCATION = 0xa29af7879f08b1268b0ccb41fb4811855482cf674b2fa7e6af2076a9f92b5500;

    /// @custom:storage-location erc7201:consortium.storage.ProposalKinds
    struct Layout {
        /// @dev Per proposal: its kind in bits 0-7, the member it is about (MemberCase) above.
        mapping(uint256 proposalId => uint256) cases;
        /// @dev Per (target, selector): CONSTITUTIONAL | ABOUT_MEMBER bits.
        mapping(address target => mapping(bytes4 selector => uint8)) rules;
    }

    /// @notice The kind a proposal with these calls gets and, for a member's case, the member it is about.
    /// Reverts if a call is forbidden or a member's case carries a call about anything else.
    function classify(
        address executor,
        address[] memory targets,
        bytes[] memory calldatas
    ) public view returns (IConsortiumGovernor.ProposalKind kind, uint256 subject) {
        uint8[] memory rules = new uint8[](targets.length);
        bool constitutional = false;
        bool memberCase = false;
        for (uint256 i = 0; i < targets.length; ++i) {
            rules[i] = _ruleOf(executor, targets[i], calldatas[i]);
            constitutional = constitutional || rules[i] & CONSTITUTIONAL != 0;
            if (rules[i] & ABOUT_MEMBER != 0 && !memberCase) (memberCase, subject) = (true, _firstWord(calldatas[i]));
        }
        if (!memberCase) {
            return (constitutional ? IConsortiumGovernor.ProposalKind.Constitutional : IConsortiumGovernor.ProposalKind.Ordinary, 0);
        }
        for (uint256 i = 0; i < targets.length; ++i) {
            if (rules[i] & ABOUT_MEMBER == 0 || _firstWord(calldatas[i]) != subject) {
                revert IConsortiumGovernor.GovernorMemberCaseBundled(subject, i);
            }
        }
        return (IConsortiumGovernor.ProposalKind.MemberCase, subject);
    }

    /// @notice Whether `proposalId`'s tallies pass its kind's rule (quorum is checked separately).
    // slither-disable-next-line calls-loop,unused-return -- the registry is the system's own contract; abstentions count toward quorum only, so the rule ignores them
    function succeeded(uint256 proposalId, IMemberRegistry registry, uint256 snapshot) external view returns (bool) {
        IConsortiumGovernor.ProposalKind kind = kindOf(proposalId);
        uint256 tierCount = registry.tierCount();
        if (kind == IConsortiumGovernor.ProposalKind.Ordinary) {
            (uint256 againstVotes, uint256 forVotes, ) = VoteLedger.totals(proposalId, tierCount);
            return forVotes > againstVotes;
        }
        uint256 forTotal = 0;
        uint256 againstTotal = 0;
        for (uint256 t = 0; t < tierCount; ++t) {
            (uint256 tierAgainst, uint256 tierFor, ) = VoteLedger.tierTally(proposalId, t);
            if (tierAgainst + tierFor > 0 && tierFor <= tierAgainst) return false;
            (forTotal, againstTotal) = (forTotal + tierFor, againstTotal + tierAgainst);
        }
        if (forTotal * 3 < (forTotal + againstTotal) * 2) return false;
        return forTotal * 2 > registry.getPastTotalSupply(snapshot);
    }

    /// @notice Record `proposalId`'s kind and subject. A subject above the registry's uint32 ids names no
    /// member (the calls will fail) and is recorded as none, so it cannot alias a member's id.
    function record(uint256 proposalId, IConsortiumGovernor.ProposalKind kind, uint256 subject) internal {
        if (subject > type(uint32).max) subject = 0;
        _layout().cases[proposalId] = uint256(kind) | (subject << 8);
        emit IConsortiumGovernor.ProposalClassified(proposalId, kind);
    }

    function kindOf(uint256 proposalId) internal view returns (IConsortiumGovernor.ProposalKind) {
        return IConsortiumGovernor.ProposalKind(uint8(_layout().cases[proposalId]));
    }

    /// @notice The member a MemberCase proposal is about; zero for other kinds.
    function subjectOf(uint256 proposalId) internal view returns (uint256) {
        return _layout().cases[proposalId] >> 8;
    }

    function setRule(IConsortiumGovernor.CallRule memory rule) internal {
        _layout().rules[rule.target][rule.selector] =
            (rule.constitutional ? CONSTITUTIONAL : 0) |
            (rule.aboutMember ? ABOUT_MEMBER : 0);
        emit IConsortiumGovernor.CallRuleSet(rule.target, rule.selector, rule.constitutional, rule.aboutMember);
    }

    /// @dev The rule bits of one call; reverts for a forbidden call to the governor or the timelock.
    function _ruleOf(address executor, address target, bytes memory data) private view returns (uint8) {
        bytes4 selector = bytes4(data); // zero-padded when shorter than four bytes
        if (target == address(this)) {
            if (!_isGovernorSetting(selector)) revert IConsortiumGovernor.GovernorForbiddenCall(target, selector);
            return CONSTITUTIONAL;
        }
        if (target == executor) {
            if (selector != bytes4(keccak256("updateDelay(uint256)"))) {
                revert IConsortiumGovernor.GovernorForbiddenCall(target, selector);
            }
            return CONSTITUTIONAL;
        }
        return _layout().rules[target][selector];
    }

    /// @dev The governor's settings: what a proposal may change on the governor itself.
    function _isGovernorSetting(bytes4 selector) private pure returns (bool) {
        return
            selector == bytes4(keccak256("setVotingDelay(uint48)")) ||
            selector == bytes4(keccak256("setVotingPeriod(uint32)")) ||
            selector == bytes4(keccak256("setLateQuorumVoteExtension(uint48)")) ||
            selector == bytes4(keccak256("updateQuorumNumerator(uint256)")) ||
            selector == bytes4(keccak256("setConstitutionalQuorum(uint256)")) ||
            selector == bytes4(keccak256("setWeightCap(uint256)")) ||
            selector == bytes4(keccak256("setCallRule(address,bytes4,bool,bool)"));
    }

    /// @dev The first argument word of a call (a member id for calls about a member); zero if absent.
    // slither-disable-next-line assembly -- reads one word of a bytes array in place; Solidity has no slice for memory bytes
    function _firstWord(bytes memory data) private pure returns (uint256 word) {
        if (data.length < 36) return 0;
        assembly ("memory-safe") {
            word := mload(add(data, 36))
        }
    }

    // slither-disable-next-line assembly -- the ERC-7201 namespaced slot; Solidity has no other way to place a struct
    function _layout() private pure returns (Layout storage $) {
        assembly ("memory-safe") {
            $.slot := LOCATION
        }
    }
}
