"""EIP-712 ballots as wallets sign them: the full typed-data JSON (what `eth_signTypedData_v4` takes),
signed with eth-account, and the compact calldata form the governor's batch entry point accepts."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_keys import keys
from eth_utils import is_address, keccak, to_checksum_address

EIP712_DOMAIN = [("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address")]
MEMBER_BALLOT = [("proposalId", "uint256"), ("support", "uint8"), ("voter", "address"), ("reason", "string")]
OZ_BALLOT = [("proposalId", "uint256"), ("support", "uint8"), ("voter", "address"), ("nonce", "uint256")]
SEALED_BALLOT = [("proposalId", "uint256"), ("voter", "address"), ("commitment", "bytes32")]
SEALED_SALT = [("proposalId", "uint256"), ("voter", "address")]
APPROVAL_BALLOT = [("proposalId", "uint256"), ("voter", "address"), ("approvals", "uint256")]


def domain(name: str, chain_id: int, governor: str, version: str = "1") -> dict:
    """The governor's EIP-712 domain: ballots are bound to one chain and one governor."""
    return {"name": name, "version": version, "chainId": chain_id, "verifyingContract": governor}


def typed_data(primary: str, fields: list[tuple[str, str]], domain_: dict, message: dict) -> dict:
    return {
        "types": {"EIP712Domain": [{"name": n, "type": t} for n, t in EIP712_DOMAIN],
                  primary: [{"name": n, "type": t} for n, t in fields]},
        "primaryType": primary,
        "domain": domain_,
        "message": message,
    }


def member_ballot(domain_: dict, proposal_id: int, support: int, voter: str, reason: str = "") -> dict:
    """The typed data of a batch ballot (no nonce: the has-voted record makes it single-use)."""
    message = {"proposalId": proposal_id, "support": support, "voter": voter, "reason": reason}
    return typed_data("MemberBallot", MEMBER_BALLOT, domain_, message)


def commitment(chain_id: int, governor: str, proposal_id: int, member_id: int, support: int, salt: bytes) -> bytes:
    """A member's commitment to `support` on a sealed proposal, as SealedBallots.commitment computes it:
    bound to the chain, the governor, the proposal and the member (not the seat, so a rotated seat still
    reveals), hidden by the 32-byte `salt` until the member or its relayer reveals both."""
    if len(salt) != 32:
        raise ValueError("a salt is 32 bytes")
    words = [chain_id.to_bytes(32, "big"), bytes(12) + bytes.fromhex(governor[2:]), proposal_id.to_bytes(32, "big"),
             member_id.to_bytes(32, "big"), support.to_bytes(32, "big"), salt]
    return keccak(b"".join(words))


def sealed_ballot(domain_: dict, proposal_id: int, voter: str, commitment_: bytes) -> dict:
    """The typed data a member signs to have a relayer submit its commitment (single-use: one per member)."""
    message = {"proposalId": proposal_id, "voter": voter, "commitment": commitment_}
    return typed_data("SealedBallot", SEALED_BALLOT, domain_, message)


def sealed_salt_request(domain_: dict, proposal_id: int, voter: str) -> dict:
    """The typed data whose signature makes a member's salt on a sealed proposal: wallets sign
    deterministically (RFC 6979), so the member re-derives the same salt to reveal and keeps nothing. Never
    sent to the chain or a relayer; whoever obtains this signature can test the three votes against the
    member's commitment, so a wallet should sign it only for this governor's own tools."""
    return typed_data("SealedSalt", SEALED_SALT, domain_, {"proposalId": proposal_id, "voter": voter})


def sealed_salt(signature: bytes) -> bytes:
    """The 32-byte salt made from a SealedSalt signature."""
    return keccak(b"consortium sealed salt" + signature)


def approval_ballot(domain_: dict, proposal_id: int, voter: str, approvals: int) -> dict:
    """The typed data of an election's approval ballot: bit c of `approvals` approves candidate c of the
    election's list (single-use: one ballot per member, as every vote)."""
    message = {"proposalId": proposal_id, "voter": voter, "approvals": approvals}
    return typed_data("ApprovalBallot", APPROVAL_BALLOT, domain_, message)


def for_wallet(typed: dict) -> dict:
    """Typed data as JSON for a wallet's `eth_signTypedData_v4`: the proposal id (and an approval bitmap) as a
    decimal string, since a JSON reader (a browser's included) loses precision on integers past 2^53 and
    proposal ids are 256-bit."""
    message = {**typed["message"], "proposalId": str(typed["message"]["proposalId"])}
    if "approvals" in message:
        message["approvals"] = str(message["approvals"])
    return {**typed, "message": message}


