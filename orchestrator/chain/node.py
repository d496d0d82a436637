"""Chain access: the one Web3 factory, a managed local devnet (anvil), and the Sender that signs and
sends transactions (EIP-1559 fees, a gas margin, configurable confirmations, reverts decoded).

Only standard JSON-RPC methods are used, so any node works: anvil and Hardhat Network are both tested.
Where they differ, both are handled here: a node-held account is signed for with eth_signTransaction
where the node has it (anvil) and sent with eth_sendTransaction where it does not (Hardhat); a transaction
that a node mines and reports as an error (Hardhat's automine answers a revert with its hash) is awaited
like any other, so that its receipt decides."""

from __future__ import annotations

import ctypes
import logging
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry
from web3 import HTTPProvider, Web3
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    ContractPanicError,
    TimeExhausted,
    TransactionNotFound,
    Web3RPCError,
)
from web3.types import TxReceipt

from orchestrator.chain import artifacts
from orchestrator.chain.reverts import decode_revert
from orchestrator.errors import CallRefused, ChainError

log = logging.getLogger(__name__)

GAS_MARGIN = 1.2
# A node estimates against a block whose timestamp may equal the latest one's, where a checkpoint write
# (weights, seats, totals) updates the last checkpoint in place; mined a second later, it appends one: a
# fresh slot, up to 20,000 gas more each. A registry change writes at most three. Unused gas is refunded.
CHECKPOINT_ALLOWANCE = 3 * 20_000
# Nodes keep and relay transactions of at most 128 KiB (geth's txMaxSize; anvil and Hardhat accept more,
# public mempools do not): a larger one would be accepted locally and never mined.
MAX_TRANSACTION_BYTES = 128 * 1024
# EIP-7825 (Osaka; on Ethereum since December 2025): no transaction may ask for more than 2^24 gas, whatever
# its block holds; a node that follows it refuses a larger one. Chains before it accept more, but nothing here
# needs that much (deploy.py admits the founding roll in chunks of about 14 million).
MAX_TRANSACTION_GAS = 2**24

HARDFORK = "cancun"  # must match brownie-config.yaml's evm_version
DEVNET_CHAIN_ID = 31337
# Transport retries for a dropped connection, a timeout or a gateway's 429/5xx. Every request we make is
# safe to repeat: reads are idempotent, and transactions are sent as signed bytes (eth_sendRawTransaction),
# which a node includes at most once (see broadcast), or, from an account the node holds and cannot sign
# for without sending, by eth_sendTransaction with the nonce fixed, which a node also mines at most once.
TRANSPORT_RETRY = Retry(total=6, backoff_factor=0.1, status_forcelist=(429, 502, 503, 504), allowed_methods=None,
                        raise_on_status=False)


def gas_ceiling(block_gas_limit: int) -> int:
    """The most gas one transaction may ask for in a block of `block_gas_limit`."""
    return min(block_gas_limit, MAX_TRANSACTION_GAS)


def connect(rpc: str, expect_chain_id: int | None = None, timeout: float = 30.0) -> Web3:
    """A Web3 for `rpc`, checked to answer (and to be chain `expect_chain_id`, when given)."""
    session = requests.Session()
    # Not trusting the environment skips requests' proxy lookup, which walks os.environ on every call
    # (a tenth of the relayer's time). Proxies can still be given explicitly in request_kwargs.
    session.trust_env = False
    for scheme in ("http://", "https://"):
        # As many kept connections as the servers have request threads (anyio's 40): `relay serve` validates
        # concurrent ballots with concurrent reads, and a smaller pool reconnects for each one beyond it.
        session.mount(scheme, HTTPAdapter(max_retries=TRANSPORT_RETRY, pool_maxsize=40))
    w3 = Web3(HTTPProvider(rpc, request_kwargs={"timeout": timeout}, session=session))
    try:
        chain_id = w3.eth.chain_id
    except Exception as exc:  # connection errors differ by transport and version; all mean "unreachable"
        raise ChainError(f"cannot reach an Ethereum node at {rpc}: {type(exc).__name__}") from None
    if expect_chain_id is not None and chain_id != expect_chain_id:
        raise ChainError(f"{rpc} is chain {chain_id}, but the deployment is on chain {expect_chain_id}")
    log.debug("connected to chain %s at %s", chain_id, rpc)
    return w3


