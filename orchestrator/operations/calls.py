"""What a proposal's calls do, in words: one sentence per (contract, function) that governance can call on
the suite's contracts, the call found by its selector in the compiled ABI and its arguments decoded by
name. Members are named by their legal name (identity.py, from the registry's metadata URI and hash),
tiers by name, amounts in their unit, bodies and standards by name and title.

SENTENCES covers every state-changing function of the governed contracts' ABIs except those in
NOT_PROPOSABLE (each with why a proposal cannot make it); a test holds the two together against the ABIs,
so a function added to a contract is either given its sentence or named as not proposable, never shown
as hex by omission. A call to anything else stays its signature and arguments (or its selector)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from eth_abi.exceptions import DecodingError
from eth_utils import function_abi_to_4byte_selector, to_checksum_address
from web3.exceptions import ContractCustomError, ContractLogicError, Web3Exception

from orchestrator import identity
from orchestrator.chain import artifacts, decoded_size
from orchestrator.chain.amounts import BASE_UNITS, asset_of, format_amount
from orchestrator.chain.reverts import utc
from orchestrator.labels import member_label, tier_label
from orchestrator.operations.config import ZERO_ADDRESS
from orchestrator.operations.deploy import contract

# The contracts a proposal governs, by artifact name (bodies are found through the factory).
GOVERNED = ("MemberRegistry", "ConsortiumGovernor", "TimelockController", "Treasury", "BodyFactory", "Body",
            "StandardsRegistry", "ConductRecord", "AdvisoryRegistry", "ContributionLedger", "ElectionRegistry")
_VIEW_ERRORS = (ContractCustomError, ContractLogicError, Web3Exception, ValueError, OverflowError)


class Words:
    """Names of what call arguments refer to, read from the chain (once per command)."""

    def __init__(self, session):
        self.session = session

    @cached_property
    def names(self) -> dict[str, str]:
        """The suite's contracts by address, as people call them."""
        d = self.session.deployment
        return {d.registry: "the member registry", d.governor: "the governor", d.timelock: "the timelock",
                d.treasury: "the treasury", d.body_factory: "the body factory", d.standards: "the standards registry",
                d.conduct: "the conduct record", d.advisories: "the advisory registry",
                **({d.contribution_ledger: "the contribution ledger"} if d.contribution_ledger else {}),
                **({d.elections: "the election registry"} if d.elections else {})}

    @cached_property
    def bodies(self) -> dict[str, str]:
        """The bodies the factory created, address -> name."""
        return {address: self.session.body(address).functions.name().call()
                for address in self.session.body_factory.functions.bodies().call()}

    def contract_name(self, address: str) -> str | None:
        """The artifact a suite address runs, or None for anything else."""
        for name, suite_address in self.session.deployment.contracts.items():
            if suite_address == address and name in GOVERNED:
                return name
        return "Body" if address in self.bodies else None

    def contract_at(self, address: str):
        name = self.contract_name(address)
        return None if name is None else contract(self.session.w3, name, address)

    def member(self, member_id: int) -> str:
        """"member 7 Bitex Ltd" (its legal name when the chain holds one), else "member 7"."""
        try:
            record = self.session.registry.functions.member(member_id).call()
        except _VIEW_ERRORS:
            return f"member {member_id}"
        return member_label(member_id, identity.read(record[4], record[5]))

    def members(self, member_ids) -> str:
        return ", ".join(self.member(m) for m in member_ids) or "no members"

    @cached_property
    def tier_names(self) -> list[str]:
        r = self.session.registry.functions
        return [r.tier(t).call()[0] for t in range(r.tierCount().call())]

    def tier(self, tier_id: int) -> str:
        return tier_label(tier_id, self.tier_names)

    def amount(self, token: str, value: int) -> str:
        """ETH, or an ERC-20's amount in its own units with the token's address (a symbol proves nothing)."""
        text = asset_of(self.session.w3, token).format(value)
        return text if token == ZERO_ADDRESS else f"{text} of token {token}"

    def dues_amount(self, value: int) -> str:
        return self.amount(self.session.treasury.functions.duesToken().call(), value)

    def token(self, token: str) -> str:
        if token == ZERO_ADDRESS:
            return "ETH"
        asset = asset_of(self.session.w3, token)
        return f"token {token}" if asset.symbol in (BASE_UNITS, "tokens") else f"{asset.symbol} ({token})"

    def account(self, address: str) -> str:
        """A body by name, one of the suite's contracts, a member's seat, or the bare address."""
        address = to_checksum_address(address)
        if address in self.bodies:
            return f"body '{self.bodies[address]}' ({address})"
        if address in self.names:
            return f"{self.names[address]} ({address})"
        return self.seat(address)

    def seat(self, address: str) -> str:
        """An address that is no body or contract of the suite: the seat of the member it is, if any."""
        try:
            member_id = self.session.registry.functions.memberIdOf(address).call()
        except _VIEW_ERRORS:
            member_id = 0
        return f"{address} (the seat of {self.member(member_id)})" if member_id else address

    def body(self, address: str) -> str:
        return f"body '{self.bodies[address]}'" if address in self.bodies else f"body {address}"

    def standard(self, standard_id: int) -> str:
        try:
            title, version, *_ = self.session.standards.functions.standard(standard_id).call()
        except _VIEW_ERRORS:
            return f"standard {standard_id}"
        return f"standard {standard_id} '{title}' v{version}"

    def advisory(self, advisory_id: int) -> str:
        """"advisory 3 (scam, high, about eip155:56:0x…)", else "advisory 3" (one that does not exist yet)."""
        try:
            kind, severity, *_, subject, _, _, _ = self.session.advisories.functions.advisory(advisory_id).call()
        except _VIEW_ERRORS:
            return f"advisory {advisory_id}"
        return (f"advisory {advisory_id} ({_enum('IAdvisoryRegistry', 'Kind', kind)}, "
                f"{_enum('IAdvisoryRegistry', 'Severity', severity)}, about {subject})")

    def function(self, target: str, selector: bytes) -> str:
        """Contract.signature for a (target, selector) of the suite, else target and selector."""
        found = self.contract_at(target)
        for entry in found.abi if found is not None else []:
            if entry["type"] == "function" and function_abi_to_4byte_selector(entry) == bytes(selector):
                types = ",".join(_abi_type(i) for i in entry["inputs"])
                return f"{self.contract_name(target)}.{entry['name']}({types})"
        return f"0x{bytes(selector).hex()} on {self.account(target)}"


