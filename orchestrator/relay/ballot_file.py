"""The signed-ballot file: what `vote --sign-only` writes, what a member's wallet page posts, and what the
relayer accepts (`relay FILE` and `POST /ballots`). One pydantic model, so the file, the HTTP API and its
OpenAPI document cannot disagree about what a ballot is. On a sealed proposal, two more kinds: the signed
commitment (`POST /commitments`), which holds neither the vote nor its salt, and the reveal the member keeps
until the reveal start (`POST /reveals`), which holds both. On an election's ballot, the approval ballot
(`POST /approvals`).

Parsing is strict and documented: numbers are JSON integers or strings in decimal or 0x-hex (what
`eth_chainId` returns), never floats or booleans; support is 0, 1 or 2; a signature is hex of at most
MAX_SIGNATURE_BYTES (64 and 65 bytes for an account's key, anything a contract wallet accepts)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from orchestrator.relay import ballots

FORMAT = "consortium-ballot/1"
COMMITMENT_FORMAT = "consortium-commitment/1"
REVEAL_FORMAT = "consortium-reveal/1"
APPROVAL_FORMAT = "consortium-approval/1"
UINT256_MAX = 2**256 - 1
# A signature longer than this is refused: a Safe's needs 65 bytes per owner, under 2,000 for 30 owners,
# and every byte of a batch's calldata is paid for by everyone in it.
MAX_SIGNATURE_BYTES = 2_048
_DECIMAL = re.compile(r"[0-9]{1,78}")
_HEX = re.compile(r"0[xX][0-9a-fA-F]{1,64}")


def _whole_number(value: Any) -> int:
    """A JSON integer, or a string of one in decimal or 0x-hex; never a bool (JSON true is not 1) or a
    float (1.5 is not 1; 1e400 is not a number we can count)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if _DECIMAL.fullmatch(value):
            return int(value)
        if _HEX.fullmatch(value):
            return int(value, 16)
    raise ValueError("expected a whole number: a JSON integer, or a string in decimal or 0x-hex")


def _support(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1, 2):
        return value
    raise ValueError("expected 0 (against), 1 (for) or 2 (abstain), as a JSON integer")


def _address(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected an address as a string")
    return ballots.checksum(value)


def _signature(value: Any) -> bytes:
    if not isinstance(value, str) or not re.fullmatch(r"(0x)?([0-9a-fA-F]{2})+", value):
        raise ValueError("expected the signature as hex, 0x-prefixed")
    signature = bytes.fromhex(value.removeprefix("0x"))
    if len(signature) > MAX_SIGNATURE_BYTES:
        raise ValueError(f"the signature is {len(signature)} bytes; at most {MAX_SIGNATURE_BYTES}")
    return signature


def _word(value: Any) -> bytes:
    if not isinstance(value, str) or not re.fullmatch(r"0[xX][0-9a-fA-F]{64}", value):
        raise ValueError("expected 32 bytes as 0x-prefixed hex (64 hex digits)")
    return bytes.fromhex(value[2:])


def _commitment(value: Any) -> bytes:
    word = _word(value)
    if not any(word):  # the governor keeps zero as "no commitment" and refuses it (NoCommitment)
        raise ValueError("a commitment of zero commits to nothing")
    return word


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("expected true or false, as JSON")


Uint256 = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=UINT256_MAX)]
Support = Annotated[int, BeforeValidator(_support)]
Address = Annotated[str, BeforeValidator(_address)]
Signature = Annotated[bytes, BeforeValidator(_signature)]
Commitment = Annotated[bytes, BeforeValidator(_commitment)]
Salt = Annotated[bytes, BeforeValidator(_word)]
Flag = Annotated[bool, BeforeValidator(_flag)]


