"""The relay API, served by `consortium relay serve`: a member (its wallet page, a script) asks what to sign,
posts the signed ballot; anyone reads a ballot's status by id. The OpenAPI document is at /openapi.json.

A ballot is validated (the checks the governor will make) and committed to the database before 202 is
answered; submission happens in the background (see relayer.py).

On a sealed proposal a member posts a signed commitment (POST /commitments) before the reveal start, and the
reveal (POST /reveals: the vote and salt) from it, or earlier as an escrow. Each kind has its own resource
(as the governor has its own entry point for each), so a client never has a ballot read as a commitment or the
reverse, and each has its own status. A reveal's status never shows its vote: ids are sequential, and an
escrowed reveal is secret until the reveal start.

On an election's ballot a member posts a signed approval ballot (POST /approvals): which candidates it approves, a
bitmap over the election's list (GET /elections/ballot lists the candidates, GET /typed-data/approval says what to
sign, after the relayer's checks). Open ballots on it are refused (the governor reverts them).

Any web origin may call it (CORS `*`): the voting page is served by the dashboard, often from another host,
and the API carries no credentials or cookies, so a page elsewhere can do nothing through a visitor's browser
that it could not do by posting the same ballot itself; what protects a ballot is its signature."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Body, FastAPI, Path, Query
from pydantic import BaseModel, Field
from requests.exceptions import RequestException

from orchestrator.chain.reverts import error_words
from orchestrator.errors import ChainError
from orchestrator.labels import member_label, tier_label
from orchestrator.operations import elections, roll
from orchestrator.relay import ballot_file, ballots
from orchestrator.relay.ballot_file import (
    Address,
    ApprovalFile,
    BallotFile,
    Commitment,
    CommitmentFile,
    RevealFile,
    Uint256,
)
from orchestrator.relay.relayer import BallotRefused, Relayer
from orchestrator.relay.store import StoredApproval, StoredBallot, StoredCommitment, StoredReveal
from orchestrator.web import serving

MAX_BODY = 64 * 1024
DESCRIPTION = ("Gas-free voting: post a MemberBallot signed with your seat's wallet (EIP-712, "
               "`eth_signTypedData_v4`); the relayer checks it as the governor will, keeps it, and submits it in a "
               "batch. Follow it with GET /ballots/{id} until it is `included` (or `rejected`, with the reason). "
               "On a sealed proposal: POST /commitments a signed SealedBallot before the reveal start, then POST "
               "/reveals the vote and salt from it (or earlier with `escrow`: the relayer then knows the vote). "
               "On an election's ballot: POST /approvals a signed ApprovalBallot (GET /elections/ballot lists the "
               "candidates, each one's bit in the bitmap). Every error is `{\"error\": \"...\"}`.")


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


class _ItemStatus(BaseModel):
    """What the statuses of a commitment, a reveal and an approval ballot share: which member's item, and where it
    stands."""

    id: int
    proposal_id: str
    voter: str
    member_id: int
    detail: str
    tx_hash: str | None

    @staticmethod
    def _shared(item: StoredCommitment | StoredReveal | StoredApproval) -> dict:
        return {"id": item.id, "proposal_id": str(item.proposal_id), "voter": item.voter, "member_id": item.member_id,
                "status": item.status, "detail": item.detail, "tx_hash": item.tx_hash}


class CommitmentStatus(_ItemStatus):
    commitment: str
    status: Literal["accepted", "batched", "included", "rejected"] = Field(
        description="included: the governor recorded it (VoteCommitted).")

    @classmethod
    def of(cls, c: StoredCommitment) -> CommitmentStatus:
        return cls(**cls._shared(c), commitment="0x" + c.commitment.hex())


class RevealStatus(_ItemStatus):
    """A reveal's progress, without its vote: that is public once the governor counts it (VoteCast), not before."""

    escrow: bool
    status: Literal["accepted", "batched", "included", "rejected"] = Field(
        description="included: revealed and counted (VoteCast); accepted with an escrow: held until the reveal start.")

    @classmethod
    def of(cls, r: StoredReveal) -> RevealStatus:
        return cls(**cls._shared(r), escrow=r.escrow)


