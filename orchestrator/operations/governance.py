"""Typed proposal actions: every governance power of the suite as (target, value, calldata), plus raw
calls. Each function takes the session's contracts and user-level arguments, validated here."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, is_address, to_checksum_address

from orchestrator import identity
from orchestrator.errors import InputError
from orchestrator.operations.config import ZERO_ADDRESS


@dataclass(frozen=True)
class Call:
    target: str
    value: int
    data: bytes


def _encode(fn) -> bytes:
    return bytes.fromhex(fn._encode_transaction_data()[2:])


def address(text: str, what: str = "address") -> str:
    if not is_address(text):
        raise InputError(f"{what} {text!r} is not an address")
    return to_checksum_address(text)


def member_id(registry, text: str) -> int:
    """A member given by id, by its seat address, or by its legal name (exact, case-insensitive, as its
    metadata on the chain says; see identity.py). An ambiguous or unknown name is an error naming candidates."""
    if is_address(text):
        found = registry.functions.memberIdOf(to_checksum_address(text)).call()
        if found == 0:
            raise InputError(f"{text} is not the seat of a current member")
        return found
    if text.strip().isdecimal():
        value = int(text)
        if not 0 < value <= registry.functions.memberCount().call():
            raise InputError(f"there is no member {value}")
        return value
    return _member_by_name(registry, text)


def _member_by_name(registry, text: str) -> int:
    from orchestrator.operations import roll  # the roll reads the chain in batches; imported when a name is given

    members = roll.read(registry)
    wanted = text.strip().casefold()
    exact = [m for m in members if m.identity.legal_name is not None and m.identity.legal_name.casefold() == wanted]
    if len(exact) == 1:
        return exact[0].id
    if len(exact) > 1:
        listed = ", ".join(f"{m.id} ({m.label}, {m.status})" for m in exact)
        raise InputError(f"{len(exact)} members are named {text!r}: {listed}; give the member id")
    named = {m.identity.legal_name: m for m in members if m.identity.legal_name is not None}
    close = difflib.get_close_matches(text, list(named), n=3, cutoff=0.6)
    close += [name for name in named if wanted in name.casefold() and name not in close][: 3 - len(close)]
    hint = "; did you mean " + ", ".join(f"{named[n].id} ({n!r})" for n in close) + "?" if close else ""
    raise InputError(f"member {text!r} is not a member id, a seat address or a member's legal name{hint}")


def tier_id(registry, text: str) -> int:
    """A tier given by id or by name."""
    count = registry.functions.tierCount().call()
    names = [registry.functions.tier(i).call()[0] for i in range(count)]
    if text in names:
        return names.index(text)
    if text.isdecimal() and int(text) < count:
        return int(text)
    raise InputError(f"unknown tier {text!r}; tiers are {names}")


def admit(registry, seat: str, tier: int, legal_name: str, jurisdiction: str, metadata_uri: str) -> Call:
    # Without a URI of its own the identity itself is the URI, so the name can be read from the chain.
    uri = metadata_uri or identity.metadata_uri(legal_name, jurisdiction)
    admission = (address(seat, "seat"), tier, uri, identity.metadata_hash(legal_name, jurisdiction))
    return Call(registry.address, 0, _encode(registry.functions.admit(admission)))


def contract_call(contract, fn: str, *args) -> Call:
    """A call of `fn` on one of the suite's contracts (registry, governor, treasury, a body, …)."""
    return Call(contract.address, 0, _encode(getattr(contract.functions, fn)(*args)))


# The suite's contracts by the names users give them on the command line.
CONTRACT_NAMES = {"registry": "registry", "governor": "governor", "timelock": "timelock", "treasury": "treasury",
                  "bodies": "body_factory", "standards": "standards", "conduct": "conduct", "advisories": "advisories",
                  "elections": "elections"}


def target(session, text: str) -> str:
    """An address, or the name of one of the suite's contracts (treasury, standards, …)."""
    if text in CONTRACT_NAMES:
        return getattr(session.deployment, CONTRACT_NAMES[text])
    if not is_address(text):
        raise InputError(f"target {text!r} is neither an address nor one of {sorted(CONTRACT_NAMES)}")
    return to_checksum_address(text)


def token(text: str) -> str:
    """An ERC-20 address, or `eth` (the zero address)."""
    return ZERO_ADDRESS if text.lower() == "eth" else address(text, "token")


def raw_call(target_address: str, signature: str, args: list[str], value: int = 0) -> Call:
    """`propose call`: a function signature like 'transfer(address,uint256)' and its arguments as text."""
    if "(" not in signature or not signature.endswith(")"):
        raise InputError(f"signature {signature!r} must look like name(type,type)")
    types = [t for t in signature[signature.index("(") + 1 : -1].split(",") if t]
    if len(types) != len(args):
        raise InputError(f"{signature} takes {len(types)} arguments, {len(args)} given")
    values = [_parse(t, a) for t, a in zip(types, args, strict=True)]
    data = function_signature_to_4byte_selector(signature) + encode(types, values)
    return Call(address(target_address, "target"), value, data)


def _parse(abi_type: str, text: str):
    try:
        if abi_type == "address":
            return address(text)
        if abi_type == "bool":
            if text.lower() not in ("true", "false"):
                raise ValueError
            return text.lower() == "true"
        if abi_type.startswith(("uint", "int")):
            return int(text, 0)
        if abi_type.startswith("bytes"):
            return bytes.fromhex(text.removeprefix("0x"))
        if abi_type == "string":
            return text
    except ValueError:
        raise InputError(f"{text!r} is not a valid {abi_type}") from None
    raise InputError(f"argument type {abi_type} is not supported by `propose call`; encode it yourself")


def selector(text: str) -> bytes:
    """A 4-byte selector given as 0x12345678 or as a signature."""
    if text.startswith("0x") and len(text) == 10:
        return bytes.fromhex(text[2:])
    if "(" in text:
        return function_signature_to_4byte_selector(text)
    raise InputError(f"selector {text!r}: give 0x and 8 hex digits, or a signature like name(type)")