class BallotFile(BaseModel):
    """A member's signed vote (EIP-712 `MemberBallot`), bound to one chain, governor and proposal."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={"examples": [{
        "format": FORMAT, "chain_id": "0x7a69", "governor": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "proposal_id": "1234", "voter": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "support": 1,
        "reason": "", "signature": "0x" + "11" * 65}]})

    format: Literal["consortium-ballot/1"] = Field(description="Always consortium-ballot/1.")
    chain_id: Uint256 = Field(description="The chain the ballot is for, decimal or 0x-hex.")
    governor: Address = Field(description="The governor (the EIP-712 verifying contract).")
    proposal_id: Uint256 = Field(description="The proposal, decimal or 0x-hex.")
    voter: Address = Field(description="The member's seat: the signing account or a contract wallet.")
    support: Support = Field(description="0 against, 1 for, 2 abstain.")
    reason: str = Field("", description="Published with the vote; signed, so it cannot be altered.")
    signature: Signature = Field(description="Hex: 65 bytes (v of 27/28 or 0/1), 64 (EIP-2098), or a "
                                             "contract wallet's (ERC-1271), at most 2,048 bytes.")

    @classmethod
    def signed(cls, domain: dict, proposal_id: int, voter: str, support: int, reason: str, signature: bytes) -> dict:
        """The file's content as written: numbers as decimal strings (JSON readers lose precision past 2^53)."""
        return {"format": FORMAT, "chain_id": domain["chainId"], "governor": domain["verifyingContract"],
                "proposal_id": str(proposal_id), "voter": voter, "support": support, "reason": reason,
                "signature": "0x" + signature.hex()}


class CommitmentFile(BaseModel):
    """A member's signed commitment to a vote on a sealed proposal (EIP-712 `SealedBallot`). It holds neither
    the vote nor the salt: whoever carries it learns nothing of the vote."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={"examples": [{
        "format": COMMITMENT_FORMAT, "chain_id": "0x7a69", "governor": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "proposal_id": "1234", "voter": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "commitment": "0x" + "22" * 32, "signature": "0x" + "11" * 65}]})

    format: Literal["consortium-commitment/1"] = Field(description="Always consortium-commitment/1.")
    chain_id: Uint256 = Field(description="The chain the commitment is for, decimal or 0x-hex.")
    governor: Address = Field(description="The governor (the EIP-712 verifying contract).")
    proposal_id: Uint256 = Field(description="The sealed proposal, decimal or 0x-hex.")
    voter: Address = Field(description="The member's seat: the signing account or a contract wallet.")
    commitment: Commitment = Field(description="keccak256(abi.encode(chainId, governor, proposalId, memberId, "
                                               "support, salt)), 0x-hex, not zero.")
    signature: Signature = Field(description="The seat's signature of the SealedBallot, as for a ballot.")

    @classmethod
    def signed(cls, domain: dict, proposal_id: int, voter: str, commitment: bytes, signature: bytes) -> dict:
        """The file's content as written (numbers as decimal strings, as a ballot file's)."""
        return {"format": COMMITMENT_FORMAT, "chain_id": domain["chainId"], "governor": domain["verifyingContract"],
                "proposal_id": str(proposal_id), "voter": voter, "commitment": "0x" + commitment.hex(),
                "signature": "0x" + signature.hex()}


class RevealFile(BaseModel):
    """What opens a member's commitment: its vote and salt. Anyone holding it can reveal the vote, so the member
    hands it over from the reveal start, or earlier to a relayer it trusts with the vote (`escrow`)."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={"examples": [{
        "format": REVEAL_FORMAT, "chain_id": "0x7a69", "governor": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "proposal_id": "1234", "voter": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "support": 1,
        "salt": "0x" + "33" * 32}]})

    format: Literal["consortium-reveal/1"] = Field(description="Always consortium-reveal/1.")
    chain_id: Uint256 = Field(description="The chain, decimal or 0x-hex.")
    governor: Address = Field(description="The governor.")
    proposal_id: Uint256 = Field(description="The sealed proposal, decimal or 0x-hex.")
    voter: Address = Field(description="The member's seat, as in its commitment.")
    support: Support = Field(description="0 against, 1 for, 2 abstain: the vote committed to.")
    salt: Salt = Field(description="The 32-byte salt committed with, 0x-hex.")
    escrow: Flag = Field(False, description="true: handed over before the reveal start, for the relayer to reveal "
                                            "from it; the relayer then knows the vote before anyone else.")

    @classmethod
    def of(cls, domain: dict, proposal_id: int, voter: str, support: int, salt: bytes) -> dict:
        """The file's content as written."""
        return {"format": REVEAL_FORMAT, "chain_id": domain["chainId"], "governor": domain["verifyingContract"],
                "proposal_id": str(proposal_id), "voter": voter, "support": support, "salt": "0x" + salt.hex()}


