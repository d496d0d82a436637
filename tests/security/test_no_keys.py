"""No private key is written anywhere: not in the repository, not in a demo's database or output.
Anvil's well-known development keys (derived from its public test mnemonic) may appear only on a line
marked `anvil-dev-key`."""

import re
import subprocess
from pathlib import Path

from eth_account import Account

ROOT = Path(__file__).resolve().parents[2]
HEX64 = re.compile(rb"(?<![0-9a-fA-F])(?:0x)?([0-9a-fA-F]{64})(?![0-9a-fA-F])")
KEY_ASSIGNMENT = re.compile(rb"(?i)(private|secret|priv)[_ -]?key\w*[\"']?\s*[:=]\s*[\"']?(0x)?[0-9a-f]{64}")
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"


def anvil_dev_keys() -> set[bytes]:
    Account.enable_unaudited_hdwallet_features()
    return {bytes(Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key).hex().encode()
            for i in range(10)}


def findings(text: bytes, secrets: set[bytes]) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if KEY_ASSIGNMENT.search(line):
            found.append(f"line {number}: a key assigned in the clear")
        for match in HEX64.finditer(line):
            if match.group(1).lower() in secrets and b"anvil-dev-key" not in line:
                found.append(f"line {number}: a private key")
    return found


def test_the_repository_holds_no_private_key():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert len(files) > 50
    dev_keys = anvil_dev_keys()
    problems = {}
    for name in files:
        path = ROOT / name
        if path.suffix in (".png", ".ico") or not path.is_file():
            continue
        found = findings(path.read_bytes(), dev_keys)
        if found:
            problems[name] = found
    assert problems == {}


def test_the_scanner_finds_what_it_looks_for():
    key = next(iter(anvil_dev_keys()))
    assert findings(b"x = '0x" + key + b"'", {key}) == ["line 1: a private key"]
    assert findings(b"x = '" + key + b"'  # anvil-dev-key", {key}) == []
    assert findings(b'PRIVATE_KEY = "0x' + b"ab" * 32 + b'"', set()) == ["line 1: a key assigned in the clear"]


def test_a_demo_leaves_no_member_key_in_its_database_or_output(tmp_path):
    from contextlib import ExitStack

    from orchestrator.demo import Demo
    from orchestrator.session import Options, Session

    db = tmp_path / "index.db"
    lines: list[str] = []
    with ExitStack() as stack:
        session = Session(Options(db=f"sqlite:///{db}"), stack, lambda name: "")
        demo = Demo(session, 21, lines.append)
        demo.run()
        demo.index()
        keys = {bytes(account.key).hex().encode() for account, _ in demo.members}
    written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert len(keys) == 21 and len(written) > 10_000
    assert findings(written, keys) == []
    assert not any(bytes.fromhex(key.decode()) in written for key in keys)  # nor as raw bytes
    assert findings("\n".join(lines).encode(), keys) == []
