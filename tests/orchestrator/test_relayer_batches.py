"""How the relayer cuts accepted ballots into batches: by count, and by contract-wallet ballots, each of
which may spend the governor's whole wallet allowance."""

from types import SimpleNamespace

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, keccak

from orchestrator.chain import electors
from orchestrator.errors import ChainError
from orchestrator.relay.relayer import MAX_WALLET_BALLOTS, Relayer, _Views
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


class RefusesBatches:
    """A provider that answers single calls and refuses batches (as some public endpoints do)."""

    def __init__(self):
        self.singles = 0
        self.snapshots = 0  # proposalSnapshot reads
        self.snapshot = 50

    def make_batch_request(self, requests):
        return {"jsonrpc": "2.0", "error": {"code": -32600, "message": "batch requests are not supported"}}

    def make_request(self, method, params):
        self.singles += 1
        self.snapshots += params[0]["data"].startswith("0x2d63f693")
        selector = params[0]["data"][:10]
        answers = {"0x3e4f49e6": encode(["uint8"], [1]),  # state(uint256): Active
                   "0x2d63f693": encode(["uint256"], [self.snapshot]),  # proposalSnapshot(uint256)
                   }
        answers["0x" + function_signature_to_4byte_selector("memberMarks(uint256,uint256)").hex()] = encode(
            ["bool", "bool"], [False, False])
        result = answers.get(selector, encode(["uint256"], [electors.pack(7, 1, 3)]))  # electorAt
        return {"jsonrpc": "2.0", "result": "0x" + result.hex()}


def test_a_ballots_state_elector_and_marks_are_read_one_by_one_from_a_node_that_refuses_batches():
    provider = RefusesBatches()
    views = _Views(SimpleNamespace(provider=provider), "0x" + "11" * 20, "0x" + "22" * 20)
    assert views.voters([(5, "0x" + "33" * 20)]) == [("Active", (7, 1, 3), (False, False))]
    assert provider.singles == 4  # the snapshot, then the state, the elector and the marks one by one


def test_a_proposal_that_does_not_exist_yet_is_not_cached_with_a_zero_snapshot():
    """Its id may be proposed later: a snapshot of 0 read now must not stand for it then."""
    provider = RefusesBatches()
    views = _Views(SimpleNamespace(provider=provider), "0x" + "11" * 20, "0x" + "22" * 20)
    provider.snapshot = 0
    assert views.snapshot(9) == 0
    provider.snapshot = 50
    assert views.snapshot(9) == 50 and views.snapshot(9) == 50
    assert provider.singles == 2  # read again once, then cached


def test_ballots_for_a_proposal_not_yet_made_cost_one_snapshot_read_not_one_each():
    """An outsider's group of ballots for an unknown proposal id (whose zero snapshot is never cached) must not
    turn into one sequential read per ballot."""
    provider = RefusesBatches()
    provider.snapshot = 0
    views = _Views(SimpleNamespace(provider=provider), "0x" + "11" * 20, "0x" + "22" * 20)
    views.voters([(9, f"0x{i:040x}") for i in range(1, 51)])
    assert provider.snapshots == 1


def test_a_batchs_outcomes_are_read_only_from_the_governors_own_logs():
    """A VoteCast, VoteCastWithParams, VoteCommitted or BallotRejected from any other address in the receipt (a
    wallet's, a token's) counts for nothing: only the governor's events say what happened to a ballot, a commitment
    or an approval ballot."""
    governor, other = "0x" + "aa" * 20, "0x" + "bb" * 20
    relayer = Relayer.__new__(Relayer)  # only the receipt reading is exercised
    relayer.session = SimpleNamespace(governor=SimpleNamespace(address=governor))
    relayer._vote_cast = keccak(text="VoteCast(address,uint256,uint8,uint256,string)")
    relayer._ballot_rejected = keccak(text="BallotRejected(uint256,address,uint8)")
    relayer._vote_committed = keccak(text="VoteCommitted(uint256,address,uint256,bytes32)")
    relayer._vote_cast_params = keccak(text="VoteCastWithParams(address,uint256,uint8,uint256,string,bytes)")
    relayer._rejections = ("invalid signature", "not eligible")

    def word(voter: str) -> bytes:
        return b"\x00" * 12 + bytes.fromhex(voter[2:])

    def cast(address, voter):  # VoteCast(address indexed voter, …)
        return {"address": address, "topics": [relayer._vote_cast, word(voter)], "data": b""}

    def rejected(address, voter, reason):  # BallotRejected(uint256 indexed proposalId, address indexed voter, …)
        return {"address": address, "topics": [relayer._ballot_rejected, b"\x00" * 32, word(voter)],
                "data": reason.to_bytes(32, "big")}

    def committed(address, voter):  # VoteCommitted(uint256 indexed proposalId, address indexed voter, …)
        return {"address": address, "topics": [relayer._vote_committed, b"\x00" * 32, word(voter), b"\x00" * 32],
                "data": b"\x00" * 32}

    def approved(address, voter):  # VoteCastWithParams(address indexed voter, …): an approval ballot counted
        return {"address": address, "topics": [relayer._vote_cast_params, word(voter)], "data": b""}

    counted, refused, forged, recorded = "0x" + "01" * 20, "0x" + "02" * 20, "0x" + "03" * 20, "0x" + "04" * 20
    approving, forged_approval = "0x" + "05" * 20, "0x" + "06" * 20
    receipt = {"logs": [cast(governor, counted), rejected(governor, refused, 1), cast(other, forged),
                        rejected(other, counted, 0), committed(governor, recorded), committed(other, forged),
                        approved(governor, approving), approved(other, forged_approval)]}
    assert relayer.outcomes(receipt) == {counted: None, refused: "not eligible", recorded: None, approving: None}


class RefusesLogs:
    """A node that refuses eth_getLogs with a JSON-RPC error (a range too wide under load), as web3 raises it."""

    block_number = 10

    def get_logs(self, _filter):
        raise ValueError({"code": -32005, "message": "query returned more than 10000 results"})


def test_a_node_refusing_the_governors_logs_is_the_node_failing_not_the_ballot():
    """The relayer reads the governor's logs to tell an election's ballot on a proposal's first ballot: a node's
    refusal there is a ChainError (the relay API's 503, retried), never an unexpected exception (a 500)."""
    views = _Views(SimpleNamespace(eth=RefusesLogs(), provider=None), "0x" + "11" * 20, "0x" + "22" * 20)
    with pytest.raises(ChainError, match="eth_getLogs on the governor failed: .*more than 10000 results"):
        views._logs([], 0)
