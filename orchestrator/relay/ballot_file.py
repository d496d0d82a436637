"""The signed-ballot file: what `vote --sign-only` writes, what a member's wallet page posts, and what the
relayer accepts (`relay FILE` and `POST /ballots`). One pydantic model, so the file, the HTTP API and its
OpenAPI document cannot disagree about what a ballot is.

Parsing is strict and documented: numbers are JSON integers or strings in decimal or 0x-hex (what
`eth_chainId` returns), never floats or booleans; support is 0, 1 or 2; a signature is hex of at most
MAX_SIGNATURE_BYTES (64 and 65 bytes for an account's key, anything a contract wallet accepts)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from orchestrator.relay import ballots

FORMAT = "consortium-ballot/1"
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


Uint256 = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=UINT256_MAX)]
Support = Annotated[int, BeforeValidator(_support)]
Address = Annotated[str, BeforeValidator(_address)]
Signature = Annotated[bytes, BeforeValidator(_signature)]


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


def explain(error: ValidationError | list[dict]) -> str:
    """The first problem of a refused ballot, as one sentence naming the field."""
    errors = error.errors() if isinstance(error, ValidationError) else error
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"] if part != "body")
    if where == "format" or (not where and first["type"] in ("model_type", "dict_type", "model_attributes_type")):
        return f"not a ballot: expected format {FORMAT!r}"
    if first["type"] == "missing":
        return f"malformed ballot: {where} is missing"
    message = first["msg"].removeprefix("Value error, ")
    return f"malformed ballot: {where or 'the body'}: {message}"


def parse(data: Any) -> BallotFile:
    """A ballot file's content (decoded JSON) → the ballot; ValueError with explain()'s sentence if invalid."""
    try:
        return BallotFile.model_validate(data)
    except ValidationError as exc:
        raise ValueError(explain(exc)) from None
