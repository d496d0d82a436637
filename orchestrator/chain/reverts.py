"""On-chain reverts decoded into a custom error's name and a plain sentence, from the compiled ABIs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from orchestrator.chain import artifacts
from orchestrator.chain.amounts import format_amount  # a leaf: one amount format, reverts included

# Plain sentences for the errors users meet; {0}, {1}… are the error's arguments.
SENTENCES = {
    "RegistryUnauthorized": "only governance (the timelock) may do this, not {0}",
    "RegistryInvalidTier": "tier {0} is not a valid definition (ids are dense, below 16; a voting tier needs weight)",
    "RegistryUnknownTier": "there is no tier {0}",
    "RegistryInvalidSeat": "{0} cannot be a seat",
    "RegistrySeatTaken": "{0} is already a member's seat",
    "RegistryNotMember": "{0} is not the seat of a current member",
    "RegistryUnknownMember": "there is no member {0}",
    "RegistryInvalidStatus": "member {0} is in status {1}, which does not allow this",
    "RegistryFutureLookup": "{0} is not in the past yet (the clock is at {1})",
    "ERC5805FutureLookup": "{0} is not in the past yet (the clock is at {1})",
    "VotesExpiredSignature": "the signature expired at {0}",
    "ERC2612ExpiredSignature": "the signature expired at {0}",
    "InsufficientBalance": "the sender holds {0}, less than the {1} to send",
    "RegistryWeightNotTransferable": "voting weight cannot be transferred or delegated",
    "RegistryBootstrapOver": "the founding admissions are over",
    "GovernorProposerWithoutRight": "{0} may not propose: only active members of a tier with the propose right can",
    "GovernorIneligibleVoter": "{0} has no vote on this proposal (not a member with weight at its snapshot)",
    "GovernorVoterRecused": "{0} is recused from this proposal (a declared conflict, or the proposal is about it)",
    "GovernorAlreadyRecused": "{0} already recused itself from this proposal",
    "GovernorNotMember": "{0} is not the seat of a current member",
    "GovernorInvalidWeightCap": "a weight cap of {0} basis points is outside 1..10000",
    "GovernorInvalidConstitutionalQuorum": "a constitutional quorum of {0}/{1} is above 100%",
    "GovernorTargetCodeChanged": "a target of proposal {0} has different code than when it was proposed; refused",
    "GovernorTooManyOpenProposals": "member {0} already has {1} proposals whose voting has not ended",
    "GovernorForbiddenCall": "a proposal may call {0} only to change its settings, not with selector 0x{1}: "
                             "everything else there would run outside the governor",
    "GovernorMemberCaseBundled": "a proposal about member {0} may hold only calls about that member, and call {1} "
                                 "is not one: propose it separately",
    "GovernorProposalSealed": "proposal {0} is sealed: members commit to their votes, then reveal them; nobody "
                              "votes on it openly",
    "GovernorProposalNotSealed": "proposal {0} is not sealed: members vote on it openly, with nothing to commit "
                                 "or reveal",
    "GovernorCommitsClosed": "commitments to proposal {0} closed at {1}: its votes are being revealed",
    "GovernorRevealsNotOpen": "votes on proposal {0} are revealed from {1}, not before",
    "LedgerUnauthorized": "only governance (the timelock) may attribute contributions, not {0}",
    "LedgerZeroAmount": "the amount must be more than zero",
    "LedgerAmountTooLarge": "{0:,} base units is more than the ledger records at once (at most 2^128 - 1)",
    "LedgerNotCounted": "this deployment does not count {0}s ([contributions] {0}s = false)",
    "LedgerUnknownMember": "there is no member {0}",
    "LedgerExpired": "the ledger has recorded for its 64 periods (it is in period {0}): governance names a fresh one "
                     "(setContributionsLedger)",
    "LedgerOverflow": "member {0}'s contributions would exceed what the ledger can hold",
    "GovernorBatchUnderfunded": "the batch ran too low on gas to give contract wallet {0} its full allowance; "
                                "send it with more gas",
    "GovernorInvalidQuorumFraction": "a quorum of {0}/{1} is above 100%",
    "AccessControlUnauthorizedAccount": "{0} lacks the role this needs (only the governor executes on the timelock)",
    "GovernorAlreadyCastVote": "{0} has already voted on this proposal",
    "GovernorInvalidVoteType": "the vote must be for, against or abstain",
    "GovernorInvalidSignature": "the ballot's signature is not {0}'s",
    "GovernorUnexpectedProposalState": "proposal {0} is {1}, which does not allow this",
    "GovernorRestrictedProposer": "this description is reserved for another proposer (#proposer=…), not {0}",
    "GovernorUnableToCancel": "{1} cannot cancel proposal {0}: only its proposer, while it is Pending",
    "GovernorOnlyExecutor": "only the timelock may do this, not {0}",
    "GovernorNonexistentProposal": "there is no proposal {0}",
    "GovernorInvalidProposalLength": "a proposal needs as many targets, values and calldatas, and at least one",
    "TimelockUnexpectedOperationState": "the timelock operation is not in the expected state",
    "TimelockUnexecutedPredecessor": "the timelock operation waits for another one",
    "RegistryDuesCurrent": "member {0}'s dues have not lapsed",
    "RegistryDuesOutstanding": "member {0}'s dues are still unpaid past the grace period",
    "TreasuryUnauthorized": "only governance (the timelock) may do this, not {0}",
    "TreasuryZeroAmount": "the amount must be more than zero",
    "TreasuryWrongValue": "the payment must send exactly {0}, not {1}",
    "TreasuryNotMember": "member {0} has left the consortium",
    "TreasuryNoDues": "member {0}'s tier owes no dues",
    "TreasuryDuesPaidAhead": "member {0}'s dues are already paid until {1}; the treasury takes at most one "
                             "period ahead",
    "TreasuryInvalidTerms": "a dues period of {0} s (grace {1} s) is not valid",
    "TreasuryInsufficientFunds": "the treasury holds {1}, less than {2}",
    "TreasuryBudgetExceeded": "{0}'s budget of {2} does not cover {3}",
    "TreasuryInvalidRecipient": "{0} cannot receive a payment",
    "TreasuryTransferFailed": "{0} refused a payment of {1}",
    "ERC20InsufficientBalance": "{0} holds {1:,} of the token's base units, less than the {2:,} needed",
    "ERC20InsufficientAllowance": "{0} may take {1:,} of the token's base units, less than the {2:,} needed (the "
                                  "payer approves it first)",
    "TreasuryTokenNotAccepted": "the treasury does not take token {0}: ETH, the dues token and the tokens governance "
                                "listed only",
    "TreasuryShortfall": "only {2} of the {1} asked arrived (a fee on transfer?): dues must arrive in full",
    "BodyUnauthorized": "only governance (the timelock) may do this, not {0}",
    "BodyFactoryUnauthorized": "only governance (the timelock) may create bodies, not {0}",
    "BodyDissolved": "the body is dissolved",
    "BodyNotBodyMember": "{0} is not the seat of a member of this body",
    "BodyNotConsortiumMember": "member {0} is not an active consortium member",
    "BodyAlreadyMember": "member {0} already sits on this body",
    "BodyNotMember": "member {0} does not sit on this body",
    "BodyInvalidThreshold": "a threshold of {0} is not between 1 and the body's {1} members",
    "BodyOutsideMandate": "calling {1} on {0} is outside the body's mandate",
    "BodyUnknownAction": "the body has no action {0}",
    "BodyActionExecuted": "action {0} was already executed",
    "BodyAlreadyApproved": "member {1} already approved action {0}",
    "StandardsUnauthorized": "{0} may not do this (governance or an allowed publisher only)",
    "StandardsInvalidDraft": "a draft needs a title, a version and a content hash",
    "StandardsUnknown": "there is no standard {0}",
    "StandardsInvalidStatus": "standard {0} is {1}, which does not allow this",
    "StandardsNotMember": "{0} is not the seat of an active member",
    "StandardsAlreadyAttested": "member {1} already attests compliance with standard {0}",
    "StandardsNotAttested": "member {1} does not attest compliance with standard {0}",
    "ConductUnauthorized": "only governance (the timelock) may censure, not {0}",
    "ConductNotVotingMember": "{0} is not the seat of a member with a vote",
    "ConductUnknownMember": "member {0} is not a current member",
    "ConductSelfReport": "member {0} cannot report itself",
    "ConductInvalidEvidence": "a report needs an evidence URI and hash",
    "ConductUnknownReport": "there is no report {0}",
    "ConductUnknownCensure": "there is no censure {0}",
    "AdvisoryUnauthorized": "{0} may not do this (a confirmer's or governance's alone; a withdrawal the filer's)",
    "AdvisoryNotActiveMember": "{0} is not the seat of an active member: only active members file advisories",
    "AdvisoryInvalidSubject": "an advisory needs a subject: a CAIP-10 account id (eip155:1:0x…) or an entity's name",
    "AdvisoryInvalidEvidence": "a URI and a hash that is not zero are needed (the evidence's, or the reply's)",
    "AdvisoryTextTooLong": "a text of {0:,} bytes is longer than the {1:,} bytes allowed",
    "AdvisoryRateLimited": "member {0} {1}",
    "AdvisoryInvalidFilingLimit": "a filing limit of {0} per {1} s is not valid: the window must be longer than zero",
    "AdvisoryUnknown": "there is no advisory {0}",
    "AdvisoryInvalidStatus": "advisory {0} is {1}, which does not allow this",
    "AdvisoryNotSubject": "{1} is not the account of advisory {0}'s subject (a subject without one answers through a "
                          "confirmer, who records its reply)",
    "ElectionUnauthorized": "only governance (the timelock) may do this, not {0}",
    "ElectionUnknown": "there is no election {0}",
    "ElectionInvalidSeats": "{0} seat(s) with {1} reserved is not an election: 1 to {2} seats, no more reserved than "
                            "there are, each reservation for a tier that exists and of at least one seat",
    "ElectionInvalidSchedule": "nominations closing at {0} and a term ending at {1} is not a schedule: nominations "
                               "close in the future and the term ends after them",
    "ElectionInvalidBody": "{0} is not one of the consortium's bodies, or it is dissolved",
    "ElectionTitleTooLong": "a title of {0:,} bytes is longer than the {1:,} bytes allowed",
    "ElectionWrongStatus": "election {0} is {1}, which does not allow this",
    "ElectionNominationsClosed": "nominations to election {0} closed at {1}",
    "ElectionNominationsOpen": "nominations to election {0} are open until {1}: its ballot comes after",
    "ElectionNotActiveMember": "{0} is not the seat of an active member: only active members stand for election",
    "ElectionAlreadyCandidate": "member {1} is already a candidate in election {0}",
    "ElectionNotCandidate": "{1} is not a candidate in election {0}",
    "ElectionTooManyCandidates": "election {0} already lists the most candidates it can ({1})",
    "ElectionNoCandidates": "election {0} has no candidates: nobody nominated itself, so there is nothing to vote on",
    "ElectionBallotNotExecuted": "only election {0}'s ballot, proposal {1}, seats its winners, as it executes",
    "ElectionBallotStillLive": "election {0}'s ballot, proposal {1}, can still pass: a new round is only for a ballot "
                               "defeated or expired",
    "ElectionTooManyRounds": "election {0} has had {1} ballot rounds, the most it can: governance may cancel it and "
                             "open another",
    "ElectionTermNotOver": "election {0}'s term ends at {1}, not before",
    "GovernorProposalIsElection": "proposal {0} is an election's ballot: members vote on it by approving candidates, "
                                  "not for, against or abstain",
    "GovernorProposalNotElection": "proposal {0} is not an election's ballot: there are no candidates to approve on it",
    "GovernorInvalidElectionBallot": "proposal {0} is tagged #election but is not an election's ballot as its "
                                     "registry fixes it (the one call seat(electionId), the registry's description)",
}
STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"]
STATUSES = ["None", "Active", "Suspended", "Resigned", "Expelled", "Lapsed"]
STANDARD_STATUSES = ["None", "Draft", "Adopted", "Superseded", "Deprecated"]


UTC_FORMATS = {"second": "%Y-%m-%d %H:%M:%S UTC", "minute": "%Y-%m-%d %H:%M UTC", "day": "%Y-%m-%d"}


def utc(timestamp: int, resolution: str = "second") -> str:
    """A chain timestamp as people read it: the date and time in UTC, to the second, the minute or the day.
    Any uint a contract or a proposal's call holds has words: past the calendar, the number itself."""
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime(UTC_FORMATS[resolution])
    except (ValueError, OverflowError, OSError):  # Python's datetime ends with the year 9999
        return f"timestamp {timestamp} ({'after 9999-12-31' if timestamp > 0 else 'before 0001-01-01'})"


