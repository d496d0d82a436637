"""A member whose seat is a Safe multisig (1.3.0 or later with its CompatibilityFallbackHandler; tested with the
real 1.4.1 contracts): the ballot request its owners sign, their signatures, and the ballot they combine into.

How the Safe vouches (safe-smart-account v1.4.1, handler/CompatibilityFallbackHandler.sol and Safe.sol): the
governor asks the Safe `isValidSignature(digest, signature)` with the MemberBallot's EIP-712 digest; the handler
hashes `SafeMessage { bytes message }` with message = abi.encode(digest) in the Safe's own EIP-712 domain
`EIP712Domain(uint256 chainId, address verifyingContract = the Safe)` (no name, no version) and hands that hash
to `checkSignatures`, which reads `threshold` 65-byte (r, s, v) signatures, each from an owner, in ascending owner
order. v = 27/28 is an ECDSA signature of that hash; v = 31/32 is one made with eth_sign (the hash behind the
"\\x19Ethereum Signed Message:\\n32" prefix, v + 4); v = 0 is a contract owner's signature and v = 1 an approved
hash, neither of which an owner's wallet returns, so a recovery id of 0/1 is written as 27/28 (the same signature).

Two file formats, siblings of relay/ballot_file.py's: the ballot request (`vote --voter SAFE --sign-only`) and
an owner's signature (`ballot sign --out`). The owners' combined signature goes in an ordinary ballot file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from eth_abi import encode
from eth_keys import keys
from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from orchestrator.errors import InputError
from orchestrator.relay import ballots
from orchestrator.relay.ballot_file import Address, Signature, Support, Uint256

REQUEST_FORMAT = "consortium-safe-ballot-request/1"
SIGNATURE_FORMAT = "consortium-safe-signature/1"
SAFE_DOMAIN = [("chainId", "uint256"), ("verifyingContract", "address")]
SAFE_MESSAGE = [("message", "bytes")]
ETH_SIGN_PREFIX = b"\x19Ethereum Signed Message:\n32"

# The part of the Safe's ABI read here (Safe.sol, OwnerManager.sol) and of its handler's, which the Safe
# answers through its fallback (msg.sender is then the Safe).
SAFE_ABI = [
    {"type": "function", "name": "getOwners", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "address[]"}]},
    {"type": "function", "name": "getThreshold", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "uint256"}]},
    {"type": "function", "name": "VERSION", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "string"}]},
    {"type": "function", "name": "getMessageHash", "stateMutability": "view",
     "inputs": [{"name": "message", "type": "bytes"}], "outputs": [{"name": "", "type": "bytes32"}]},
]


@dataclass(frozen=True)
class SafeInfo:
    address: str
    owners: list[str]
    threshold: int
    version: str


def read(w3, address: str) -> SafeInfo:
    """The Safe at `address` as the chain has it now: owners, threshold, version. InputError if it is no
    contract, or a contract that is not a Safe."""
    if not w3.eth.get_code(address):
        raise InputError(f"{address} is not a contract: only a Safe is named with --voter (an account signs its own "
                         "ballot: --account NAME vote … --sign-only)")
    s = w3.eth.contract(address=address, abi=SAFE_ABI).functions
    try:
        owners, threshold, version = s.getOwners().call(), s.getThreshold().call(), s.VERSION().call()
    except Exception:  # any revert or undecodable answer: not the Safe ABI
        raise InputError(f"{address} is a contract but not a Safe: it does not answer getOwners, getThreshold and "
                         "VERSION") from None
    return SafeInfo(address, [to_checksum_address(o) for o in owners], threshold, version)


def safe_message(chain_id: int, safe: str, ballot_digest: bytes) -> dict:
    """The typed data each owner signs (eth_signTypedData_v4): SafeMessage { message = abi.encode(digest) }
    in the Safe's domain."""
    return {"types": {"EIP712Domain": [{"name": n, "type": t} for n, t in SAFE_DOMAIN],
                      "SafeMessage": [{"name": n, "type": t} for n, t in SAFE_MESSAGE]},
            "primaryType": "SafeMessage",
            "domain": {"chainId": chain_id, "verifyingContract": safe},
            "message": {"message": "0x" + encode(["bytes32"], [ballot_digest]).hex()}}


