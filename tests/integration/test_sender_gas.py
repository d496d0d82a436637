"""Sender.transact with a gas limit given (a chunk like one already mined): nothing estimated, and a limit
that proves too small costs one transaction and is sent again estimated, not a failed deployment."""

from orchestrator.chain.node import Sender, like
from orchestrator.operations.deploy import contract


def test_a_given_gas_limit_is_used_and_one_too_small_is_sent_again_estimated(cli, consortium, w3):
    sender = Sender(w3.eth.accounts[0])
    treasury = contract(w3, "Treasury", cli.manifest()["contracts"]["Treasury"])
    grant = treasury.functions.contribute(1, "0x" + "00" * 20, 1, "a grant")
    first = sender.transact(w3, grant, "contribute", value=1)
    given = sender.transact(w3, grant, "contribute", value=1, gas=like(first))
    assert w3.eth.get_transaction(given["transactionHash"])["gas"] == like(first)
    nonce = w3.eth.get_transaction_count(sender.address)
    short = first["gasUsed"] - 2_000  # past the intrinsic gas, short of the execution
    again = sender.transact(w3, grant, "contribute", value=1, gas=short)
    assert again["status"] == 1 and w3.eth.get_transaction_count(sender.address) == nonce + 2
    ran_out = w3.eth.get_transaction_receipt(w3.eth.get_block(again["blockNumber"] - 1)["transactions"][0])
    assert (ran_out["status"], ran_out["gasUsed"]) == (0, short)
