"""Amounts always carry their unit: ETH as ether/ETH/gwei/wei, an ERC-20 in its own symbol or its base units;
a bare number is refused unless it is zero. And the reverts that carry money or time say it in ETH and UTC."""

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector

from orchestrator.chain.amounts import ETH, format_amount, parse_amount, token_asset
from orchestrator.chain.reverts import decode_revert_data, revert_error, utc
from orchestrator.errors import InputError

USDC = token_asset("USDC", 6)
TOKEN = "0x" + "22" * 20
ZERO = "0x" + "00" * 20


@pytest.mark.parametrize(("text", "wei"), [
    ("25ether", 25 * 10**18), ("25 ether", 25 * 10**18), ("0.8 ETH", 8 * 10**17), ("0.8 eth", 8 * 10**17),
    ("20 gwei", 20 * 10**9), ("5 wei", 5), ("0", 0), ("0.0", 0), ("0 ether", 0), ("1,500.5 ETH", 1500500 * 10**15),
    ("1e18 wei", 10**18), (" 2 Ether ", 2 * 10**18),
    ("12345678901.123456789012345678 ether", 12345678901123456789012345678),  # beyond 28 digits, exact
])
def test_ether_amounts_with_their_unit(text, wei):
    assert parse_amount(text) == wei


@pytest.mark.parametrize(("text", "message"), [
    ("25", "amount '25' has no unit: write 25 ether (or 25 ETH), 25 gwei or 25 wei"),
    ("lots", "amount 'lots' is not a number with a unit: write e.g. 1.5 ether, 0.8 ETH, 20 gwei or 5 wei"),
    ("", "amount '' is not a number with a unit: write e.g. 1.5 ether, 0.8 ETH, 20 gwei or 5 wei"),
    ("-1", "amount '-1' is negative"),
    ("-1 ether", "amount '-1 ether' is negative"),
    ("3 dollars", "amount '3 dollars': unknown unit 'dollars'; write it in ether (or ETH), gwei or wei"),
    ("0.5 wei", "amount '0.5 wei' is not a whole number of wei"),
    ("1.5e-19 ether", "amount '1.5e-19 ether' is not a whole number of wei"),
    ("1e100 ether", "amount '1e100 ether' is too large"),
    ("1e60 ether", "amount '1e60 ether' is too large"),  # above a uint256 of wei
])
def test_ether_amount_errors(text, message):
    with pytest.raises(InputError) as error:
        parse_amount(text)
    assert str(error.value) == message


def test_token_amounts_in_the_tokens_own_units():
    assert parse_amount("25 USDC", USDC) == 25_000_000
    assert parse_amount("25 usdc", USDC) == 25_000_000
    assert parse_amount("0.000001 USDC", USDC) == 1
    assert parse_amount("25000000 base units", USDC) == 25_000_000
    assert parse_amount("0", USDC) == 0
    for text, message in [
        ("25", "amount '25' has no unit: write 25 USDC or 25 base units"),
        ("25 ether", "amount '25 ether': unknown unit 'ether'; write it in USDC or base units"),
        ("0.0000001 USDC", "amount '0.0000001 USDC' is not a whole number of base units"),
        ("x", "amount 'x' is not a number with a unit: write e.g. 1.5 USDC or 5 base units"),
    ]:
        with pytest.raises(InputError) as error:
            parse_amount(text, USDC)
        assert str(error.value) == message


def test_tokens_without_a_usable_symbol_or_decimals():
    assert token_asset("two words", 2).symbol == "tokens"
    assert parse_amount("1.5 tokens", token_asset(None, 2)) == 150
    bare = token_asset("USDC", None)  # no decimals(): base units only
    assert parse_amount("7 base units", bare) == 7
    assert bare.format(1000) == "1,000 base units"
    with pytest.raises(InputError, match="unknown unit 'USDC'; write it in base units"):
        parse_amount("7 USDC", bare)


def test_amounts_print_in_their_unit():
    assert ETH.format(8 * 10**17) == format_amount(8 * 10**17) == "0.8 ETH"
    assert ETH.format(0) == "0 ETH"
    assert USDC.format(25_500_000) == "25.5 USDC"
    assert ETH.format(1500 * 10**18) == "1,500 ETH"
    assert parse_amount(ETH.format(1500 * 10**18)) == 1500 * 10**18  # what is printed reads back


def revert(signature: str, types: list[str], args: list) -> str:
    return "0x" + (function_signature_to_4byte_selector(signature) + encode(types, args)).hex()


