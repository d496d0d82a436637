"""The relayer's intake: concurrent receive() calls checked against the chain and stored together.

Under load (`relay serve` answers each POST on a thread of its own) a ballot alone costs two round trips
to the node and a database commit, mostly interpreter time that the threads queue for. Here the first
caller leads: it takes every ballot queued so far (at most GROUP), has the relayer check and store them as
one group (two round trips to the node, one transaction), hands each caller its own outcome, and passes
the lead to the oldest caller still waiting, if any. Nothing waits on a timer: a ballot that arrives alone
is handled at once, and a group is only as large as what arrived while the previous one was handled.
Each caller gets exactly what it would have got alone; one ballot's refusal or error is its own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

GROUP = 256  # ballots handled together at most: a bound on one transaction and one JSON-RPC batch


class _Waiting:
    __slots__ = ("item", "outcome", "woken")

    def __init__(self, item: Any):
        self.item = item
        self.outcome: Any = None  # set once handled: the result, or the exception to raise
        self.woken = threading.Event()  # set when handled, or when it is this caller's turn to lead


class Intake:
    def __init__(self, handle_group: Callable[[list], list]):
        """`handle_group(items)` returns one outcome per item, in order: a result or an exception."""
        self._handle_group = handle_group
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._leading = False

    def receive(self, item: Any) -> Any:
        waiting = _Waiting(item)
        with self._lock:
            self._queue.append(waiting)
            lead = not self._leading
            self._leading = True
        if not lead:
            waiting.woken.wait()
        if waiting.outcome is None:  # not handled yet: its turn to lead
            self._lead()
        if isinstance(waiting.outcome, BaseException):
            raise waiting.outcome
        return waiting.outcome

    def _lead(self) -> None:
        with self._lock:
            group, self._queue = self._queue[:GROUP], self._queue[GROUP:]
        outcomes: list = [RuntimeError("the relayer stopped while handling this ballot")] * len(group)
        try:
            outcomes = self._handle_group([w.item for w in group])
        except Exception as exc:  # noqa: BLE001 -- the group's shared failure (the node down): each caller raises it
            outcomes = [exc] * len(group)
        finally:  # whatever happened, every caller of the group is answered and the lead passed on
            for w, outcome in zip(group, outcomes, strict=True):
                w.outcome = outcome
            with self._lock:
                successor = self._queue[0] if self._queue else None
                self._leading = successor is not None
            for w in group:
                w.woken.set()
            if successor is not None:
                successor.woken.set()
