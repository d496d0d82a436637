"""The relay API, served by `consortium relay serve`: a member (its wallet page, a script) asks what to sign,
posts the signed ballot; anyone reads a ballot's status by id. The OpenAPI document is at /openapi.json.

A ballot is validated (the checks the governor will make) and committed to the database before 202 is
answered; submission happens in the background (see relayer.py).

Any web origin may call it (CORS `*`): the voting page is served by the dashboard, often from another host,
and the API carries no credentials or cookies, so a page elsewhere can do nothing through a visitor's browser
that it could not do by posting the same ballot itself; what protects a ballot is its signature."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import FastAPI, Path, Query
from pydantic import BaseModel, Field
from requests.exceptions import RequestException

from orchestrator.errors import ChainError
from orchestrator.relay import ballot_file, ballots
from orchestrator.relay.ballot_file import Address, BallotFile, Uint256
from orchestrator.relay.relayer import Relayer
from orchestrator.relay.store import StoredBallot
from orchestrator.web import serving

MAX_BODY = 64 * 1024
DESCRIPTION = ("Gas-free voting: post a MemberBallot signed with your seat's wallet (EIP-712, "
               "`eth_signTypedData_v4`); the relayer checks it as the governor will, keeps it, and submits it in a "
               "batch. Follow it with GET /ballots/{id} until it is `included` (or `rejected`, with the reason). "
               "Every error is `{\"error\": \"...\"}`.")


class BallotStatus(BaseModel):
    id: int
    proposal_id: str
    voter: str
    status: Literal["accepted", "batched", "included", "rejected"]
    detail: str
    tx_hash: str | None

    @classmethod
    def of(cls, ballot: StoredBallot) -> BallotStatus:
        return cls(id=ballot.id, proposal_id=str(ballot.proposal_id), voter=ballot.voter, status=ballot.status,
                   detail=ballot.detail, tx_hash=ballot.tx_hash)


class BallotToSign(BaseModel):
    """What a wallet signs (`eth_signTypedData_v4`): the relayer's own domain, so a page cannot get it wrong."""

    proposal_id: Uint256 = Field(description="The proposal, decimal or 0x-hex.")
    voter: Address = Field(description="The member's seat: the signing account or a contract wallet.")
    support: int = Field(ge=0, le=2, description="0 against, 1 for, 2 abstain.")
    reason: str = Field("", description="Published with the vote.")


class TypedData(BaseModel):
    typed_data: dict = Field(description="The EIP-712 MemberBallot (the proposal id as a decimal string).")
    digest: str = Field(description="Its EIP-712 hash, what a contract wallet is asked about (ERC-1271).")


class Problem(BaseModel):
    error: str


ERRORS = {status: {"model": Problem, "description": text} for status, text in (
    (400, "Not JSON, not UTF-8, or not valid HTTP"), (408, "The body did not arrive in time"),
    (413, "The body is over 64 KiB"), (415, "Not sent as application/json"),
    (422, "Not a valid ballot, or one the governor would refuse: the reason says which"),
    (503, "The node cannot be asked now: try again"))}


def app(relayer: Relayer) -> FastAPI:
    web = serving.app("consortium relay", DESCRIPTION, ballot_errors=ballot_file.explain)
    web.state.cors_origins = ["*"]  # served with CORS outermost (serving.config): see the module's docstring

    @web.get("/typed-data", response_model=TypedData, responses={422: {"model": Problem}},
             summary="The typed data to sign for a ballot")
    def typed_data(ballot: Annotated[BallotToSign, Query()]) -> TypedData:
        typed = ballots.member_ballot(relayer.domain, ballot.proposal_id, ballot.support, ballot.voter,
                                      ballot.reason)
        return TypedData(typed_data=ballots.for_wallet(typed), digest="0x" + ballots.digest(typed).hex())

    @web.post("/ballots", status_code=202, response_model=BallotStatus, responses=ERRORS,
              summary="Submit a signed ballot")
    def post_ballot(ballot: BallotFile) -> BallotStatus:
        try:
            return BallotStatus.of(relayer.receive(ballot))
        except (ChainError, RequestException) as exc:  # the node failed us, not the ballot (a refusal is 422)
            return serving.error(503, f"cannot validate the ballot now, try again: {exc}")

    @web.get("/ballots/{ballot_id}", response_model=BallotStatus, responses={404: {"model": Problem}},
             summary="A ballot's status")
    def get_ballot(ballot_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> BallotStatus:
        stored = relayer.store.get(ballot_id)
        if stored is None:
            return serving.error(404, f"no ballot {ballot_id}")
        return BallotStatus.of(stored)

    @web.get("/health", summary="Liveness")
    def health() -> dict:
        return {"ok": True}

    return web
