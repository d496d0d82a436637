"""Elections as observers read them, from the index alone: each election as opened (schema.elections), its
candidates (their latest candidacy row), its ballot rounds and their proposals (the governor's
ElectionBallotProposed, schema.election_ballots), the approval weight each candidate received per voter's tier
(a SUM over schema.approvals: one row per candidate a counted approval ballot approves), and the winners as the
registry's CandidateElected events name them (the seating rule, reserved seats and the tie key, is the
registry's: never worked out here).

An election's status is the registry's status(): the latest of its seating, vacating or cancellation, else
nominating until `nominations_end` and balloting from then, by the index's clock (the newest indexed block's
time, the time the registry's view answers at that block). `index --verify` compares all of it with the chain:
the statuses, the candidate lists, the winners and every tally against the governor's proposalApprovals.

Only the deployment's registry's elections are shown: a proposal naming another contract as its registry is an
election ballot to the governor (it counts its approvals) but names no election here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select

from orchestrator.errors import InputError
from orchestrator.labels import tier_label
from orchestrator.observers.indexer.schema import (
    approval_ballots,
    approvals,
    bodies,
    candidates,
    election_ballots,
    election_changes,
    elections,
    proposal_states,
    proposals,
)
from orchestrator.observers.observatory import UNKNOWN, Observatory, Page


@dataclass
class Candidate:
    index: int  # its bit in an approval ballot
    member_id: int
    member: str
    tier: str  # its tier when it nominated itself
    tier_id: int
    withdrawn: bool
    by_tier: dict[str, int] = field(default_factory=dict)  # approval weight per voters' tier (every voting tier)
    approvals: int = 0  # the sum: what the registry compares
    elected: bool = False
    reserved_seat: bool = False  # elected to a seat reserved for its tier

    def to_json(self) -> dict:
        return {"candidate": self.index, "member_id": self.member_id, "member": self.member, "tier": self.tier,
                "tier_id": self.tier_id, "withdrawn": self.withdrawn, "approvals": self.approvals,
                "approvals_by_tier": self.by_tier, "elected": self.elected, "reserved_seat": self.reserved_seat}


@dataclass
class Election:
    id: int
    title: str
    status: str
    body: str
    body_name: str | None
    seats: int
    reserved: list[dict]  # {tier, tier_id, seats}
    nominations_end: int
    term_end: int
    opened_at: int
    opened_tx: str
    round: int
    rounds: list[dict] = field(default_factory=list)  # {round, proposal_id, proposed, state}, oldest first
    ballot: str | None = None  # the proposal whose tallies count: the seated one, else the current round's
    candidates: list[Candidate] = field(default_factory=list)
    voter_tiers: list[str] = field(default_factory=list)  # the voting tiers at the ballot's snapshot, by id
    winners: list[dict] = field(default_factory=list)  # {member_id, member, approvals, reserved_seat}, seating order
    vacated: list[dict] = field(default_factory=list)  # seats vacated after the term: {member_id, member}
    seated_at: int | None = None

    @property
    def unfilled(self) -> int | None:
        """Seats nobody could fill, once seated (None before)."""
        return None if self.seated_at is None else self.seats - len(self.winners)

    def summary(self) -> dict:
        return {"id": self.id, "title": self.title, "status": self.status, "body": self.body,
                "body_name": self.body_name, "seats": self.seats, "reserved": self.reserved,
                "nominations_end": self.nominations_end, "term_end": self.term_end, "opened_at": self.opened_at,
                "round": self.round, "ballot": self.ballot,
                "candidates": sum(not c.withdrawn for c in self.candidates), "elected": len(self.winners)}

    def to_json(self) -> dict:
        return {**self.summary(), "opened_tx": self.opened_tx, "rounds": self.rounds,
                "candidates": [c.to_json() for c in self.candidates], "voter_tiers": self.voter_tiers,
                "winners": self.winners, "unfilled": self.unfilled, "vacated": self.vacated,
                "seated_at": self.seated_at}


def recorded(obs: Observatory) -> bool:
    """Whether the index has the elections' tables (an index made before them has none until `index` runs)."""
    return elections.name in inspect(obs.engine).get_table_names()


def reserved_text(e: Election) -> str:
    """"2 seats, 1 reserved for regular" as every observer form says it."""
    text = f"{e.seats} seat{'s' if e.seats != 1 else ''}"
    return text + "".join(f", {r['seats']} reserved for {r['tier']}" for r in e.reserved)


def elected_text(c: Candidate) -> str:
    return ("elected (reserved seat)" if c.reserved_seat else "elected") if c.elected else \
        ("withdrawn" if c.withdrawn else "")


def election_id(text: str) -> int:
    """An election id as a page or a command gives it."""
    text = text.strip()
    if not text.isdecimal() or len(text) > 9:
        raise InputError(f"election id {text!r} is not a whole number")
    return int(text)