def _abi_type(entry: dict) -> str:
    if entry["type"].startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in entry["components"]) + ")" + entry["type"][5:]
    return entry["type"]


def _seconds(value: int) -> str:
    return f"{value:,} s"


def _may(flag: bool) -> str:
    return "may" if flag else "may not"


def _memo(memo: str) -> str:
    return f" (memo: {memo})" if memo else ""


def _admit(w: Words, a: dict) -> str:
    x = a["admission"]
    who = identity.read(x["metadataURI"], x["metadataHash"])
    name = f"{who.label(0)} ({who.jurisdiction})" if who.legal_name is not None else \
        f"the holder of identity hash 0x{bytes(x['metadataHash']).hex()}" + \
        (f" (metadata at {x['metadataURI']})" if x["metadataURI"] else " (no metadata URI)")
    return f"admit {name} at seat {x['seat']} in tier {w.tier(x['tier'])}"


def _enum(contract: str, enum: str, value: int) -> str:
    """An enum argument by name; a value past the enum's end (the ABI carries a uint8, the governor takes any
    bytes, the call would revert when executed) as itself."""
    names = artifacts.enum_names(contract, enum)
    return names[value] if 0 <= value < len(names) else f"kind {value} (not a {contract}.{enum})"


def _filing_limit(a: dict) -> str:
    if a["limit"] == 0:
        return f"close advisory filing (a limit of 0 per {_seconds(a['window'])})"
    return f"let each member file at most {a['limit']} advisories per {_seconds(a['window'])}"


