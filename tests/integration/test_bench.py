"""The benchmark's code stays runnable: both stacks on a small scale, and the report renders from the
committed results (the benchmark itself is `make bench`, not part of the tests)."""

import json
from pathlib import Path

import pytest

from bench import ours, reference, report
from bench.common import BenchError

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results.json"


def test_both_stacks_measure_a_vote_and_a_batch(w3):
    suite = ours.Suite(w3, 20)
    pid, _, _ = suite.propose()
    suite.vote(pid, 1)  # the first vote on a proposal also pays its one-off first writes
    assert 40_000 < suite.vote(pid, 2) < 110_000  # may pay the late-quorum bookkeeping
    assert suite.batch(pid, range(3, 13)) > 0
    stack = reference.ReferenceStack(w3, 20)
    ref_pid, _, _ = stack.propose()
    stack.vote(ref_pid, 1)
    assert 50_000 < stack.vote(ref_pid, 2) < 90_000
    assert stack.batch(ref_pid, range(3, 7)) > 0


def test_a_batch_that_counts_less_than_it_carries_is_no_measurement(w3):
    """Signed for another domain, a batch counts nothing and costs less: the benchmark refuses its figure."""
    suite = ours.Suite(w3, 20)
    pid, _, _ = suite.propose()
    suite.domain = {**suite.domain, "chainId": suite.domain["chainId"] + 1}
    with pytest.raises(BenchError, match="the batch counted 0 of its 5 ballots"):
        suite.batch(pid, range(3, 8))


def test_the_new_gas_measurements_run_on_a_small_scale(w3):
    """Issue 15's measurements on 20 to 60 members: each batch they time is checked by all_counted or
    all_rejected, so these running at all means every batch counted (or refused) all its ballots."""
    suite = ours.Suite(w3, 60)
    reasons = ours.full_layout_reasons(suite, 10)
    assert list(reasons) == ["0", "32", "140"] and reasons["0"] < reasons["32"] < reasons["140"]
    refused = ours.rejected(suite, 10)
    assert 0 < refused["already_voted"] < 20_000 and 0 < refused["bad_signature"] < 20_000
    wallets = ours.wallet_ballots(w3, 5)
    assert wallets["wallet_per_ballot"] > wallets["account_per_ballot"] > 0
    assert ours.largest_batch(w3, (20, 10))["size"] == 20
    turnout = ours.turnout(w3, members=20, share=0.3, seed=1, batch=4)
    assert (turnout["voters"], turnout["batch"]) == (6, 4)
    assert turnout["relayer_policy"] > 0 and turnout["hold_and_sort"] > 0


def test_a_batch_that_refuses_less_than_it_carries_is_no_measurement_of_refusals(w3):
    """Fresh ballots sent as if already voted are counted, not refused, and ballots refused for another reason
    (a bad signature) are no measure of already-voted ones: the benchmark refuses both figures."""
    suite = ours.Suite(w3, 20)
    pid, _, _ = suite.propose()
    with pytest.raises(BenchError, match="the batch refused 0 of its 5 ballots as AlreadyVoted"):
        suite.send(pid, [suite.ballot(pid, i) for i in range(3, 8)], refused="AlreadyVoted")
    suite.domain = {**suite.domain, "chainId": suite.domain["chainId"] + 1}
    with pytest.raises(BenchError, match="the batch refused 0 of its 5 ballots as AlreadyVoted"):
        suite.send(pid, [suite.ballot(pid, i) for i in range(8, 13)], refused="AlreadyVoted")
    assert suite.send(pid, [suite.ballot(pid, i) for i in range(8, 13)], refused="InvalidSignature") > 0


def test_the_committed_report_is_rendered_from_the_committed_results():
    rendered = report.render(json.loads(RESULTS.read_text()))
    assert rendered == (RESULTS.parent / "RESULTS.md").read_text()