class ApprovalStatus(_ItemStatus):
    approvals: str = Field(description="The bitmap of approved candidates, decimal.")
    status: Literal["accepted", "batched", "included", "rejected"] = Field(
        description="included: counted (VoteCastWithParams).")

    @classmethod
    def of(cls, a: StoredApproval) -> ApprovalStatus:
        return cls(**cls._shared(a), approvals=str(a.approvals))


class MemberCommitment(BaseModel):
    proposal_id: str
    voter: str
    member_id: int = Field(description="The voter's member at the proposal's snapshot, which the commitment binds.")
    commitment: str | None = Field(description="None: no commitment of this member, on chain or held here.")
    recorded: bool = Field(description="Whether the governor recorded it (else the relayer holds it, unsent).")


class BallotToSign(BaseModel):
    """What a wallet signs (`eth_signTypedData_v4`): the relayer's own domain, so a page cannot get it wrong."""

    proposal_id: Uint256 = Field(description="The proposal, decimal or 0x-hex.")
    voter: Address = Field(description="The member's seat: the signing account or a contract wallet.")
    support: int = Field(ge=0, le=2, description="0 against, 1 for, 2 abstain.")
    reason: str = Field("", description="Published with the vote.")


class TypedData(BaseModel):
    typed_data: dict = Field(description="The EIP-712 MemberBallot (the proposal id as a decimal string).")
    digest: str = Field(description="Its EIP-712 hash, what a contract wallet is asked about (ERC-1271).")


class CommitmentToSign(BaseModel):
    proposal_id: Uint256 = Field(description="The sealed proposal, decimal or 0x-hex.")
    voter: Address = Field(description="The member's seat.")
    commitment: Commitment = Field(description="The commitment, computed by the member (this server never sees "
                                               "the vote or the salt before the reveal start).")


class SealedTypedData(BaseModel):
    typed_data: dict = Field(description="The EIP-712 SealedBallot (proposal id as a decimal string, the "
                                         "commitment as 0x-hex).")
    digest: str = Field(description="Its EIP-712 hash.")
    member_id: int = Field(description="The voter's member at the snapshot, which the commitment must bind: a "
                                       "commitment made with another member id can never be revealed.")


class SaltRequest(BaseModel):
    proposal_id: Uint256 = Field(description="The sealed proposal, decimal or 0x-hex.")
    voter: Address = Field(description="The member's seat.")


class SaltTypedData(BaseModel):
    typed_data: dict = Field(description="The EIP-712 SealedSalt whose signature makes the member's salt: "
                                         "keccak256(\"consortium sealed salt\" ‖ signature). Sign it, never send "
                                         "the signature anywhere.")


class ApprovalToSign(BaseModel):
    proposal_id: Uint256 = Field(description="The election's ballot proposal, decimal or 0x-hex.")
    voter: Address = Field(description="The member's seat.")
    approvals: Uint256 = Field(description="The bitmap of approved candidates (bit c: candidate c), decimal or "
                                           "0x-hex; 0 approves nobody (an abstention).")


class ApprovalTypedData(BaseModel):
    typed_data: dict = Field(description="The EIP-712 ApprovalBallot (the proposal id and the bitmap as decimal "
                                         "strings).")
    digest: str = Field(description="Its EIP-712 hash, what a contract wallet is asked about (ERC-1271).")
    member_id: int = Field(description="The voter's member at the proposal's snapshot.")


class BallotQuery(BaseModel):
    proposal_id: Uint256 = Field(description="The election's ballot proposal, decimal or 0x-hex.")


class CandidateEntry(BaseModel):
    index: int = Field(description="Its bit in an approval ballot's bitmap.")
    member_id: int
    member: str = Field(description='The member as people read it ("member 7 Bitex Ltd").')
    tier: str = Field(description="Its tier when it nominated itself.")
    withdrawn: bool = Field(description="Withdrawn candidates keep their index but cannot be elected.")


class ElectionBallotInfo(BaseModel):
    proposal_id: str
    election_id: int
    registry: str
    title: str
    seats: int
    candidates: list[CandidateEntry]


