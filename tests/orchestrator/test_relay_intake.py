"""The relayer's intake groups concurrent ballots without changing any caller's answer, and its store keeps a
group's ballots to the same rules as ballots stored one at a time."""

import threading
import time

import pytest
from sqlalchemy import false

from orchestrator.errors import InputError
from orchestrator.relay import store as store_module
from orchestrator.relay.intake import Intake
from orchestrator.relay.store import AlreadyHeld, RelayStore

GOVERNOR = "0x" + "11" * 20


def run_concurrently(intake: Intake, items: list) -> dict:
    """Each item received on a thread of its own, all started together; item -> result or exception."""
    answers: dict = {}
    start = threading.Barrier(len(items))

    def call(item):
        start.wait()
        try:
            answers[item] = intake.receive(item)
        except Exception as exc:  # noqa: BLE001 -- what the caller would see
            answers[item] = exc

    threads = [threading.Thread(target=call, args=(item,), daemon=True) for item in items]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a caller was never answered"
    return answers


def test_concurrent_callers_are_handled_in_groups_and_each_gets_its_own_answer():
    groups = []

    def handle(items):
        groups.append(list(items))
        time.sleep(0.05)  # while a group is handled, the others queue
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]

    answers = run_concurrently(Intake(handle), list(range(64)))
    assert sorted(i for group in groups for i in group) == list(range(64))  # each handled exactly once
    assert max(len(group) for group in groups) > 1 and len(groups) < 64
    for i in range(64):
        if i % 2:
            assert isinstance(answers[i], ValueError) and str(answers[i]) == f"odd {i}"
        else:
            assert answers[i] == i * 10


def test_a_lone_ballot_is_handled_at_once_on_its_own():
    groups = []
    intake = Intake(lambda items: groups.append(items) or [item + 1 for item in items])
    assert intake.receive(1) == 2
    assert intake.receive(5) == 6
    assert groups == [[1], [5]]


def test_a_failure_of_the_whole_group_reaches_each_of_its_callers_and_the_intake_goes_on():
    calls = []

    def handle(items):
        calls.append(items)
        if len(calls) == 1:
            raise ConnectionError("the node is down")
        return list(items)

    intake = Intake(handle)
    with pytest.raises(ConnectionError, match="the node is down"):
        intake.receive("first")
    assert intake.receive("second") == "second"
    answers = run_concurrently(intake, [f"b{i}" for i in range(16)])
    assert answers == {f"b{i}": f"b{i}" for i in range(16)}


@pytest.fixture
def store(tmp_path):
    return RelayStore(f"sqlite:///{tmp_path}/relay.db", 31337, GOVERNOR)


def entry(voter: int, member: int, pid: int = 7):
    return (pid, "0x" + f"{voter:040x}", member, 1, "", b"\x01" * 65, "ecdsa")


def test_a_group_keeps_one_ballot_per_member_as_ballots_stored_one_by_one(store):
    first, same_member, other, other_proposal = store.accept_many([entry(1, 1), entry(2, 1), entry(3, 3),
                                                                   entry(5, 1, pid=8)])
    assert (first.voter, first.member_id, first.status) == (entry(1, 1)[1], 1, "accepted")
    assert isinstance(same_member, AlreadyHeld)
    assert str(same_member) == f"the relayer already holds a ballot of member 1 on this proposal (from {first.voter})"
    for kept in (first, other, other_proposal):  # the ids returned are the rows stored, in order
        assert store.get(kept.id) == kept
    with pytest.raises(AlreadyHeld, match="member 3 on this proposal"):  # later, one at a time: the same rules
        store.accept(*entry(9, 3))


def test_a_group_keeps_one_ballot_per_voter(store):
    first, same_voter = store.accept_many([entry(3, 3), entry(3, 4)])
    assert isinstance(same_voter, InputError) and not isinstance(same_voter, AlreadyHeld)
    assert str(same_voter) == f"the relayer already holds a ballot of {first.voter} on this proposal"
    assert store.get(first.id) == first


def test_a_ballot_stored_meanwhile_by_another_process_costs_only_its_own_voter(store, monkeypatch):
    """The unique voter constraint catches what the group's read could not see (another relayer process wrote
    it since): the group is tried again ballot by ballot, and only the colliding one is refused."""
    store.accept(*entry(1, 1))
    real_select, blinded = store_module.select, []

    def select_once_blind(*columns):  # the group's first read misses the ballot, as if it were not yet written
        query = real_select(*columns)
        if not blinded:
            blinded.append(True)
            return query.where(false())
        return query

    monkeypatch.setattr(store_module, "select", select_once_blind)
    collided, fresh = store.accept_many([entry(1, 7), entry(2, 2)])
    assert str(collided) == f"the relayer already holds a ballot of {entry(1, 7)[1]} on this proposal"
    assert store.get(fresh.id) == fresh


def test_a_ballot_rejected_before_it_was_sent_is_replaced_within_a_group(store):
    first = store.accept(*entry(1, 1))
    store.reject([first.id], "not submitted: proposal 7 is Defeated")
    replaced, new = store.accept_many([entry(1, 1), entry(2, 2)])
    assert replaced.id == first.id and store.get(first.id).status == "accepted"
    assert store.get(new.id).voter == entry(2, 2)[1]