def ids(obs: Observatory) -> list[int]:
    if not recorded(obs):
        return []
    with obs.engine.connect() as db:
        return list(db.execute(select(elections.c.election_id).order_by(elections.c.election_id)).scalars())


def page(obs: Observatory, page_: int, per_page: int) -> Page:
    """Elections, newest first, without their tallies."""
    found = ids(obs)[::-1]
    chosen = found[(page_ - 1) * per_page:page_ * per_page]
    return Page([get(obs, i, tallies=False) for i in chosen], len(found), page_, per_page)


def of_proposal(obs: Observatory, proposal_id: str) -> int | None:
    """The election whose ballot proposal `proposal_id` is (of the deployment's registry), or None."""
    if not recorded(obs):
        return None
    with obs.engine.connect() as db:
        ballot = db.execute(select(election_ballots).where(election_ballots.c.proposal_id == proposal_id)).first()
        if ballot is None or not ballot.election_id.isdecimal() or len(ballot.election_id) > 9:
            return None
        opened = db.execute(select(elections.c.registry)
                            .where(elections.c.election_id == int(ballot.election_id))).scalar()
    return int(ballot.election_id) if opened == ballot.registry else None


def get(obs: Observatory, wanted: int, tallies: bool = True) -> Election:
    """Election `wanted` as the index holds it; with `tallies`, each candidate's approvals per voters' tier on
    its ballot."""
    if not recorded(obs):
        raise InputError(f"no election {wanted} in the index")
    obs.identities  # noqa: B018  (names on their own connection first: see Observatory.proposal)
    with obs.engine.connect() as db:
        row = db.execute(select(elections).where(elections.c.election_id == wanted)).first()
        if row is None:
            raise InputError(f"no election {wanted} in the index")
        names = obs._tier_names(db, obs.now)
        changes = db.execute(select(election_changes).where(election_changes.c.election_id == wanted)
                             .order_by(election_changes.c.block_number, election_changes.c.log_index)).all()
        listed = db.execute(select(candidates).where(candidates.c.election_id == wanted)
                            .order_by(candidates.c.block_number, candidates.c.log_index)).all()
        proposed = db.execute(select(election_ballots.c.proposal_id).where(
            election_ballots.c.registry == row.registry, election_ballots.c.election_id == str(wanted))
            .order_by(election_ballots.c.block_number, election_ballots.c.log_index)).scalars().all()
        body_name = db.execute(select(bodies.c.name).where(bodies.c.address == row.body)).scalar()
        states = {r.proposal_id: r.state for r in db.execute(
            select(proposal_states.c.proposal_id, proposal_states.c.state)
            .where(proposal_states.c.proposal_id.in_(proposed)).order_by(proposal_states.c.block_number))} \
            if obs.states_recorded else {}
    e = Election(row.election_id, row.title, _status(row, changes, obs.now), row.body, body_name, row.seats,
                 [{"tier": tier_label(t, names), "tier_id": t, "seats": n} for t, n in json.loads(row.reserved)],
                 row.nominations_end, row.term_end, row.timestamp, row.tx_hash, 1)
    _rounds(e, changes, proposed, states)
    by_index: dict[int, Candidate] = {}
    for c in listed:
        if c.change == "nominated":
            by_index[c.candidate] = Candidate(c.candidate, c.member_id, obs.label(c.member_id),
                                              tier_label(c.tier, names), c.tier, False)
        elif c.candidate in by_index:
            by_index[c.candidate].withdrawn = True
    e.candidates = [by_index[i] for i in sorted(by_index)]
    for c in changes:
        if c.change == "elected":
            e.winners.append({"member_id": c.member_id, "member": obs.label(c.member_id),
                              "approvals": int(c.approvals), "reserved_seat": bool(c.reserved_seat)})
            if (found := next((x for x in e.candidates if x.member_id == c.member_id), None)) is not None:
                found.elected, found.reserved_seat = True, bool(c.reserved_seat)
        elif c.change == "seat vacated":
            e.vacated.append({"member_id": c.member_id, "member": obs.label(c.member_id)})
        elif c.change == "seated":
            e.seated_at = c.timestamp
    if tallies and e.ballot is not None:
        tally(obs, e)
    return e


def _status(row, changes, now: int | None) -> str:
    """The registry's status(): its latest seating, vacating or cancellation, else by the clock."""
    final = [c.change for c in changes if c.change in ("seated", "vacated", "cancelled")]
    if final:
        return final[-1]
    return "nominating" if now is None or now < row.nominations_end else "balloting"


