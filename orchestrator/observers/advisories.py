"""Industry advisories as observers read them, from the index alone: the feed an exchange polls (filtered and
paged in SQL), one advisory with its whole history, and the filters' rules.

An advisory's row is what was filed; its current state is worked out in SQL from its changes (derived rows
are never updated): its status is its latest status change's (pending until the first), its severity,
revision and evidence its latest update's (as filed until the first), `decided_at` the time it was published
or dismissed, `updated_at` the time of its latest revision, `last_block`/`last_at` its latest activity of any
kind (filing, status change, revision, reply) and `reply_count` its replies. The statuses, kinds and
severities are the contract's enums (derived.advisory_words), in their order, so a "minimum severity" is the
contract's order too."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, case, func, or_, select
from web3 import Web3

from orchestrator.errors import InputError
from orchestrator.observers.indexer.derived import advisory_words, subject_key
from orchestrator.observers.indexer.schema import MAX_ID, advisories, advisory_changes, bodies, events
from orchestrator.observers.observatory import Observatory, Page

# The feed's filters (query parameters), in the order the API's documentation lists them.
FILTERS = ("status", "kind", "severity", "min_severity", "subject", "subject_account", "filer", "since")
# The fields of each entry of an advisory's history (the API's /api/advisories/ID), in order.
HISTORY_FIELDS = ("change", "time", "block", "tx", "by", "by_name", "old_status", "status", "revision",
                  "old_severity", "severity", "evidence_uri", "evidence_hash", "text")


def statuses() -> tuple[str, ...]:
    """Every status an advisory can be in ("none" is the contract's word for no advisory at all)."""
    return advisory_words("Status")[1:]


def _words(name: str, text: str, allowed: tuple[str, ...], many: bool) -> tuple[str, ...]:
    """Names from a filter: any case; a space may be written - or _ ("sanctions-exposure"); several
    comma-separated where `many`."""
    found = []
    for part in text.split(",") if many else [text]:
        word = re.sub(r"[-_ ]+", " ", part.strip().lower())
        if word not in allowed:
            several = " (comma-separated)" if many else ""
            raise InputError(f"{name} must be one of {', '.join(allowed)}{several}, not {part.strip()!r}")
        found.append(word)
    return tuple(dict.fromkeys(found))


def _since(text: str) -> tuple[int | None, int | None]:
    """(block, None) for a whole number, (None, unix time) for an ISO 8601 date or time (UTC unless it says)."""
    text = text.strip()
    if re.fullmatch(r"\d{1,12}", text):
        return int(text), None
    try:
        moment = datetime.fromisoformat(text) if re.fullmatch(r"\d{4}-\d\d-\d\d([T ][0-9:.]+(Z|[+-]\d\d:?\d\d)?)?",
                                                              text) else None
    except ValueError:
        moment = None
    if moment is None:
        raise InputError(f"since must be a block number or an ISO 8601 date or time (2026-12-01, "
                         f"2026-12-01T06:00:00Z), not {text!r}")
    return None, int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


@dataclass(frozen=True)
class AdvisoryFilter:
    """Which advisories a feed request asks for; a field None does not filter (an empty tuple matches none)."""

    statuses: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    severities: tuple[str, ...] | None = None  # `severity` and `min_severity` combined
    subject: str | None = None
    subject_account: str | None = None
    filer: int | None = None
    since_block: int | None = None  # activity in blocks after this one
    since_time: int | None = None  # activity at or after this time

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> AdvisoryFilter:
        """The filter from query parameters (names as FILTERS); a bad value is an InputError naming the valid
        ones. Parameters not among FILTERS are left to the caller (paging)."""
        found: dict = {}
        if "status" in query:
            found["statuses"] = _words("status", query["status"], statuses(), True)
        if "kind" in query:
            found["kinds"] = _words("kind", query["kind"], advisory_words("Kind"), True)
        severities = advisory_words("Severity")
        wanted = set(severities)
        if "severity" in query:
            wanted &= set(_words("severity", query["severity"], severities, True))
        if "min_severity" in query:
            (least,) = _words("min_severity", query["min_severity"], severities, False)
            wanted &= set(severities[severities.index(least):])
        if "severity" in query or "min_severity" in query:
            found["severities"] = tuple(s for s in severities if s in wanted)
        if "subject" in query:
            if not query["subject"]:
                raise InputError("subject must not be empty (it is matched exactly)")
            found["subject"] = query["subject"]
        if "subject_account" in query:
            account = query["subject_account"].strip()
            if not re.fullmatch(r"0x[0-9a-fA-F]{40}", account):
                raise InputError(f"subject_account must be an address (0x and 40 hex digits), not {account!r}")
            found["subject_account"] = Web3.to_checksum_address(account)
        if "filer" in query:
            if not re.fullmatch(r"\d{1,9}", query["filer"].strip()):
                raise InputError(f"filer must be a member id (a whole number), not {query['filer']!r}")
            found["filer"] = int(query["filer"])
        if "since" in query:
            found["since_block"], found["since_time"] = _since(query["since"])
        return cls(**found)


def _latest(where, within, *columns):
    """Per advisory (of those `within` selects, if given), the given columns of its latest change that `where`
    selects (one row each)."""
    c = advisory_changes.c
    ranked = select(c.advisory_id, *columns, func.row_number().over(
        partition_by=c.advisory_id, order_by=(c.block_number.desc(), c.log_index.desc())).label("n")).where(where)
    if within is not None:
        ranked = ranked.where(c.advisory_id.in_(within))
    ranked = ranked.subquery()
    return select(*[col for col in ranked.c if col.name != "n"]).where(ranked.c.n == 1).subquery()


def _current(within=None):
    """The advisories (those whose ids `within` selects, a SELECT or a list; every one when None) with their
    current state, as one SELECT (columns named as the feed's fields). Narrowed, every part of it reads only
    those advisories' changes: a lookup by subject or id does not work out the state of all of them."""
    c, a = advisory_changes.c, advisories.c
    status = _latest(c.change == "status", within, c.status)
    decided = _latest(and_(c.change == "status", c.status.in_(("published", "dismissed"))), within, c.timestamp)
    revised = _latest(c.change == "updated", within, c.revision, c.severity, c.uri, c.content_hash, c.timestamp)
    activity = select(c.advisory_id, func.max(c.block_number).label("block"), func.max(c.timestamp).label("time"),
                      func.sum(case((c.change == "replied", 1), else_=0)).label("replies")).group_by(c.advisory_id)
    if within is not None:
        activity = activity.where(c.advisory_id.in_(within))
    activity = activity.subquery()
    query = (select(a.advisory_id.label("id"), func.coalesce(status.c.status, "pending").label("status"), a.kind,
                    func.coalesce(revised.c.severity, a.severity).label("severity"),
                    func.coalesce(revised.c.revision, 0).label("revision"), a.subject, a.subject_account,
                    a.subject_hash, a.summary, func.coalesce(revised.c.uri, a.evidence_uri).label("evidence_uri"),
                    func.coalesce(revised.c.content_hash, a.evidence_hash).label("evidence_hash"),
                    a.filer, a.timestamp.label("filed_at"), a.block_number.label("filed_block"),
                    a.tx_hash.label("filed_tx"), decided.c.timestamp.label("decided_at"),
                    revised.c.timestamp.label("updated_at"),
                    func.coalesce(activity.c.block, a.block_number).label("last_block"),
                    func.coalesce(activity.c.time, a.timestamp).label("last_at"),
                    func.coalesce(activity.c.replies, 0).label("reply_count"))
             .select_from(advisories)
             .join(status, status.c.advisory_id == a.advisory_id, isouter=True)
             .join(decided, decided.c.advisory_id == a.advisory_id, isouter=True)
             .join(revised, revised.c.advisory_id == a.advisory_id, isouter=True)
             .join(activity, activity.c.advisory_id == a.advisory_id, isouter=True))
    if within is not None:
        query = query.where(a.advisory_id.in_(within))
    return query.subquery()


def _filed(f: AdvisoryFilter):
    """The ids of the advisories `f`'s conditions on the filing itself select (kind, subject, subject's account,
    filer; each on an index), or None when it has none of them."""
    a = advisories.c
    conditions = []
    if f.kinds is not None:
        conditions.append(a.kind.in_(f.kinds))
    if f.subject is not None:
        conditions.append(a.subject_key == subject_key(f.subject))
    if f.subject_account is not None:
        conditions.append(a.subject_account == f.subject_account)
    if f.filer is not None:
        conditions.append(a.filer == f.filer)
    return select(a.advisory_id).where(*conditions) if conditions else None


def _state(current, f: AdvisoryFilter) -> list:
    """`f`'s conditions on the advisories' current state."""
    c = current.c
    conditions = []
    if f.statuses is not None:
        conditions.append(c.status.in_(f.statuses))
    if f.severities is not None:
        conditions.append(c.severity.in_(f.severities))
    if f.since_block is not None:
        conditions.append(c.last_block > f.since_block)
    if f.since_time is not None:
        conditions.append(c.last_at >= f.since_time)
    return conditions


class Advisories:
    """The advisories in an index (an Observatory's)."""

    def __init__(self, obs: Observatory):
        self.obs = obs

    def _item(self, row) -> dict:
        item = dict(row._mapping)
        item["filer_name"] = self.obs.label(item["filer"])
        return item

    def page(self, f: AdvisoryFilter, page: int, per_page: int) -> Page:
        """The advisories `f` selects, newest filed first, one page of them with their total: the ids that match
        (their filing's conditions first, on indexes), then the page's advisories alone with their state."""
        self.obs.identities  # noqa: B018  (on its own connection first: see Observatory.proposal)
        current, filed = _current(_filed(f)), _filed(f)
        state = _state(current, f)
        # Without a condition on the state, the ids are the filings' alone: no advisory's state is worked out.
        matching = select(current.c.id).where(*state).order_by(current.c.id.desc()) if state else \
            (filed if filed is not None else select(advisories.c.advisory_id)).order_by(advisories.c.advisory_id.desc())
        with self.obs.engine.connect() as db:
            ids = list(db.execute(matching).scalars())
            shown = ids[(page - 1) * per_page:page * per_page]
            rows = db.execute(select(chosen := _current(shown)).order_by(chosen.c.id.desc())).all() if shown else []
        return Page([self._item(r) for r in rows], len(ids), page, per_page)

    def all(self, f: AdvisoryFilter) -> list[dict]:
        """Every advisory `f` selects, newest filed first (the CSV)."""
        self.obs.identities  # noqa: B018
        current = _current(_filed(f))
        with self.obs.engine.connect() as db:
            rows = db.execute(select(current).where(*_state(current, f)).order_by(current.c.id.desc())).all()
        return [self._item(r) for r in rows]

    def count(self) -> int:
        with self.obs.engine.connect() as db:
            return db.execute(select(func.count()).select_from(advisories)).scalar()

    def one(self, advisory_id: int) -> dict:
        """One advisory's current state, its history (filed, then every change in chain order, each with its
        transaction) and its replies. A LookupError when the index holds no such advisory."""
        if not 0 <= advisory_id <= MAX_ID:  # a proposal's call may name any uint256
            raise LookupError(f"no advisory {advisory_id} in the index")
        self.obs.identities  # noqa: B018
        current = _current([advisory_id])
        with self.obs.engine.connect() as db:
            row = db.execute(select(current)).first()
            if row is None:
                raise LookupError(f"no advisory {advisory_id} in the index")
            filed = db.execute(select(advisories).where(advisories.c.advisory_id == advisory_id)).one()
            changes = db.execute(select(advisory_changes).where(advisory_changes.c.advisory_id == advisory_id)
                                 .order_by(advisory_changes.c.block_number, advisory_changes.c.log_index)).all()
            body_names = dict(db.execute(select(bodies.c.address, bodies.c.name)).all())
            timelock = db.execute(select(events.c.address).where(events.c.contract == "TimelockController")
                                  .limit(1)).scalar()
        item = self._item(row)
        # Every entry has the same fields (None where they do not apply), so the API's shape is one.
        blank = dict.fromkeys(HISTORY_FIELDS)
        history = [{**blank, "change": "filed", "time": filed.timestamp, "block": filed.block_number,
                    "tx": filed.tx_hash, "by_name": self.obs.label(filed.filer), "status": "pending",
                    "severity": filed.severity, "evidence_uri": filed.evidence_uri,
                    "evidence_hash": filed.evidence_hash, "text": ""}]
        replies = []
        for c in changes:
            entry = {"time": c.timestamp, "block": c.block_number, "tx": c.tx_hash}
            if c.change == "replied":
                replies.append({"index": c.reply_index, "by_subject": bool(c.by_subject), "uri": c.uri,
                                "content_hash": c.content_hash, **entry})
            elif c.change == "status":
                history.append({**blank, **entry, "change": c.status, "status": c.status,
                                "old_status": c.old_status, "by": c.by_account,
                                "by_name": self._actor(c.by_account, body_names, timelock), "text": c.text})
            else:
                history.append({**blank, **entry, "change": "updated", "revision": c.revision,
                                "old_severity": c.old_severity, "severity": c.severity, "evidence_uri": c.uri,
                                "evidence_hash": c.content_hash, "text": c.text})
        return {**item, "history": history, "replies": replies}

    def _actor(self, address: str, body_names: dict[str, str], timelock: str | None) -> str:
        """Who changed an advisory's status, in words: a body by its name, governance, or a member's seat."""
        if address in body_names:
            return f"the body {body_names[address]}"
        if address == timelock:
            return "governance (the timelock)"
        seat = self.obs.seat_holder(address)
        if seat is not None:
            return self.obs.label(seat[0]) if seat[1] else f"a former seat of {self.obs.label(seat[0])}"
        return address

    def filed_by(self, member_id: int, cap: int) -> tuple[list[dict], int]:
        """The newest `cap` advisories a member filed, and how many it filed in all (its page)."""
        found = self.page(AdvisoryFilter(filer=member_id), 1, cap)
        return found.items, found.total


def in_period(obs: Observatory, start: int, end: int) -> list[dict]:
    """What happened to advisories between two times, in chain order: each one published, revised, retracted
    or dismissed then (filings and withdrawals are not news until a confirmer decides), with the advisory's
    subject, kind and its severity as filed."""
    c, a = advisory_changes.c, advisories.c
    with obs.engine.connect() as db:
        rows = db.execute(select(c.timestamp, c.advisory_id, c.change, c.status, c.severity, c.text, a.kind,
                                 a.subject, a.severity.label("filed_severity"))
                          .join(advisories, a.advisory_id == c.advisory_id)
                          .where(c.timestamp >= start, c.timestamp <= end,
                                 or_(c.change == "updated",
                                     and_(c.change == "status",
                                          c.status.in_(("published", "retracted", "dismissed")))))
                          .order_by(c.block_number, c.log_index)).all()
    return [{"time": r.timestamp, "advisory_id": r.advisory_id, "what": r.status if r.change == "status" else
             "revised", "kind": r.kind, "severity": r.severity or r.filed_severity, "subject": r.subject,
             "text": r.text} for r in rows]
