"""brownie's verdict that a transaction was dropped, checked against the chain.

brownie (1.22) marks every other receipt of the same sender and nonce "dropped" when one confirms (a
replacement), and then raises TransactionError("Tx dropped without known replacement") for a receipt so marked
whose replacement it no longer holds. Tests isolated by snapshot and revert send the same transactions again, with
the same nonces and so the same hashes: a receipt of an earlier, reverted test that is still being awaited finds
the new one's receipt under its hash, confirms, and marks the new receipt dropped though it was mined (the
hostile-proposer and election tests each failed once so, under `make test`'s load). Before raising, this awaits
the node's receipt of the transaction's own hash (the verdict can come before the node has mined it, as three tests
saw once in one run): if it is mined, it is awaited and returned as mined.

Also here, another brownie patch of the tests' own: skip_rpc_caller_checks."""

from __future__ import annotations

import sys

from brownie import web3
from brownie.exceptions import TransactionError
from brownie.network.account import _PrivateKeyAccount
from brownie.network.transaction import Status
from web3.exceptions import TimeExhausted

# A transaction brownie calls dropped is awaited this long before the verdict stands (anvil mines at once).
MINED_WITHIN = 30

_brownies_await = _PrivateKeyAccount._await_confirmation


def _await_checked(self, receipt, required_confs, gas_strategy, gas_iter):
    try:
        return _brownies_await(self, receipt, required_confs, gas_strategy, gas_iter)
    except TransactionError as exc:
        if "dropped without known replacement" not in str(exc):
            raise
        try:  # brownie may mark it dropped before the node has mined it: give the node the time to
            web3.eth.wait_for_transaction_receipt(receipt.txid, timeout=MINED_WITHIN, poll_latency=0.05)
        except TimeExhausted:
            raise exc from None
        receipt.status = Status(-1)  # pending again: it was mined, not dropped
        receipt._confirmed.clear()
        receipt._await_confirmation(required_confs=required_confs)
        return receipt


def install() -> None:
    _PrivateKeyAccount._await_confirmation = _await_checked


def skip_rpc_caller_checks() -> None:
    """brownie wraps Rpc.sleep, mine, snapshot and revert in a check that warns (FutureWarning) when they are
    called other than through `chain`: it takes inspect.stack(), which reads the source of every frame on the
    stack, about 36 ms under hypothesis' deep stacks, on every chain.mine(), snapshot and revert. The tests
    call them through `chain` only; the wrapped methods themselves are restored, unchanged."""
    rpc = sys.modules["brownie.network.rpc"]  # the package; brownie.network's `rpc` is its Rpc instance
    for name in ("sleep", "mine", "snapshot", "revert"):
        method = vars(rpc.Rpc)[name]
        if method.__name__ == "wrapped" and method.__closure__:
            setattr(rpc.Rpc, name, method.__closure__[0].cell_contents)
