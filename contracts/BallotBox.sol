// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IBallotBox} from "./interfaces/IBallotBox.sol";
import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {IGovernorVotesToken, IRelayedVotes} from "./interfaces/IRelayedVotes.sol";

/**
 * @title BallotBox
 * @notice Many signed ballots in one transaction, so members vote without paying gas and a relayer pays
 * once per batch. Stateless and ownerless: it verifies and looks up, the governor counts. A governor
 * accepts relayed votes only from the ballot box fixed in its constructor.
 *
 * Differs from OZ `castVoteBySig`:
 * - The typed data `MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)` lives in
 *   the governor's own EIP-712 domain (its name, version, chain id and address) and has no nonce: the
 *   proposal's has-voted record makes every ballot single-use, so no per-voter nonce is written.
 * - An invalid, ineligible or duplicate ballot is skipped with {BallotRejected} and a reason instead of
 *   reverting the batch, so one bad ballot cannot block the others.
 * - All voters are looked up in the registry with one call; the governor writes bitmap words, tier
 *   tallies and the quorum counter once per batch.
 * - Signatures are checked with OZ's ECDSA (low-s only) first and ERC-1271 second. OZ's
 *   {SignatureChecker} asks for the signer's code first, which costs a cold account access (2,600 gas)
 *   on every ballot; recovering first spends it only on contract wallets and failed signatures. A
 *   signature that recovers to the voter's address can only come from that address's key.
 */
contract BallotBox is IBallotBox {
    bytes32 public constant MEMBER_BALLOT_TYPEHASH =
        keccak256("MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)");
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    uint8 private constant SUPPORT_ABSTAIN = 2;

    /// @inheritdoc IBallotBox
    function castVoteBatch(
        IRelayedVotes governor,
        uint256 proposalId,
        SignedBallot[] calldata ballots
    ) external returns (uint256 counted) {
        IGovernor governance = IGovernor(address(governor));
        if (governance.state(proposalId) != IGovernor.ProposalState.Active) {
            revert BallotBoxProposalNotActive(proposalId);
        }
        (uint256[] memory votes, string[] memory reasons) = _verify(governor, proposalId, ballots);
        if (votes.length == 0) return 0;
        bytes memory outcomes = governor.countRelayedVotes(proposalId, votes, reasons);
        for (uint256 i = 0; i < votes.length; ++i) {
            uint8 outcome = uint8(outcomes[i]);
            if (outcome == uint8(IRelayedVotes.RelayOutcome.Counted)) {
                ++counted;
            } else {
                BallotRejection why = outcome == uint8(IRelayedVotes.RelayOutcome.AlreadyVoted)
                    ? BallotRejection.AlreadyVoted
                    : BallotRejection.Recused;
                emit BallotRejected(address(governor), proposalId, address(uint160(votes[i])), why);
            }
        }
    }

    /// @inheritdoc IBallotBox
    function memberBallotDigest(
        IRelayedVotes governor,
        uint256 proposalId,
        uint8 support,
        address voter,
        string calldata reason
    ) external view returns (bytes32) {
        return _digest(_domainSeparator(governor), proposalId, support, voter, reason);
    }

    /// @dev Checks every ballot; returns the accepted ones as packed votes (see {IRelayedVotes}) with
    /// their reasons, and emits {BallotRejected} for the others.
    function _verify(
        IRelayedVotes governor,
        uint256 proposalId,
        SignedBallot[] calldata ballots
    ) private returns (uint256[] memory votes, string[] memory reasons) {
        uint256 snapshot = IGovernor(address(governor)).proposalSnapshot(proposalId);
        IMemberRegistry.Voter[] memory voters = _lookUp(governor, snapshot, ballots);
        bytes32 domain = _domainSeparator(governor);
        // A packed vote is never zero (its voter is a member), so zero marks a rejected ballot.
        uint256[] memory packed = new uint256[](ballots.length);
        uint256 accepted;
        for (uint256 i = 0; i < ballots.length; ++i) {
            (bool ok, BallotRejection rejection) = _check(domain, proposalId, ballots[i], voters[i]);
            if (ok) {
                packed[i] = _pack(ballots[i], voters[i]);
                ++accepted;
            } else {
                emit BallotRejected(address(governor), proposalId, ballots[i].voter, rejection);
            }
        }
        (votes, reasons) = (new uint256[](accepted), new string[](accepted));
        uint256 n;
        for (uint256 i = 0; i < ballots.length; ++i) {
            if (packed[i] != 0) (votes[n], reasons[n++]) = (packed[i], ballots[i].reason);
        }
    }

    /// @dev Every ballot's voter, with member id, tier and weight at the snapshot, in one registry call.
    function _lookUp(
        IRelayedVotes governor,
        uint256 snapshot,
        SignedBallot[] calldata ballots
    ) private view returns (IMemberRegistry.Voter[] memory) {
        address[] memory seats = new address[](ballots.length);
        for (uint256 i = 0; i < ballots.length; ++i) {
            seats[i] = ballots[i].voter;
        }
        IMemberRegistry registry = IMemberRegistry(address(IGovernorVotesToken(address(governor)).token()));
        return registry.votersAt(seats, snapshot);
    }

    function _check(
        bytes32 domain,
        uint256 proposalId,
        SignedBallot calldata b,
        IMemberRegistry.Voter memory voter
    ) private view returns (bool ok, BallotRejection rejection) {
        if (b.support > SUPPORT_ABSTAIN) return (false, BallotRejection.InvalidSupport);
        bytes32 digest = _digest(domain, proposalId, b.support, b.voter, b.reason);
        if (!_isValidSignature(b.voter, digest, b.signature)) return (false, BallotRejection.InvalidSignature);
        if (voter.weight == 0) return (false, BallotRejection.NotEligible);
        return (true, rejection);
    }

    function _pack(SignedBallot calldata b, IMemberRegistry.Voter memory voter) private pure returns (uint256) {
        return
            uint256(uint160(b.voter)) |
            (uint256(voter.memberId) << 160) |
            (uint256(voter.tier) << 192) |
            (uint256(b.support) << 200) |
            (uint256(voter.weight) << 208);
    }

    function _isValidSignature(address voter, bytes32 digest, bytes calldata signature) private view returns (bool) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == voter) return true;
        return SignatureChecker.isValidERC1271SignatureNowCalldata(voter, digest, signature);
    }

    function _digest(
        bytes32 domain,
        uint256 proposalId,
        uint8 support,
        address voter,
        string calldata reason
    ) private pure returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(MEMBER_BALLOT_TYPEHASH, proposalId, support, voter, keccak256(bytes(reason)))
        );
        return MessageHashUtils.toTypedDataHash(domain, structHash);
    }

    /// @dev The governor's own EIP-712 domain (ERC-5267), so a ballot is bound to that governor and chain.
    function _domainSeparator(IRelayedVotes governor) private view returns (bytes32) {
        (, string memory name, string memory version, uint256 chainId, address verifying, , ) = IERC5267(
            address(governor)
        ).eip712Domain();
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name)), keccak256(bytes(version)), chainId, verifying)
            );
    }
}
