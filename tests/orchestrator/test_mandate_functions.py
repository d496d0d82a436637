"""A mandate or a body action names a function as people know it: a bare name is looked up in the target's
ABI and must name exactly one state-changing function; a signature or a selector passes as given."""

from types import SimpleNamespace

import pytest
from eth_utils import function_signature_to_4byte_selector
from web3 import Web3

from orchestrator.commands.bodies import _uint_arguments, mandate_entries, resolve_function
from orchestrator.errors import InputError
from orchestrator.operations.governance import CONTRACT_NAMES

ADDRESSES = {attribute: Web3.to_checksum_address(f"0x{i + 1:040x}") for i, attribute in
             enumerate(CONTRACT_NAMES.values())}
OUTSIDER = "0x" + "ab" * 20


def _function(name, types, mutability="nonpayable"):
    return {"type": "function", "name": name, "stateMutability": mutability, "outputs": [],
            "inputs": [{"name": f"a{i}", "type": t} for i, t in enumerate(types)]}


@pytest.fixture
def session():
    """A treasury whose ABI overloads `pay`, beside a view; no bodies."""
    w3 = Web3()
    abi = [_function("pay", ["uint256"]), _function("pay", ["address", "uint256"]),
           _function("spendBudget", ["address", "address", "uint256", "string"]),
           _function("balance", [], "view")]
    no_body = SimpleNamespace(abi=[], functions=SimpleNamespace(isBody=lambda a: SimpleNamespace(call=lambda: False)))
    fake = SimpleNamespace(deployment=SimpleNamespace(**ADDRESSES), body_factory=no_body)
    for attribute, address in ADDRESSES.items():
        if attribute != "body_factory":
            setattr(fake, attribute, w3.eth.contract(address=address, abi=abi if attribute == "treasury" else []))
    return fake


def test_a_unique_name_resolves_to_its_signature(session):
    assert resolve_function(session, "treasury", "spendBudget") == (
        ADDRESSES["treasury"], "spendBudget(address,address,uint256,string)")
    assert resolve_function(session, "treasury", "pay(uint256)") == (ADDRESSES["treasury"], "pay(uint256)")
    assert mandate_entries(session, ("treasury:spendBudget", "treasury:0x12345678", f"{OUTSIDER}:transfer(address,"
                                     "uint256)")) == [
        (ADDRESSES["treasury"], function_signature_to_4byte_selector("spendBudget(address,address,uint256,string)")),
        (ADDRESSES["treasury"], bytes.fromhex("12345678")),
        (Web3.to_checksum_address(OUTSIDER), function_signature_to_4byte_selector("transfer(address,uint256)"))]


@pytest.mark.parametrize(("target", "function", "message"), [
    ("treasury", "pay", "treasury:pay is overloaded: give one of pay(address,uint256), pay(uint256)"),
    ("treasury", "balance", "treasury has no function 'balance' a body could call; its functions are: pay, "
                            "spendBudget"),
    ("treasury", "pay it", "function 'pay it': give its name (spendBudget) or its signature "
                           "(spendBudget(address,address,uint256,string))"),
    (OUTSIDER, "transfer", f"{OUTSIDER} is not one of the consortium's contracts, so its functions are unknown here: "
                           "give the full signature, e.g. transfer(address,uint256)"),
])
def test_ambiguous_or_unknown_names_are_refused_with_the_candidates(session, target, function, message):
    with pytest.raises(InputError) as error:
        resolve_function(session, target, function)
    assert str(error.value) == message


def test_amounts_with_a_unit_in_uint_arguments():
    signature = "spendBudget(address,address,uint256,string)"
    assert _uint_arguments(signature, ["0x0", "0x1", "0.8 ether", "1 ether"]) == [
        "0x0", "0x1", str(8 * 10**17), "1 ether"]  # a string argument stays text
    assert _uint_arguments("f(uint256,uint8)", ["800", "0x10"]) == ["800", "0x10"]  # bare integers as given
    with pytest.raises(InputError, match="amount '0.5 wei' is not a whole number of wei"):
        _uint_arguments("f(uint256)", ["0.5 wei"])
