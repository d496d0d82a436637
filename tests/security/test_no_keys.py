"""No private key is written anywhere: not in the repository, not in a demo's index database, relay
database or output. Besides the keys a test knows (the demo's members', anvil's), the scanner flags what
a key looks like without knowing it: a 64-hex value assigned to a key-like name (key, secret, seed,
private, mnemonic, passphrase), a BIP-39 mnemonic (twelve or more words of its list in a row), and a
key passed as a `--private-key` argument. Anvil's well-known development keys (derived from its public
test mnemonic) may appear only on a line marked `anvil-dev-key`; anvil's mnemonic itself is public."""

import re
import subprocess
from pathlib import Path

from eth_account import Account, hdaccount

ROOT = Path(__file__).resolve().parents[2]
HEX64 = re.compile(rb"(?<![0-9a-fA-F])(?:0x)?([0-9a-fA-F]{64})(?![0-9a-fA-F])")
KEY_ASSIGNMENT = re.compile(rb"(?i)[\w.-]*(key|secret|seed|priv|mnemonic|passphrase)[\w.-]*[\"']?\s*[:=]\s*[\"']?"
                            rb"(0x)?[0-9a-f]{64}(?![0-9a-f])")
KEY_ARGUMENT = re.compile(rb"--private-key(=|\s+)\S+")
WORDS = re.compile(rb"[a-z]+(?: +[a-z]+){11,}")
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
BIP39 = {w.encode() for w in (Path(hdaccount.__file__).parent / "wordlist" / "english.txt").read_text().split()}


def mnemonics(line: bytes) -> bool:
    """Whether `line` holds twelve or more BIP-39 words in a row (anvil's public mnemonic excepted)."""
    for run in WORDS.finditer(line.lower()):
        words, streak = run.group(0).split(), 0
        for word in words:
            streak = streak + 1 if word in BIP39 else 0
            if streak >= 12 and ANVIL_MNEMONIC.encode() not in line:
                return True
    return False


def anvil_dev_keys() -> set[bytes]:
    Account.enable_unaudited_hdwallet_features()
    return {bytes(Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key).hex().encode()
            for i in range(10)}


def findings(text: bytes, secrets: set[bytes]) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if KEY_ASSIGNMENT.search(line):
            found.append(f"line {number}: a key assigned in the clear")
        if KEY_ARGUMENT.search(line):
            found.append(f"line {number}: a key passed as a command-line argument")
        if mnemonics(line):
            found.append(f"line {number}: a mnemonic")
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
    random_key = bytes(Account.create().key).hex().encode()  # nobody knows it: found by its shape
    for line in (b"signer_key = '" + random_key + b"'", b'"secret": "0x' + random_key + b'"',
                 b"export CONSORTIUM_IMPORT_KEY=" + random_key, b"seed: " + random_key):
        assert findings(line, set()) == ["line 1: a key assigned in the clear"], line
    flag = b"--private" + b"-key"  # split, so this file does not hold what it looks for
    assert findings(b"cast send " + flag + b" 0x" + random_key + b" 0xabc", set()) == [
        "line 1: a key passed as a command-line argument"]
    assert findings(b"anvil " + flag + b"=$KEY", set()) == ["line 1: a key passed as a command-line argument"]
    Account.enable_unaudited_hdwallet_features()
    _, phrase = Account.create_with_mnemonic()
    assert findings(b"words = '" + phrase.encode() + b"'", set()) == ["line 1: a mnemonic"]
    assert findings(ANVIL_MNEMONIC.encode(), set()) == []  # public, printed by anvil itself
    assert findings(b"code_hash = 0x" + random_key + b"; the governor's salt", set()) == []  # a hash is no key


def test_a_demo_leaves_no_member_key_in_its_database_or_output(tmp_path):
    from contextlib import ExitStack

    from orchestrator.demo import Demo
    from orchestrator.operations.session import Options, Session

    db = tmp_path / "index.db"
    lines: list[str] = []
    with ExitStack() as stack:
        session = Session(Options(db=f"sqlite:///{db}"), stack, lambda name: "")
        demo = Demo(session, 21, lines.append)
        demo.run()
        demo.index()
        keys = {bytes(account.key).hex().encode() for account, _ in demo.members}
        # the relayer's database with its write-ahead log, before the run's temporary directory goes
        relay_db = b"".join(p.read_bytes() for p in demo.relay_database.parent.iterdir())
    written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file()) + relay_db
    assert len(keys) == 21 and len(written) > 10_000 and len(relay_db) > 10_000
    assert findings(written, keys) == []
    assert not any(bytes.fromhex(key.decode()) in written for key in keys)  # nor as raw bytes
    assert findings("\n".join(lines).encode(), keys) == []


def test_every_64_hex_constant_in_the_contracts_is_its_namespaces_erc7201_slot():
    """The contracts' only 64-hex literals are ERC-7201 storage locations: each must equal
    keccak256(keccak256(namespace) - 1) & ~0xff of the namespace its struct declares, so none can be a key
    (or a mistyped slot that would overlap another's storage)."""
    from eth_utils import keccak

    found = 0
    for path in sorted((ROOT / "contracts").rglob("*.sol")):
        text = path.read_text()
        for match in re.finditer(r"0x[0-9a-fA-F]{64}\b", text):
            line = text[:match.start()].count("\n") + 1
            namespaces = re.findall(r"erc7201:([\w.]+)", text)
            assert len(namespaces) == 1, f"{path}:{line}: a 64-hex literal with no single ERC-7201 namespace"
            slot = int.from_bytes(keccak((int.from_bytes(keccak(text=namespaces[0]), "big") - 1).to_bytes(32, "big")),
                                  "big") & ~0xFF
            assert int(match.group(0), 16) == slot, f"{path}:{line}: not erc7201({namespaces[0]})"
            found += 1
    assert found == 3  # ProposalGuards, ProposalKinds, VoteLedger