def _eth(value: int) -> str:
    return format_amount(value)


def _money(token: str, value: int) -> str:
    """An amount of `token` (zero: ETH). A revert carries no token decimals (reading them would need the
    node), so an ERC-20 amount stays in the token's base units, said so."""
    return _eth(value) if int(token, 16) == 0 else f"{value:,} base units of token {token}"


# Arguments people should not have to convert: timestamps as UTC dates, wei as ETH, enums by name. Every
# other argument is shown as the contract gave it.
HUMAN_ARGS = {
    "GovernorUnexpectedProposalState": lambda a: [a[0], STATES[a[1]], *a[2:]],
    "RegistryInvalidStatus": lambda a: [a[0], STATUSES[a[1]]],
    "StandardsInvalidStatus": lambda a: [a[0], STANDARD_STATUSES[a[1]]],
    "BodyOutsideMandate": lambda a: [a[0], _function(a[1])],
    "GovernorForbiddenCall": lambda a: [a[0], a[1].hex()],
    "RegistryFutureLookup": lambda a: [utc(a[0]), utc(a[1])],  # the registry's clock is timestamps
    "ERC5805FutureLookup": lambda a: [utc(a[0]), utc(a[1])],  # so is the governor's, which follows it
    "VotesExpiredSignature": lambda a: [utc(a[0])],
    "ERC2612ExpiredSignature": lambda a: [utc(a[0])],
    "InsufficientBalance": lambda a: [_eth(a[0]), _eth(a[1])],
    "GovernorCommitsClosed": lambda a: [a[0], utc(a[1])],
    "GovernorRevealsNotOpen": lambda a: [a[0], utc(a[1])],
    "TreasuryWrongValue": lambda a: [_eth(a[0]), _eth(a[1])],
    "TreasuryDuesPaidAhead": lambda a: [a[0], utc(a[1])],
    "TreasuryInsufficientFunds": lambda a: [a[0], _money(a[0], a[1]), _money(a[0], a[2])],
    "TreasuryBudgetExceeded": lambda a: [a[0], a[1], _money(a[1], a[2]), _money(a[1], a[3])],
    "TreasuryTransferFailed": lambda a: [a[0], _eth(a[1])],  # only ETH transfers can fail this way
    "TreasuryShortfall": lambda a: [a[0], _money(a[0], a[1]), _money(a[0], a[2])],
    "AdvisoryRateLimited": lambda a: [a[0], _filing_limit(a[1], a[2])],
    "AdvisoryInvalidStatus": lambda a: [a[0], _enum("IAdvisoryRegistry", "Status", a[1])],
    "LedgerNotCounted": lambda a: [_enum("IContributionLedger", "Source", a[0])],
    "ElectionInvalidSeats": lambda a: [*a, artifacts.constant("ElectionRegistry", "MAX_SEATS")],
    "ElectionInvalidSchedule": lambda a: [utc(a[0]), utc(a[1])],
    "ElectionWrongStatus": lambda a: [a[0], _enum("IElectionRegistry", "Status", a[1])],
    "ElectionNominationsClosed": lambda a: [a[0], utc(a[1])],
    "ElectionNominationsOpen": lambda a: [a[0], utc(a[1])],
    "ElectionNotCandidate": lambda a: [a[0], f"member {a[1]}" if a[1] else "the sender (not a member)"],
    "ElectionTermNotOver": lambda a: [a[0], utc(a[1])],
}


