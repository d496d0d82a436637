"""Industry advisories as the chain holds them (IAdvisoryRegistry), read in JSON-RPC batches, and their
kinds, severities and statuses by name, from the contract's own enums: there is no second list here.

On the command line a name is written with hyphens (`insolvency-risk`); it is shown in words
(`insolvency risk`), as every enum of the suite is."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address
from web3.exceptions import ContractCustomError, ContractLogicError

from orchestrator.chain import artifacts
from orchestrator.chain.reverts import decode_revert, revert_data, revert_error
from orchestrator.errors import InputError
from orchestrator.operations.config import ZERO_ADDRESS
from orchestrator.operations.roll import Calls

INTERFACE = "IAdvisoryRegistry"
ADVISORY = "(uint8,uint8,uint8,uint32,uint48,uint48,uint256,address,string,string,string,bytes32)"
REPLIES = "(bool,uint48,string,bytes32)[]"


def names(enum: str) -> tuple[str, ...]:
    """Kind, Severity or Status in words, in the contract's order."""
    return artifacts.enum_names(INTERFACE, enum)


def written(name: str) -> str:
    """A name as typed on the command line: `sanctions exposure` → `sanctions-exposure`."""
    return name.replace(" ", "-")


def parse(enum: str, text: str) -> int:
    """An enum value from its name (hyphens, underscores or spaces; any case); an unknown name is an error
    listing the names there are."""
    wanted = " ".join(text.replace("-", " ").replace("_", " ").split()).casefold()
    found = names(enum)
    if wanted in found:
        return found.index(wanted)
    raise InputError(f"{enum.lower()} {text!r} is not one of: {', '.join(written(n) for n in found)}")


@dataclass(frozen=True)
class Reply:
    by_subject: bool  # False: recorded by a confirmer for a subject that has no account here
    replied_at: int
    uri: str
    content_hash: bytes


@dataclass(frozen=True)
class Advisory:
    id: int
    kind: str
    severity: str
    status: str
    revision: int
    filed_at: int
    decided_at: int  # zero while pending (and for a withdrawal, which no confirmer decided)
    filer: int  # the filer's member id
    subject_account: str | None
    subject: str
    summary: str
    evidence_uri: str
    evidence_hash: bytes
    replies: tuple[Reply, ...] = ()


def count(registry) -> int:
    return registry.functions.advisoryCount().call()


def read(registry, ids: list[int] | None = None) -> list[Advisory]:
    """Advisories `ids` (default: all) with their replies, as the chain says now: one round of batches."""
    if ids is None:
        ids = list(range(1, count(registry) + 1))
    calls = Calls(registry.w3)
    for advisory_id in ids:
        calls.add(registry.address, "advisory(uint256)", [advisory_id], [ADVISORY])
        calls.add(registry.address, "replies(uint256)", [advisory_id], [REPLIES])
    answers = calls.run()
    kinds, severities, statuses = names("Kind"), names("Severity"), names("Status")
    found = []
    for i, advisory_id in enumerate(ids):
        (kind, severity, status, revision, filed_at, decided_at, filer, account, subject, summary, uri,
         digest) = answers[2 * i][0]
        replies = tuple(Reply(by, at, reply_uri, bytes(h)) for by, at, reply_uri, h in answers[2 * i + 1][0])
        account = to_checksum_address(account)
        found.append(Advisory(advisory_id, kinds[kind], severities[severity], statuses[status], revision, filed_at,
                              decided_at, filer, None if account == ZERO_ADDRESS else account, subject, summary, uri,
                              bytes(digest), replies))
    return found


def refusal(fn, caller: str) -> tuple[str, str] | None:
    """Whether the chain would refuse `fn` made by `caller` now, asked with eth_call before anything is
    sent or proposed: None, or (the custom error's name, 'Name: sentence'). A body's action is checked as
    the body makes it, which its members' propose and approve transactions cannot show while the action
    waits for approvals."""
    try:
        fn.call({"from": caller})
    except (ContractCustomError, ContractLogicError) as exc:
        found = revert_error(revert_data(exc))
        return (found[0] if found else ""), decode_revert(exc)
    return None
