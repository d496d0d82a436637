"""Voting from the dashboard: the panel on an open proposal's page (templates/_vote_panel.html with
static/vote.js), and the JSON it reads. `/vote/{proposal}` is the link to hand members: it leads to the panel.

A member reads the proposal on its page (description, calls in words, the rule, live tallies per tier and
quorum) and votes from the wallet it already uses, through any EIP-1193 provider: an injected browser wallet;
WalletConnect's or a Safe app's provider offer the same interface. It signs a gas-free ballot
(`eth_signTypedData_v4`) that the page posts to the relayer, or sends a vote or a recusal as a transaction.
The script talks to the wallet and the relayer from the member's browser: no key, signature or transaction
passes through this server, which stays read-only like the rest of the dashboard.

On a sealed proposal the panel commits and reveals instead (static/keccak.js and vote.js): the wallet signs the
SealedSalt request, whose signature makes the salt (keccak256("consortium sealed salt" ‖ signature), computed in
the browser, as is the commitment), then the relayer's SealedBallot over that commitment; from the reveal start it
signs the salt request again, finds which vote opens the member's commitment, and posts the reveal. Neither the vote
nor the salt leaves the browser before the reveal start: not to this server, not to the relayer.

On an election's ballot (of this deployment's registry, as the index knows it) the panel lists the candidates as
checkboxes, each with its bit in the approval bitmap; the wallet signs the relayer's ApprovalBallot over the bitmap
chosen (checked against the governor's own EIP-712 domain, field for field), the page posts it to the relayer's
/approvals and follows it until the governor's VoteCastWithParams proves it counted. Nobody votes for, against or
abstain on it: the governor refuses open votes there, and so does this dashboard's transaction.

Why the dashboard serves it and not the relayer: reading the proposal is the index's, and the relayer stays a
small write API. What to sign comes from the relayer itself (GET /typed-data: its own EIP-712 domain), so the
page cannot build a ballot the relayer would read differently; a transaction's calldata is encoded here from
the compiled ABI (one definition), never in JavaScript.

The JSON the page reads:
- /vote/{proposal}/seat/{address}: who the seat is per the index, and what it did on the proposal.
- /vote/{proposal}/transaction?action=vote|recuse&support=&reason=: {to, data} for the wallet to send.
- /vote/revert?data=0x…: a revert's custom error, named and in words."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from eth_utils import event_abi_to_log_topic
from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from web3 import Web3

from orchestrator.chain import artifacts, reverts
from orchestrator.errors import InputError
from orchestrator.observers import elections
from orchestrator.observers.observatory import SUPPORT, Observatory, ProposalResult
from orchestrator.web import templating

OPEN = "Active"
SHOWN = ("Pending", "Active")  # the panel is on the page from creation, usable once voting opens


class Seat(BaseModel):
    address: str
    member_id: int | None = Field(description="None when the index knows no current member with this seat.")
    member: str | None
    tier: str | None
    status: str | None
    voted: str | None = Field(description="for, against or abstain, once the index has the ballot.")
    recused: str | None = Field(description="The recusal's reason, once the index has it.")


class Transaction(BaseModel):
    to: str
    data: str
    description: str


def relay_origin(relay: str) -> str:
    """The scheme://host[:port] a Content-Security-Policy names to let the page call the relayer."""
    parts = urlsplit(relay)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"--relay must be an http(s) URL such as https://relay.example.org, not {relay!r}")
    return f"{parts.scheme}://{parts.netloc}"


def page_headers(relay: str | None) -> dict[str, str]:
    """The dashboard's security headers, with the relayer's origin as the one place a page may connect to
    besides its own (the wallet is reached through the browser's provider, not the network)."""
    headers = dict(templating.SECURITY_HEADERS)
    if relay:
        headers["Content-Security-Policy"] += f"; connect-src 'self' {relay_origin(relay)}"
    return headers


def panel(obs: Observatory, result: ProposalResult, relay: str | None) -> dict | None:
    """The voting panel's context for a proposal page, or None when the proposal is past voting. The events'
    topics let the page find the governor's proof of a vote or recusal in a receipt."""
    if result.state not in SHOWN:
        return None
    return {"relay": (relay or "").rstrip("/"), "governor": obs.governor, "chain_id": obs.chain_id,
            "open": result.state == OPEN, "vote_topic": _topic("VoteCast"), "recusal_topic": _topic("VoterRecused"),
            # A sealed proposal's reveal start as the index read it from the governor's ProposalSealed; 0: open.
            "reveal_start": result.reveal_start, "commit_topic": _topic("VoteCommitted"),
            # An election's ballot: its candidates, each with its bit (the index's list); None otherwise.
            "election": _election(obs, result.id), "approval_topic": _topic("VoteCastWithParams")}


