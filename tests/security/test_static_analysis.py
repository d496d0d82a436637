"""The slither gate (tools/slither_gate.py; `make slither`, part of `make test`) refuses what it must:
an unaccepted finding, and a finding accepted inline without a reason. The gate over the real contracts
runs as its own step of `make test`; this checks that it can fail."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv-slither" / "bin" / "python"
FIXTURES = ROOT / "tests" / "fixtures" / "slither"


def gate(*sources: str) -> subprocess.CompletedProcess:
    assert PYTHON.exists(), "the gate's virtualenv is missing: run `make slither` (make test does)"
    return subprocess.run([str(PYTHON), str(ROOT / "tools" / "slither_gate.py"), *sources], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_an_unaccepted_finding_fails_the_gate_by_name():
    run = gate(str(FIXTURES / "Unsafe.sol"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "[High] reentrancy-eth at tests/fixtures/slither/Unsafe.sol:12" in run.stdout
    assert "findings left: High 1," in run.stdout


def test_an_inline_acceptance_without_a_reason_fails_the_gate():
    run = gate(str(FIXTURES / "Suppressed.sol"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "reentrancy-eth" not in run.stdout.split("slither:")[0]  # accepted, so not reported as a finding
    assert "tests/fixtures/slither/Suppressed.sol:12: suppression without a reason" in run.stdout
    assert "findings left: High 0, Medium 0," in run.stdout
