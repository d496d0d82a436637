"""Dues lapse with no trusted keeper. The treasury says whose dues lapsed and the registry checks it
again whoever asks, so any account may mark a member Lapsed. The orchestrator does it before every
proposal it submits (so the snapshot does not count a lapsed member) and on `consortium treasury poke`.

Paying for many members: which of them the treasury would take a payment for is asked of the treasury
itself (a simulated `payDues` per member), never re-derived here: its answer `TreasuryDuesPaidAhead`
is what "paid ahead" means."""

from __future__ import annotations

from dataclasses import dataclass

from web3.exceptions import ContractCustomError, ContractLogicError, Web3Exception

from orchestrator.chain.reverts import decode_revert_data, revert_data, revert_error
from orchestrator.errors import ChainError
from orchestrator.labels import member_label
from orchestrator.operations import roll

SCAN = 500  # member ids per eth_call of Treasury.lapsable
OWING = ("active", "lapsed")  # (roll.status_names) the members `pay-dues --all` pays for, when their tier owes dues
# The treasury's refusals of a member's dues that no payment can fix: the payment is not sent.
NOT_PAYABLE = ("TreasuryNoDues", "TreasuryNotMember")


def lapsable(session) -> list[int]:
    """Active members whose dues lapsed and who are not yet marked, by id."""
    count = session.registry.functions.memberCount().call()
    found: list[int] = []
    for first in range(1, count + 1, SCAN):
        found += session.treasury.functions.lapsable(first, SCAN).call()
    return found


def marked(session) -> list[tuple[int, bool]]:
    """Members already marked Lapsed, by id, each with whether its dues are still lapsed (paying restores
    it) or not (its tier owes nothing now: the registry's `restore` gives its vote back)."""
    return [(m.id, m.dues_lapsed) for m in roll.read(session.registry, session.treasury) if m.status == "lapsed"]


def poke(session) -> list[int]:
    """Mark every lapsable member Lapsed; returns the ids this call marked."""
    marked_now = []
    for member_id in lapsable(session):
        try:
            session.sender.transact(session.w3, session.registry.functions.lapse(member_id), f"lapse {member_id}")
        except ChainError:
            if session.treasury.functions.lapsable(member_id, 1).call():
                raise
            continue  # somebody else marked it first
        marked_now.append(member_id)
    return marked_now


@dataclass(frozen=True)
class DuesPlan:
    pay: list[tuple[int, int]]  # (member id, its dues for the periods) the treasury would take
    paid_ahead: list[tuple[int, int]]  # (member id, paid until) the treasury would refuse as paid ahead
    lapsed: frozenset[int]  # members marked Lapsed before the payment
    labels: dict[int, str]  # how each member is named to people ("member 7 Bitex Ltd")


def owing(session) -> list[int]:
    """Every active or lapsed member whose tier owes dues, by id (`pay-dues --all`)."""
    return [m.id for m in roll.read(session.registry, session.treasury) if m.status in OWING and m.tier.dues]


def plan(session, member_ids: list[int], periods: int, payer: str, in_eth: bool) -> DuesPlan:
    """Which of `member_ids` the treasury takes `periods` periods of dues for, from `payer`, now.
    Each is asked of the treasury with a simulated payDues. Its dues rules run before it collects the
    money, so a refusal by the collection itself (an ERC-20 not approved yet) means the rules passed: the
    payment's own transaction reports any real problem. A member the treasury takes no dues for at all
    (its tier owes none, it left) stops the command before anything is sent."""
    t = session.treasury.functions
    pay, ahead, lapsed, labels = [], [], set(), {}
    for member in roll.read(session.registry, session.treasury, member_ids):
        member_id = member.id
        labels[member_id] = member_label(member_id, member.identity)
        if member.status == "lapsed":
            lapsed.add(member_id)
        amount = member.tier.dues * periods
        try:
            t.payDues(member_id, periods).call({"from": payer, "value": amount if in_eth else 0})
        except (ContractCustomError, ContractLogicError) as exc:
            data = revert_data(exc)
            name, args = revert_error(data) or (None, [])
            if name == "TreasuryDuesPaidAhead":
                ahead.append((member_id, args[1]))
                continue
            if name in NOT_PAYABLE:
                raise ChainError(f"pay dues: {decode_revert_data(data)}") from None
        except (Web3Exception, ValueError):
            pass  # the node's own refusal (the payer cannot send the value): the transaction says it
        pay.append((member_id, amount))
    return DuesPlan(pay, ahead, frozenset(lapsed), labels)
