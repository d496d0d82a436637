"""Amounts as people write and read them: always with their unit. ETH as `1.5 ether`, `0.8 ETH`, `20 gwei`
or `5 wei`; an ERC-20 in its own units as the token answers them (`decimals()`, `symbol()`): `25 USDC`
(whole tokens), or `25000000 base units` (the token's smallest unit, written out). A bare number is
refused unless it is zero: `25` was once silently 25 wei."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext

from web3.exceptions import Web3Exception

from orchestrator.chain import artifacts
from orchestrator.errors import InputError

BASE_UNITS = "base units"  # an ERC-20's smallest unit, as written after the number
# A decimal number, with thousands commas as format_amount prints them (so `1,500 ETH` reads back).
_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?\.\d+(?:[eE][-+]?\d+)?"
_AMOUNT = re.compile(rf"\s*({_NUMBER})\s*(.*?)\s*")


@dataclass(frozen=True)
class Asset:
    """What an amount is counted in: ETH, or one ERC-20."""

    symbol: str  # whole amounts are printed in it: ETH, USDC
    decimals: int
    units: tuple[tuple[str, int], ...]  # the units an amount may be written in (any case), in base units
    base: str  # the smallest unit's name: wei, base units

    def format(self, value: int) -> str:
        return format_amount(value, self.decimals, self.symbol)

    def _unit_names(self, number: str = "") -> str:
        """`25 ether (or 25 ETH), 25 gwei or 25 wei`: how to write an amount, with the user's number."""
        n = f"{number} " if number else ""
        names = [f"{n}{name}" for name, _ in self.units]
        if self.base == "wei":
            return f"{names[0]} (or {names[1]}), {names[2]} or {names[3]}"
        return " or ".join(names)

    def _examples(self) -> str:
        if self.base == "wei":
            return "1.5 ether, 0.8 ETH, 20 gwei or 5 wei"
        return " or ".join(f"{n} {name}" for n, (name, _) in zip(("1.5", "5"), self.units, strict=False))


ETH = Asset("ETH", 18, (("ether", 10**18), ("ETH", 10**18), ("gwei", 10**9), ("wei", 1)), "wei")


def token_asset(symbol: str | None, decimals: int | None) -> Asset:
    """An ERC-20's units: whole tokens by its symbol (`tokens` when it has none usable), and base units.
    A token that does not say its decimals can only be counted in base units."""
    if decimals is None:
        return Asset(BASE_UNITS, 0, ((BASE_UNITS, 1),), BASE_UNITS)
    word = symbol.strip() if symbol and re.fullmatch(r"\s*[^\s\d]\S*\s*", symbol) else "tokens"
    return Asset(word, decimals, ((word, 10**decimals), (BASE_UNITS, 1)), BASE_UNITS)


def asset_of(w3, token: str) -> Asset:
    """ETH for the zero address; else the ERC-20's units, read from the token itself."""
    if int(token, 16) == 0:  # the zero address: how the treasury names ETH
        return ETH
    erc20 = w3.eth.contract(address=token, abi=artifacts.load("IERC20Metadata").abi)
    return token_asset(_read(erc20.functions.symbol), _read(erc20.functions.decimals))


def _read(fn):
    """An optional ERC-20 getter's answer, or None when the token has no such getter (both are optional in
    ERC-20) or answers something that does not decode."""
    try:
        return fn().call()
    except (Web3Exception, ValueError, OverflowError):
        return None


def parse_amount(text: str, asset: Asset = ETH) -> int:
    """An amount in base units (wei for ETH) from a number and its unit: `1.5 ether`, `0.8 ETH`, `20 gwei`,
    `5 wei`; for an ERC-20, `25 USDC` or `25000000 base units`. Zero may be written bare."""
    match = _AMOUNT.fullmatch(text)
    if not match:
        raise InputError(f"amount {text!r} is not a number with a unit: write e.g. {asset._examples()}")
    number, unit = match.groups()
    value = Decimal(number.replace(",", ""))
    if value < 0:
        raise InputError(f"amount {text!r} is negative")
    if not unit:
        if value == 0:
            return 0
        raise InputError(f"amount {text!r} has no unit: write {asset._unit_names(number)}")
    sizes = {name.lower(): size for name, size in asset.units}
    if unit.lower() not in sizes:
        raise InputError(f"amount {text!r}: unknown unit {unit!r}; write it in {asset._unit_names()}")
    if value.adjusted() > 80:  # far beyond any uint256 of base units, and beyond the exact context below
        raise InputError(f"amount {text!r} is too large")
    with localcontext(prec=200):  # exact: the default 28 digits would round a long amount silently
        base = value * sizes[unit.lower()]
    if base != base.to_integral_value():
        raise InputError(f"amount {text!r} is not a whole number of {asset.base}")
    if base >= 2**256:
        raise InputError(f"amount {text!r} is too large")
    return int(base)


def format_amount(value: int, decimals: int = 18, symbol: str = "ETH") -> str:
    """An amount in its unit, exactly (no float): 1500000000000000000 → '1.5 ETH'."""
    whole, fraction = divmod(abs(value), 10**decimals)
    digits = f"{fraction:0{decimals}d}".rstrip("0") if decimals else ""
    return f"{'-' if value < 0 else ''}{whole:,}{'.' + digits if digits else ''} {symbol}"
