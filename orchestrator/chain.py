"""Sending transactions: one Sender for node-managed (unlocked) accounts and for local eth-account keys."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import TxReceipt

from .errors import ChainError

log = logging.getLogger(__name__)

GAS_MARGIN = 1.2


@dataclass
class Sender:
    """Who pays for and signs transactions. With no `account`, the node signs (anvil's unlocked accounts,
    brownie's development accounts); with an eth-account `account`, we sign locally and send raw."""

    address: str
    account: LocalAccount | None = None

    @classmethod
    def local(cls, account: LocalAccount) -> Sender:
        return cls(account.address, account)

    def transact(self, w3: Web3, call: Any, what: str) -> TxReceipt:
        """Build, sign, send and wait for a contract call or constructor; raise ChainError on revert."""
        tx = call.build_transaction({"from": self.address})
        # Estimates run against the pending block, whose timestamp may equal the last one's; mined a
        # second later a checkpoint write can cost a fresh slot instead of an update. Keep a margin.
        tx["gas"] = int(tx["gas"] * GAS_MARGIN)
        if self.account is None:
            tx_hash = w3.eth.send_transaction(tx)
        else:
            tx["nonce"] = w3.eth.get_transaction_count(self.address, "pending")
            tx_hash = w3.eth.send_raw_transaction(self.account.sign_transaction(tx).raw_transaction)
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise ChainError(f"{what}: transaction {tx_hash.hex()} reverted")
        log.info("%s: gas %s in block %s", what, receipt["gasUsed"], receipt["blockNumber"])
        return receipt
