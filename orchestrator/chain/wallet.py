"""eth-account v3 keystores (scrypt), one JSON file per wallet, mode 0600, in a keystore directory.

Passphrases and private keys never come from command-line flags: the CLI prompts with hidden input or
reads an environment variable (for CI). Nothing here prints or logs a key."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from orchestrator import untrusted_json
from orchestrator.errors import InputError, WalletError

DEFAULT_DIR = Path.home() / ".consortium" / "keystores"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Wallet:
    name: str
    address: str
    path: Path


class Keystores:
    def __init__(self, directory: Path | str | None = None):
        self.directory = Path(directory) if directory else DEFAULT_DIR

    def path(self, name: str) -> Path:
        if not NAME.match(name):
            raise InputError(f"wallet name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
        return self.directory / f"{name}.json"

    def create(self, name: str, passphrase: str) -> Wallet:
        """A new random key, stored encrypted under `name`."""
        return self._store(name, Account.create(), passphrase)

    def import_key(self, name: str, private_key: str, passphrase: str) -> Wallet:
        """Store an existing private key (hex, with or without 0x) encrypted under `name`."""
        try:
            account = Account.from_key(private_key.strip())
        except Exception:  # eth-keys raises several types for malformed keys; never echo the input
            raise InputError("that is not a private key (64 hex digits)") from None
        return self._store(name, account, passphrase)

    def list(self) -> list[Wallet]:
        if not self.directory.is_dir():
            return []
        return [self._read(p.stem, p)[0] for p in sorted(self.directory.glob("*.json"))]

    def get(self, name: str) -> Wallet:
        return self._read(name, self.path(name))[0]

    def unlock(self, name: str, passphrase: str) -> LocalAccount:
        wallet, keyfile = self._read(name, self.path(name))
        try:
            key = Account.decrypt(keyfile, passphrase)
        except ValueError as exc:
            if "MAC mismatch" in str(exc):
                raise WalletError(f"wrong passphrase for wallet {name!r}") from None
            raise WalletError(f"wallet {name!r} ({wallet.path}) is corrupt: {exc}") from None
        return Account.from_key(key)

    def _store(self, name: str, account: LocalAccount, passphrase: str) -> Wallet:
        if not passphrase:
            raise InputError("the passphrase must not be empty")
        path = self.path(name)
        if path.exists():
            raise WalletError(f"wallet {name!r} already exists at {path}")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        keyfile = Account.encrypt(account.key, passphrase, kdf="scrypt")
        # Create with 0600 from the start: the file is never readable by others, not even briefly.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(keyfile, f)
        return Wallet(name, account.address, path)

    def _read(self, name: str, path: Path) -> tuple[Wallet, dict]:
        try:
            keyfile = untrusted_json.loads(path.read_text())
            address = to_checksum_address("0x" + keyfile["address"].removeprefix("0x"))
            keyfile["crypto"]  # noqa: B018  (a v3 keystore must have it; KeyError if not)
        except FileNotFoundError:
            raise WalletError(f"no wallet named {name!r} in {self.directory}") from None
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            raise WalletError(f"wallet {name!r} ({path}) is not a valid keystore file") from None
        return Wallet(name, address, path), keyfile
