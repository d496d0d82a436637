"""The governor's size: its deployed (runtime) bytecode, the code EIP-170 limits to 24,576 bytes, as the build
has it, keeps at least 2,048 bytes to spare for what is still to come; and the README's "The governor is N bytes,
M below the 24,576-byte contract size limit" states that same measure of the current build."""

import json
import re
from pathlib import Path

LIMIT = 24_576  # EIP-170
SPARE = 2_048
ROOT = Path(__file__).resolve().parents[2]


def deployed_size() -> int:
    """Bytes of runtime code: the build's deployedBytecode (hex, library placeholders as long as the addresses
    that replace them), which is what eth_getCode returns for the deployed governor."""
    code = json.loads((ROOT / "build/contracts/ConsortiumGovernor.json").read_text())["deployedBytecode"]
    return len(code.removeprefix("0x")) // 2


def readme_figures() -> tuple[int, int]:
    text = " ".join((ROOT / "README.md").read_text().split())
    match = re.search(r"The governor is ([\d,]+) bytes, ([\d,]+) below the 24,576-byte contract size limit", text)
    assert match, "README's paragraph on the governor's size"
    return tuple(int(g.replace(",", "")) for g in match.groups())


def test_the_governor_keeps_2048_bytes_below_the_contract_size_limit():
    assert deployed_size() <= LIMIT - SPARE, f"{deployed_size()} bytes: {LIMIT - deployed_size()} to spare"


def test_the_readme_states_the_governors_size_as_built():
    size, below = readme_figures()
    assert size + below == LIMIT
    assert (size, below) == (deployed_size(), LIMIT - deployed_size())
