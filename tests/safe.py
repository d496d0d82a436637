"""Real Safe 1.4.1 multisigs on a devnet, for tests (the integration test of the Safe CLI flow, the browser test).

The contracts are the audited build of npm `@safe-global/safe-contracts` 1.4.1 (package.json devDependencies),
deployed from its artifacts' bytecode; nothing here re-implements the Safe. The API is four functions:

    contracts = deploy_contracts(w3)                       # once per chain: singleton, proxy factory, handler
    safe = create_safe(w3, contracts, owners, threshold)   # a proxy, `setup` with the fallback handler
    signature = sign_typed_data(w3, owner, typed)          # the node's own eth_signTypedData_v4 (unlocked account)
    receipt = exec_transaction(w3, safe, signers, to, data)  # the owners execute a call (eth_sign signatures)

Accounts that sign or send here must be the node's unlocked accounts (anvil's `w3.eth.accounts`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from eth_utils import to_checksum_address
from web3 import Web3
from web3.logs import DISCARD

ARTIFACTS = Path(__file__).resolve().parents[1] / "node_modules/@safe-global/safe-contracts/build/artifacts/contracts"
ZERO = "0x" + "00" * 20


@cache
def artifact(name: str) -> dict:
    """The Hardhat artifact (abi, bytecode) of Safe, SafeProxyFactory or CompatibilityFallbackHandler."""
    path = {"Safe": "Safe.sol/Safe.json", "SafeProxyFactory": "proxies/SafeProxyFactory.sol/SafeProxyFactory.json",
            "CompatibilityFallbackHandler": "handler/CompatibilityFallbackHandler.sol/"
                                            "CompatibilityFallbackHandler.json"}[name]
    return json.loads((ARTIFACTS / path).read_text())


@dataclass(frozen=True)
class SafeContracts:
    singleton: str  # the Safe implementation every proxy delegates to
    factory: str
    handler: str  # CompatibilityFallbackHandler: isValidSignature (ERC-1271) and getMessageHash


def _send(w3: Web3, tx) -> dict:
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1, receipt
    return receipt


def deploy_contracts(w3: Web3, deployer: str | None = None) -> SafeContracts:
    """Deploy the Safe singleton, the proxy factory and the compatibility fallback handler."""
    deployer = deployer or w3.eth.accounts[0]
    addresses = []
    for name in ("Safe", "SafeProxyFactory", "CompatibilityFallbackHandler"):
        a = artifact(name)
        tx = w3.eth.contract(abi=a["abi"], bytecode=a["bytecode"]).constructor().transact({"from": deployer})
        addresses.append(_send(w3, tx)["contractAddress"])
    return SafeContracts(*addresses)


def safe_contract(w3: Web3, address: str):
    """A web3 contract for a Safe proxy, with the Safe's full ABI."""
    return w3.eth.contract(address=to_checksum_address(address), abi=artifact("Safe")["abi"])


def create_safe(w3: Web3, contracts: SafeContracts, owners: list[str], threshold: int, salt: int = 0,
                sender: str | None = None, with_handler: bool = True) -> str:
    """A new Safe proxy with `owners` and `threshold`, its fallback handler set (unless `with_handler` is
    False: such a Safe cannot answer ERC-1271); returns its address."""
    sender = sender or w3.eth.accounts[0]
    singleton = safe_contract(w3, contracts.singleton)
    setup = singleton.functions.setup([to_checksum_address(o) for o in owners], threshold, ZERO, b"",
                                      contracts.handler if with_handler else ZERO, ZERO, 0, ZERO)
    initializer = bytes.fromhex(setup._encode_transaction_data()[2:])
    factory = w3.eth.contract(address=contracts.factory, abi=artifact("SafeProxyFactory")["abi"])
    tx = factory.functions.createProxyWithNonce(contracts.singleton, initializer, salt).transact({"from": sender})
    (event,) = factory.events.ProxyCreation().process_receipt(_send(w3, tx), errors=DISCARD)  # the Safe's own
    return event["args"]["proxy"]


def sign_typed_data(w3: Web3, signer: str, typed: dict) -> bytes:
    """`signer`'s 65-byte signature of EIP-712 `typed` (the JSON a wallet takes), made by the node's own
    eth_signTypedData_v4: a real signer that is not our code."""
    response = w3.provider.make_request("eth_signTypedData_v4", [signer, json.dumps(typed)])
    assert "error" not in response, response
    return bytes.fromhex(response["result"].removeprefix("0x"))


def exec_transaction(w3: Web3, safe: str, signers: list[str], to: str, data: bytes, value: int = 0) -> dict:
    """The Safe calls `to` with `data` (operation CALL), signed by `signers` (at least its threshold of its
    owners, the node's unlocked accounts) with eth_sign over the Safe transaction hash (v + 4, the form
    checkSignatures reads as eth_sign), sent by the first signer. Returns the receipt; the Safe's own
    ExecutionSuccess/ExecutionFailure event says whether the inner call succeeded."""
    s = safe_contract(w3, safe)
    fields = (to_checksum_address(to), value, data, 0, 0, 0, 0, ZERO, ZERO)
    tx_hash = s.functions.getTransactionHash(*fields, s.functions.nonce().call()).call()
    signatures = b""
    for signer in sorted(signers, key=lambda a: int(a, 16)):  # checkSignatures wants ascending owners
        signed = bytes.fromhex(w3.provider.make_request("eth_sign", [signer, "0x" + tx_hash.hex()])["result"][2:])
        signatures += signed[:64] + bytes([signed[64] + 4])
    return _send(w3, s.functions.execTransaction(*fields, signatures).transact({"from": signers[0]}))
