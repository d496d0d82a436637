"""Reading brownie's build artifacts and linking the BatchBallots library."""

import pytest

from orchestrator import artifacts
from orchestrator.errors import ArtifactError


def test_governor_needs_the_batch_library_linked():
    governor = artifacts.load("ConsortiumGovernor")
    placeholder = "__BatchBallots".ljust(40, "_")
    assert placeholder in governor.bytecode
    address = "0x" + "12" * 20
    linked = governor.linked({"BatchBallots": address})
    assert placeholder not in linked and "12" * 20 in linked
    with pytest.raises(ArtifactError, match="needs a library that was not given"):
        governor.linked({})


def test_missing_artifact_names_the_fix(tmp_path):
    with pytest.raises(ArtifactError, match="run `brownie compile`"):
        artifacts.load("NoSuchContract", tmp_path)
