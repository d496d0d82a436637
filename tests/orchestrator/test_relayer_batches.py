"""How the relayer cuts accepted ballots into batches: by count, and by contract-wallet ballots, each of
which may spend the governor's whole wallet allowance."""

from orchestrator.relay.relayer import MAX_WALLET_BALLOTS, Relayer
from orchestrator.relay.store import StoredBallot


def ballot(i: int, kind: str) -> StoredBallot:
    return StoredBallot(i, 1, f"0x{i:040x}", i, 1, "", b"", kind, "accepted", "", None)


def cut(batch_size: int, kinds: list[str]) -> list[list[str]]:
    relayer = Relayer.__new__(Relayer)  # only the cutting is exercised: no session, no store
    relayer.batch_size = batch_size
    return [[b.kind for b in batch] for batch in relayer._batches([ballot(i, k) for i, k in enumerate(kinds)])]


def test_batches_hold_at_most_batch_size_ballots():
    assert [len(b) for b in cut(100, ["ecdsa"] * 250)] == [100, 100, 50]


def test_batches_hold_at_most_a_bounded_number_of_wallet_ballots():
    batches = cut(100, ["erc1271"] * (2 * MAX_WALLET_BALLOTS + 1) + ["ecdsa"] * 10)
    assert [b.count("erc1271") for b in batches] == [MAX_WALLET_BALLOTS, MAX_WALLET_BALLOTS, 1]
    assert sum(len(b) for b in batches) == 2 * MAX_WALLET_BALLOTS + 11