def _reply(a: dict) -> str:
    return f"{a['uri']} (hash 0x{bytes(a['contentHash']).hex()})"


def _create_body(w: Words, a: dict) -> str:
    kind = _enum("Body", "Kind", a["kind"])
    mandate = "; ".join(w.function(m["target"], m["selector"]) for m in a["mandate"]) or "nothing"
    return (f"create the {kind} '{a['name']}' of {w.members(a['memberIds'])}, acting on {a['threshold']} "
            f"approval(s), mandate: {mandate}")


def _open_election(w: Words, a: dict) -> str:
    reserved = ", ".join(f"{r['seats']} reserved for {w.tier(r['tier'])}" for r in a["reserved"])
    return (f"open election '{a['title']}' of {a['seats']} seat(s) of {w.body(a['body'])}"
            + (f" ({reserved})" if reserved else "")
            + f": nominations until {utc(a['nominationsEnd'])}, term until {utc(a['termEnd'])}")


def _call_rule(w: Words, a: dict) -> str:
    kind = "constitutional" if a["constitutional"] else "ordinary"
    about = ", each about the member its first argument names (a member's case)" if a["aboutMember"] else ""
    return f"treat calls of {w.function(a['target'], a['selector'])} as {kind}{about}"


# (contract, function) -> its sentence, from (words, the call's arguments by their ABI names, target).
Sentence = Callable[[Words, dict, str], str]
SENTENCES: dict[tuple[str, str], Sentence] = {
    ("MemberRegistry", "admit"): lambda w, a, t: _admit(w, a),
    ("MemberRegistry", "changeTier"): lambda w, a, t: f"move {w.member(a['memberId'])} to tier {w.tier(a['newTier'])}",
    ("MemberRegistry", "suspend"): lambda w, a, t: f"suspend {w.member(a['memberId'])}: {a['reason']}",
    ("MemberRegistry", "reinstate"): lambda w, a, t: f"reinstate {w.member(a['memberId'])}",
    ("MemberRegistry", "expel"): lambda w, a, t: f"expel {w.member(a['memberId'])}: {a['reason']}",
    ("MemberRegistry", "rotateSeatOf"): lambda w, a, t: f"move {w.member(a['memberId'])} to seat {a['newSeat']}",
    ("MemberRegistry", "setTier"): lambda w, a, t: (
        f"set tier {a['tierId']} to '{a['name']}': weight {a['weight']}, {_may(a['canPropose_'])} propose, "
        f"{_may(a['canVote'])} vote"),
    ("MemberRegistry", "lapse"): lambda w, a, t: f"mark {w.member(a['memberId'])} lapsed for unpaid dues",
    ("MemberRegistry", "restore"): lambda w, a, t: f"restore {w.member(a['memberId'])} after its dues were paid",
    ("ConsortiumGovernor", "setVotingDelay"): lambda w, a, t:
        f"set the voting delay to {_seconds(a['newVotingDelay'])}",
    ("ConsortiumGovernor", "setVotingPeriod"): lambda w, a, t:
        f"set the voting period to {_seconds(a['newVotingPeriod'])}",
    ("ConsortiumGovernor", "setLateQuorumVoteExtension"): lambda w, a, t:
        f"set the late-quorum extension to {_seconds(a['newVoteExtension'])}",
    ("ConsortiumGovernor", "updateQuorumNumerator"): lambda w, a, t:
        f"set the ordinary quorum to {a['newQuorumNumerator']}% of all weight",
    ("ConsortiumGovernor", "setConstitutionalQuorum"): lambda w, a, t:
        f"set the constitutional quorum to {a['newNumerator']}% of all weight",
    ("ConsortiumGovernor", "setWeightCap"): lambda w, a, t:
        f"cap each member's weight at {a['newCapBps']} basis points of all weight",
    ("ConsortiumGovernor", "setCallRule"): lambda w, a, t: _call_rule(w, a),
    ("TimelockController", "updateDelay"): lambda w, a, t: f"set the timelock delay to {_seconds(a['newDelay'])}",
    ("Treasury", "spend"): lambda w, a, t: (
        f"spend {w.amount(a['token'], a['amount'])} from the treasury to {w.account(a['recipient'])}"
        f"{_memo(a['memo'])}"),
    ("Treasury", "setBudget"): lambda w, a, t:
        f"set the budget of {w.account(a['holder'])} to {w.amount(a['token'], a['amount'])}",
    ("Treasury", "setAcceptedToken"): lambda w, a, t: (
        f"accept contributions in {w.token(a['token'])}" if a["accepted"]
        else f"stop accepting contributions in {w.token(a['token'])}"),
    ("Treasury", "setDues"): lambda w, a, t:
        f"set the dues of tier {w.tier(a['tierId'])} to {w.dues_amount(a['amountPerPeriod'])} per period",
    ("Treasury", "setDuesTerms"): lambda w, a, t: (
        f"set the dues period to {_seconds(a['duesPeriod_'])} and the grace period to "
        f"{_seconds(a['gracePeriod_'])}"),
    ("Treasury", "payDues"): lambda w, a, t: f"pay {a['periods']} period(s) of dues for {w.member(a['memberId'])}",
    ("Treasury", "payDuesMany"): lambda w, a, t:
        f"pay {a['periods']} period(s) of dues for {w.members(a['memberIds'])}",
    ("Treasury", "contribute"): lambda w, a, t: (
        f"contribute {w.amount(a['token'], a['amount'])} to the treasury as a "
        f"{_enum('Treasury', 'ContributionKind', a['kind'])}{_memo(a['memo'])}"),
    ("Treasury", "spendBudget"): lambda w, a, t: (
        f"spend {w.amount(a['token'], a['amount'])} from the timelock's own budget to {w.account(a['recipient'])}"
        f"{_memo(a['memo'])}"),
    ("BodyFactory", "create"): lambda w, a, t: _create_body(w, a),
    ("Body", "appoint"): lambda w, a, t: f"appoint {w.member(a['memberId'])} to {w.body(t)}",
    ("Body", "remove"): lambda w, a, t: f"remove {w.member(a['memberId'])} from {w.body(t)}",
    ("Body", "setThreshold"): lambda w, a, t: f"make {w.body(t)} act on {a['threshold_']} approval(s)",
    ("Body", "setMandate"): lambda w, a, t: (
        f"{'allow' if a['allowed'] else 'no longer allow'} {w.body(t)} to call "
        f"{w.function(a['target'], a['selector'])}"),
    ("Body", "dissolve"): lambda w, a, t: f"dissolve {w.body(t)}",
    ("Body", "setElector"): lambda w, a, t: (
        f"make {w.account(a['elector_'])} the elector of {w.body(t)}, which seats its elected members and "
        "vacates their seats" if int(a["elector_"], 16) else f"leave {w.body(t)} without an elector"),
    ("ElectionRegistry", "open"): lambda w, a, t: _open_election(w, a),
    ("ElectionRegistry", "cancel"): lambda w, a, t: f"cancel election {a['electionId']}",
    ("ElectionRegistry", "seat"): lambda w, a, t: f"seat the winners of election {a['electionId']} (its ballot)",
    ("StandardsRegistry", "adopt"): lambda w, a, t: f"adopt {w.standard(a['standardId'])}",
    ("StandardsRegistry", "deprecate"): lambda w, a, t: f"deprecate {w.standard(a['standardId'])}",
    ("StandardsRegistry", "setPublisher"): lambda w, a, t: (
        f"{'allow' if a['allowed'] else 'no longer allow'} {w.account(a['publisher'])} to publish standard drafts"),
    ("StandardsRegistry", "publishDraft"): lambda w, a, t: (
        f"publish the draft standard '{a['title']}' v{a['version']} (sha256 {bytes(a['contentHash']).hex()})"
        + (f" at {a['uri']}" if a["uri"] else "") + (f", superseding {w.standard(a['supersedes'])}"
                                                    if a["supersedes"] else "")),
    ("ConductRecord", "censure"): lambda w, a, t: (
        f"censure {w.member(a['memberId'])}: {a['reason']}"
        + (f" (answering conduct report {a['reportId']})" if a["reportId"] else "")),
    ("MemberRegistry", "setContributionsLedger"): lambda w, a, t: (
        f"weigh members' contributions as the ledger at {a['ledger']} records them, from now on"
        if int(a["ledger"], 16) else "stop weighing members' contributions, from now on"),
    ("ContributionLedger", "attribute"): lambda w, a, t: (
        f"attribute a contribution worth {w.dues_amount(a['amount'])} to {w.member(a['memberId'])}, adding to its "
        f"contribution part of the weight{_memo(a['memo'])}"),
    ("AdvisoryRegistry", "setConfirmer"): lambda w, a, t: (
        f"{'allow' if a['allowed'] else 'no longer allow'} {w.account(a['confirmer'])} to publish, dismiss, update "
        "and retract industry advisories"),
    ("AdvisoryRegistry", "setFilingLimit"): lambda w, a, t: _filing_limit(a),
    ("AdvisoryRegistry", "publish"): lambda w, a, t: f"publish {w.advisory(a['advisoryId'])}",
    ("AdvisoryRegistry", "dismiss"): lambda w, a, t: f"dismiss {w.advisory(a['advisoryId'])}: {a['reason']}",
    ("AdvisoryRegistry", "update"): lambda w, a, t: (
        f"update {w.advisory(a['advisoryId'])} to severity "
        f"{_enum('IAdvisoryRegistry', 'Severity', a['severity'])}, evidence {a['evidenceURI']} "
        f"(hash 0x{bytes(a['evidenceHash']).hex()}): {a['note']}"),
    ("AdvisoryRegistry", "retract"): lambda w, a, t: f"retract {w.advisory(a['advisoryId'])}: {a['reason']}",
    ("AdvisoryRegistry", "recordReply"): lambda w, a, t:
        f"record its subject's reply to {w.advisory(a['advisoryId'])}: {_reply(a)}",
    ("AdvisoryRegistry", "reply"): lambda w, a, t:
        f"reply to {w.advisory(a['advisoryId'])} as its subject's account: {_reply(a)}",
}

