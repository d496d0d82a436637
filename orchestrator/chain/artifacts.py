"""ABIs and bytecode from brownie's build/ directory (brownie owns compilation; we only read)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestrator.errors import ArtifactError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = PROJECT_ROOT / "build" / "contracts"


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list
    bytecode: str
    ast: dict

    def linked(self, libraries: dict[str, str]) -> str:
        """The creation bytecode with each external library's placeholder replaced by its address.
        brownie writes a placeholder as `__<Name>` padded with underscores to 40 characters."""
        code = self.bytecode
        for name, address in libraries.items():
            code = code.replace(f"__{name}".ljust(40, "_"), address[2:].lower())
        if "__" in code:
            raise ArtifactError(f"{self.name} needs a library that was not given: {sorted(libraries)}")
        return code


@cache
def load(name: str, build_dir: Path = BUILD_DIR) -> Artifact:
    """The compiled artifact of contract `name`."""
    path = build_dir / f"{name}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ArtifactError(f"no artifact for {name} at {path}: run `brownie compile`") from None
    return Artifact(name=name, abi=data["abi"], bytecode=data["bytecode"], ast=data.get("ast") or {})


def _nodes(node, node_type: str, name: str) -> list[dict]:
    """Every AST node of `node_type` named `name` under `node`."""
    found = []
    if isinstance(node, dict):
        if node.get("nodeType") == node_type and node.get("name") == name:
            found.append(node)
        for value in node.values():
            found += _nodes(value, node_type, name)
    elif isinstance(node, list):
        for value in node:
            found += _nodes(value, node_type, name)
    return found


@cache
def constant(contract: str, name: str) -> int:
    """The value of integer constant `name` declared in `contract` (a number literal), read from the
    contract's source like the enums, so an off-chain check uses the on-chain figure."""
    for node in _nodes(load(contract).ast, "VariableDeclaration", name):
        value = node.get("value") or {}
        if node.get("constant") and value.get("nodeType") == "Literal" and value.get("kind") == "number":
            return int(value["value"].replace("_", ""), 0)
    raise ArtifactError(f"{contract} declares no number constant {name}")


@cache
def enum_names(contract: str, enum: str) -> tuple[str, ...]:
    """The members of Solidity enum `enum` declared in `contract`, in words and in order
    ("MemberCase" → "member case"): the contracts' source is the one definition of every enum the
    orchestrator shows, so a member added there is named here without a second list to keep in step."""
    found = _nodes(load(contract).ast, "EnumDefinition", enum)
    if not found:
        raise ArtifactError(f"{contract} declares no enum {enum}")
    names = [member["name"] for member in found[0]["members"]]
    return tuple(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower() for name in names)