def anvil_binary() -> str:
    """anvil from the project's node_modules, else from PATH. From node_modules, the platform package's binary
    itself, not the npm launcher in .bin: the launcher returns on SIGTERM without waiting for anvil, so a
    Devnet that waited on it would see anvil stopped while it still held the port and wrote its --state
    file, and Linux's stop-with-parent would reach only the launcher."""
    modules = artifacts.PROJECT_ROOT / "node_modules"
    binaries = sorted(modules.glob("@foundry-rs/anvil-*/bin/anvil"))  # one: npm installs this platform's only
    local = binaries[0] if binaries else modules / ".bin" / "anvil"
    found = str(local) if local.exists() else shutil.which("anvil")
    if not found:
        raise ChainError("anvil not found: run `make setup` (it installs @foundry-rs/anvil)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to SIGTERM anvil if our process dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


STATES_KEPT = 256  # enough for eth_call at any block a reorg (tests go to 60 deep) or an index needs


class Devnet:
    """anvil on a loopback port, started on enter and stopped on exit: on success, errors, Ctrl-C and
    SIGTERM (turned into SystemExit so it unwinds through __exit__); if we are killed outright, Linux
    stops anvil with us. Its first accounts are unlocked development accounts. Another node (the tests'
    Hardhat Network) is the same with its own `command()`."""

    name = "anvil"
    ready_within = 60  # seconds: a loaded host starts anvil in one, and loads a --state file in a few
    cwd: str | None = None

    def __init__(self, port: int | None = None, accounts: int = 10, extra_args: tuple[str, ...] = ()):
        self.port = port or free_port()
        self.accounts = accounts
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None
        self._previous_sigterm = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        # --prune-history: keep the last STATES_KEPT states in memory and none on disk. Without it anvil
        # spills older states to ~/.foundry/anvil/tmp, tens of GB over a benchmark, and leaves them there.
        return [anvil_binary(), "--port", str(self.port), "--host", "127.0.0.1", "--hardfork", HARDFORK,
                "--accounts", str(self.accounts), "--gas-limit", "30000000", "--chain-id", str(DEVNET_CHAIN_ID),
                "--prune-history", str(STATES_KEPT), *self.extra_args]

    def __enter__(self) -> Devnet:
        if threading.current_thread() is threading.main_thread():
            self._previous_sigterm = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        stdin=subprocess.DEVNULL, cwd=self.cwd, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + self.ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ChainError(f"{self.name} exited at start: {self.process.stderr.read().decode()[-300:]}")
            try:
                if Web3(HTTPProvider(self.url, request_kwargs={"timeout": 1})).is_connected():
                    log.info("devnet ready at %s", self.url)
                    return self
            except Exception:  # not listening yet
                pass
            time.sleep(0.05)
        self.__exit__(None, None, None)
        raise ChainError(f"{self.name} did not become ready within {self.ready_within} s")

    def __exit__(self, *exc_info) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None


@dataclass
class Sender:
    """Who pays for and signs transactions. With no `account`, the node signs (anvil's unlocked accounts,
    brownie's development accounts, Hardhat's accounts); with an eth-account `account`, we sign locally
    and send raw."""

    address: str
    account: LocalAccount | None = None
    confirmations: int = 1
    # None until a node-held account's first transaction tells whether the node signs without sending.
    node_signs: bool | None = field(default=None, repr=False, compare=False)

    @classmethod
    def local(cls, account: LocalAccount, confirmations: int = 1) -> Sender:
        return cls(account.address, account, confirmations)

    def transact(self, w3: Web3, call: Any, what: str, value: int = 0, gas: int | None = None) -> TxReceipt:
        """Build (EIP-1559 fees), sign, send and wait for a contract call or constructor, sending `value`
        wei. A revert, whether found by the gas estimate or by the mined receipt, raises ChainError. A node
        that signs only by sending (Hardhat) gets the same fields, nonce included, by eth_sendTransaction:
        with the nonce fixed, a repeated request cannot be mined twice either.
        `gas`: a limit known to be enough (see like()), so that the node does not estimate it (an estimate runs
        the call about twice); should the transaction run out of it all the same, it is sent again estimated."""
        tx = self._build(w3, call, what, value, preset=None if gas is None else {"gas": gas})
        raw = self._signed(w3, tx)
        if raw is None:
            self._check_size(len(_data_bytes(tx)), what)
            tx_hash = _node_sent(w3, tx, what, self.address)
        else:
            self._check_size(len(raw), what)
            broadcast(w3, raw, what)
            tx_hash = "0x" + bytes(Web3.keccak(raw)).hex()
        receipt = wait_for_receipt(w3, tx_hash)
        if gas is not None and receipt["status"] != 1 and receipt["gasUsed"] >= tx["gas"]:
            log.info("%s: ran out of the %s gas given; sent again with the node's estimate", what, tx["gas"])
            return self.transact(w3, call, what, value)
        return self.wait(w3, tx_hash, tx, what, receipt)

    def sign(self, w3: Web3, call: Any, what: str, value: int = 0, extra_gas: int = 0,
             preset: dict | None = None, ceiling: int | None = None) -> tuple[bytes, str, dict]:
        """The signed transaction (raw bytes, hash, fields), not yet sent: sending the same bytes again is
        idempotent, which is what lets the relayer retry without ever submitting a ballot twice.
        `extra_gas` is added to the limit for what the estimate cannot see (see the relayer); the limit is
        capped at what a transaction may use (gas_ceiling). CallRefused when the call itself cannot be mined
        (a revert, more gas than a transaction may use, too large to relay); ChainError when this account
        cannot pay, or when it is held by a node that signs only by sending (Hardhat Network): bytes that were
        never recorded could be sent twice, so such an account cannot sign here at all (see require_signing).
        `preset`, `ceiling`: see _build."""
        tx = self._build(w3, call, what, value, extra_gas, preset, ceiling)
        raw = self._signed(w3, tx)
        if raw is None:
            raise self._cannot_sign(what)
        self._check_size(len(raw), what)
        return raw, "0x" + bytes(Web3.keccak(raw)).hex(), tx

    def require_signing(self, w3: Web3, what: str) -> None:
        """Fail now, with the reason, if sign() cannot work for this account: a node-held account on a node
        without eth_signTransaction. For a service that signs before sending (the relayer) to check at start."""
        if self.account is not None or self.node_signs:
            return
        probe = {"from": self.address, "to": self.address, "value": 0, "gas": 21_000, "maxFeePerGas": w3.eth.gas_price,
                 "maxPriorityFeePerGas": 0, "chainId": w3.eth.chain_id,
                 "nonce": w3.eth.get_transaction_count(self.address, "pending")}
        if self._signed(w3, probe) is None:  # signing only: nothing is sent
            raise self._cannot_sign(what)

    def _cannot_sign(self, what: str) -> ChainError:
        return ChainError(f"{what}: {self.address} is held by the node, which signs only by sending (it has no "
                          "eth_signTransaction, as Hardhat Network); this transaction is signed and recorded before it "
                          "is sent, so that no retry can send it twice: pass --account NAME (a funded wallet)")

    def series(self, w3: Web3) -> TransactionSeries:
        """Transactions to sign and send one after another without awaiting each (see TransactionSeries)."""
        return TransactionSeries(self, w3)

    def _build(self, w3: Web3, call: Any, what: str, value: int, extra_gas: int = 0,
               preset: dict | None = None, ceiling: int | None = None) -> dict:
        """The transaction's fields: fees, a gas limit with margins (capped at the gas ceiling), the next nonce.
        `preset` fields (a series' fees and nonce, a known gas bound) and `ceiling` (gas_ceiling of the block's
        gas limit, as a series read it) are not asked of the node again."""
        params = {"from": self.address, "value": value, **(preset or {})}
        bound = "gas" in params
        try:
            tx = call.build_transaction(params)
        except (ContractCustomError, ContractLogicError, ContractPanicError) as exc:
            raise CallRefused(f"{what}: {decode_revert(exc)}") from None
        except UnicodeEncodeError:  # a ValueError, but ours: text that is not UTF-8 cannot be encoded (cli.py says so)
            raise
        except (Web3RPCError, ValueError) as exc:  # the node's own refusal of the estimate
            raise refusal(exc, what, self.address) from None
        if ceiling is None:
            ceiling = gas_ceiling(w3.eth.get_block("latest")["gasLimit"])
        if bound:  # the caller's bound, which already counts everything the call can spend
            tx["gas"] = min(tx["gas"] + extra_gas, ceiling)
        else:
            # What the estimate cannot see (a wallet's allowance) must fit too, not be cut to the ceiling.
            if tx["gas"] + extra_gas > ceiling:
                raise CallRefused(f"{what}: needs {tx['gas'] + extra_gas:,} gas, more than one transaction may use "
                                  f"({ceiling:,}: the block's gas limit, and at most 2^24 by EIP-7825)")
            tx["gas"] = min(int(tx["gas"] * GAS_MARGIN) + CHECKPOINT_ALLOWANCE + extra_gas, ceiling)
        if "nonce" not in tx:
            tx["nonce"] = w3.eth.get_transaction_count(self.address, "pending")
        return tx

    def _signed(self, w3: Web3, tx: dict) -> bytes | None:
        """The raw signed transaction, or None when the account is the node's and the node cannot sign
        without sending (remembered, so the node is asked once)."""
        if self.account is not None:
            return bytes(self.account.sign_transaction(tx).raw_transaction)
        if self.node_signs is False:
            return None
        raw = _node_signed(w3, tx)
        self.node_signs = raw is not None
        return raw

    @staticmethod
    def _check_size(size: int, what: str) -> None:
        if size > MAX_TRANSACTION_BYTES:
            raise CallRefused(f"{what}: the transaction is {size:,} bytes; nodes relay at most "
                              f"{MAX_TRANSACTION_BYTES:,}")

    def wait(self, w3: Web3, tx_hash: str, tx: dict | None, what: str, receipt: TxReceipt | None = None) -> TxReceipt:
        """The receipt (awaited, unless given), with confirmations; a revert raises ChainError with its decoded
        reason."""
        receipt = receipt or wait_for_receipt(w3, tx_hash)
        if receipt["status"] != 1:
            reason = _replayed_revert(w3, tx, receipt) if tx else "reverted"
            raise ChainError(f"{what}: transaction {tx_hash} reverted: {reason}")
        self._wait_confirmations(w3, receipt["blockNumber"])
        log.info("%s: gas %s in block %s", what, receipt["gasUsed"], receipt["blockNumber"])
        return receipt

    def _wait_confirmations(self, w3: Web3, block: int) -> None:
        deadline = time.monotonic() + 600
        while w3.eth.block_number < block + self.confirmations - 1:
            if time.monotonic() > deadline:
                raise ChainError(f"block {block} did not reach {self.confirmations} confirmations in 10 minutes")
            time.sleep(1)


FEES_FRESH_FOR = 12.0  # seconds: about one Ethereum block


class TransactionSeries:
    """Transactions one sender signs and sends one after another without awaiting each one's receipt (the
    relayer's batches of a pass): what they share is read from the node once (the chain id, the fees, the
    gas ceiling, the first nonce), and each next nonce is counted here. The nonce moves on only when
    the node takes a transaction (`taken`), so that a refused one leaves no gap for the next to wait on."""

    def __init__(self, sender: Sender, w3: Web3):
        self.sender, self.w3 = sender, w3
        self._shared = {"chainId": w3.eth.chain_id}
        self.gas_ceiling = 0
        self._read_fees()
        self.nonce = w3.eth.get_transaction_count(sender.address, "pending")

    def _read_fees(self) -> None:
        """web3's default fee strategy (fill_transaction_defaults: twice the base fee plus the tip), and the gas
        ceiling, read again when older than FEES_FRESH_FOR: a long series on a public chain outlives a block's."""
        latest = self.w3.eth.get_block("latest")
        tip = self.w3.eth.max_priority_fee
        self._shared.update({"maxPriorityFeePerGas": tip, "maxFeePerGas": tip + 2 * latest["baseFeePerGas"]})
        self.gas_ceiling = gas_ceiling(latest["gasLimit"])
        self._fees_read = time.monotonic()

    def sign(self, call: Any, what: str, extra_gas: int = 0, gas: int | None = None) -> tuple[bytes, str, dict]:
        """Sender.sign at the series' next nonce and fees. `gas`: a limit the caller knows to be enough, so
        that nothing is estimated (capped at the gas ceiling); None: estimated, with the usual margins."""
        if time.monotonic() - self._fees_read > FEES_FRESH_FOR:
            self._read_fees()
        preset = {**self._shared, "nonce": self.nonce}
        if gas is None:  # estimated as Sender.sign estimates, before fees are set (web3 fills them after)
            preset = {key: preset[key] for key in ("chainId", "nonce")}
        else:
            preset["gas"] = gas
        return self.sender.sign(self.w3, call, what, extra_gas=extra_gas, preset=preset,
                                ceiling=self.gas_ceiling)

    def taken(self) -> None:
        """The node took the last signed transaction: the next one gets the next nonce."""
        self.nonce += 1

    def resync(self) -> None:
        """Ask the node for the next nonce again (one of the series' transactions was dropped)."""
        self.nonce = self.w3.eth.get_transaction_count(self.sender.address, "pending")


class EncodedCall:
    """A call to `to` with calldata already encoded (a plain ETH transfer when empty), shaped as a contract call
    so that Sender.transact and Sender.sign build it like any other: for callers that encode with eth_abi
    themselves because web3's contract functions re-validate the whole ABI at every call (the relayer's batches)."""

    def __init__(self, w3: Web3, to: str, data: bytes = b""):
        self.w3, self.to, self.data = w3, to, data

    def build_transaction(self, params: dict) -> dict:
        from web3._utils.transactions import fill_transaction_defaults  # what a contract call's build uses

        return fill_transaction_defaults(self.w3, {"to": self.to, "data": self.data, **params})


def _replayed_revert(w3: Web3, tx: dict, receipt: TxReceipt) -> str:
    """Why a mined transaction reverted: the same call replayed on the state it ran against."""
    call = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
    try:
        w3.eth.call(call, block_identifier=receipt["blockNumber"] - 1)
    except (ContractCustomError, ContractLogicError, ContractPanicError) as exc:
        return decode_revert(exc)
    except Exception as exc:  # the node may not keep that state; the hash is still reported
        return f"reason unavailable ({type(exc).__name__})"
    return "reason unavailable (the replay succeeded: the state changed in between)"


def broadcast(w3: Web3, raw: bytes, what: str = "broadcast") -> None:
    """Send a signed transaction; a node that already has it (a retry) is not an error, nor is one that mined
    it and reports its revert as an error (Hardhat): the receipt tells. A refusal raises CallRefused (these
    bytes will not be taken), or ChainError when the sender cannot pay."""
    try:
        w3.eth.send_raw_transaction(raw)
    except (Web3RPCError, ValueError) as exc:  # the node's JSON-RPC error, with its message
        message = str(exc).lower()
        if "already known" in message or "already imported" in message or "nonce too low" in message:
            log.info("transaction already with the node: %s", exc)
            return
        if _mined_hash(_rpc_error(exc)):
            log.info("transaction mined and reverted: %s", exc)
            return
        raise refusal(exc, what, _sender_of(raw)) from None


# How nodes say that the sender cannot pay: geth and anvil "insufficient funds", Hardhat "Sender doesn't have
# enough funds to send tx".
NO_FUNDS = ("insufficient funds", "enough funds")


def refusal(exc: Exception, what: str, sender: str) -> ChainError:
    """A node's refusal as our error: the sender's missing funds are the operator's to fix (nothing about
    the transaction is wrong); anything else refuses the transaction itself."""
    error = _rpc_error(exc)
    return _refused(str(error.get("message")) if error else str(exc), what, sender)


def _refused(message: str, what: str, sender: str) -> ChainError:
    if any(marker in message.lower() for marker in NO_FUNDS):
        return ChainError(f"{what}: {sender} cannot pay for the gas: fund it with ETH (`consortium wallet fund` "
                          f"sends some from a funded account) ({message})")
    return CallRefused(f"{what}: the node refused it: {message}")


def rpc_message(exc: Exception) -> str:
    """A web3 JSON-RPC error as one line: the node's own message (and its code), else the exception's text."""
    error = _rpc_error(exc)
    if not error:
        return " ".join(str(exc).split()) or type(exc).__name__
    code = f" (code {error['code']})" if "code" in error else ""
    return " ".join(str(error.get("message")).split()) + code


def _rpc_error(exc: Exception) -> dict | None:
    response = getattr(exc, "rpc_response", None)
    error = response.get("error") if isinstance(response, dict) else None
    return error if isinstance(error, dict) else None


def _mined_hash(error: dict | None) -> str | None:
    """The hash of a transaction the node mined although it answered with an error: Hardhat, automining,
    answers a reverted transaction with its revert and `data.txHash`."""
    data = error.get("data") if error else None
    tx_hash = data.get("txHash") if isinstance(data, dict) else None
    return tx_hash if isinstance(tx_hash, str) and tx_hash.startswith("0x") else None


def _sender_of(raw: bytes) -> str:
    try:
        return Account.recover_transaction(raw)
    except Exception:  # a transaction we signed always recovers; the message must not fail regardless
        return "the sender"


def _rpc_params(tx: dict) -> dict:
    return {k: hex(v) if isinstance(v, int) else v for k, v in tx.items() if v != b""}  # b"" `to`: a creation


def _data_bytes(tx: dict) -> bytes:
    data = tx.get("data") or "0x"
    return bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else bytes(data)


# How nodes say that they have no such method: JSON-RPC's "method not found" and EIP-1474's "method not
# supported" (Hardhat: "Method eth_signTransaction is not supported").
METHOD_MISSING = (-32601, -32004)


def _method_missing(error: dict) -> bool:
    message = str(error.get("message", "")).lower()
    return error.get("code") in METHOD_MISSING or (
        "method" in message and any(w in message for w in ("not supported", "not found", "does not exist")))


def _node_signed(w3: Web3, tx: dict) -> bytes | None:
    """eth_signTransaction by the node (an unlocked account), or None when the node has no such method.
    Called raw: anvil answers with the bare transaction hex, which web3's formatter for this method rejects."""
    response = w3.provider.make_request("eth_signTransaction", [_rpc_params(tx)])
    error = response.get("error")
    if error:
        if isinstance(error, dict) and _method_missing(error):
            log.info("the node does not sign without sending: %s", error.get("message"))
            return None
        raise ChainError(f"the node refused to sign: {error.get('message') if isinstance(error, dict) else error}")
    result = response["result"]
    raw = result["raw"] if isinstance(result, dict) else result
    return bytes.fromhex(raw.removeprefix("0x"))


def _node_sent(w3: Web3, tx: dict, what: str, sender: str) -> str:
    """eth_sendTransaction from a node-held account, for a node that signs only by sending; the hash.
    Its refusals are mapped as broadcast's are, and a reverted transaction it mined is awaited like any."""
    response = w3.provider.make_request("eth_sendTransaction", [_rpc_params(tx)])
    error = response.get("error")
    if error:
        error = error if isinstance(error, dict) else {"message": str(error)}
        mined = _mined_hash(error)
        if mined:
            return mined
        message = str(error.get("message"))
        if any(m in message.lower() for m in ("nonce too low", "already known", "already imported")):
            raise ChainError(f"{what}: the node already has a transaction from {sender} with nonce {tx['nonce']} "
                             f"(this one, if a request was repeated): check it before running this again ({message})")
        raise _refused(message, what, sender)
    return response["result"]


def like(receipt: TxReceipt) -> int:
    """A gas limit for another transaction like the one `receipt` is of (the same call on as many items, say a
    roll's next chunk of admissions): its gas used with the margins an estimate gets."""
    return int(receipt["gasUsed"] * GAS_MARGIN) + CHECKPOINT_ALLOWANCE


def wait_for_receipt(w3: Web3, tx_hash: str, timeout: float = 300, raw: bool = False) -> TxReceipt:
    """Poll for a receipt, quickly at first (a devnet mines at once) and backing off to 2 s (a public
    chain takes seconds): web3's own wait sleeps 0.1 s between polls, which dominates on a devnet. The
    back-off is gentle (×1.25), so that the wait overshoots a devnet's mining (tens of ms for a batch of
    ballots) by a fifth at most: at ×1.5 it waited 66 ms for a batch mined in 41. `raw`: see raw_receipt."""
    deadline, delay = time.monotonic() + timeout, 0.002
    while True:
        try:
            if not raw:
                return w3.eth.get_transaction_receipt(tx_hash)
            receipt = raw_receipt(w3, tx_hash)
            if receipt is not None:
                return receipt
            raise TransactionNotFound(tx_hash)
        except TransactionNotFound:
            if time.monotonic() > deadline:
                raise TimeExhausted(f"transaction {tx_hash} not mined within {timeout} s") from None
            time.sleep(delay)
            delay = min(delay * 1.25, 2.0)


RECEIPT_NUMBERS = ("status", "gasUsed", "blockNumber")


def raw_receipt(w3: Web3, tx_hash: str) -> dict | None:
    """eth_getTransactionReceipt without web3's formatting, or None while it is not mined: formatting a
    batch's hundred logs (checksummed addresses, nested AttributeDicts) cost the relayer more time than the
    node took to mine the batch. The status, gas used and block number are ints; the logs are the node's
    JSON (topics and data as hex strings)."""
    response = w3.provider.make_request("eth_getTransactionReceipt", [tx_hash])
    if response.get("error"):
        raise Web3RPCError(str(response["error"]), rpc_response=response)
    receipt = response.get("result")
    if receipt is None:
        return None
    return {**receipt, **{key: int(receipt[key], 16) for key in RECEIPT_NUMBERS}}