def _rounds(e: Election, changes, proposed: list[str], states: dict[str, str]) -> None:
    """The ballot rounds: round 1's proposal once made, each later round's from its BallotRoundStarted (known
    before anyone makes it); the ballot that counts is the seated one, else the current round's once made."""
    started = {c.proposal_id: c.round for c in changes if c.change == "round"}
    rounds = {1: None} | {r: pid for pid, r in started.items()}
    for pid in proposed:
        if pid not in started:
            rounds[1] = pid
    e.round = max(rounds)
    e.rounds = [{"round": r, "proposal_id": pid, "proposed": pid in proposed,
                 "state": states.get(pid, UNKNOWN) if pid in proposed else None}
                for r, pid in sorted(rounds.items()) if pid is not None]
    seated = next((c.proposal_id for c in changes if c.change == "seated"), None)
    current = rounds[e.round]
    e.ballot = seated or (current if current in proposed else None)


def tally(obs: Observatory, e: Election) -> None:
    """Each candidate's approval weight per voters' tier (every tier that could vote at the snapshot) on
    `e.ballot`, and its sum."""
    a = approvals.c
    with obs.engine.connect() as db:
        snapshot = db.execute(select(proposals.c.snapshot).where(proposals.c.proposal_id == e.ballot)).scalar()
        names = obs._tier_names(db, snapshot)
        sums = db.execute(select(a.candidate, a.tier, func.sum(a.weight)).where(a.proposal_id == e.ballot)
                          .group_by(a.candidate, a.tier)).all()
        voting = obs._tiers(db, snapshot)
    e.voter_tiers = [tier_label(t, names) for t in sorted(voting)]
    for c in e.candidates:
        c.by_tier, c.approvals = dict.fromkeys(e.voter_tiers, 0), 0
    by_index = {c.index: c for c in e.candidates}
    for candidate, tier, weight in sums:
        c = by_index.get(candidate)
        if c is not None:
            name = tier_label(tier, names)
            c.by_tier[name] = c.by_tier.get(name, 0) + int(weight)
            c.approvals += int(weight)


def heading(e: Election) -> str:
    """"election 1 Council 2027: seated; 3 seats, 1 reserved for regular; round 1" as every form says it."""
    return f"election {e.id} {e.title}: {e.status}; {reserved_text(e)}; round {e.round}"


def tally_text(e: Election) -> list[str]:
    """The election's table of approvals per candidate and voters' tier, with who was elected (the registry's
    word), the unfilled and the vacated seats, as `results` and the text report print it."""
    lines = [heading(e)]
    width = max([len(c.member) for c in e.candidates] + [len("candidate")])
    tier_width = max([len(c.tier) for c in e.candidates] + [len("tier")])
    lines.append(f"{'candidate':{width}} {'tier':{tier_width}} " + " ".join(f"{t:>10}" for t in e.voter_tiers)
                 + f" {'total':>10}")
    for c in e.candidates:
        lines.append((f"{c.member:{width}} {c.tier:{tier_width}} " + " ".join(f"{w:>10}" for w in c.by_tier.values())
                      + f" {c.approvals:>10}  {elected_text(c)}").rstrip())
    if e.unfilled is not None:
        lines.append(f"elected {len(e.winners)}, unfilled seats {e.unfilled}")
    if e.vacated:
        lines.append("vacated after the term: " + ", ".join(v["member"] for v in e.vacated))
    return lines


def tally_rows(obs: Observatory, proposal_id: str) -> dict[tuple[int, int], int]:
    """The indexed approval weight of ballot `proposal_id` per (candidate, voters' tier id): what `index
    --verify` compares with the governor's proposalApprovals."""
    a = approvals.c
    with obs.engine.connect() as db:
        return {(c, t): int(w) for c, t, w in db.execute(
            select(a.candidate, a.tier, func.sum(a.weight)).where(a.proposal_id == proposal_id)
            .group_by(a.candidate, a.tier))}


def approved(obs: Observatory, proposal_id: str) -> dict[int, list[int]]:
    """Per member who cast an approval ballot on `proposal_id`, the member ids of the candidates it approved
    (in list order)."""
    wanted = of_proposal(obs, proposal_id)
    with obs.engine.connect() as db:
        listed = {} if wanted is None else {r.candidate: r.member_id for r in db.execute(
            select(candidates.c.candidate, candidates.c.member_id).where(candidates.c.election_id == wanted))}
        rows = db.execute(select(approval_ballots.c.member_id, approval_ballots.c.approvals)
                          .where(approval_ballots.c.proposal_id == proposal_id)).all()
    return {member_id: [listed[c] for c in sorted(listed) if int(bitmap) >> c & 1] for member_id, bitmap in rows}


def participation(obs: Observatory, member_id: int) -> list[dict]:
    """The member's participation (Observatory.participation), each approval ballot with the candidates it
    approved (`approved`: their labels)."""
    history = obs.participation(member_id)
    if not recorded(obs):
        return history
    with obs.engine.connect() as db:
        cast = set(db.execute(select(approval_ballots.c.proposal_id)
                              .where(approval_ballots.c.member_id == member_id)).scalars())
    for entry in history:
        if entry["proposal_id"] in cast:
            chosen = approved(obs, entry["proposal_id"]).get(member_id, [])
            entry["approved"] = ", ".join(obs.label(m) for m in chosen) or "nobody"
    return history