class ApprovalFile(BaseModel):
    """A member's signed approval ballot in an election (EIP-712 `ApprovalBallot`): bit c of `approvals` approves
    candidate c of the election's list (IElectionRegistry.candidates); zero approves nobody (an abstention)."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={"examples": [{
        "format": APPROVAL_FORMAT, "chain_id": "0x7a69", "governor": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "proposal_id": "1234", "voter": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "approvals": "5",
        "signature": "0x" + "11" * 65}]})

    format: Literal["consortium-approval/1"] = Field(description="Always consortium-approval/1.")
    chain_id: Uint256 = Field(description="The chain the ballot is for, decimal or 0x-hex.")
    governor: Address = Field(description="The governor (the EIP-712 verifying contract).")
    proposal_id: Uint256 = Field(description="The election's ballot proposal, decimal or 0x-hex.")
    voter: Address = Field(description="The member's seat: the signing account or a contract wallet.")
    approvals: Uint256 = Field(description="The bitmap of approved candidates (bit c: candidate c of the list), "
                                           "decimal or 0x-hex.")
    signature: Signature = Field(description="The seat's signature of the ApprovalBallot, as for a ballot.")

    @classmethod
    def signed(cls, domain: dict, proposal_id: int, voter: str, approvals: int, signature: bytes) -> dict:
        """The file's content as written (numbers as decimal strings, as a ballot file's)."""
        return {"format": APPROVAL_FORMAT, "chain_id": domain["chainId"], "governor": domain["verifyingContract"],
                "proposal_id": str(proposal_id), "voter": voter, "approvals": str(approvals),
                "signature": "0x" + signature.hex()}


# format → (the model, what one is called in an error)
KINDS = {FORMAT: (BallotFile, "ballot"), COMMITMENT_FORMAT: (CommitmentFile, "commitment"),
         REVEAL_FORMAT: (RevealFile, "reveal"), APPROVAL_FORMAT: (ApprovalFile, "approval ballot")}


def with_article(noun: str) -> str:
    """The noun with its article: "a ballot", "an approval ballot"."""
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def explain(error: ValidationError | list[dict], format_: str = FORMAT) -> str:
    """The first problem of a refused ballot (or commitment, or reveal: `format_`), as one sentence naming
    the field."""
    noun = KINDS[format_][1]
    errors = error.errors() if isinstance(error, ValidationError) else error
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"] if part != "body")
    if where == "format" or (not where and first["type"] in ("model_type", "dict_type", "model_attributes_type")):
        return f"not {with_article(noun)}: expected format {format_!r}"
    if first["type"] == "missing":
        return f"malformed {noun}: {where} is missing"
    message = first["msg"].removeprefix("Value error, ")
    return f"malformed {noun}: {where or 'the body'}: {message}"


def parse(data: Any, format_: str = FORMAT):
    """A file's content (decoded JSON) → the ballot (or commitment, or reveal: `format_`); ValueError with
    explain()'s sentence if invalid."""
    try:
        return KINDS[format_][0].model_validate(data)
    except ValidationError as exc:
        raise ValueError(explain(exc, format_)) from None


def parse_any(data: Any) -> BallotFile | CommitmentFile | RevealFile | ApprovalFile:
    """A file of any of the four kinds, told apart by its `format`; a file of none is refused as a ballot's."""
    format_ = data.get("format") if isinstance(data, dict) else None
    return parse(data, format_ if format_ in KINDS else FORMAT)
