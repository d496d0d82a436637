"""A member's public identity (legal name and jurisdiction) and how it is committed on-chain.

The registry keeps, per member, a metadata URI and a content hash: SHA-256 of "legal name\\njurisdiction".
When the admitting operator names no URI of its own, the identity itself is the URI, as an RFC 2397
`data:` URI holding a JSON document, so anyone can read the name from the chain alone and check it
against the hash. A URI elsewhere (ipfs://, https://) is only a pointer: the name is unknown until
that document is fetched and hashed, and is shown as unverified."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import quote, unquote

from orchestrator import untrusted_json

DATA_PREFIX = "data:application/json,"


def metadata_hash(legal_name: str, jurisdiction: str) -> bytes:
    """The content hash committed on-chain next to the metadata URI."""
    return hashlib.sha256(f"{legal_name}\n{jurisdiction}".encode()).digest()


def metadata_uri(legal_name: str, jurisdiction: str) -> str:
    """The identity as a self-contained data: URI (what the chain stores when no other URI is given)."""
    document = json.dumps({"legal_name": legal_name, "jurisdiction": jurisdiction}, ensure_ascii=False,
                          separators=(",", ":"), sort_keys=True)
    return DATA_PREFIX + quote(document, safe="")


@dataclass(frozen=True)
class Identity:
    legal_name: str | None  # None: not readable from the chain (the URI points elsewhere, or is malformed)
    jurisdiction: str | None
    verified: bool  # the name and jurisdiction hash to the on-chain metadata hash

    def label(self, member_id: int) -> str:
        """How a member is named to people: its legal name (flagged when it does not match its hash)."""
        if self.legal_name is None:
            return f"member {member_id}"
        return self.legal_name if self.verified else f"{self.legal_name} (unverified)"


def read(uri: str, onchain_hash: bytes) -> Identity:
    """The identity a metadata URI carries, checked against the on-chain hash."""
    if not uri.startswith(DATA_PREFIX):
        return Identity(None, None, False)
    try:
        document = untrusted_json.loads(unquote(uri[len(DATA_PREFIX):]))
        name, jurisdiction = document["legal_name"], document["jurisdiction"]
    except (ValueError, KeyError, TypeError):
        return Identity(None, None, False)
    if not isinstance(name, str) or not isinstance(jurisdiction, str):
        return Identity(None, None, False)
    return Identity(name, jurisdiction, metadata_hash(name, jurisdiction) == bytes(onchain_hash))
