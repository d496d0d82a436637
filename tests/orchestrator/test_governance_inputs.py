"""User-level inputs of proposal actions: amounts, selectors and raw-call arguments."""

import pytest

from orchestrator.errors import InputError
from orchestrator.operations.governance import raw_call, selector


def test_selectors_from_hex_or_signature():
    assert selector("0xa9059cbb") == selector("transfer(address,uint256)") == bytes.fromhex("a9059cbb")
    with pytest.raises(InputError, match="give 0x and 8 hex digits"):
        selector("transfer")


def test_raw_calls_encode_their_arguments():
    call = raw_call("0x" + "11" * 20, "setFlag(bool,uint8)", ["true", "7"])
    assert call.data[:4] == selector("setFlag(bool,uint8)")
    assert call.data[4:] == (1).to_bytes(32, "big") + (7).to_bytes(32, "big")
    with pytest.raises(InputError, match="takes 2 arguments, 1 given"):
        raw_call("0x" + "11" * 20, "setFlag(bool,uint8)", ["true"])
    with pytest.raises(InputError, match="'maybe' is not a valid bool"):
        raw_call("0x" + "11" * 20, "setFlag(bool,uint8)", ["maybe", "1"])
