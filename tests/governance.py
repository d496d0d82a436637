"""A governance helper in the spirit of OpenZeppelin's GovernorHelper: propose, wait for the snapshot,
vote (directly or by signature), wait for the deadline, queue, execute."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

import brownie
from brownie import chain
from eth_account import Account
from eth_account.messages import encode_typed_data

AGAINST, FOR, ABSTAIN = 0, 1, 2
STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"]


@contextmanager
def reverts(error_name: str):
    """Expect a revert with custom error `error_name` (any arguments)."""
    with brownie.reverts(revert_pattern=rf"{re.escape(error_name)}(: .*)?"):
        yield


def sleep(seconds: int) -> None:
    chain.sleep(seconds)
    chain.mine()


@dataclass
class Proposal:
    id: int
    targets: list
    values: list
    calldatas: list
    description: str

    @property
    def description_hash(self) -> bytes:
        return brownie.web3.keccak(text=self.description)


class Governance:
    def __init__(self, governor, registry, timelock):
        self.governor, self.registry, self.timelock = governor, registry, timelock

    def call(self, contract, fn: str, *args):
        """One (target, value, calldata) for a proposal."""
        return (contract.address, 0, getattr(contract, fn).encode_input(*args))

    def propose(self, calls, description: str, proposer) -> Proposal:
        targets, values, calldatas = (list(x) for x in zip(*calls))
        tx = self.governor.propose(targets, values, calldatas, description, {"from": proposer})
        return Proposal(tx.events["ProposalCreated"]["proposalId"], targets, values, calldatas, description)

    def state(self, p: Proposal) -> str:
        return STATES[self.governor.state(p.id)]

    def wait_snapshot(self, p: Proposal) -> None:
        sleep(self.governor.proposalSnapshot(p.id) - chain.time() + 1)

    def wait_deadline(self, p: Proposal) -> None:
        sleep(self.governor.proposalDeadline(p.id) - chain.time() + 1)

    def vote(self, p: Proposal, voter, support: int, reason: str = ""):
        return self.governor.castVoteWithReason(p.id, support, reason, {"from": voter})

    def queue(self, p: Proposal, sender):
        return self.governor.queue(p.targets, p.values, p.calldatas, p.description_hash, {"from": sender})

    def execute(self, p: Proposal, sender):
        sleep(self.timelock.getMinDelay() + 1)
        return self.governor.execute(p.targets, p.values, p.calldatas, p.description_hash, {"from": sender})

    def pass_proposal(self, calls, description: str, proposer, votes: dict):
        """Run the whole lifecycle: propose, vote as `votes` says ({account: support}), queue, execute."""
        p = self.propose(calls, description, proposer)
        self.wait_snapshot(p)
        for voter, support in votes.items():
            self.vote(p, voter, support)
        self.wait_deadline(p)
        self.queue(p, proposer)
        return p, self.execute(p, proposer)

    # ───────── signed ballots ─────────

    def cast_batch(self, proposal_id: int, ballots: list, sender, compact: list = ()):
        """Relay `ballots` (full layout) and `compact` ones through castVoteBatch."""
        return self.governor.castVoteBatch(proposal_id, list(compact), ballots, {"from": sender})

    @staticmethod
    def compact(ballot: tuple) -> tuple:
        """A full-layout ballot with no reason and a 65-byte signature, in the compact layout (EIP-2098)."""
        voter, support, reason, sig = ballot
        assert reason == ""
        r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
        vs = ((v - 27) << 255) | s
        return (int(voter, 16) | (support << 160), r, vs.to_bytes(32, "big"))

    def domain(self) -> dict:
        return {"name": self.governor.name(), "version": self.governor.version(),
                "chainId": brownie.web3.eth.chain_id, "verifyingContract": self.governor.address}

    def member_ballot(self, key: bytes, proposal_id: int, support: int, reason: str = "", domain=None,
                      voter: str | None = None) -> tuple:
        """A MemberBallot signed with eth-account from the full typed-data JSON, as a wallet signs it.
        `voter` defaults to the key's address; give a contract wallet's address for ERC-1271."""
        voter = voter or Account.from_key(key).address
        message = {"proposalId": proposal_id, "support": support, "voter": voter, "reason": reason}
        fields = [("proposalId", "uint256"), ("support", "uint8"), ("voter", "address"), ("reason", "string")]
        return (voter, support, reason, self._sign(key, "MemberBallot", fields, message, domain))

    def oz_ballot(self, key: bytes, proposal_id: int, support: int, voter: str | None = None) -> bytes:
        """An OpenZeppelin `Ballot` (with the voter's current nonce) signature for castVoteBySig."""
        voter = voter or Account.from_key(key).address
        message = {"proposalId": proposal_id, "support": support, "voter": voter,
                   "nonce": self.governor.nonces(voter)}
        fields = [("proposalId", "uint256"), ("support", "uint8"), ("voter", "address"), ("nonce", "uint256")]
        return self._sign(key, "Ballot", fields, message)

    def _sign(self, key: bytes, primary: str, fields: list, message: dict, domain=None) -> bytes:
        typed = {
            "types": {
                "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                 {"name": "chainId", "type": "uint256"},
                                 {"name": "verifyingContract", "type": "address"}],
                primary: [{"name": n, "type": t} for n, t in fields],
            },
            "primaryType": primary,
            "domain": domain or self.domain(),
            "message": message,
        }
        return Account.sign_message(encode_typed_data(full_message=typed), key).signature
