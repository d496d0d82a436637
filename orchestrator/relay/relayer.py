"""The relayer: accepts signed ballots, validates them off-chain, persists them, and submits them in
batches through `castVoteBatch`, reporting each ballot's outcome. On a sealed proposal it does the same with
signed commitments (`commitVotes`, before the reveal start) and with reveals (`revealVotes`, from it); a reveal
is taken only from the reveal start, unless its member escrows it with the relayer, which then knows the vote. On
an election's ballot it relays signed approval ballots (`castApprovals`).

Never lost: a ballot is committed to the database as `accepted` before anything is sent.
Never sent twice: a batch is signed once and recorded (raw bytes, hash, its ballots) before it is
broadcast; retries and restarts re-broadcast those same bytes, which the chain can include at most
once. A recorded transaction that can no longer be mined (its nonce was used by another) returns its
ballots to `accepted`, which is safe because they never reached the chain.
Never one for all: a ballot the node refuses costs only itself (a refused batch is split until the
refused ballot is alone; a reverted batch's ballots go again one by one); see submit() and _dispatch()."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from eth_abi import decode, encode
from eth_abi.exceptions import EncodingError
from eth_account.typed_transactions import TypedTransaction
from eth_keys.constants import SECPK1_N
from eth_utils import (
    event_abi_to_log_topic,
    function_abi_to_4byte_selector,
    function_signature_to_4byte_selector,
    get_abi_input_types,
    to_checksum_address,
)
from hexbytes import HexBytes
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import Timeout
from web3.exceptions import TimeExhausted, TransactionNotFound, Web3Exception

from orchestrator.chain import artifacts
from orchestrator.chain import electors as electors_
from orchestrator.chain.node import EncodedCall, TransactionSeries, broadcast, wait_for_receipt
from orchestrator.chain.proposals import LOG_RANGE, STATES, commits_open, reveals_open
from orchestrator.chain.reverts import decode_revert_data, error_words, utc
from orchestrator.errors import CallRefused, ChainError, InputError, NodeUnreachable
from orchestrator.relay import ballot_file, ballots
from orchestrator.relay.ballot_file import ApprovalFile, BallotFile, CommitmentFile, RevealFile
from orchestrator.relay.intake import Intake
from orchestrator.relay.store import (
    AlreadyHeld,
    RelayStore,
    Stored,
    StoredApproval,
    StoredBallot,
    StoredCommitment,
    StoredReveal,
)

log = logging.getLogger(__name__)

# A signature whose s exceeds half the curve order is the malleable twin of a low-s one, which wallets
# never produce and the contracts reject.
SECP256K1_HALF_N = SECPK1_N // 2
ERC1271_MAGIC = bytes.fromhex("1626ba7e")
# At most this many contract-wallet ballots in one batch: each may spend the whole allowance the
# governor gives a wallet, so they bound the batch's worst-case gas (20 × 200,000 = 4,000,000).
MAX_WALLET_BALLOTS = 20
TRANSIENT = (RequestsConnectionError, Timeout, OSError)
# How long a batch's receipt is awaited before the pass gives up (the batch stays recorded and is
# re-broadcast next pass), and how often meanwhile it is checked for having been dropped.
RECEIPT_TIMEOUT = 120
DROP_CHECK = 2.0
# The note on ballots whose batch reverted when mined: each is sent alone next, so that a ballot that makes
# its batch revert costs only itself.
RETRY_ALONE = "its batch reverted when mined; it is sent again on its own"
RAN_OUT = "its batch ran out of gas; it is sent again with the node's estimate"
# Batches of open ballots are not estimated: an estimate costs the node several times the batch's own mining.
# Their gas limit is a bound from the gas schedule (ballot_batch_gas) that covers a ballot's worst case, a
# fresh has-voted word (22,100) with every read cold, with room to spare (tests/contracts/test_signed_ballots.py:
# ten ballots each the first of its word, half with 140-character reasons, use 55% of it on a fresh proposal).
# A batch that runs out regardless (a voter whose weight history makes its lookups
# unusually deep, say) is sent again estimated (RAN_OUT). The other kinds, rarer, are estimated.
BATCH_GAS = 300_000  # once a batch: the proposal's first writes (counters, tallies, the quorum's record)
BALLOT_GAS = 45_000  # each ballot
# How many broadcast batches may await their receipts at once: the node mines one while the next is signed.
IN_FLIGHT = 8
# What the governor's "already voted" means for a reveal the relayer sent: the member's vote was revealed by
# another transaction first (the member itself, or anyone it gave the reveal to). A commitment opens with one
# vote only, so the vote counted is the one this reveal holds.
REVEALED_FIRST = "already revealed by another transaction first: the vote counted is this one"
# The governor's entry point for each kind of item, and what its batch is called in the log.
ENTRY_POINTS = {"ballot": "castVoteBatch", "commitment": "commitVotes", "reveal": "revealVotes",
                "approval": "castApprovals"}
T = TypeVar("T")


class BallotRefused(InputError):
    """A ballot failed off-chain validation; the message says why."""


def with_retries(fn: Callable[[], T], what: str, attempts: int = 5, backoff: float = 0.5) -> T:
    """Retry on transient RPC errors (connection, timeout), with exponential backoff."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except TRANSIENT as exc:
            if attempt == attempts:
                raise NodeUnreachable(f"{what}: the node did not answer after {attempts} attempts ({exc})") from None
            delay = backoff * 2 ** (attempt - 1)
            log.warning("%s failed (%s); retrying in %.1f s", what, type(exc).__name__, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


class _Views:
    """The view calls validation makes for every ballot, pre-encoded with eth_abi and sent as raw
    eth_call: web3's ContractFunction re-validates the whole ABI on every call (about 14 ms with the
    governor's), which made it the relayer's bottleneck. A revert becomes BallotRefused with its name."""

    def __init__(self, w3, governor: str, registry: str, first_block: int = 0):
        self.w3, self.governor, self.registry = w3, governor, registry
        self._snapshots: dict[int, int] = {}
        self._reveal_starts: dict[int, int] = {}
        self._sealed_blocks: dict[int, int] = {}
        self._elections: dict[int, ElectionBallot | None] = {}
        self.first_block = first_block  # the deployment's: no log of the governor is older

    @staticmethod
    def _request(to: str, signature: str, arg_types: list[str], args: list) -> tuple[str, list]:
        data = "0x" + (function_signature_to_4byte_selector(signature) + encode(arg_types, args)).hex()
        return "eth_call", [{"to": to, "data": data}, "latest"]

    def _call(self, to: str, signature: str, arg_types: list[str], args: list, out_types: list[str]):
        """A raw eth_call: web3's request and result formatting cost more than the node's work here."""
        return self._answer(self.w3.provider.make_request(*self._request(to, signature, arg_types, args)), to,
                            out_types)

    def _answer(self, response: dict, to: str, out_types: list[str]):
        error = response.get("error")
        if error:
            revert = error.get("data") if isinstance(error, dict) else None
            if isinstance(revert, dict):  # Hardhat nests it: {"message": …, "data": "0x…"}
                revert = revert.get("data")
            if isinstance(revert, str) and revert.startswith("0x") and len(revert) >= 10:
                raise BallotRefused(decode_revert_data(revert))
            raise ChainError(f"eth_call to {to} failed: {error}")
        return decode(out_types, bytes.fromhex(response["result"][2:]))

    def state(self, proposal_id: int) -> str:
        return STATES[self._call(self.governor, "state(uint256)", ["uint256"], [proposal_id], ["uint8"])[0]]

    def _batch(self, requests: list[tuple[str, list]]) -> list[dict]:
        """The answers to `requests`, in order, in one round trip to the node (a JSON-RPC batch); one by one
        from a node that takes no batches."""
        try:
            responses = self.w3.provider.make_batch_request(requests)
        except (AttributeError, NotImplementedError, ValueError):
            responses = None
        if not isinstance(responses, list) or len(responses) != len(requests):
            responses = [self.w3.provider.make_request(method, params) for method, params in requests]
        return responses

    def voters(self, asked: list[tuple[int, str]]) -> list[tuple[str | Exception, tuple | Exception, tuple | None]]:
        """For each (proposal, seat): the proposal's state, the seat's elector at its snapshot, and the member's
        marks (voted, recused) — in two round trips however many are asked, which is what lets the relayer check
        concurrent ballots together. Each answer is the error its call met instead, for the caller to raise in
        its turn (a Pending proposal's snapshot is not past); marks are None where there is no member with
        weight on an Active proposal to ask about."""
        # Each proposal's snapshot read once per call: one not yet proposed is not cached (see snapshot), and a
        # group of ballots for it must not cost a read each.
        snapshots = {p: self.snapshot(p) for p in dict.fromkeys(proposal_id for proposal_id, _ in asked)}
        proposals = list(snapshots)
        requests = [self._request(self.governor, "state(uint256)", ["uint256"], [p]) for p in proposals]
        requests += [self._request(self.registry, "electorAt(address,uint256)", ["address", "uint256"],
                                   [seat, snapshots[p]]) for p, seat in asked]
        responses = self._batch(requests)
        states = {p: _or_refusal(lambda r=r: STATES[self._answer(r, self.governor, ["uint8"])[0]])
                  for p, r in zip(proposals, responses, strict=False)}
        electors = [_or_refusal(lambda r=r: electors_.unpack(self._answer(r, self.registry, ["uint256"])[0]))
                    for r in responses[len(proposals):]]
        marks: list[tuple | None] = [None] * len(asked)
        ask = [i for i, e in enumerate(electors)
               if states[asked[i][0]] == "Active" and not isinstance(e, Exception) and e[0] and e[2]]
        memberships = [self._request(self.governor, "memberMarks(uint256,uint256)", ["uint256", "uint256"],
                                     [asked[i][0], electors[i][0]]) for i in ask]
        for i, response in zip(ask, self._batch(memberships) if ask else [], strict=True):
            marks[i] = _or_refusal(lambda r=response: self._answer(r, self.governor, ["bool", "bool"]))
        return [(states[p], electors[i], marks[i]) for i, (p, _) in enumerate(asked)]

    def snapshot(self, proposal_id: int) -> int:  # fixed at creation: cached once the proposal exists
        if proposal_id not in self._snapshots:
            snapshot = self._call(self.governor, "proposalSnapshot(uint256)", ["uint256"], [proposal_id],
                                  ["uint256"])[0]
            if not snapshot:  # no such proposal (yet): its id may be proposed later
                return snapshot
            self._snapshots[proposal_id] = snapshot
        return self._snapshots[proposal_id]

    def reveal_start(self, proposal_id: int) -> int:
        """When reveals of a sealed proposal start; 0 if it is open (or not proposed yet). Fixed at creation:
        cached once the proposal exists."""
        if proposal_id not in self._reveal_starts:
            start = self._call(self.governor, "proposalRevealStart(uint256)", ["uint256"], [proposal_id],
                               ["uint256"])[0]
            if not start and not self.snapshot(proposal_id):  # not proposed yet: it may be proposed sealed
                return start
            self._reveal_starts[proposal_id] = start
        return self._reveal_starts[proposal_id]

    def election(self, proposal_id: int) -> ElectionBallot | None:
        """The election whose ballot this proposal is (the governor's ElectionBallotProposed), or None if it is none
        (or not proposed yet). The governor has no view of it; the event, emitted as the proposal is made, fixes
        it for good: cached once the proposal exists."""
        if proposal_id not in self._elections:
            if not self.snapshot(proposal_id):  # not proposed yet: it may be proposed as a ballot
                return None
            pid = "0x" + proposal_id.to_bytes(32, "big").hex()
            found = self._logs([_topic("ElectionBallotProposed"), pid], self.first_block)
            topics = found[0]["topics"] if found else []
            self._elections[proposal_id] = None if not found else ElectionBallot(
                proposal_id, to_checksum_address(bytes(topics[2])[12:]), int.from_bytes(bytes(topics[3]), "big"),
                int.from_bytes(bytes(found[0]["data"])[:32], "big"))
        return self._elections[proposal_id]

    def now(self) -> int:
        """The latest block's time: what the governor's phase checks compare with (a block.timestamp)."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def _logs(self, topics: list, from_block: int) -> list:
        """The governor's logs matching `topics` from `from_block`, in bounded ranges (as chain/proposals.py). A
        node's JSON-RPC error (a range refused under load, say) is the node failing us, not the ballot: a
        ChainError, which the relay API answers with 503 and the client retries."""
        found, start, head = [], from_block, self.w3.eth.block_number
        while start <= head:
            end = min(start + LOG_RANGE - 1, head)
            try:
                found += self.w3.eth.get_logs({"address": self.governor, "topics": topics, "fromBlock": start,
                                               "toBlock": end})
            except (Web3Exception, ValueError) as exc:
                raise ChainError(f"eth_getLogs on the governor failed: {exc}") from None
            start = end + 1
        return found

    def commitments(self, proposal_id: int, member_ids: set[int]) -> dict[int, bytes]:
        """The commitments the governor recorded of these members on a sealed proposal (its VoteCommitted
        events, by member id: the governor has no view of them), read from the block that sealed it."""
        if not member_ids:
            return {}
        pid = "0x" + proposal_id.to_bytes(32, "big").hex()
        if proposal_id not in self._sealed_blocks:
            sealed = self._logs([_topic("ProposalSealed"), pid], self.first_block)
            if not sealed:
                return {}
            self._sealed_blocks[proposal_id] = sealed[0]["blockNumber"]
        members = ["0x" + m.to_bytes(32, "big").hex() for m in sorted(member_ids)]
        return {int.from_bytes(bytes(entry["topics"][3]), "big"): bytes(entry["data"])[:32]
                for entry in self._logs([_topic("VoteCommitted"), pid, None, members],
                                        self._sealed_blocks[proposal_id])}

    def marks(self, proposal_id: int, member_id: int) -> tuple[bool, bool]:
        return self._call(self.governor, "memberMarks(uint256,uint256)", ["uint256", "uint256"],
                          [proposal_id, member_id], ["bool", "bool"])


@dataclass(frozen=True)
class ElectionBallot:
    """A proposal that is an election's ballot, as the governor's ElectionBallotProposed says: the registry it
    names, the election, and how many candidates the governor counts approvals for (bits 0 .. candidates-1)."""

    proposal_id: int
    registry: str
    election_id: int
    candidates: int


def _topic(event: str) -> str:
    """An event of the governor's ABI as a log topic."""
    (abi,) = [e for e in artifacts.load("ConsortiumGovernor").abi if e["type"] == "event" and e["name"] == event]
    return "0x" + event_abi_to_log_topic(abi).hex()


def _or_refusal(read: Callable[[], T]) -> T | Exception:
    try:
        return read()
    except (BallotRefused, ChainError) as refused:
        return refused


def _voter_check(proposal_id: int, voter: str, state, elector, marks, revealing: bool = False) -> int | Exception:
    """The relayer's one rule on who may vote, over what the node answered (see _Views.voters). On a sealed
    proposal a member has voted once its vote is revealed (`revealing`: say so)."""
    if isinstance(state, Exception):
        return state
    if state != "Active":
        return BallotRefused(f"proposal {proposal_id} is {state}, not Active")
    if isinstance(elector, Exception):
        return elector
    member_id, _, weight = elector
    if member_id == 0:
        return BallotRefused(f"{voter} is not the seat of a current member")
    if weight == 0:
        return BallotRefused(f"{voter} had no voting weight at the proposal's snapshot")
    if isinstance(marks, Exception):
        return marks
    voted, recused = marks
    if voted and revealing:
        return BallotRefused(f"the vote of {voter} on proposal {proposal_id} is already revealed and counted")
    if voted:
        return BallotRefused(f"{voter} has already voted on this proposal")
    if recused:
        return BallotRefused(f"{voter} is recused from this proposal (a declared conflict, or the proposal is "
                             "about its member)")
    return member_id


class Relayer:
    @classmethod
    def checks_only(cls, session) -> Relayer:
        """The relayer's acceptance checks (domain, validate) without a store: what a member's CLI asks before
        it signs a ballot (`vote --sign-only`), so that nobody hands out a ballot that can never count. It
        receives, stores and submits nothing."""
        return cls(session, store=None)

    def __init__(self, session, store: RelayStore | None, batch_size: int = 100):
        self.session = session
        self.store = store
        self.batch_size = batch_size
        g = session.governor.functions
        self.domain = ballots.domain(g.name().call(), session.w3.eth.chain_id, session.governor.address,
                                     g.version().call())
        self.digest = ballots.BallotDigest(self.domain)
        self.views = _Views(session.w3, session.deployment.governor, session.deployment.registry,
                            session.deployment.block)
        # The gas the governor gives a contract wallet's signature check (see check_signature and _sign).
        self.wallet_gas = artifacts.constant("BallotSignatures", "WALLET_GAS")
        self._intake = Intake(self.receive_many)
        self._commit_intake = Intake(self.receive_commitments)
        self._reveal_intake = Intake(self.receive_reveals)
        self._approval_intake = Intake(self.receive_approvals)
        self._rejections = artifacts.enum_names("IConsortiumGovernor", "BallotRejection")
        # The entry points encoded with eth_abi (see _sign), and the topics of the events a batch's receipt holds
        # (see outcomes): from the compiled ABI, the one definition of both.
        abi = {(item["type"], item.get("name")): item for item in session.governor.abi}
        self._entry_points = {kind: (function_abi_to_4byte_selector(abi[("function", name)]),
                                     get_abi_input_types(abi[("function", name)]))
                              for kind, name in ENTRY_POINTS.items()}
        self._vote_cast = event_abi_to_log_topic(abi[("event", "VoteCast")])
        self._vote_cast_params = event_abi_to_log_topic(abi[("event", "VoteCastWithParams")])
        self._vote_committed = event_abi_to_log_topic(abi[("event", "VoteCommitted")])
        self._ballot_rejected = event_abi_to_log_topic(abi[("event", "BallotRejected")])

    # ───── receiving ─────

    def receive(self, data: dict | BallotFile) -> StoredBallot:
        """Validate a ballot (a ballot file's content, or one the HTTP API parsed) off-chain and persist it;
        raises BallotRefused with the reason if invalid. Concurrent calls are checked and stored together
        (see intake.py): the answer is the same as alone, only sooner under load."""
        return self._intake.receive(data)

    def receive_many(self, items: list[dict | BallotFile]) -> list[StoredBallot | Exception]:
        """What receive() does, for many ballots at once: each one's stored ballot, or why it was refused
        (the exception receive() raises for it). One ballot's failure is its own: the others go on. The
        chain is asked in two round trips and the store writes in one transaction, whatever their number."""
        outcomes: list[StoredBallot | Exception | None] = [None] * len(items)
        signed: list[tuple[int, BallotFile, str, bytes]] = []
        for i, data in enumerate(items):
            try:
                ballot = self._for_this_relayer(data)
                signed.append((i, ballot, *self.check_signature(ballot)))
            except Exception as exc:  # noqa: BLE001 -- the ballot's own failure, raised again in its own receive()
                outcomes[i] = exc
        members = self.check_voters([(b.proposal_id, b.voter) for _, b, _, _ in signed])
        entries = []
        for (i, b, kind, signature), member in zip(signed, members, strict=True):
            if not isinstance(member, Exception):
                member = self.open_ballots(b.proposal_id) or member
            if isinstance(member, Exception):
                outcomes[i] = member
            else:
                entries.append((i, (b.proposal_id, b.voter, member, b.support, b.reason, signature, kind)))
        stored = self.store.accept_many([entry for _, entry in entries])
        for (i, _), outcome in zip(entries, stored, strict=True):
            outcomes[i] = BallotRefused(str(outcome)) if isinstance(outcome, AlreadyHeld) else outcome
        return outcomes

    def _for_this_relayer(self, data, format_: str = ballot_file.FORMAT):
        """The ballot (commitment, reveal: `format_`) parsed, if it is for this relayer's chain and governor."""
        model, noun = ballot_file.KINDS[format_]
        try:
            item = data if isinstance(data, model) else ballot_file.parse(data, format_)
        except ValueError as exc:
            raise BallotRefused(str(exc)) from None
        chain_id, governor = item.chain_id, item.governor
        if chain_id != self.domain["chainId"] or governor != self.domain["verifyingContract"]:
            raise BallotRefused(f"the {noun} is for governor {governor} on chain {chain_id}; this relayer serves "
                                f"{self.domain['verifyingContract']} on chain {self.domain['chainId']}")
        return item

    def receive_file(self, data) -> Stored:
        """A ballot, commitment, reveal or approval ballot file's content, told apart by its `format` (`relay
        FILE...`)."""
        format_ = data.get("format") if isinstance(data, dict) else None
        if format_ == ballot_file.APPROVAL_FORMAT:
            return self.receive_approval(data)
        if format_ == ballot_file.COMMITMENT_FORMAT:
            return self.receive_commitment(data)
        if format_ == ballot_file.REVEAL_FORMAT:
            return self.receive_reveal(data)
        return self.receive(data)

    # ───── receiving commitments and reveals (sealed proposals) ─────

    def receive_commitment(self, data: dict | CommitmentFile) -> StoredCommitment:
        """Validate a signed commitment as the governor will and persist it; raises BallotRefused with the
        reason. Concurrent calls are checked and stored together, as ballots are."""
        return self._commit_intake.receive(data)

    def receive_reveal(self, data: dict | RevealFile) -> StoredReveal:
        """Validate a reveal (it opens the member's commitment, from the reveal start unless escrowed) and
        persist it; raises BallotRefused with the reason."""
        return self._reveal_intake.receive(data)

    def open_ballots(self, proposal_id: int) -> BallotRefused | None:
        """Why a ballot (an open vote) on this proposal is refused: it is sealed, or an election's ballot, and a
        ballot would revert its whole batch (GovernorProposalSealed, GovernorProposalIsElection), in the governor's
        words; None for an open proposal. Asked before anything is signed too, so that no vote is sent to the
        relayer for a proposal whose votes are sealed."""
        if self.views.reveal_start(proposal_id):
            return BallotRefused(error_words("GovernorProposalSealed", ["uint256"], [proposal_id]))
        if self.views.election(proposal_id):
            return BallotRefused(error_words("GovernorProposalIsElection", ["uint256"], [proposal_id]))
        return None

    def _sealed_phase(self, proposal_id: int, now: int, revealing: bool, escrow: bool = False) -> Exception | None:
        """Why a commitment (or a reveal: `revealing`) on this proposal would revert now, in the governor's words;
        None if it would not. An escrowed reveal is taken before the reveal start, to be sent from it. `now` is
        the latest block's time: the item's own block comes after it."""
        start = self.views.reveal_start(proposal_id)
        if not start:  # as the governor's ledger refuses it: an election's ballot says what it is
            name = "GovernorProposalIsElection" if self.views.election(proposal_id) else "GovernorProposalNotSealed"
            return BallotRefused(error_words(name, ["uint256"], [proposal_id]))
        if not revealing and not commits_open(now, start):
            return BallotRefused(error_words("GovernorCommitsClosed", ["uint256", "uint256"], [proposal_id, start]))
        if revealing and not reveals_open(now, start) and not escrow:
            return BallotRefused(error_words("GovernorRevealsNotOpen", ["uint256", "uint256"], [proposal_id, start])
                                 + "; hand the reveal over from then, or escrow it with the relayer")
        return None

    def check_committer(self, proposal_id: int, voter: str) -> int:
        """Every check of a commitment but its signature's: the proposal Active, sealed and before its reveal
        start, the voter a member with weight at the snapshot, not recused, not yet committed on chain. Returns
        the member id: what `vote --sign-only` asks before it signs a commitment."""
        (member,) = self._check_committers([(proposal_id, voter)])
        if isinstance(member, Exception):
            raise member
        return member

    def commitment_of(self, proposal_id: int, voter: str) -> tuple[int, bytes | None, bool]:
        """The voter's member at the proposal's snapshot, and that member's commitment: the governor's (recorded:
        True), else one this relayer holds unsent (False), else None. What a page opens to find the vote to
        reveal; a commitment is no secret (VoteCommitted publishes it), the vote and salt are."""
        ((state, elector, _),) = self.views.voters([(proposal_id, voter)])
        if isinstance(state, Exception):
            raise state
        if state == "Pending":  # no snapshot yet to read the member at, and nothing committed
            raise BallotRefused(f"proposal {proposal_id} is Pending, not Active")
        if isinstance(elector, Exception):
            raise elector
        member_id = elector[0]
        if member_id == 0:
            raise BallotRefused(f"{voter} is not the seat of a current member")
        recorded = self.views.commitments(proposal_id, {member_id}).get(member_id)
        if recorded is not None:
            return member_id, recorded, True
        held = self.store.held_commitments(proposal_id, {member_id}).get(member_id)
        return member_id, None if held is None else held.commitment, False

    def _check_committers(self, asked: list[tuple[int, str]]) -> list[int | Exception]:
        """check_committer for many (proposal, voter) pairs: each one's member id or refusal."""
        answers = self.views.voters(asked) if asked else []
        now = self.views.now() if asked else 0
        members: list[int | Exception] = []
        for (proposal_id, voter), answer in zip(asked, answers, strict=True):
            phase = self._sealed_phase(proposal_id, now, revealing=False) if answer[0] == "Active" else None
            members.append(phase or _voter_check(proposal_id, voter, *answer))
        for proposal_id in dict.fromkeys(p for p, _ in asked):
            mine = [i for i, (p, _) in enumerate(asked) if p == proposal_id and not isinstance(members[i], Exception)]
            committed = self.views.commitments(proposal_id, {members[i] for i in mine})
            for i in mine:
                if members[i] in committed:
                    members[i] = BallotRefused(f"member {members[i]} has already committed to a vote on proposal "
                                               f"{proposal_id} (from {asked[i][1]} or another of its seats); a "
                                               "commitment is never replaced")
        return members

    def receive_commitments(self, items: list) -> list[StoredCommitment | Exception]:
        """What receive_commitment() does, for many at once (see receive_many): one's failure is its own."""
        outcomes: list = [None] * len(items)
        signed: list[tuple[int, CommitmentFile, str, bytes]] = []
        for i, data in enumerate(items):
            try:
                c = self._for_this_relayer(data, ballot_file.COMMITMENT_FORMAT)
                typed = ballots.sealed_ballot(self.domain, c.proposal_id, c.voter, c.commitment)
                signed.append((i, c, *self._check_signature(c.voter, ballots.digest(typed), c.signature,
                                                            "commitment")))
            except Exception as exc:  # noqa: BLE001 -- the item's own failure, raised again in its own receive
                outcomes[i] = exc
        members = self._check_committers([(c.proposal_id, c.voter) for _, c, _, _ in signed])
        entries = []
        for (i, c, kind, signature), member in zip(signed, members, strict=True):
            if isinstance(member, Exception):
                outcomes[i] = member
            else:
                entries.append((i, (c.proposal_id, c.voter, member, c.commitment, signature, kind)))
        stored = self.store.accept_commitments([entry for _, entry in entries])
        for (i, _), outcome in zip(entries, stored, strict=True):
            outcomes[i] = BallotRefused(str(outcome)) if isinstance(outcome, InputError) else outcome
        return outcomes

    def receive_reveals(self, items: list) -> list[StoredReveal | Exception]:
        """What receive_reveal() does, for many at once (see receive_many): one's failure is its own."""
        outcomes: list = [None] * len(items)
        parsed: list[tuple[int, RevealFile]] = []
        for i, data in enumerate(items):
            try:
                parsed.append((i, self._for_this_relayer(data, ballot_file.REVEAL_FORMAT)))
            except BallotRefused as exc:
                outcomes[i] = exc
        answers = self.views.voters([(r.proposal_id, r.voter) for _, r in parsed]) if parsed else []
        now = self.views.now() if parsed else 0
        checked: list[tuple[int, RevealFile, int]] = []
        for (i, r), answer in zip(parsed, answers, strict=True):
            phase = (self._sealed_phase(r.proposal_id, now, revealing=True, escrow=r.escrow)
                     if answer[0] == "Active" else None)
            member = phase or _voter_check(r.proposal_id, r.voter, *answer, revealing=True)
            if isinstance(member, Exception):
                outcomes[i] = member
            else:
                checked.append((i, r, member))
        entries = []
        for proposal_id in dict.fromkeys(r.proposal_id for _, r, _ in checked):
            mine = [(i, r, m) for i, r, m in checked if r.proposal_id == proposal_id]
            # The commitment a reveal must open: the governor's (VoteCommitted), else one the relayer holds and
            # will send first (a reveal escrowed with its commitment).
            asked = {m for _, _, m in mine}
            held = {m: c.commitment for m, c in self.store.held_commitments(proposal_id, asked).items()}
            committed = {**held, **self.views.commitments(proposal_id, asked)}
            start = self.views.reveal_start(proposal_id)
            for i, r, member in mine:
                expected = committed.get(member)
                if expected is None:
                    outcomes[i] = BallotRefused(f"member {member} has no commitment on proposal {proposal_id} to "
                                                "reveal")
                elif ballots.commitment(self.domain["chainId"], self.domain["verifyingContract"], proposal_id,
                                        member, r.support, r.salt) != expected:
                    outcomes[i] = BallotRefused(f"the reveal does not open member {member}'s commitment on proposal "
                                                f"{proposal_id}: another vote or salt than it committed to")
                else:
                    detail = f"escrowed: revealed from {utc(start)}" if not reveals_open(now, start) else ""
                    entries.append((i, (proposal_id, r.voter, member, r.support, r.salt, r.escrow, detail)))
        stored = self.store.accept_reveals([entry for _, entry in entries])
        for (i, _), outcome in zip(entries, stored, strict=True):
            outcomes[i] = BallotRefused(str(outcome)) if isinstance(outcome, InputError) else outcome
        return outcomes

    # ───── receiving approval ballots (elections) ─────

    def receive_approval(self, data: dict | ApprovalFile) -> StoredApproval:
        """Validate a signed approval ballot as the governor will and persist it; raises BallotRefused with the
        reason. Concurrent calls are checked and stored together, as ballots are."""
        return self._approval_intake.receive(data)

    def check_approver(self, proposal_id: int, voter: str, approvals: int) -> int:
        """Every check of an approval ballot but its signature's: the proposal an Active election ballot, the
        bitmap within its candidate list, the voter a member with weight at the snapshot, not yet voted, not
        recused. Returns the member id: what is asked before anything is signed."""
        (member,) = self._check_approvers([(proposal_id, voter, approvals)])
        if isinstance(member, Exception):
            raise member
        return member

    def _check_approvers(self, asked: list[tuple[int, str, int]]) -> list[int | Exception]:
        """check_approver for many (proposal, voter, approvals): each one's member id or refusal."""
        answers = self.views.voters([(p, voter) for p, voter, _ in asked]) if asked else []
        members: list[int | Exception] = []
        for (proposal_id, voter, bitmap), answer in zip(asked, answers, strict=True):
            election = self.views.election(proposal_id) if answer[0] == "Active" else None
            if answer[0] == "Active" and election is None:  # castApprovals would revert, and its batch with it
                members.append(BallotRefused(error_words("GovernorProposalNotElection", ["uint256"], [proposal_id])))
            elif election is not None and bitmap >> election.candidates:  # the governor's InvalidApprovals
                n = election.candidates
                members.append(BallotRefused(
                    f"invalid approvals: the ballot approves candidate {bitmap.bit_length() - 1}, but election "
                    f"{election.election_id}'s ballot lists {n} candidate{'s' if n != 1 else ''} (0 to {n - 1})"))
            else:
                members.append(_voter_check(proposal_id, voter, *answer))
        return members

    def receive_approvals(self, items: list) -> list[StoredApproval | Exception]:
        """What receive_approval() does, for many at once (see receive_many): one's failure is its own."""
        outcomes: list = [None] * len(items)
        signed: list[tuple[int, ApprovalFile, str, bytes]] = []
        for i, data in enumerate(items):
            try:
                a = self._for_this_relayer(data, ballot_file.APPROVAL_FORMAT)
                typed = ballots.approval_ballot(self.domain, a.proposal_id, a.voter, a.approvals)
                signed.append((i, a, *self._check_signature(a.voter, ballots.digest(typed), a.signature,
                                                            "approval ballot")))
            except Exception as exc:  # noqa: BLE001 -- the item's own failure, raised again in its own receive
                outcomes[i] = exc
        members = self._check_approvers([(a.proposal_id, a.voter, a.approvals) for _, a, _, _ in signed])
        entries = []
        for (i, a, kind, signature), member in zip(signed, members, strict=True):
            if isinstance(member, Exception):
                outcomes[i] = member
            else:
                entries.append((i, (a.proposal_id, a.voter, member, a.approvals, signature, kind)))
        stored = self.store.accept_approvals([entry for _, entry in entries])
        for (i, _), outcome in zip(entries, stored, strict=True):
            outcomes[i] = BallotRefused(str(outcome)) if isinstance(outcome, InputError) else outcome
        return outcomes

    def validate(self, b: BallotFile) -> tuple[int, str, bytes]:
        """The checks the contract will make, made first, so a batch carries only countable ballots (an open vote:
        not on a sealed proposal or an election's ballot, see open_ballots). Returns the voter's member id, the
        signature's kind and the signature to send (see below)."""
        kind, signature = self.check_signature(b)
        member = self.check_voter(b.proposal_id, b.voter)
        refused = self.open_ballots(b.proposal_id)
        if refused is not None:
            raise refused
        return member, kind, signature

    def check_voter(self, proposal_id: int, voter: str) -> int:
        """Every check but the signature's: the proposal is Active, the voter a member with weight at its
        snapshot, not yet voted, not recused. Returns the member id. (A Safe's owners are asked to sign only
        after this passes.)"""
        (member,) = self.check_voters([(proposal_id, voter)])
        if isinstance(member, Exception):
            raise member
        return member

    def check_voters(self, asked: list[tuple[int, str]]) -> list[int | Exception]:
        """check_voter for many (proposal, voter) pairs in two round trips: each one's member id or refusal."""
        return [_voter_check(proposal_id, voter, *answers)
                for (proposal_id, voter), answers in zip(asked, self.views.voters(asked) if asked else [],
                                                         strict=True)]

    def check_signature(self, b: BallotFile) -> tuple[str, bytes]:
        """The signature's kind (ecdsa or erc1271) and the form it is kept and sent in: an account's
        signature in the canonical 65-byte form, a contract wallet's as it was given."""
        return self._check_signature(b.voter, self.digest(b.proposal_id, b.support, b.voter, b.reason), b.signature)

    def _check_signature(self, voter: str, digest: bytes, signature: bytes, noun: str = "ballot") -> tuple[str, bytes]:
        """check_signature for the `noun` (a ballot or a commitment) whose EIP-712 hash is `digest`: the
        governor checks both with one rule (BallotSignatures)."""
        canonical = ballots.canonical_ecdsa(signature)
        if canonical is not None:
            if ballots.recover(digest, canonical) == voter:
                if int.from_bytes(canonical[32:64], "big") > SECP256K1_HALF_N:
                    raise BallotRefused("the signature is malleable (high s); wallets produce low-s signatures")
                return "ecdsa", canonical
            # Not the voter's key, whatever its s: perhaps a contract wallet's, as a 1-of-n Safe's single
            # 65-byte owner signature is. The Safe's ecrecover takes a high s, and the governor asks the wallet
            # whenever ECDSA fails (BallotSignatures.isValid; a seat the registry marks a wallet, a contract
            # with no key, it asks first), so the wallet must be asked here too.
        if self.session.w3.eth.get_code(voter):  # a contract wallet: ask it (ERC-1271)
            wallet = self.session.w3.eth.contract(address=voter, abi=ballots.ERC1271_ABI)
            # As a batch asks it: from the governor, with the gas allowance the governor gives a wallet.
            asked = {"from": self.session.deployment.governor, "gas": self.wallet_gas}
            try:
                if wallet.functions.isValidSignature(digest, signature).call(asked) == ERC1271_MAGIC:
                    return "erc1271", signature
            except Exception:  # a reverting or non-conforming wallet simply does not vouch
                pass
            raise BallotRefused(f"{voter} is a contract wallet and does not vouch for this {noun} (ERC-1271 "
                                "isValidSignature): not its owners' signatures, too few of them, or signatures of "
                                f"another {noun}, chain or governor")
        raise BallotRefused(f"the signature is not {voter}'s for this {noun}, chain and governor")

    # ───── submitting ─────

    def submit(self) -> list[str]:
        """Settle batches left over from a previous run, then send every accepted ballot in batches.
        Returns the hashes of the transactions this call sent or settled. Whatever one ballot does, the
        others are sent: a batch the node refuses is split until the ballot it refuses is alone (see _dispatch).
        Only the node itself (unreachable, or the relayer's account without funds) stops a pass."""
        sent: list[str] = []
        for batch_id, tx_hash, raw in self.store.unmined_batches():
            try:
                with_retries(lambda raw=raw: broadcast(self.session.w3, raw), "broadcast")
            except CallRefused as exc:  # its ballots are back in the queue, sent below and split if need be
                self.store.requeue_batch(batch_id)
                log.warning("batch %s was refused by the node; its ballots are queued again: %s", batch_id, exc)
                continue
            sent += self._settle(Dispatched(batch_id, tx_hash, raw, self.store.batch_kind(batch_id), bounded=False))
        for kind in ENTRY_POINTS:
            sent += self._submit_accepted(kind)
        return sent

    def _submit_accepted(self, kind: str) -> list[str]:
        """Send the accepted items of one kind, in batches per proposal. Commitments go only before the reveal
        start and reveals only from it (an escrowed reveal waits for it); past that, an item would make its
        whole batch revert, so it is rejected unsent with the governor's words.
        Batches are sent one after another without awaiting each: up to IN_FLIGHT are with the node at once,
        the oldest settled from its receipt while the node mines the next."""
        sent: list[str] = []
        accepted = self.store.accepted(kind)
        if not accepted:
            return sent
        sealed = kind in ("commitment", "reveal")
        now = self.views.now() if sealed else 0
        series = self.session.sender.series(self.session.w3)
        in_flight: deque[Dispatched] = deque()
        for proposal_id, pending in accepted.items():
            state = self.views.state(proposal_id)
            if state != "Active":  # every item would be refused: say why once, without a round of estimates
                self.store.reject([b.id for b in pending], f"not submitted: proposal {proposal_id} is {state}", kind)
                log.info("%d %ss rejected unsent: proposal %s is %s", len(pending), kind, proposal_id, state)
                continue
            if sealed:
                start = self.views.reveal_start(proposal_id)
                if kind == "reveal" and not reveals_open(now, start):  # escrowed: held until then
                    continue
                if kind == "commitment" and not commits_open(now, start):
                    self.store.reject([b.id for b in pending], "not submitted: " + error_words(
                        "GovernorCommitsClosed", ["uint256", "uint256"], [proposal_id, start]), kind)
                    continue
            for batch in self._batches(pending):
                in_flight.extend(self._dispatch(series, proposal_id, batch, kind))
                while len(in_flight) > IN_FLIGHT:
                    sent += self._settle(in_flight.popleft(), series)
        while in_flight:
            sent += self._settle(in_flight.popleft(), series)
        return sent

    def _batches(self, pending: list[Stored]) -> list[list[Stored]]:
        """At most `batch_size` ballots a batch, of which at most MAX_WALLET_BALLOTS from contract wallets;
        ballots whose batch reverted go alone."""
        batches: list[list[StoredBallot]] = []
        wallets = 0
        for ballot in pending:
            if ballot.detail == RETRY_ALONE:
                continue
            wallet = ballot.kind == "erc1271"
            if not batches or len(batches[-1]) == self.batch_size or (wallet and wallets == MAX_WALLET_BALLOTS):
                batches.append([])
                wallets = 0
            batches[-1].append(ballot)
            wallets += wallet
        return batches + [[b] for b in pending if b.detail == RETRY_ALONE]

    def _dispatch(self, series: TransactionSeries, proposal_id: int, batch: list[Stored],
                  kind: str = "ballot") -> list[Dispatched]:
        """Sign, record and broadcast one batch; its receipt is awaited later (_settle). One the node refuses
        (its estimate reverts, it needs more gas than a transaction may use, it is too large, a ballot cannot be
        encoded, the node will not take it) is split in two, and so on until the refused ballot is alone: that
        one is rejected with the node's reason, the rest go out."""
        try:
            raw, tx_hash, bounded = self._sign(series, proposal_id, batch, kind)
            batch_id = self.store.record_batch(proposal_id, [b.id for b in batch], tx_hash, raw, kind)
            try:
                with_retries(lambda: broadcast(self.session.w3, raw), "broadcast")
            except CallRefused:
                self.store.requeue_batch(batch_id)
                raise
            series.taken()
            return [Dispatched(batch_id, tx_hash, raw, kind, bounded)]
        except CallRefused as exc:
            if len(batch) == 1:
                self.store.reject([batch[0].id], f"not submitted: {exc}", kind)
                return []
            half = len(batch) // 2
            return (self._dispatch(series, proposal_id, batch[:half], kind)
                    + self._dispatch(series, proposal_id, batch[half:], kind))

    def _sign(self, series: TransactionSeries, proposal_id: int, batch: list[Stored],
              kind: str = "ballot") -> tuple[bytes, str, bool]:
        """The batch's signed transaction, its hash, and whether its gas limit is the ballots' bound (else
        the node's estimate)."""
        selector, types = self._entry_points[kind]
        try:
            if kind == "commitment":
                args = [proposal_id, [(b.voter, b.commitment, b.signature) for b in batch]]
            elif kind == "reveal":
                args = [proposal_id, [(b.voter, b.support, b.salt) for b in batch]]
            elif kind == "approval":
                args = [proposal_id, [(b.voter, b.approvals, b.signature) for b in batch]]
            else:
                compact = [ballots.compact(b.voter, b.support, b.signature) for b in batch if _is_compact(b)]
                full = [(b.voter, b.support, b.reason, b.signature) for b in batch if not _is_compact(b)]
                args = [proposal_id, compact, full]
            data = selector + encode(types, args)
        except (ValueError, TypeError, OverflowError, EncodingError) as exc:  # stored by an older version
            raise CallRefused(f"a {kind} cannot be encoded: {exc}") from None
        call = EncodedCall(self.session.w3, self.session.governor.address, data)
        # The estimate sees what each wallet spent when asked then; mined, a wallet may spend all the gas
        # the governor gives it (one that answers cheaply only to calls, say). Fund that: an underfunded
        # batch reverts, and with it every honest ballot in it.
        wallet_gas = self.wallet_gas * sum(b.kind == "erc1271" for b in batch)
        bound = ballot_batch_gas(len(batch), data) if kind == "ballot" and not any(
            b.detail in (RETRY_ALONE, RAN_OUT) for b in batch) else None
        if bound is not None and bound + wallet_gas > series.gas_ceiling:
            bound = None  # may not fit a transaction: the estimate says whether it does, or splits it
        raw, tx_hash, _ = with_retries(lambda: series.sign(call, "relay", extra_gas=wallet_gas, gas=bound), "sign")
        return raw, tx_hash, bound is not None

    def _settle(self, batch: Dispatched, series: TransactionSeries | None = None) -> list[str]:
        """Await a broadcast batch and record each ballot's outcome from the receipt. A dropped transaction
        returns the batch's ballots to the queue: they never reached the chain. A batch that reverted counted
        nothing: its ballots are queued again, each alone; one that ran out of its bound, together but
        estimated."""
        receipt = self._receipt(batch.tx_hash, batch.raw)
        if receipt is None:
            self.store.requeue_batch(batch.batch_id)
            if series is not None:  # its nonce went to another transaction: the series' count is off
                series.resync()
            return []
        if receipt["status"] != 1:
            if batch.bounded and receipt["gasUsed"] >= _gas_limit(batch.raw):
                self.store.requeue_batch(batch.batch_id, detail=RAN_OUT)
            elif len(self.store.batch_ballots(batch.batch_id)) > 1:
                self.store.requeue_batch(batch.batch_id, detail=RETRY_ALONE)
            else:
                self.store.settle_batch(batch.batch_id, {}, unaccounted="its transaction reverted when mined")
            return [batch.tx_hash]
        outcomes = self.outcomes(receipt)
        if batch.kind == "reveal":
            outcomes = {voter: REVEALED_FIRST if reason == "already voted" else reason
                        for voter, reason in outcomes.items()}
        self.store.settle_batch(batch.batch_id, outcomes)
        rejected = sum(reason is not None for reason in outcomes.values())
        log.info("batch %s: %d %ss counted, %d rejected by the governor, in %s (block %s, %s gas)", batch.batch_id,
                 len(outcomes) - rejected, batch.kind, rejected, batch.tx_hash, receipt["blockNumber"],
                 f"{receipt['gasUsed']:,}")
        return [batch.tx_hash]

    def outcomes(self, receipt) -> dict[str, str | None]:
        """Each voter the batch's receipt speaks of, by lowercase address: None if counted (VoteCast, or
        VoteCastWithParams for an approval ballot) or its commitment recorded (VoteCommitted), else the rejection's
        name (BallotRejected). The receipt as web3 gives it or as the node does (raw_receipt: topics and data in
        hex). Read from the governor's logs' topics and data directly, as the voter is an indexed topic of each
        (web3's receipt processing re-validates the ABI for every log, more than the batch's own mining costs the
        node), and not checksummed (a checksum costs a keccak and a pass over the address in Python, 10 ms for a
        batch of 100: the store matches addresses whatever their case)."""
        governor = self.session.governor.address.lower()
        outcomes: dict[str, str | None] = {}
        for entry in receipt["logs"]:
            topics = entry["topics"]
            if entry["address"].lower() != governor or not topics:
                continue
            event = HexBytes(topics[0])
            if event in (self._vote_cast, self._vote_cast_params):  # the voter first, in both
                outcomes["0x" + HexBytes(topics[1])[12:].hex()] = None
            elif event == self._vote_committed:  # (proposalId, voter, memberId): the voter second
                outcomes["0x" + HexBytes(topics[2])[12:].hex()] = None
            elif event == self._ballot_rejected:
                outcomes["0x" + HexBytes(topics[2])[12:].hex()] = self._rejections[int.from_bytes(
                    HexBytes(entry["data"])[:32], "big")]
        return outcomes

    def _receipt(self, tx_hash: str, raw: bytes):
        """The batch's receipt, or None once it can never be mined (its nonce went to another transaction):
        checked while waiting, so a dropped batch's ballots return to the queue at once, not after a time-out.
        A batch neither mined nor dropped in RECEIPT_TIMEOUT stays recorded, re-broadcast next pass."""
        deadline = time.monotonic() + RECEIPT_TIMEOUT
        while True:
            try:
                return wait_for_receipt(self.session.w3, tx_hash, timeout=DROP_CHECK, raw=True)
            except TimeExhausted:
                pass
            except TRANSIENT as exc:
                log.warning("waiting for %s: %s", tx_hash, exc)
            if with_retries(lambda: self._dropped(raw), "receipt"):
                return None
            if time.monotonic() > deadline:
                raise ChainError(f"transaction {tx_hash} was not mined within {RECEIPT_TIMEOUT} s; it stays "
                                 "recorded and is broadcast again on the next pass")

    def _dropped(self, raw: bytes) -> bool:
        """Whether a signed transaction can never be mined: the node does not know it and its nonce was
        used by another transaction."""
        w3 = self.session.w3
        try:
            w3.eth.get_transaction(w3.keccak(raw))
            return False  # the node has it: it may still be mined
        except TransactionNotFound:
            nonce = TypedTransaction.from_bytes(HexBytes(raw)).as_dict()["nonce"]
            return w3.eth.get_transaction_count(self.session.sender.address) > nonce


def _is_compact(b: StoredBallot) -> bool:
    """Reasonless ballots signed by an account's key travel in the three-word compact layout."""
    return b.reason == "" and b.kind == "ecdsa"


@dataclass(frozen=True)
class Dispatched:
    """A batch signed, recorded and broadcast, awaiting its receipt; `bounded`: its gas limit is the ballots'
    bound (ballot_batch_gas), not the node's estimate."""

    batch_id: int
    tx_hash: str
    raw: bytes
    kind: str
    bounded: bool


def ballot_batch_gas(ballots_: int, data: bytes) -> int:
    """A gas limit that covers a batch of ballots however its voters fall, from the gas schedule: BATCH_GAS,
    BALLOT_GAS per ballot, and the intrinsic gas with its calldata charged at EIP-7623's floor (10 a token: 40 a
    non-zero byte, 10 a zero one). A transaction pays at most that floor or 16 and 4 plus its execution, so the
    floor leaves 24 gas a non-zero byte for what execution does with the bytes: a reason is copied, hashed and
    logged (8 a byte), a signature copied; even memory's quadratic cost at the 128 KiB a node relays stays under
    it (tests/contracts/test_signed_ballots.py: a 60,000-character reason). Unused gas is not paid for."""
    zeros = data.count(0)
    return 21_000 + 10 * (zeros + 4 * (len(data) - zeros)) + BATCH_GAS + BALLOT_GAS * ballots_


def _gas_limit(raw: bytes) -> int:
    return TypedTransaction.from_bytes(HexBytes(raw)).as_dict()["gas"]
