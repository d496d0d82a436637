"""Amounts as people write them: wei, or a decimal with its unit (1.5ether, 20 gwei)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from orchestrator.errors import InputError


def parse_amount(text: str) -> int:
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