def _election(obs: Observatory, proposal_id: str) -> dict | None:
    """The election whose ballot the proposal is, for the panel: its id, title and candidates (index, member,
    tier, withdrawn). The governor counts bits 0 .. n-1 of the list as it stood when the ballot was proposed,
    which is the whole list: nominations had closed."""
    election_id = elections.of_proposal(obs, proposal_id)
    if election_id is None:
        return None
    e = elections.get(obs, election_id, tallies=False)
    return {"id": e.id, "title": e.title, "seats": elections.reserved_text(e),
            "candidates": [{"index": c.index, "member_id": c.member_id, "member": c.member, "tier": c.tier,
                            "withdrawn": c.withdrawn} for c in e.candidates]}


def _topic(event: str) -> str:
    (abi,) = [e for e in artifacts.load("ConsortiumGovernor").abi if e["type"] == "event" and e["name"] == event]
    return "0x" + event_abi_to_log_topic(abi).hex()


def router(url: str) -> APIRouter:
    """The voting panel's routes, for the dashboard app on the index at `url`."""
    web = APIRouter()
    encoder = Web3().eth.contract(abi=artifacts.load("ConsortiumGovernor").abi)

    def found(obs: Observatory, text: str) -> str:
        try:
            return obs.find(text)
        except InputError as exc:  # as the dashboard's pages answer a proposal they do not have
            raise HTTPException(404, f"not found: {exc}") from None

    def proposal_of(text: str) -> tuple[Observatory, ProposalResult]:
        obs = Observatory(url)
        return obs, obs.proposal(found(obs, text), detail=False)

    # Registered first: "revert" is not a proposal.
    @web.get("/vote/revert", summary="A revert's custom error, named and in words")
    def revert(data: Annotated[str, Query(pattern=r"^0x([0-9a-fA-F]{2})*$", max_length=20_000)]) -> dict:
        return {"error": reverts.decode_revert_data(data)}

    @web.get("/vote/{proposal}", summary="Where a member votes on a proposal: its page's voting panel")
    def vote_link(proposal: str) -> RedirectResponse:
        obs = Observatory(url)
        return RedirectResponse(f"/proposals/{found(obs, proposal)}#vote", status_code=303)

    @web.get("/vote/{proposal}/seat/{address}", response_model=Seat, summary="A seat, as the index knows it")
    def seat(proposal: str, address: str) -> Seat:
        obs, p = proposal_of(proposal)
        if not Web3.is_address(address):
            raise InputError(f"{address!r} is not an address")
        seat_ = Web3.to_checksum_address(address)
        held = obs.seat_holder(seat_)
        if held is None or not held[1]:  # never a seat, or one its member has rotated away from
            return Seat(address=seat_, member_id=None, member=None, tier=None, status=None, voted=None,
                        recused=None)
        (member,) = obs.members([held[0]])
        voted, recused = obs.marks(p.id, member["member_id"])
        return Seat(address=seat_, member_id=member["member_id"], member=member["member"], tier=member["tier"],
                    status=member["status"], voted=voted, recused=recused)

    @web.get("/vote/{proposal}/transaction", response_model=Transaction,
             summary="The transaction a wallet sends to vote or recuse directly")
    def transaction(proposal: str, action: Literal["vote", "recuse"],
                    support: Annotated[int | None, Query(ge=0, le=2)] = None, reason: str = "") -> Transaction:
        obs, p = proposal_of(proposal)
        if action == "vote":
            if p.reveal_start:  # its vote would reach this dashboard before the reveal start
                raise InputError(reverts.error_words("GovernorProposalSealed", ["uint256"], [int(p.id)]))
            if elections.of_proposal(obs, p.id) is not None:  # the governor would revert it
                raise InputError(reverts.error_words("GovernorProposalIsElection", ["uint256"], [int(p.id)]))
            if support is None:
                raise InputError("a vote needs support: 0 against, 1 for, 2 abstain")
            data = encoder.encode_abi("castVoteWithReason", args=[int(p.id), support, reason])
            what = f"vote {SUPPORT[support]} on proposal {p.id}"
        else:
            if not reason.strip():
                raise InputError("a recusal needs its reason: it is published")
            data = encoder.encode_abi("recuse", args=[int(p.id), reason])
            what = f"recuse from proposal {p.id}"
        return Transaction(to=obs.governor, data=data, description=what)

    return web
