"""A governance helper in the spirit of OpenZeppelin's GovernorHelper: propose, wait for the snapshot,
vote (directly or by signature), wait for the deadline, queue, execute."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

import brownie
from brownie import chain
from eth_account import Account

from orchestrator.relay import ballots

AGAINST, FOR, ABSTAIN = 0, 1, 2
ORDINARY, CONSTITUTIONAL, MEMBER_CASE = 0, 1, 2
ZERO_ADDRESS = "0x" + "00" * 20
BUDGET_HOLDER = "0x" + "b0" * 20
STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"]


@contextmanager
def reverts(error_name: str):
    """Expect a revert with custom error `error_name` (any arguments)."""
    with brownie.reverts(revert_pattern=rf"{re.escape(error_name)}(: .*)?"):
        yield


def error(name: str, *args) -> str:
    """A custom error as brownie shows a revert: `Name: arg, arg`, addresses in lower case, bytes as
    Python shows them; for `reverts` to check the arguments too."""
    def shown(arg):
        if isinstance(arg, str) and arg.startswith("0x") and len(arg) == 42:
            return arg.lower()
        if hasattr(arg, "address"):
            return arg.address.lower()
        return str(arg)
    return f"{name}: {', '.join(shown(a) for a in args)}" if args else name


def selector(contract, fn: str) -> bytes:
    """The 4-byte selector of `fn` on a brownie contract, as the bytes4 a custom error carries."""
    return bytes.fromhex(getattr(contract, fn).signature[2:])


def latest_timestamp() -> int:
    return brownie.web3.eth.get_block("latest")["timestamp"]


def sleep(seconds: int) -> None:
    """Mine a block exactly `seconds` after the latest one. Explicit timestamps, not evm_increaseTime:
    the node's clock and brownie's notion of it can drift apart across snapshots and reverts."""
    mine_at(latest_timestamp() + max(seconds, 1))


def mine_at(timestamp: int) -> None:
    next_block_at(timestamp)
    chain.mine()  # brownie re-reads its clock offset from the new block


def next_block_at(timestamp: int) -> None:
    """The next block, the next transaction's, has exactly this timestamp. Mining one at a time near a
    boundary and sending the transaction after it would leave the transaction's time to the wall clock:
    a stall of a few seconds on a loaded host would move it past the boundary."""
    answer = brownie.web3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])
    assert "error" not in answer, answer  # anvil refuses a time before the latest block's


def advance_past(timestamp: int) -> None:
    """Mine a block after `timestamp`, unless the latest one already is."""
    if latest_timestamp() <= timestamp:
        mine_at(timestamp + 1)


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
    def __init__(self, governor, registry, timelock, treasury=None, bodies=None, standards=None, conduct=None,
                 advisories=None):
        self.governor, self.registry, self.timelock = governor, registry, timelock
        self.treasury, self.bodies, self.standards, self.conduct = treasury, bodies, standards, conduct
        self.advisories = advisories

    def call(self, contract, fn: str, *args):
        """One (target, value, calldata) for a proposal."""
        return (contract.address, 0, getattr(contract, fn).encode_input(*args))

    def ordinary(self, amount: int = 1):
        """An ordinary call about nobody (a budget of `amount` wei for an outside address), for tests that
        need some proposal; different amounts make different proposal ids."""
        return self.call(self.treasury, "setBudget", BUDGET_HOLDER, ZERO_ADDRESS, amount)

    def propose(self, calls, description: str, proposer) -> Proposal:
        targets, values, calldatas = (list(x) for x in zip(*calls, strict=True))
        tx = self.governor.propose(targets, values, calldatas, description, {"from": proposer})
        return Proposal(tx.events["ProposalCreated"]["proposalId"], targets, values, calldatas, description)

    def state(self, p: Proposal) -> str:
        return STATES[self.governor.state(p.id)]

    def wait_snapshot(self, p: Proposal) -> None:
        advance_past(self.governor.proposalSnapshot(p.id))

    def wait_deadline(self, p: Proposal) -> None:
        advance_past(self.governor.proposalDeadline(p.id))

    def vote(self, p: Proposal, voter, support: int, reason: str = ""):
        return self.governor.castVoteWithReason(p.id, support, reason, {"from": voter})

    def queue(self, p: Proposal, sender):
        return self.governor.queue(p.targets, p.values, p.calldatas, p.description_hash, {"from": sender})

    def execute(self, p: Proposal, sender):
        sleep(self.timelock.getMinDelay() + 1)
        return self.governor.execute(p.targets, p.values, p.calldatas, p.description_hash, {"from": sender})

    def queue_passed(self, calls, description: str, proposer, votes: dict) -> Proposal:
        """Propose, vote as `votes` says ({account: support}) and queue; members the proposal is about
        are recused, so they are skipped."""
        p = self.propose(calls, description, proposer)
        self.wait_snapshot(p)
        for voter, support in votes.items():
            if not self.governor.memberMarks(p.id, self.member_id(voter))[1]:
                self.vote(p, voter, support)
        self.wait_deadline(p)
        self.queue(p, proposer)
        return p

    def pass_proposal(self, calls, description: str, proposer, votes: dict):
        """Run the whole lifecycle: propose, vote, queue, execute."""
        p = self.queue_passed(calls, description, proposer, votes)
        return p, self.execute(p, proposer)

    def member_id(self, account) -> int:
        return self.registry.memberIdOf(account)

    # ───────── the founding members decide (enough weight for either kind of proposal) ─────────

    def by_founders(self, roster, calls, description: str):
        """Pass and execute `calls` with both founding members' votes; returns (proposal, execute tx)."""
        f1, f2 = roster["founding"]
        return self.pass_proposal(calls, description, f1, {f1: FOR, f2: FOR})

    def queued_by_founders(self, roster, calls, description: str) -> Proposal:
        """Like by_founders, stopping before execute (to assert how execution fails)."""
        f1, f2 = roster["founding"]
        p = self.queue_passed(calls, description, f1, {f1: FOR, f2: FOR})
        sleep(self.timelock.getMinDelay() + 1)
        return p

    def execute_now(self, p: Proposal, sender):
        return self.governor.execute(p.targets, p.values, p.calldatas, p.description_hash, {"from": sender})

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

    # ───────── sealed ballots ─────────

    def commitment(self, proposal_id: int, voter, support: int, salt: bytes, member_id: int | None = None) -> bytes:
        """The commitment of `voter`'s member (or `member_id`) to `support` with `salt`."""
        member = self.member_id(voter) if member_id is None else member_id
        return ballots.commitment(brownie.web3.eth.chain_id, self.governor.address, proposal_id, member, support, salt)

    def sealed_commit(self, key: bytes, proposal_id: int, support: int, salt: bytes, domain=None,
                      voter: str | None = None, commitment: bytes | None = None) -> tuple:
        """A SealedCommit signed with eth-account, as a relayer receives it."""
        voter = voter or Account.from_key(key).address
        commitment = commitment or self.commitment(proposal_id, voter, support, salt)
        typed = ballots.sealed_ballot(domain or self.domain(), proposal_id, voter, commitment)
        return (voter, commitment, ballots.sign(typed, key))

    # ───────── elections ─────────

    def ballot_proposal(self, election_id: int) -> Proposal:
        """The current round's ballot proposal of `election_id`, as the election registry fixes it (not made)."""
        e = self.elections
        return Proposal(e.ballot(election_id)[0], [e.address], [0], [e.seat.encode_input(election_id)],
                        e.ballotDescription(election_id))

    def propose_ballot(self, election_id: int, proposer) -> Proposal:
        p = self.ballot_proposal(election_id)
        self.governor.propose(p.targets, p.values, p.calldatas, p.description, {"from": proposer})
        return p

    def approval_ballot(self, key: bytes, proposal_id: int, approvals: int, domain=None,
                        voter: str | None = None) -> tuple:
        """An ApprovalBallot signed with eth-account, as a relayer receives it."""
        voter = voter or Account.from_key(key).address
        typed = ballots.approval_ballot(domain or self.domain(), proposal_id, voter, approvals)
        return (voter, approvals, ballots.sign(typed, key))

    def approve(self, proposal_id: int, voter, approvals: int):
        """A member casts its own approval ballot from its seat (no signature)."""
        return self.governor.castApprovals(proposal_id, [(voter.address, approvals, b"")], {"from": voter})

    def as_governance(self):
        """The timelock as a sender (impersonated on the devnet): for tests of a registry's own rules, which
        would otherwise each need a whole proposal."""
        return brownie.accounts.at(self.timelock.address, force=True)

    def elected_body(self, members, threshold: int = 1, mandate=(), name: str = "Council"):
        """A body of `members` (accounts) created by governance, whose elector is the election registry."""
        tx = self.bodies.create(0, name, threshold, [self.member_id(m) for m in members], list(mandate),
                                {"from": self.as_governance()})
        body = brownie.Body.at(tx.events["BodyCreated"]["body"])
        body.setElector(self.elections, {"from": self.as_governance()})
        return body

    def open_election(self, body, seats: int = 1, reserved=(), nominate_for: int = 86400, term: int = 30 * 86400,
                      title: str = "Council 2027") -> int:
        """Governance opens an election of `body`'s seats; nominations close `nominate_for` seconds from now."""
        end = latest_timestamp() + nominate_for
        tx = self.elections.open(body, seats, list(reserved), end, end + term, title, {"from": self.as_governance()})
        return tx.events["ElectionOpened"]["electionId"]

    def close_nominations(self, election_id: int) -> None:
        advance_past(self.elections.election(election_id)[3] - 1)

    def election_ballot(self, election_id: int, candidates, proposer) -> Proposal:
        """`candidates` (accounts) nominate themselves in this order (bit i approves the i-th), nominations close,
        `proposer` makes the ballot proposal and its voting opens."""
        for candidate in candidates:
            self.elections.nominate(election_id, {"from": candidate})
        self.close_nominations(election_id)
        p = self.propose_ballot(election_id, proposer)
        self.wait_snapshot(p)
        return p

    @staticmethod
    def tie_key(election_id: int, member_id: int) -> bytes:
        """The election registry's published tie rule, computed here: keccak256(abi.encode(electionId,
        memberId)); between equal approvals the lower key wins."""
        return bytes(brownie.web3.keccak(election_id.to_bytes(32, "big") + member_id.to_bytes(32, "big")))

    @staticmethod
    def rejections(tx) -> list:
        """(voter, reason) of each ballot a batch refused."""
        return [(e["voter"], e["reason"]) for e in tx.events["BallotRejected"]] if "BallotRejected" in tx.events else []

    def own_commit(self, proposal_id: int, voter, support: int, salt: bytes):
        """A member commits from its own seat (no signature)."""
        own = (voter.address, self.commitment(proposal_id, voter, support, salt), b"")
        return self.governor.commitVotes(proposal_id, [own], {"from": voter})

    def reveal(self, proposal_id: int, reveals: list, sender):
        """Reveal (voter, support, salt) triples."""
        return self.governor.revealVotes(proposal_id, reveals, {"from": sender})

    def wait_reveal(self, p: Proposal) -> None:
        advance_past(self.governor.proposalRevealStart(p.id) - 1)

    @staticmethod
    def compact(ballot: tuple) -> tuple:
        """A full-layout ballot with no reason, in the compact layout (EIP-2098)."""
        voter, support, reason, signature = ballot
        assert reason == ""
        return ballots.compact(voter, support, signature)
