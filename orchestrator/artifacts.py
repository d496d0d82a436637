"""ABIs and bytecode from brownie's build/ directory (brownie owns compilation; we only read)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ArtifactError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = PROJECT_ROOT / "build" / "contracts"


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list
    bytecode: str


@lru_cache(maxsize=None)
def load(name: str, build_dir: Path = BUILD_DIR) -> Artifact:
    """The compiled artifact of contract `name`."""
    path = build_dir / f"{name}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ArtifactError(f"no artifact for {name} at {path}: run `brownie compile`") from None
    return Artifact(name=name, abi=data["abi"], bytecode=data["bytecode"])
