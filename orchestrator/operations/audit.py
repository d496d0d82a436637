"""`consortium audit`: proof, read from the chain, that no account outside the system holds a power.

Every role, owner and privileged address of every contract is listed with its holder. The system's
own contracts are the timelock, the governor, the registry, the institutions and the bodies the
factory created. The timelock's executor role must be the governor's alone: held by the zero address it
would let anyone run a queued operation on the timelock directly, past the governor's checks (the pinned
code of its targets) and events, so an open executor role is reported as a power outside the system.
Role holders come from the RoleGranted and RoleRevoked events since the deployment block, each confirmed
with hasRole at the head; budget holders, standards publishers and advisory confirmers likewise from their
events, confirmed with the current getters (a confirmer publishes and retracts advisories about anyone in
the industry: one held by an account, not a body acting k of n, is a power outside the system). A body's
elector appoints its members and vacates the seats it filled: the election registry's, or a power outside the
system."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import function_signature_to_4byte_selector

from orchestrator.operations.config import ZERO_ADDRESS

TIMELOCK_ROLES = ("DEFAULT_ADMIN_ROLE", "PROPOSER_ROLE", "CANCELLER_ROLE", "EXECUTOR_ROLE")


@dataclass(frozen=True)
class Holding:
    contract: str
    power: str
    holder: str
    verdict: str  # "system contract: <name>", "none", or "OUTSIDE THE SYSTEM" (with a reason for an open role)

    @property
    def outside(self) -> bool:
        return self.verdict.startswith("OUTSIDE THE SYSTEM")


def _events(contract, name: str, start: int) -> list:
    return getattr(contract.events, name)().get_logs(from_block=start)


def audit(session) -> list[Holding]:
    d, w3 = session.deployment, session.w3
    bodies = session.body_factory.functions.bodies().call()
    system = {d.timelock: "TimelockController", d.governor: "ConsortiumGovernor", d.registry: "MemberRegistry",
              d.treasury: "Treasury", d.body_factory: "BodyFactory", d.standards: "StandardsRegistry",
              d.conduct: "ConductRecord", d.advisories: "AdvisoryRegistry", d.elections: "ElectionRegistry"}
    system.update({b: f"Body {session.body(b).functions.name().call()}" for b in bodies})

    def verdict(holder: str) -> str:
        if holder == ZERO_ADDRESS:
            return "none"
        if holder in system and w3.eth.get_code(holder):
            return f"system contract: {system[holder]}"
        return "OUTSIDE THE SYSTEM"

    found: list[Holding] = []
    timelock = session.timelock
    for role in TIMELOCK_ROLES:
        role_id = timelock.functions[role]().call()
        candidates = {e["args"]["account"] for e in _events(timelock, "RoleGranted", d.block)
                      if e["args"]["role"] == role_id}
        holders = [a for a in sorted(candidates) if timelock.functions.hasRole(role_id, a).call()]
        for holder in holders or [ZERO_ADDRESS]:
            open_role = holder == ZERO_ADDRESS and holders  # granted to the zero address: anyone holds it
            found.append(Holding("TimelockController", role, holder,
                                 "OUTSIDE THE SYSTEM: anyone (open role)" if open_role else verdict(holder)))

    found.append(Holding("ConsortiumGovernor", "executor (timelock)", session.governor.functions.timelock().call(),
                         ""))
    r = session.registry.functions
    found += [Holding("MemberRegistry", "governance", r.governance().call(), ""),
              Holding("MemberRegistry", "bootstrapper", r.bootstrapper().call(), ""),
              Holding("MemberRegistry", "dues oracle", r.duesOracle().call(), "")]
    for name, c in (("Treasury", session.treasury), ("BodyFactory", session.body_factory),
                    ("StandardsRegistry", session.standards), ("ConductRecord", session.conduct),
                    ("AdvisoryRegistry", session.advisories), ("ElectionRegistry", session.elections)):
        found.append(Holding(name, "governance", c.functions.governance().call(), ""))
    for b in bodies:
        body = session.body(b).functions
        found.append(Holding(system[b], "governance", body.governance().call(), ""))
        elector = body.elector().call()
        if elector != ZERO_ADDRESS:  # it appoints members and vacates the seats it filled
            found.append(Holding(system[b], "elector", elector, ""))

    t = session.treasury
    for holder, token in sorted({(e["args"]["holder"], e["args"]["token"]) for e in _events(t, "BudgetSet", d.block)}):
        if t.functions.budgetOf(holder, token).call():
            found.append(Holding("Treasury", f"budget ({'ETH' if token == ZERO_ADDRESS else token})", holder, ""))
    s = session.standards
    for publisher in sorted({e["args"]["publisher"] for e in _events(s, "PublisherSet", d.block)}):
        if s.functions.isPublisher(publisher).call():
            found.append(Holding("StandardsRegistry", "publisher", publisher, ""))
    a = session.advisories
    for confirmer in sorted({e["args"]["confirmer"] for e in _events(a, "ConfirmerSet", d.block)}):
        if a.functions.isConfirmer(confirmer).call():
            found.append(Holding("AdvisoryRegistry", "confirmer", confirmer, ""))
    return [h if h.verdict else Holding(h.contract, h.power, h.holder, verdict(h.holder)) for h in found]


@dataclass(frozen=True)
class Rules:
    """The rules a proposal is judged by, read from the chain: which calls make a member's case or a
    constitutional proposal (from the CallRuleSet events, each rule's latest), and the thresholds."""

    member_case: list[str]
    constitutional: list[str]
    quorum_percent: int
    constitutional_quorum_percent: int
    weight_cap_bps: int
    voting_delay: int
    voting_period: int
    timelock_delay: int


def rules(session) -> Rules:
    d, g = session.deployment, session.governor
    names = {d.registry: ("MemberRegistry", session.registry), d.treasury: ("Treasury", session.treasury),
             d.standards: ("StandardsRegistry", session.standards), d.conduct: ("ConductRecord", session.conduct),
             d.body_factory: ("BodyFactory", session.body_factory),
             d.advisories: ("AdvisoryRegistry", session.advisories),
             d.elections: ("ElectionRegistry", session.elections)}

    def described(target: str, selector: bytes) -> str:
        name, contract = names.get(target, (target, None))
        for entry in contract.abi if contract is not None else []:
            if entry["type"] == "function":
                signature = f"{entry['name']}({','.join(_abi_type(i) for i in entry['inputs'])})"
                if function_signature_to_4byte_selector(signature) == selector:
                    return f"{name}.{signature}"
        return f"{name}.0x{selector.hex()}"

    latest: dict[tuple[str, bytes], tuple[bool, bool]] = {}
    for event in _events(g, "CallRuleSet", d.block):
        args = event["args"]
        latest[(args["target"], bytes(args["selector"]))] = (args["constitutional"], args["aboutMember"])
    member_case = sorted(described(t, s) for (t, s), (_, about) in latest.items() if about)
    constitutional = sorted(described(t, s) for (t, s), (const, about) in latest.items() if const and not about)
    f = g.functions
    return Rules(member_case, constitutional, f.quorumNumerator().call(), f.constitutionalQuorumNumerator().call(),
                 f.weightCap().call(), f.votingDelay().call(), f.votingPeriod().call(),
                 session.timelock.functions.getMinDelay().call())


def _abi_type(entry: dict) -> str:
    if entry["type"].startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in entry["components"]) + ")" + entry["type"][5:]
    return entry["type"]
