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


def format_amount(value: int, decimals: int = 18, symbol: str = "ETH") -> str:
    """An amount in its unit, exactly (no float): 1500000000000000000 → '1.5 ETH'."""
    whole, fraction = divmod(abs(value), 10**decimals)
    digits = f"{fraction:0{decimals}d}".rstrip("0") if decimals else ""
    return f"{'-' if value < 0 else ''}{whole:,}{'.' + digits if digits else ''} {symbol}"