def check_handler(w3, safe: str, typed: dict) -> None:
    """The Safe itself must hash the message as its owners will sign it: asked through its fallback handler
    (getMessageHash), which is also what answers the governor's ERC-1271 call. A Safe without the handler,
    or older than 1.3.0 (another domain), could never vouch for the ballot."""
    expected = ballots.digest(typed)
    message = bytes.fromhex(typed["message"]["message"][2:])
    try:
        found = w3.eth.contract(address=safe, abi=SAFE_ABI).functions.getMessageHash(message).call()
    except Exception:  # no fallback handler (the call returns nothing) or another one
        found = None
    if found != expected:
        raise InputError(f"Safe {safe} cannot vouch for a ballot: its fallback handler does not hash a SafeMessage "
                         "as Safe's CompatibilityFallbackHandler (1.3.0 or later) does, which the governor's ERC-1271 "
                         "call needs")


def _bytes32(value: Any) -> bytes:
    if not isinstance(value, str) or not re.fullmatch(r"0x[0-9a-fA-F]{64}", value):
        raise ValueError("expected 32 bytes as 0x-hex")
    return bytes.fromhex(value[2:])


Bytes32 = Annotated[bytes, BeforeValidator(_bytes32)]


class BallotRequest(BaseModel):
    """What a Safe's owners are asked to sign: one member ballot (as in a ballot file, without its signature)
    and the Safe message hash their signatures cover. The typed data, digest, owners and threshold written with
    it are for the owners' wallets and eyes; every reader recomputes them (see expect)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    format: Literal["consortium-safe-ballot-request/1"]
    chain_id: Uint256
    governor: Address
    proposal_id: Uint256
    voter: Address = Field(description="The Safe, a member's seat.")
    support: Support
    reason: str = ""
    safe_message_hash: Bytes32

    def expect(self, domain: dict) -> tuple[dict, bytes, dict, bytes]:
        """The MemberBallot typed data and digest, the SafeMessage typed data and hash, from the governor's
        `domain`; InputError if the file's hash is not theirs. That catches an edit that left the hash stale,
        not a consistent one (the fields changed and the hash recomputed): `ballot sign` shows the owner the
        ballot in words for that."""
        typed = ballots.member_ballot(domain, self.proposal_id, self.support, self.voter, self.reason)
        digest = ballots.digest(typed)
        message = safe_message(self.chain_id, self.voter, digest)
        message_hash = ballots.digest(message)
        if message_hash != self.safe_message_hash:
            raise InputError(f"the request's safe_message_hash 0x{self.safe_message_hash.hex()} is not the hash of "
                             f"its ballot (0x{message_hash.hex()}): the file was altered")
        return typed, digest, message, message_hash


def request(domain: dict, proposal_id: int, support: int, reason: str, info: SafeInfo) -> dict:
    """The ballot request's content as written (numbers as decimal strings, as in a ballot file)."""
    typed = ballots.member_ballot(domain, proposal_id, support, info.address, reason)
    digest = ballots.digest(typed)
    message = safe_message(domain["chainId"], info.address, digest)
    return {"format": REQUEST_FORMAT, "chain_id": str(domain["chainId"]), "governor": domain["verifyingContract"],
            "proposal_id": str(proposal_id), "voter": info.address, "support": support, "reason": reason,
            "member_ballot": ballots.for_wallet(typed),
            "ballot_digest": "0x" + digest.hex(),
            "safe_message": message, "safe_message_hash": "0x" + ballots.digest(message).hex(),
            "safe": {"version": info.version, "owners": info.owners, "threshold": info.threshold}}