def _filing_limit(limit: int, available_at: int) -> str:
    """Why a member may not file now, and from when it may: a limit of zero is filing closed, not a wait."""
    if limit == 0:
        return "may not file: governance closed filing (a limit of 0 per period)"
    return f"reached the filing limit of {limit} per period: it may file again from {utc(available_at)}"


def _enum(contract: str, enum: str, value: int) -> str:
    names = artifacts.enum_names(contract, enum)
    return names[value] if 0 <= value < len(names) else str(value)


@lru_cache(maxsize=1)
def _error_abis() -> dict[bytes, tuple[str, list[str]]]:
    """selector -> (name, argument types), from every compiled artifact's ABI."""

    found = {}
    for path in artifacts.BUILD_DIR.glob("*.json"):
        for item in artifacts.load(path.stem).abi:
            if item.get("type") == "error":
                types = [i["type"] for i in item["inputs"]]
                signature = f"{item['name']}({','.join(types)})"
                found[function_signature_to_4byte_selector(signature)] = (item["name"], types)
    return found


@lru_cache(maxsize=1)
def _function_signatures() -> dict[bytes, str]:
    """selector -> the function's signature, from every compiled artifact's ABI."""
    found: dict[bytes, set[str]] = {}
    for path in artifacts.BUILD_DIR.glob("*.json"):
        for item in artifacts.load(path.stem).abi:
            if item.get("type") == "function":
                signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
                found.setdefault(function_signature_to_4byte_selector(signature), set()).add(signature)
    return {selector: " or ".join(sorted(names)) for selector, names in found.items()}