def test_reverts_say_dates_in_utc_and_money_in_eth():
    assert utc(1806426880) == "2027-03-30 17:14:40 UTC"
    assert decode_revert_data(revert("TreasuryDuesPaidAhead(uint256,uint48)", ["uint256", "uint48"], [3, 1806426880])) \
        == ("TreasuryDuesPaidAhead: member 3's dues are already paid until 2027-03-30 17:14:40 UTC; the treasury "
            "takes at most one period ahead")
    assert decode_revert_data(revert("TreasuryWrongValue(uint256,uint256)", ["uint256", "uint256"],
                                     [2 * 10**18, 10**18])) == (
        "TreasuryWrongValue: the payment must send exactly 2 ETH, not 1 ETH")
    funds = "TreasuryInsufficientFunds(address,uint256,uint256)"
    assert decode_revert_data(revert(funds, ["address", "uint256", "uint256"], [ZERO, 5 * 10**17, 10**18])) == (
        "TreasuryInsufficientFunds: the treasury holds 0.5 ETH, less than 1 ETH")
    assert decode_revert_data(revert(funds, ["address", "uint256", "uint256"], [TOKEN, 5000, 7000])) == (
        f"TreasuryInsufficientFunds: the treasury holds 5,000 base units of token {TOKEN}, less than 7,000 base "
        f"units of token {TOKEN}")
    budget = "TreasuryBudgetExceeded(address,address,uint256,uint256)"
    assert decode_revert_data(revert(budget, ["address", "address", "uint256", "uint256"],
                                     [TOKEN, ZERO, 8 * 10**17, 9 * 10**17])) == (
        "TreasuryBudgetExceeded: 0x2222222222222222222222222222222222222222's budget of 0.8 ETH does not cover 0.9 ETH")
    assert decode_revert_data(revert("TreasuryTransferFailed(address,uint256)", ["address", "uint256"],
                                     [TOKEN, 10**18])) == (
        "TreasuryTransferFailed: 0x2222222222222222222222222222222222222222 refused a payment of 1 ETH")
    assert decode_revert_data(revert("TreasuryShortfall(address,uint256,uint256)", ["address", "uint256", "uint256"],
                                     [TOKEN, 100, 99])) == (
        "TreasuryShortfall: only 99 base units of token 0x2222222222222222222222222222222222222222 of the 100 base "
        "units of token 0x2222222222222222222222222222222222222222 asked arrived (a fee on transfer?): dues must "
        "arrive in full")
    assert decode_revert_data(revert("RegistryFutureLookup(uint256,uint48)", ["uint256", "uint48"],
                                     [1806426880, 1806426800])) == (
        "RegistryFutureLookup: 2027-03-30 17:14:40 UTC is not in the past yet (the clock is at 2027-03-30 "
        "17:13:20 UTC)")
    assert decode_revert_data(revert("InsufficientBalance(uint256,uint256)", ["uint256", "uint256"],
                                     [0, 10**17])) == (
        "InsufficientBalance: the sender holds 0 ETH, less than the 0.1 ETH to send")
    assert decode_revert_data(revert("VotesExpiredSignature(uint256)", ["uint256"], [1806426880])) == (
        "VotesExpiredSignature: the signature expired at 2027-03-30 17:14:40 UTC")


def test_token_shortfalls_in_words():
    assert decode_revert_data(revert("ERC20InsufficientBalance(address,uint256,uint256)",
                                     ["address", "uint256", "uint256"], [TOKEN, 5000, 7000])) == (
        f"ERC20InsufficientBalance: {TOKEN} holds 5,000 of the token's base units, less than the 7,000 needed")
    assert decode_revert_data(revert("ERC20InsufficientAllowance(address,uint256,uint256)",
                                     ["address", "uint256", "uint256"], [TOKEN, 0, 7000])) == (
        f"ERC20InsufficientAllowance: {TOKEN} may take 0 of the token's base units, less than the 7,000 needed "
        "(the payer approves it first)")


def test_outside_mandate_names_the_function():
    spend = function_signature_to_4byte_selector("spend(address,address,uint256,string)")
    data = revert("BodyOutsideMandate(address,bytes4)", ["address", "bytes4"], [TOKEN, spend])
    assert decode_revert_data(data) == (
        f"BodyOutsideMandate: calling spend(address,address,uint256,string) (0x{spend.hex()}) on "
        "0x2222222222222222222222222222222222222222 is outside the body's mandate")
    assert revert_error(data) == ("BodyOutsideMandate", ["0x2222222222222222222222222222222222222222", spend])
    assert revert_error("0x12345678") is None
