"""Typed proposal actions: every governance power of the suite as (target, value, calldata), plus raw
calls. Each function takes the session's contracts and user-level arguments, validated here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, is_address, to_checksum_address

from .config import metadata_hash
from .errors import InputError

KINDS = ["ordinary", "constitutional"]


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
    """A member given by id or by its seat address."""
    if is_address(text):
        found = registry.functions.memberIdOf(to_checksum_address(text)).call()
        if found == 0:
            raise InputError(f"{text} is not the seat of a current member")
        return found
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"member {text!r} is neither a member id nor a seat address") from None
    if not 0 < value <= registry.functions.memberCount().call():
        raise InputError(f"there is no member {value}")
    return value


def tier_id(registry, text: str) -> int:
    """A tier given by id or by name."""
    count = registry.functions.tierCount().call()
    names = [registry.functions.tier(i).call()[0] for i in range(count)]
    if text in names:
        return names.index(text)
    if text.isdigit() and int(text) < count:
        return int(text)
    raise InputError(f"unknown tier {text!r}; tiers are {names}")


def admit(registry, seat: str, tier: int, legal_name: str, jurisdiction: str, metadata_uri: str) -> Call:
    admission = (address(seat, "seat"), tier, metadata_uri, metadata_hash(legal_name, jurisdiction))
    return Call(registry.address, 0, _encode(registry.functions.admit(admission)))


def registry_call(registry, fn: str, *args) -> Call:
    """suspend / reinstate / expel / changeTier / rotateSeatOf / setTier on the registry."""
    return Call(registry.address, 0, _encode(getattr(registry.functions, fn)(*args)))


def governor_call(governor, fn: str, *args) -> Call:
    """A governor setting: setVotingDelay, setVotingPeriod, updateQuorumNumerator, setWeightCap, …"""
    return Call(governor.address, 0, _encode(getattr(governor.functions, fn)(*args)))


def raw_call(target: str, signature: str, args: list[str], value: int = 0) -> Call:
    """`propose call`: a function signature like 'transfer(address,uint256)' and its arguments as text."""
    if "(" not in signature or not signature.endswith(")"):
        raise InputError(f"signature {signature!r} must look like name(type,type)")
    types = [t for t in signature[signature.index("(") + 1 : -1].split(",") if t]
    if len(types) != len(args):
        raise InputError(f"{signature} takes {len(types)} arguments, {len(args)} given")
    values = [_parse(t, a) for t, a in zip(types, args, strict=True)]
    data = function_signature_to_4byte_selector(signature) + encode(types, values)
    return Call(address(target, "target"), value, data)


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


def amount(text: str) -> int:
    """An amount in wei: an integer, or a decimal with the unit `ether` or `gwei` (1.5ether)."""
    units = {"ether": 10**18, "gwei": 10**9, "wei": 1}
    number, unit = text.strip(), "wei"
    for name in units:
        if number.lower().endswith(name):
            number, unit = number[: -len(name)].strip(), name
            break
    try:
        value = Decimal(number) * units[unit]
    except InvalidOperation:
        raise InputError(f"amount {text!r} is not a number of wei (or of gwei/ether with the unit)") from None
    if value < 0 or value != int(value):
        raise InputError(f"amount {text!r} is not a whole, non-negative number of wei")
    return int(value)


def selector(text: str) -> bytes:
    """A 4-byte selector given as 0x12345678 or as a signature."""
    if text.startswith("0x") and len(text) == 10:
        return bytes.fromhex(text[2:])
    if "(" in text:
        return function_signature_to_4byte_selector(text)
    raise InputError(f"selector {text!r}: give 0x and 8 hex digits, or a signature like name(type)")
