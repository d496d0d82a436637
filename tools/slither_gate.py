"""Static analysis gate of `make test`: every slither detector over every deployable contract.

    .venv-slither/bin/python tools/slither_gate.py [FILE.sol ...]

Compiles with exactly brownie-config.yaml's settings (solc version, optimizer, evmVersion, remappings)
through solc's standard JSON. `slither . --compile-force-framework brownie` cannot be used: crytic-compile's
brownie platform cannot resolve the remapped OpenZeppelin imports ("node_modules/@openzeppelin/... does not
exist"). OpenZeppelin's own code is not reported (filter_paths); contracts/reference (the benchmark's OZ
stack) and contracts/test (test doubles) are never deployed and are not analysed.

Exit 0 only when no finding of any impact is left. A finding is accepted only inline, where the code is:
`// slither-disable-next-line <detector> -- <why>`; a suppression without a reason fails the gate too.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import yaml
from crytic_compile import CryticCompile
from crytic_compile.platform.solc_standard_json import SolcStandardJson
from slither import Slither
from slither.detectors import all_detectors
from slither.detectors.abstract_detector import AbstractDetector

ROOT = Path(__file__).resolve().parent.parent
NOT_DEPLOYED = ("contracts/reference/", "contracts/test/")
IMPACTS = ("High", "Medium", "Low", "Informational", "Optimization")
SUPPRESSION = re.compile(r"//\s*slither-disable-(?:next-line|line|start|end)\s+([\w,-]+)(.*)")


def deployable_sources() -> list[Path]:
    return sorted(p for p in (ROOT / "contracts").rglob("*.sol")
                  if not str(p.relative_to(ROOT)).startswith(NOT_DEPLOYED))


def standard_json(sources: list[Path]) -> dict:
    compiler = yaml.safe_load((ROOT / "brownie-config.yaml").read_text())["compiler"]
    solc = compiler["solc"]
    remappings = [r if r.endswith("/") else r.replace("=", "/=", 1) + "/" for r in solc["remappings"]]
    return {
        "language": "Solidity",
        "sources": {str(p.relative_to(ROOT)): {"urls": [str(p.relative_to(ROOT))]} for p in sources},
        "settings": {
            "optimizer": solc["optimizer"],
            "viaIR": solc.get("viaIR", False),
            "evmVersion": compiler["evm_version"],
            "remappings": remappings,
            "outputSelection": {"*": {"*": ["abi", "metadata", "evm.bytecode", "evm.deployedBytecode",
                                            "evm.bytecode.sourceMap", "evm.deployedBytecode.sourceMap",
                                            "userdoc", "devdoc"], "": ["ast"]}},
        },
    }, solc["version"]


def suppressions(sources: list[Path]) -> list[tuple[str, list[str], str]]:
    """Every inline acceptance: (file:line, detectors, reason). `slither-disable-end` closes a range and
    needs no reason of its own."""
    found = []
    for path in sources:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = SUPPRESSION.search(line)
            if match and "slither-disable-end" not in line:
                found.append((f"{path.relative_to(ROOT)}:{number}", match.group(1).split(","),
                              match.group(2).strip(" -:")))
    return found


def analyse(sources: list[Path]) -> list[dict]:
    settings, version = standard_json(sources)
    solc = Path.home() / ".solcx" / f"solc-v{version}"
    compilation = CryticCompile(SolcStandardJson(settings), solc=str(solc), cwd=str(ROOT))
    slither = Slither(compilation, filter_paths=["node_modules"])
    for detector in vars(all_detectors).values():
        if isinstance(detector, type) and issubclass(detector, AbstractDetector):
            slither.register_detector(detector)
    return [finding for results in slither.run_detectors() for finding in results]


def location(finding: dict) -> str:
    """file:line of the first element, where an inline acceptance goes (on the line above)."""
    mapping = finding["elements"][0]["source_mapping"] if finding["elements"] else {}
    return f"{mapping.get('filename_relative', '?')}:{(mapping.get('lines') or ['?'])[0]}"


def main(argv: list[str]) -> int:
    sources = [Path(a).resolve() for a in argv] or deployable_sources()
    findings = analyse(sources)
    by_impact = Counter(f["impact"] for f in findings)
    for finding in sorted(findings, key=lambda f: IMPACTS.index(f["impact"])):
        print(f"[{finding['impact']}] {finding['check']} at {location(finding)}: {finding['description'].strip()}\n")
    accepted_lines = suppressions(sources)
    problems = [f"{where}: suppression without a reason" for where, _, reason in accepted_lines if not reason]
    for problem in problems:
        print(problem)
    accepted = Counter(name for _, names, _ in accepted_lines for name in names)
    print(f"slither: {len(sources)} files, findings left: "
          + ", ".join(f"{impact} {by_impact[impact]}" for impact in IMPACTS)
          + f"; inline acceptances: {sum(accepted.values())} ("
          + ", ".join(f"{name} {n}" for name, n in sorted(accepted.items())) + ")")
    return 1 if findings or problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
