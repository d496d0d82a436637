"""Reading brownie's build artifacts and linking the governor's libraries."""

import pytest

from orchestrator.chain import artifacts
from orchestrator.errors import ArtifactError
from orchestrator.operations.deploy import GOVERNOR_LIBRARIES


def test_governor_needs_all_its_libraries_linked():
    governor = artifacts.load("ConsortiumGovernor")
    libraries = {"BatchBallots": "0x" + "12" * 20, "ProposalKinds": "0x" + "34" * 20,
                 "ProposalGuards": "0x" + "56" * 20, "SealedBallots": "0x" + "78" * 20,
                 "ApprovalBallots": "0x" + "9a" * 20}
    assert set(libraries) == set(GOVERNOR_LIBRARIES)
    for name in libraries:
        assert f"__{name}".ljust(40, "_") in governor.bytecode
    linked = governor.linked(libraries)
    assert "__" not in linked and all(address[2:] in linked for address in libraries.values())
    with pytest.raises(ArtifactError, match="needs a library that was not given"):
        governor.linked({"BatchBallots": libraries["BatchBallots"]})


def test_enums_are_read_from_the_contracts_source():
    assert artifacts.enum_names("IConsortiumGovernor", "ProposalKind") == ("ordinary", "constitutional", "member case")
    with pytest.raises(ArtifactError, match="declares no enum Nope"):
        artifacts.enum_names("IConsortiumGovernor", "Nope")


def test_missing_artifact_names_the_fix(tmp_path):
    with pytest.raises(ArtifactError, match="run `brownie compile`"):
        artifacts.load("NoSuchContract", tmp_path)
