"""Reading brownie's build artifacts and linking the governor's libraries."""

import pytest

from orchestrator import artifacts
from orchestrator.errors import ArtifactError


def test_governor_needs_both_libraries_linked():
    governor = artifacts.load("ConsortiumGovernor")
    libraries = {"BatchBallots": "0x" + "12" * 20, "ProposalRules": "0x" + "34" * 20}
    for name in libraries:
        assert f"__{name}".ljust(40, "_") in governor.bytecode
    linked = governor.linked(libraries)
    assert "__" not in linked and "12" * 20 in linked and "34" * 20 in linked
    with pytest.raises(ArtifactError, match="needs a library that was not given"):
        governor.linked({"BatchBallots": libraries["BatchBallots"]})


def test_missing_artifact_names_the_fix(tmp_path):
    with pytest.raises(ArtifactError, match="run `brownie compile`"):
        artifacts.load("NoSuchContract", tmp_path)
