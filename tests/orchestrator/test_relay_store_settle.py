"""A mined batch's outcomes reach the relayer's store by voter, whatever the case of the address: the receipt's
topics give it lowercase (no checksum is computed per voter), the store holds it checksummed."""

import pytest
from eth_utils import to_checksum_address

from orchestrator.relay.store import RelayStore

VOTERS = [to_checksum_address("0x" + f"{n:02x}" * 20) for n in (0xab, 0xcd)]  # both with letters


@pytest.mark.parametrize("case", [str.lower, to_checksum_address])
def test_outcomes_are_matched_to_ballots_whatever_the_case_of_their_addresses(tmp_path, case):
    store = RelayStore(f"sqlite:///{tmp_path}/relay.db", 31337, "0x" + "11" * 20)
    held = [store.accept(7, voter, member, 1, "", b"\x01" * 65, "ecdsa") for member, voter in enumerate(VOTERS, 1)]
    batch = store.record_batch(7, [b.id for b in held], "0x" + "ab" * 32, b"raw")
    store.settle_batch(batch, {case(VOTERS[0]): None, case(VOTERS[1]): "already voted"})
    assert [(store.get(b.id).status, store.get(b.id).detail) for b in held] == [
        ("included", ""), ("rejected", "already voted")]
