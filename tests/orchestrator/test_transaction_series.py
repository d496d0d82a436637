"""The relayer's transaction series: fees and nonces read once, not per transaction, and fees read again
once they are older than a block."""

from types import SimpleNamespace

import pytest

from orchestrator.chain import node
from orchestrator.chain.node import Sender, TransactionSeries
from orchestrator.errors import CallRefused


class Node:
    """What a series asks of web3: the latest block, the tip, the chain id and the account's nonce."""

    def __init__(self):
        self.base_fee, self.reads = 10, 0
        self.eth = SimpleNamespace(chain_id=31337, max_priority_fee=1, get_block=self.latest,
                                   get_transaction_count=lambda address, block: 5)

    def latest(self, which):
        self.reads += 1
        return {"baseFeePerGas": self.base_fee, "gasLimit": 30_000_000}


def signed_fields(series: TransactionSeries) -> dict:
    asked = {}
    series.sender.sign = lambda w3, call, what, extra_gas=0, preset=None, ceiling=None: (
        asked.update(preset) or (b"", "0x", {}))
    series.sign(object(), "batch", gas=100_000)
    return asked


def test_a_series_counts_its_nonces_and_reads_the_fees_again_after_a_block(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(node.time, "monotonic", lambda: clock[0])
    w3 = Node()
    series = TransactionSeries(Sender("0x" + "11" * 20), w3)
    first = signed_fields(series)
    assert (first["nonce"], first["maxFeePerGas"], first["gas"]) == (5, 21, 100_000)
    series.taken()
    w3.base_fee = 40
    clock[0] += node.FEES_FRESH_FOR / 2
    assert (signed_fields(series)["nonce"], signed_fields(series)["maxFeePerGas"], w3.reads) == (6, 21, 1)
    clock[0] += node.FEES_FRESH_FOR
    assert (signed_fields(series)["maxFeePerGas"], w3.reads) == (81, 2)


def test_an_estimated_transaction_of_a_series_is_estimated_before_its_fees_are_set():
    """As Sender.sign estimates (web3 fills the fees after the estimate): a wallet that answers an estimate
    differently with a gas price set would otherwise be estimated at its dearest."""
    series = TransactionSeries(Sender("0x" + "11" * 20), Node())
    asked = {}
    series.sender.sign = lambda w3, call, what, extra_gas=0, preset=None, ceiling=None: (
        asked.update(preset) or (b"", "0x", {}))
    series.sign(object(), "batch")
    assert set(asked) == {"chainId", "nonce"}


class Answers:
    """A provider that answers eth_getTransactionReceipt with what it is given."""

    def __init__(self, response):
        self.response = response

    def make_request(self, method, params):
        return self.response


def test_a_raw_receipt_is_the_nodes_json_with_its_numbers_read_or_none_or_the_nodes_error():
    from web3.exceptions import Web3RPCError

    def ask(response):
        return node.raw_receipt(SimpleNamespace(provider=Answers(response)), "0x" + "ab" * 32)
    logs = [{"address": "0x" + "11" * 20, "topics": ["0x" + "22" * 32], "data": "0x"}]
    assert ask({"result": {"status": "0x1", "gasUsed": "0x5208", "blockNumber": "0x10", "logs": logs}}) == {
        "status": 1, "gasUsed": 21000, "blockNumber": 16, "logs": logs}
    assert ask({"result": None}) is None  # not mined yet
    try:
        ask({"error": {"code": -32000, "message": "header not found"}})
    except Web3RPCError as exc:
        assert "header not found" in str(exc)
    else:
        raise AssertionError("a node's error was taken for an answer")


def test_no_transaction_asks_for_more_than_eip_7825_allows_whatever_the_block_holds():
    """Osaka's cap (2^24 gas a transaction) under a 30-million block; a smaller block's own limit below it."""
    w3 = Node()
    assert TransactionSeries(Sender("0x" + "11" * 20), w3).gas_ceiling == 2**24
    w3.latest = lambda which: {"baseFeePerGas": 10, "gasLimit": 10_000_000}
    w3.eth.get_block = w3.latest
    assert TransactionSeries(Sender("0x" + "11" * 20), w3).gas_ceiling == 10_000_000


class Call:
    """A contract call whose estimate is `gas`."""

    def __init__(self, gas):
        self.gas = gas

    def build_transaction(self, params):
        return {**params, "gas": params.get("gas", self.gas), "nonce": 0}


def test_an_estimate_above_the_cap_is_refused_and_a_known_bound_is_capped():
    sender, w3 = Sender("0x" + "11" * 20), Node()  # a 30-million block
    with pytest.raises(CallRefused) as refused:
        sender._build(w3, Call(2**24 + 1), "a roll chunk", 0)
    assert str(refused.value) == ("a roll chunk: needs 16,777,217 gas, more than one transaction may use (16,777,216: "
                                  "the block's gas limit, and at most 2^24 by EIP-7825)")
    with pytest.raises(CallRefused, match="a batch: needs 16,800,000 gas, more than one transaction may use"):
        sender._build(w3, Call(16_000_000), "a batch", 0, extra_gas=800_000)  # a wallet's allowance is not cut
    assert sender._build(w3, Call(0), "a batch", 0, preset={"gas": 20_000_000})["gas"] == 2**24
    assert sender._build(w3, Call(14_000_000), "a batch", 0)["gas"] == 2**24  # 1.2× the estimate and more, capped