def _function(selector: bytes) -> str:
    """A selector by its function's signature when one of the suite's ABIs has it: `spend(…) (0x…)`."""
    signature = _function_signatures().get(selector)
    return f"{signature} (0x{selector.hex()})" if signature else f"0x{selector.hex()}"


def revert_error(data: str | bytes | None) -> tuple[str, list] | None:
    """A custom error's name and its arguments as the contract gave them, or None when the revert data is
    not one of the suite's errors."""
    raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else (data or b"")
    known = _error_abis().get(raw[:4]) if len(raw) >= 4 else None
    if known is None:
        return None
    name, types = known
    args = [to_checksum_address(a) if t == "address" else a for t, a in zip(types, decode(types, raw[4:]), strict=True)]
    return name, args


def decode_revert_data(data: str | bytes | None) -> str:
    """'Name: plain sentence' for revert data; 'reverted without a reason' when there is none."""
    raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else (data or b"")
    if len(raw) < 4:
        return "reverted without a reason"
    found = revert_error(raw)
    if found is None:
        return f"reverted with unknown error 0x{raw[:4].hex()}"
    name, args = found
    args = HUMAN_ARGS.get(name, list)(args)
    template = SENTENCES.get(name)
    if template:
        sentence = template.format(*args)
    else:
        sentence = _words(name) + (f" ({', '.join(map(str, args))})" if args else "")
    return f"{name}: {sentence}"


def error_words(name: str, types: list[str], args: list) -> str:
    """The words of custom error `name` as a contract would revert with it: what an off-chain check that refuses
    ahead of the chain says, in the chain's own sentence."""
    return decode_revert_data(function_signature_to_4byte_selector(f"{name}({','.join(types)})") + encode(types, args))


def revert_data(exc: Exception) -> str | None:
    """The revert data of a web3 contract error, when the node gave it."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):  # some nodes wrap it
        data = data.get("data")
    return data if isinstance(data, str) and data.startswith("0x") else None


def decode_revert(exc: Exception) -> str:
    """The decoded revert of a web3 contract error."""
    data = revert_data(exc)
    return decode_revert_data(data) if data else str(exc)


def _words(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
