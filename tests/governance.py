"""A governance helper in the spirit of OpenZeppelin's GovernorHelper: propose, wait for the snapshot,
vote (directly or by signature), wait for the deadline, queue, execute."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

import brownie
from brownie import chain
from eth_account import Account

from orchestrator import ballots

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
        targets, values, calldatas = (list(x) for x in zip(*calls, strict=True))
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

    def domain(self) -> dict:
        return ballots.domain(self.governor.name(), brownie.web3.eth.chain_id, self.governor.address,
                              self.governor.version())

    def member_ballot(self, key: bytes, proposal_id: int, support: int, reason: str = "", domain=None,
                      voter: str | None = None) -> tuple:
        """A MemberBallot signed with eth-account from the full typed-data JSON, as a wallet signs it.
        `voter` defaults to the key's address; give a contract wallet's address for ERC-1271."""
        voter = voter or Account.from_key(key).address
        typed = ballots.member_ballot(domain or self.domain(), proposal_id, support, voter, reason)
        return (voter, support, reason, ballots.sign(typed, key))

    def oz_ballot(self, key: bytes, proposal_id: int, support: int, voter: str | None = None) -> bytes:
        """An OpenZeppelin `Ballot` (with the voter's current nonce) signature for castVoteBySig."""
        voter = voter or Account.from_key(key).address
        typed = ballots.oz_ballot(self.domain(), proposal_id, support, voter, self.governor.nonces(voter))
        return ballots.sign(typed, key)

    def cast_batch(self, proposal_id: int, full: list, sender, compact: list = ()):
        """Relay `full` ballots and `compact` ones through castVoteBatch."""
        return self.governor.castVoteBatch(proposal_id, list(compact), full, {"from": sender})

    @staticmethod
    def compact(ballot: tuple) -> tuple:
        """A full-layout ballot with no reason, in the compact layout (EIP-2098)."""
        voter, support, reason, signature = ballot
        assert reason == ""
        return ballots.compact(voter, support, signature)
