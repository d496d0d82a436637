"""The members' voting page, served with the dashboard (`consortium serve --relay URL`): /vote/{proposal}.

A member reads the proposal there and votes from the wallet it already uses (any EIP-1193 provider: an
injected browser wallet, a WalletConnect or Safe-app provider the same way): a gas-free ballot signed with
`eth_signTypedData_v4` and posted to the relayer, a vote by transaction, or a recusal. The page's script
(static/vote.js) talks to the wallet and the relayer from the member's browser; no key, signature or
transaction passes through this server, which stays read-only like the rest of the dashboard.

Why the dashboard serves it and not the relayer: reading the proposal (its description, calls, tallies) is the
index's, and the relayer stays a small write API. What to sign comes from the relayer itself (GET
/typed-data: its own EIP-712 domain), so the page cannot build a ballot the relayer would read differently;
the transactions' calldata is encoded here from the compiled ABI (one definition), never in JavaScript.

The JSON the page reads:
- /vote/{proposal}/seat/{address}: who the seat is per the index, and what it did on the proposal.
- /vote/{proposal}/transaction?action=vote|recuse&support=&reason=: {to, data} for the wallet to send.
- /vote/revert?data=0x…: a revert's custom error, named and in words."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from web3 import Web3

from orchestrator.chain import artifacts, reverts
from orchestrator.errors import InputError
from orchestrator.labels import tier_label
from orchestrator.observers.indexer.schema import ballots, cursor, member_changes, recusals
from orchestrator.observers.observatory import SUPPORT, Observatory
from orchestrator.web import templating

VOTING_STATE = "Active"


class Seat(BaseModel):
    address: str
    member_id: int | None = Field(description="None when the index knows no member with this seat.")
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
        raise InputError(f"--relay {relay!r} is not an http(s) URL")
    return f"{parts.scheme}://{parts.netloc}"


def page_headers(relay: str | None) -> dict[str, str]:
    """The dashboard's security headers, with the relayer's origin as the one place the page may connect to
    besides its own (the wallet is reached through the browser's provider, not the network)."""
    headers = dict(templating.SECURITY_HEADERS)
    if relay:
        headers["Content-Security-Policy"] += f"; connect-src 'self' {relay_origin(relay)}"
    return headers


def router(url: str, relay: str | None) -> APIRouter:
    """The voting page's routes, for the dashboard app on the index at `url`."""
    web = APIRouter()
    governor_abi = artifacts.load("ConsortiumGovernor").abi
    encoder = Web3().eth.contract(abi=governor_abi)

    def proposal_of(text: str) -> tuple[Observatory, object]:
        obs = Observatory(url)
        return obs, obs.proposal(obs.find(text), detail=False)

    @web.get("/vote/revert", summary="A revert's custom error, named and in words")
    def revert(data: Annotated[str, Query(pattern=r"^0x([0-9a-fA-F]{2})*$", max_length=20_000)]) -> dict:
        return {"error": reverts.decode_revert_data(data)}

    @web.get("/vote/{proposal}", response_class=HTMLResponse, summary="The voting page of a proposal")
    def vote_page(proposal: str):
        obs, p = proposal_of(proposal)
        with obs.engine.connect() as db:
            governor, chain_id = db.execute(select(cursor.c.governor, cursor.c.chain_id)).one()
        body = templating.render(
            "vote.html", current="/", as_of_block=obs.head_block, as_of_time=obs.now, p=p, relay=relay or "",
            governor=governor, chain_id=chain_id, open=p.state == VOTING_STATE)
        return HTMLResponse(body, headers=page_headers(relay))

    @web.get("/vote/{proposal}/seat/{address}", response_model=Seat, summary="A seat, as the index knows it")
    def seat(proposal: str, address: str) -> Seat:
        obs, p = proposal_of(proposal)
        if not Web3.is_address(address):
            raise InputError(f"{address!r} is not an address")
        seat_ = Web3.to_checksum_address(address)
        with obs.engine.connect() as db:
            change = db.execute(select(member_changes).where(member_changes.c.seat == seat_)
                                .order_by(member_changes.c.block_number.desc(), member_changes.c.log_index.desc())
                                .limit(1)).first()
            if change is None:
                return Seat(address=seat_, member_id=None, member=None, tier=None, status=None, voted=None,
                            recused=None)
            member_id = change.member_id
            ballot = db.execute(select(ballots.c.support).where(ballots.c.proposal_id == p.id,
                                                                ballots.c.member_id == member_id)).first()
            recusal = db.execute(select(recusals.c.reason).where(recusals.c.proposal_id == p.id,
                                                                 recusals.c.member_id == member_id)).first()
        return Seat(address=seat_, member_id=member_id, member=obs.label(member_id),
                    tier=tier_label(change.tier, obs.tier_names()), status=change.status,
                    voted=SUPPORT[ballot.support] if ballot else None, recused=recusal.reason if recusal else None)

    @web.get("/vote/{proposal}/transaction", response_model=Transaction,
             summary="The transaction a wallet sends to vote or recuse directly")
    def transaction(proposal: str, action: Literal["vote", "recuse"],
                    support: Annotated[int | None, Query(ge=0, le=2)] = None, reason: str = "") -> Transaction:
        obs, p = proposal_of(proposal)
        with obs.engine.connect() as db:
            governor = db.execute(select(cursor.c.governor)).scalar_one()
        if action == "vote":
            if support is None:
                raise InputError("a vote needs support: 0 against, 1 for, 2 abstain")
            data = encoder.encode_abi("castVoteWithReason", args=[int(p.id), support, reason])
            what = f"vote {SUPPORT[support]} on proposal {p.id}"
        else:
            if not reason.strip():
                raise InputError("a recusal needs its reason: it is published")
            data = encoder.encode_abi("recuse", args=[int(p.id), reason])
            what = f"recuse from proposal {p.id}"
        return Transaction(to=governor, data=data, description=what)

    return web

