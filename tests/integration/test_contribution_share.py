"""bench/contribution_share.py, the README's table: the demo's roll on a devnet, the top tenth of payers (dues and
sponsorships from their seats) and their share of the vote under tier-only, linear and concave weighting, the last
the registry's own weights."""

from contextlib import ExitStack

from bench.contribution_share import shares, table
from orchestrator.demo import Demo
from orchestrator.operations.session import Options, Session


def test_the_top_payers_share_of_the_vote_for_the_demos_roll(devnet):
    with ExitStack() as stack:
        session = Session(Options(rpc=devnet.url), stack, lambda name: "")
        Demo(session, 35, lambda line: None).run()
        found = shares(session)
        r = session.registry.functions
        weights = {m: r.getVotes(r.member(m).call()[0]).call() for m in found.top}
    # Member 3 paid 2 ETH of dues and sponsored 9 (part 3), member 10 0.5 and 4 (part 2), member 1 2 ETH of dues
    # (the founding members' tie goes to the lowest id); member 13's attributed work is weight, not payment.
    assert found.top == [3, 10, 1] and found.voting == 25
    assert weights == {3: 6, 10: 3, 1: 3}  # the chain's: tier weight and part
    assert table(found) == (
        "| weighting | top 10% of payers (3 of 25 members with a vote) hold |\n|---|---|\n"
        "| tier only | 20.0% |\n"  # 7 of 35
        "| linear (tier weight + value / unit) | 30.8% |\n"  # 20 of 65: 35 + 9 + 4 + 1 + 16
        "| concave (tier weight + √(value / unit), the ledger's parts) | 26.7% |")  # 12 of 45: 35 + 3 + 2 + 1 + 4