# State-changing functions of the governed contracts that no proposal can make, and why: the governor
# refuses them at propose (ProposalKinds: on itself only its settings, on the timelock only its delay), or
# they act for their caller, who would be the timelock, which holds no seat, no body membership and is
# not the bootstrapper.
_GOVERNOR_REFUSES = "the governor refuses it in a proposal"
_CALLER_ONLY = "acts for its caller, a member or body member, which the timelock never is"
NOT_PROPOSABLE: dict[tuple[str, str], str] = {
    **{("ConsortiumGovernor", f): _GOVERNOR_REFUSES for f in (
        "cancel", "castApprovals", "castVote", "castVoteBatch", "castVoteBySig", "castVoteWithReason",
        "castVoteWithReasonAndParams", "castVoteWithReasonAndParamsBySig", "commitVotes", "execute",
        "onERC1155BatchReceived", "onERC1155Received", "onERC721Received", "propose", "queue", "recuse", "relay",
        "revealVotes", "setProposalThreshold", "updateTimelock")},
    **{("TimelockController", f): _GOVERNOR_REFUSES for f in (
        "cancel", "execute", "executeBatch", "grantRole", "onERC1155BatchReceived", "onERC1155Received",
        "onERC721Received", "renounceRole", "revokeRole", "schedule", "scheduleBatch")},
    **{("MemberRegistry", f): _CALLER_ONLY for f in ("resign", "rotateSeat", "updateMetadata")},
    **{("MemberRegistry", f): "the bootstrapper's alone, during the deployment" for f in (
        "bootstrapAdmit", "endBootstrap", "setDuesOracle")},
    **{("StandardsRegistry", f): _CALLER_ONLY for f in ("attest", "withdraw")},
    ("ConductRecord", "fileReport"): _CALLER_ONLY,
    **{("AdvisoryRegistry", f): _CALLER_ONLY for f in ("file", "withdraw")},
    **{("Body", f): _CALLER_ONLY for f in ("propose", "approve")},
    ("ContributionLedger", "recordSponsorship"): "the treasury's alone, when a sponsorship is paid",
    ("ContributionLedger", "setCounted"): "the registry's alone, when a member's standing changes",
    ("Body", "vacate"): "the elector's alone, when an elected term ends",
    **{("ElectionRegistry", f): _CALLER_ONLY for f in ("nominate", "withdraw")},
    **{("ElectionRegistry", f): "anyone's, when the registry allows it" for f in ("nextRound", "vacate")},
}


