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


def test_the_committed_report_is_rendered_from_the_committed_results():
    rendered = report.render(json.loads(RESULTS.read_text()))
    assert rendered == (RESULTS.parent / "RESULTS.md").read_text()