def _body_schema(model) -> dict:
    """The OpenAPI request body of a route that parses its JSON itself (see _parse)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


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
        refused = relayer.open_ballots(ballot.proposal_id)
        if refused is not None:  # its vote would reach this relayer before the proposal's reveal start
            raise refused
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

    # ───── sealed proposals ─────

    @web.get("/typed-data/commitment", response_model=SealedTypedData, responses={422: {"model": Problem}},
             summary="The typed data to sign for a commitment, once the relayer's checks pass")
    def commitment_typed_data(asked: Annotated[CommitmentToSign, Query()]) -> SealedTypedData:
        try:
            member_id = relayer.check_committer(asked.proposal_id, asked.voter)
        except (ChainError, RequestException) as exc:
            return serving.error(503, f"cannot check the commitment now, try again: {exc}")
        typed = ballots.sealed_ballot(relayer.domain, asked.proposal_id, asked.voter, asked.commitment)
        wallet = {**ballots.for_wallet(typed),
                  "message": {**ballots.for_wallet(typed)["message"], "commitment": "0x" + asked.commitment.hex()}}
        return SealedTypedData(typed_data=wallet, digest="0x" + ballots.digest(typed).hex(), member_id=member_id)

    @web.get("/typed-data/salt", response_model=SaltTypedData, responses={422: {"model": Problem}},
             summary="The typed data whose signature makes a member's salt (never post that signature)")
    def salt_typed_data(asked: Annotated[SaltRequest, Query()]) -> SaltTypedData:
        typed = ballots.sealed_salt_request(relayer.domain, asked.proposal_id, asked.voter)
        return SaltTypedData(typed_data=ballots.for_wallet(typed))

    @web.post("/commitments", status_code=202, response_model=CommitmentStatus, responses=ERRORS,
              summary="Submit a signed commitment (sealed proposals, before the reveal start)",
              openapi_extra=_body_schema(CommitmentFile))
    def post_commitment(body: Annotated[Any, Body()]) -> CommitmentStatus:
        return _receive(relayer.receive_commitment, body, CommitmentStatus)

    @web.get("/commitments", response_model=MemberCommitment, responses={422: {"model": Problem}},
             summary="A member's commitment, as the governor or this relayer holds it (what a reveal must open)")
    def member_commitment(asked: Annotated[SaltRequest, Query()]) -> MemberCommitment:
        try:
            member_id, commitment, recorded = relayer.commitment_of(asked.proposal_id, asked.voter)
        except (ChainError, RequestException) as exc:
            return serving.error(503, f"cannot read the commitment now, try again: {exc}")
        return MemberCommitment(proposal_id=str(asked.proposal_id), voter=asked.voter, member_id=member_id,
                                commitment=None if commitment is None else "0x" + commitment.hex(), recorded=recorded)

    @web.get("/commitments/{commitment_id}", response_model=CommitmentStatus, responses={404: {"model": Problem}},
             summary="A commitment's status")
    def get_commitment(commitment_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> CommitmentStatus:
        stored = relayer.store.get(commitment_id, "commitment")
        if stored is None:
            return serving.error(404, f"no commitment {commitment_id}")
        return CommitmentStatus.of(stored)

    @web.post("/reveals", status_code=202, response_model=RevealStatus, responses=ERRORS,
              summary="Submit a reveal: the vote and salt (sealed proposals, from the reveal start, or earlier as "
                      "an escrow)", openapi_extra=_body_schema(RevealFile))
    def post_reveal(body: Annotated[Any, Body()]) -> RevealStatus:
        return _receive(relayer.receive_reveal, body, RevealStatus)

    @web.get("/reveals/{reveal_id}", response_model=RevealStatus, responses={404: {"model": Problem}},
             summary="A reveal's status (never its vote)")
    def get_reveal(reveal_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> RevealStatus:
        stored = relayer.store.get(reveal_id, "reveal")
        if stored is None:
            return serving.error(404, f"no reveal {reveal_id}")
        return RevealStatus.of(stored)

    # ───── elections ─────

    @web.get("/elections/ballot", response_model=ElectionBallotInfo, responses={422: {"model": Problem}},
             summary="An election's ballot proposal: its candidates, each with its bit in an approval ballot")
    def election_ballot(asked: Annotated[BallotQuery, Query()]) -> ElectionBallotInfo:
        try:
            return _election_ballot(relayer, asked.proposal_id)
        except (ChainError, RequestException) as exc:
            return serving.error(503, f"cannot read the election now, try again: {exc}")

    @web.get("/typed-data/approval", response_model=ApprovalTypedData, responses={422: {"model": Problem}},
             summary="The typed data to sign for an approval ballot, once the relayer's checks pass")
    def approval_typed_data(asked: Annotated[ApprovalToSign, Query()]) -> ApprovalTypedData:
        try:
            member_id = relayer.check_approver(asked.proposal_id, asked.voter, asked.approvals)
        except (ChainError, RequestException) as exc:
            return serving.error(503, f"cannot check the approval ballot now, try again: {exc}")
        typed = ballots.approval_ballot(relayer.domain, asked.proposal_id, asked.voter, asked.approvals)
        return ApprovalTypedData(typed_data=ballots.for_wallet(typed), digest="0x" + ballots.digest(typed).hex(),
                                 member_id=member_id)

    @web.post("/approvals", status_code=202, response_model=ApprovalStatus, responses=ERRORS,
              summary="Submit a signed approval ballot (an election's ballot proposal)",
              openapi_extra=_body_schema(ApprovalFile))
    def post_approval(body: Annotated[Any, Body()]) -> ApprovalStatus:
        return _receive(relayer.receive_approval, body, ApprovalStatus)

    @web.get("/approvals/{approval_id}", response_model=ApprovalStatus, responses={404: {"model": Problem}},
             summary="An approval ballot's status")
    def get_approval(approval_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> ApprovalStatus:
        stored = relayer.store.get(approval_id, "approval")
        if stored is None:
            return serving.error(404, f"no approval ballot {approval_id}")
        return ApprovalStatus.of(stored)

    @web.get("/health", summary="Liveness")
    def health() -> dict:
        return {"ok": True}

    return web


def _election_ballot(relayer: Relayer, proposal_id: int) -> ElectionBallotInfo:
    """The candidates of the election whose ballot `proposal_id` is, as its registry lists them now. Only this
    deployment's registry's: a contract that merely claims to be a registry may list anybody."""
    relayer.views.state(proposal_id)  # a proposal that does not exist is refused in the governor's words
    election = relayer.views.election(proposal_id)
    if election is None:
        raise BallotRefused(error_words("GovernorProposalNotElection", ["uint256"], [proposal_id]))
    session = relayer.session
    if election.registry != session.deployment.elections:
        raise BallotRefused(f"proposal {proposal_id} is the ballot of election {election.election_id} of "
                            f"{election.registry}, not of this deployment's election registry "
                            f"{session.deployment.elections}: its candidates are not listed here")
    (e,) = elections.read(session.elections, [election.election_id])
    listed = e.candidates[:election.candidates]  # the governor counts bits 0 .. candidates-1 only
    members = {m.id: m for m in roll.read(session.registry, ids=sorted({c.member_id for c in listed}))} \
        if listed else {}
    names = [t.name for t in roll.tiers(session.registry)]
    return ElectionBallotInfo(
        proposal_id=str(proposal_id), election_id=e.id, registry=election.registry, title=e.title, seats=e.seats,
        candidates=[CandidateEntry(index=c.index, member_id=c.member_id,
                                   member=member_label(c.member_id, members[c.member_id].identity),
                                   tier=tier_label(c.tier, names), withdrawn=c.withdrawn) for c in listed])


def _receive(receive, body: Any, status):
    """A commitment's or reveal's body, parsed by the relayer itself (its model's sentences name the kind, where
    the app-wide explanation of a refused body speaks of ballots): 415 unless it came as JSON."""
    if isinstance(body, bytes | bytearray):  # FastAPI hands over the raw body of any other content type
        return serving.error(415, "send the body as JSON, with Content-Type: application/json")
    try:
        return status.of(receive(body))
    except (ChainError, RequestException) as exc:  # the node failed us, not the item (a refusal is 422)
        return serving.error(503, f"cannot validate it now, try again: {exc}")