def describe(words: Words, target: str, value: int, data: bytes) -> str:
    """One call in words; an unknown one as its signature and arguments, or its selector."""
    data = bytes(data)
    sent = f" with {format_amount(value)}" if value else ""
    if len(data) < 4:
        return f"send {format_amount(value)} to {words.account(target)}" if not data else \
            f"call {words.account(target)} with 0x{data.hex()}{sent}"
    found = words.contract_at(target)
    if found is None:
        return f"call 0x{data[:4].hex()} on {words.account(target)} (0x{data[4:].hex()}){sent}"
    try:
        inputs = found.get_function_by_selector(data[:4]).abi["inputs"]
    except ValueError:
        return f"call 0x{data[:4].hex()} on {words.account(target)} (unknown to its ABI){sent}"
    try:
        # A canonical encoding decodes to at most its size; the slack covers static arguments cut short.
        decoded_size.check([_abi_type(i) for i in inputs], data[4:], 2 * len(data) + 4096)
    except decoded_size.TooLarge:
        return (f"call {words.function(target, data[:4])} on {words.account(target)} with arguments whose offsets "
                f"point at the same bytes again and again ({len(data) - 4} bytes that would decode to more than "
                f"twice as many): not decoded{sent}")
    try:
        fn, args = found.decode_function_input(data)
    except (DecodingError, ValueError, OverflowError):
        # The governor classifies a call by its selector alone and records whatever bytes follow, so a
        # proposal's arguments may be cut short, point outside the data or hold text that is not UTF-8.
        return (f"call {words.function(target, data[:4])} on {words.account(target)} with arguments that do not "
                f"decode ({len(data) - 4} bytes after the selector){sent}")
    sentence = SENTENCES.get((words.contract_name(target), fn.fn_name))
    if sentence is None:
        listed = ", ".join(f"{k}={v!r}" for k, v in args.items())
        return f"{fn.fn_name}({listed}) on {words.account(target)}{sent}"
    return sentence(words, args, target) + sent


def describe_calls(session, targets: list[str], values: list[int], calldatas: list[bytes]) -> list[str]:
    words = Words(session)
    return [describe(words, t, v, d) for t, v, d in zip(targets, values, calldatas, strict=True)]


def governed_functions() -> set[tuple[str, str]]:
    """Every state-changing function of the governed contracts' ABIs, as (contract, function)."""
    return {(name, entry["name"]) for name in GOVERNED for entry in artifacts.load(name).abi
            if entry["type"] == "function" and entry["stateMutability"] not in ("view", "pure")}

