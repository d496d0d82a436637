"""Dues lapse with no trusted keeper. The treasury says whose dues lapsed and the registry checks it
again whoever asks, so any account may mark a member Lapsed. The orchestrator does it before every
proposal it submits (so the snapshot does not count a lapsed member) and on `consortium treasury poke`."""

from __future__ import annotations

from orchestrator.errors import ChainError

SCAN = 500  # member ids per eth_call of Treasury.lapsable


def lapsable(session) -> list[int]:
    """Active members whose dues lapsed and who are not yet marked, by id."""
    count = session.registry.functions.memberCount().call()
    found: list[int] = []
    for first in range(1, count + 1, SCAN):
        found += session.treasury.functions.lapsable(first, SCAN).call()
    return found


def poke(session) -> list[int]:
    """Mark every lapsable member Lapsed; returns the ids this call marked."""
    marked = []
    for member_id in lapsable(session):
        try:
            session.sender.transact(session.w3, session.registry.functions.lapse(member_id), f"lapse {member_id}")
        except ChainError:
            if session.treasury.functions.lapsable(member_id, 1).call():
                raise
            continue  # somebody else marked it first
        marked.append(member_id)
    return marked