class OwnerSignature(BaseModel):
    """One owner's signature of a request's Safe message (`ballot sign --out`)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    format: Literal["consortium-safe-signature/1"]
    safe: Address
    safe_message_hash: Bytes32
    owner: Address
    signature: Signature


def signature_file(req: BallotRequest, owner: str, signature: bytes) -> dict:
    return {"format": SIGNATURE_FORMAT, "safe": req.voter, "safe_message_hash": "0x" + req.safe_message_hash.hex(),
            "owner": owner, "signature": "0x" + signature.hex()}


def _first_error(kind: str, fmt: str, error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if where == "format" or (not where and first["type"] in ("model_type", "dict_type")):
        return f"not a {kind}: expected format {fmt!r}"
    if first["type"] == "missing":
        return f"malformed {kind}: {where} is missing"
    return f"malformed {kind}: {where or 'the file'}: {first['msg'].removeprefix('Value error, ')}"


def parse_request(data: Any) -> BallotRequest:
    """A ballot request's content (decoded JSON); ValueError naming the first problem."""
    try:
        return BallotRequest.model_validate(data)
    except ValidationError as exc:
        raise ValueError(_first_error("ballot request", REQUEST_FORMAT, exc)) from None


def parse_signature(data: Any) -> OwnerSignature:
    try:
        return OwnerSignature.model_validate(data)
    except ValidationError as exc:
        raise ValueError(_first_error("signature file", SIGNATURE_FORMAT, exc)) from None


def signer(message_hash: bytes, signature: bytes) -> tuple[str, bytes]:
    """Who made `signature` over a Safe message hash, and the 65 bytes checkSignatures reads as theirs.
    ValueError (the reason) for bytes the Safe would not read as an owner's ECDSA signature."""
    if len(signature) == 64:  # EIP-2098 (r, vs)
        signature = ballots.canonical_ecdsa(signature)
    if len(signature) != 65:
        raise ValueError(f"it is {len(signature)} bytes; an owner's signature is 65 (r, s, v) or 64 (EIP-2098)")
    v = signature[64]
    if v in (0, 1):  # a bare recovery id: to the Safe, v 0 is a contract's signature and 1 an approved hash
        signature, v = signature[:64] + bytes([v + 27]), v + 27
    if v in (27, 28):
        signed = message_hash
    elif v in (31, 32):  # eth_sign: checkSignatures recovers from the prefixed hash with v - 4
        signed = keccak(ETH_SIGN_PREFIX + message_hash)
    else:
        raise ValueError(f"its v is {v}; the Safe reads 27/28 as a signature of the message hash and 31/32 as one "
                         "made with eth_sign (0/1 are taken as 27/28)")
    try:
        key = keys.Signature(signature[:64] + bytes([(v - 27) % 4])).recover_public_key_from_msg_hash(signed)
    except Exception:  # eth-keys raises several types for bytes that are no signature
        raise ValueError("it is not a valid ECDSA signature") from None
    return key.to_checksum_address(), signature


def combine(info: SafeInfo, message_hash: bytes, signatures: list[tuple[str, bytes]]
            ) -> tuple[bytes, list[str], list[str]]:
    """The Safe's signature from its owners' (each named for errors): each recovered from the Safe message
    hash and an owner of the Safe now, each owner once, at least the threshold. checkSignatures reads only
    the first `threshold` signatures, in ascending owner order, so the combination is the lowest-addressed
    `threshold` owners' (more would cost every batch gas and could pass the ballot file's size limit).
    Returns it, the owners it holds (in that order) and the owners whose signatures were left out."""
    by_owner: dict[str, tuple[str, bytes]] = {}
    for name, signature in signatures:
        try:
            owner, form = signer(message_hash, signature)
        except ValueError as exc:
            raise InputError(f"signature {name}: {exc}") from None
        if owner not in info.owners:
            raise InputError(f"signature {name} is by {owner}, not an owner of Safe {info.address} (its owners: "
                             f"{', '.join(info.owners)}): another account's, or a signature of another request")
        if owner in by_owner:
            raise InputError(f"signatures {by_owner[owner][0]} and {name} are both by owner {owner}; the Safe counts "
                             "each owner once")
        by_owner[owner] = (name, form)
    if len(by_owner) < info.threshold:
        raise InputError(f"{len(by_owner)} owner signature(s); Safe {info.address} needs {info.threshold} (its "
                         "threshold now)")
    owners = sorted(by_owner, key=lambda a: int(a, 16))
    used, unused = owners[:info.threshold], owners[info.threshold:]
    return b"".join(by_owner[o][1] for o in used), used, unused