def oz_ballot(domain_: dict, proposal_id: int, support: int, voter: str, nonce: int) -> dict:
    """The typed data of OpenZeppelin's `castVoteBySig` ballot."""
    message = {"proposalId": proposal_id, "support": support, "voter": voter, "nonce": nonce}
    return typed_data("Ballot", OZ_BALLOT, domain_, message)


def sign(typed: dict, key) -> bytes:
    """A 65-byte signature (r, s, v) over `typed`, as a wallet returns it."""
    return Account.sign_message(encode_typed_data(full_message=typed), key).signature


def sign_digest(digest_: bytes, key) -> bytes:
    """sign() of typed data whose EIP-712 digest is `digest_` (see BallotDigest): the same 65 bytes, without
    building and validating the typed data (a third of the cost, for a demo's thousands of members)."""
    return bytes(Account.unsafe_sign_hash(digest_, key).signature)


def canonical_ecdsa(signature: bytes) -> bytes | None:
    """The 65-byte (r, s, v) form with v of 27 or 28, from the forms signers return: v as 27/28 or as the
    bare recovery id 0/1 (hardware wallets, some libraries), or 64-byte EIP-2098 (r, vs). None when the
    bytes are none of these: not an account's signature (perhaps a contract wallet's)."""
    if len(signature) == 64:
        vs = int.from_bytes(signature[32:], "big")
        return signature[:32] + (vs & ((1 << 255) - 1)).to_bytes(32, "big") + bytes([27 + (vs >> 255)])
    if len(signature) == 65 and signature[64] in (0, 1, 27, 28):
        return signature[:64] + bytes([27 + signature[64] % 27])
    return None


def compact(voter: str, support: int, signature: bytes) -> tuple[int, bytes, bytes]:
    """The compact calldata form of a reasonless ballot: (voter | support << 160, r, vs) with an
    EIP-2098 signature, vs = (v - 27) << 255 | s. The signature must be canonical (see canonical_ecdsa)."""
    if len(signature) != 65 or signature[64] not in (27, 28):
        raise ValueError("only a 65-byte signature with v of 27 or 28 has a compact form")
    vs = ((signature[64] - 27) << 255) | int.from_bytes(signature[32:64], "big")
    return int(voter, 16) | (support << 160), signature[:32], vs.to_bytes(32, "big")


ERC1271_ABI = [{"type": "function", "name": "isValidSignature", "stateMutability": "view",
                "inputs": [{"name": "hash", "type": "bytes32"}, {"name": "signature", "type": "bytes"}],
                "outputs": [{"name": "", "type": "bytes4"}]}]


def digest(typed: dict) -> bytes:
    """The EIP-712 hash a signature covers (what an ERC-1271 wallet is asked about)."""
    message = encode_typed_data(full_message=typed)
    return keccak(b"\x19" + message.version + message.header + message.body)


class BallotDigest:
    """The MemberBallot digest for one domain, computed as the governor computes it (BatchBallots._digest):
    the domain separator once, then per ballot one keccak of the struct and one of the envelope. Equal to
    digest(member_ballot(…)) (tested), which builds and validates the whole typed data per ballot through
    eth-account: the relayer's busiest path checks every ballot this way instead."""

    TYPEHASH = keccak(text="MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)")

    def __init__(self, domain_: dict):
        self.separator = encode_typed_data(full_message=member_ballot(domain_, 0, 0, "0x" + "00" * 20)).header

    def __call__(self, proposal_id: int, support: int, voter: str, reason: str) -> bytes:
        struct = keccak(self.TYPEHASH + proposal_id.to_bytes(32, "big") + support.to_bytes(32, "big")
                        + bytes(12) + bytes.fromhex(voter[2:]) + keccak(reason.encode()))
        return keccak(b"\x19\x01" + self.separator + struct)


def recover(digest_: bytes, signature: bytes) -> str | None:
    """The address whose key made `signature` (65 bytes, v 27/28) over `digest_`, or None if it is no
    signature. The curve accepts high s; whether to is the caller's rule."""
    try:
        return keys.Signature(signature[:64] + bytes([signature[64] - 27])) \
            .recover_public_key_from_msg_hash(digest_).to_checksum_address()
    except Exception:  # eth-keys raises several types for bytes that are no signature
        return None


def checksum(address: str) -> str:
    if not is_address(address):
        raise ValueError(f"{address!r} is not an address")
    return to_checksum_address(address)
