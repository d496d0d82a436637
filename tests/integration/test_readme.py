"""Every code example in the README works as written."""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess

from orchestrator.chain.artifacts import PROJECT_ROOT
from orchestrator.relay import ballots

README = (PROJECT_ROOT / "README.md").read_text()
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```$", README, flags=re.M | re.S)


def block(language: str, containing: str) -> str:
    found = [text for lang, text in BLOCKS if lang == language and containing in text]
    assert len(found) == 1, f"expected one {language} block with {containing!r}, found {len(found)}"
    return found[0]


def test_every_code_block_is_one_of_those_tested_here():
    """A new example must come with its test: the blocks with a language are exactly these three."""
    assert sorted((lang, text.split()[0]) for lang, text in BLOCKS) == [
        ("json", '{"types":'), ("sh", "consortium"), ("sh", "make")]


def test_the_opening_commands_are_make_targets():
    """`make test` is what CI runs, and `make demo` runs `consortium demo` (tests/e2e/test_demo.py runs that
    too): here, that both are targets make would run."""
    commands = [line.split("#")[0].strip() for line in block("sh", "make demo").splitlines()]
    assert commands == ["make demo", "make test"]
    for target in ("demo", "test"):
        subprocess.run(["make", "-n", target], cwd=PROJECT_ROOT, check=True, capture_output=True)


def test_the_typed_data_shown_is_what_members_sign():
    shown = json.loads(block("json", "MemberBallot"))
    signed = ballots.member_ballot({"name": "Consortium", "version": "1", "chainId": 31337,
                                    "verifyingContract": "0x" + "11" * 20}, 7, 1, "0x" + "22" * 20, "")
    assert shown["types"] == signed["types"] and shown["primaryType"] == signed["primaryType"]
    assert sorted(shown["domain"]) == sorted(signed["domain"])
    assert sorted(shown["message"]) == sorted(signed["message"])


def test_the_local_session_runs_exactly_as_written(tmp_path):
    """The block in bash, with a fresh home (keystores) and working directory, the venv's tools on PATH."""
    with socket.socket() as probe:  # the block's devnet listens on the default port
        assert probe.connect_ex(("127.0.0.1", 8545)) != 0, "port 8545 is taken: the README's devnet needs it"
    script = "set -euo pipefail\n" + block("sh", "consortium devnet > devnet.log &")
    env = {**os.environ, "HOME": str(tmp_path), "CONSORTIUM_PASSPHRASE": "readme-passphrase",
           "PATH": f"{PROJECT_ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    for name in ("CONSORTIUM_RPC", "CONSORTIUM_DEPLOYMENT", "CONSORTIUM_ACCOUNT", "CONSORTIUM_KEYSTORE",
                 "CONSORTIUM_DB"):
        env.pop(name, None)
    # A session of its own: if a line fails, `set -e` skips the block's `kill %1`, and the background devnet,
    # in bash's process group, is stopped here instead of holding port 8545 for every later run on this host.
    session = subprocess.Popen(["bash", "-c", script], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = session.communicate(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(session.pid, signal.SIGKILL)
        session.wait()
    assert session.returncode == 0, stdout + stderr
    assert stderr == "", stderr  # no error, warning or traceback anywhere
    assert re.search(r"status\s+suspended", stdout), stdout
    assert "Bitex Analytics GmbH" in stdout
