"""Tables of the index. Every row that came from the chain carries its block number, so a reorg is
undone by deleting what lies above the fork point, in one transaction with the cursor. Every column of
free text is SafeText (db.py): whatever the chain or a member wrote may hold a NUL."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table

from orchestrator.db import SafeText

metadata = MetaData()
# The largest id an Integer column holds on every backend (PostgreSQL's int4). The contracts number members,
# standards and advisories from 1, so a larger id is in no row: lookups answer "none" without asking.
MAX_ID = 2**31 - 1

events = Table(
    "events",
    metadata,
    Column("tx_hash", String(66), primary_key=True),
    Column("log_index", Integer, primary_key=True),
    Column("block_number", BigInteger, nullable=False, index=True),
    Column("block_hash", String(66), nullable=False),
    Column("address", String(42), nullable=False, index=True),
    Column("contract", String(40), nullable=False),
    Column("event", String(64), nullable=False, index=True),
    Column("args", SafeText, nullable=False),  # JSON; large integers as decimal strings
)

# Hashes (and times) of blocks the index relies on: every block with events, and the end of every range
# read. The cursor's block is always here, which is what reorg detection compares with the chain.
blocks = Table(
    "blocks",
    metadata,
    Column("number", BigInteger, primary_key=True),
    Column("hash", String(66), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
)

cursor = Table(
    "cursor",
    metadata,
    Column("governor", String(42), primary_key=True),
    Column("chain_id", Integer, nullable=False),
    Column("block", BigInteger, nullable=False),  # the last block fully indexed
)


# ───── derived tables: the events projected into what observers ask about ─────
# Every derived row comes from one event and carries its key and block, so the same unwind that
# removes a reorged block's events removes what was derived from them. Rows are never updated later
# (a proposal's queueing, say, is a row of its own), which is what makes that unwind exact.


def _event_columns() -> list[Column]:
    return [Column("tx_hash", String(66), primary_key=True), Column("log_index", Integer, primary_key=True),
            Column("block_number", BigInteger, nullable=False, index=True),
            Column("timestamp", BigInteger, nullable=False)]


member_changes = Table(
    "member_changes", metadata, *_event_columns(),
    Column("member_id", Integer, nullable=False, index=True),
    Column("change", String(16), nullable=False),  # admitted, tier, suspended, reinstated, lapsed, …
    Column("seat", String(42), nullable=False, index=True),
    Column("tier", Integer, nullable=False),
    Column("status", String(12), nullable=False),  # the status after the change
    Column("detail", SafeText, nullable=False),  # a reason or a metadata URI
)

proposals = Table(
    "proposals", metadata, *_event_columns(),
    Column("proposal_id", String(80), nullable=False, unique=True),
    Column("proposer", String(42), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("title", SafeText, nullable=False),
    Column("description", SafeText, nullable=False),
    Column("snapshot", BigInteger, nullable=False),
    Column("deadline", BigInteger, nullable=False),
    Column("calls", SafeText, nullable=False),  # JSON: [{target, value, data}]
)

proposal_events = Table(
    "proposal_events", metadata, *_event_columns(),
    Column("proposal_id", String(80), nullable=False, index=True),
    Column("event", String(16), nullable=False),  # queued, executed, canceled, extended, sealed
    Column("value", BigInteger, nullable=True),  # eta, the extended deadline, or a sealed proposal's reveal start
)

# A sealed proposal's commitments (VoteCommitted): who committed, never what (the commitment hides it). A
# commitment opened by a reveal is a ballot (VoteCast, in `ballots`); one with no ballot counts toward nothing.
commitments = Table(
    "commitments", metadata, *_event_columns(),
    Column("proposal_id", String(80), nullable=False, index=True),
    Column("member_id", Integer, nullable=False),
    Column("voter", String(42), nullable=False),
    Column("commitment", String(66), nullable=False),
)

ballots = Table(
    "ballots", metadata, *_event_columns(),
    Column("proposal_id", String(80), nullable=False, index=True),
    Column("member_id", Integer, nullable=False, index=True),
    Column("voter", String(42), nullable=False),
    Column("tier", Integer, nullable=False),
    Column("support", Integer, nullable=False),
    Column("weight", BigInteger, nullable=False),
    Column("reason", SafeText, nullable=False),
    # 1: its transaction called the governor's castVoteBatch (a relayer's batch); 0: any other path,
    # a contract wallet's own call through its owner included
    Column("relayed", Integer, nullable=False),
)

recusals = Table(
    "recusals", metadata, *_event_columns(),
    Column("proposal_id", String(80), nullable=False, index=True),
    Column("member_id", Integer, nullable=False),
    Column("automatic", Integer, nullable=False),  # 1: the proposal is about the member
    Column("reason", SafeText, nullable=False),
)

treasury_flows = Table(
    "treasury_flows", metadata, *_event_columns(),
    Column("direction", String(4), nullable=False),  # in, out, or budget (an allowance set)
    Column("kind", String(16), nullable=False),  # dues, sponsorship, grant, spend, budget, budget-spent
    Column("counterparty", String(42), nullable=False),
    Column("member_id", Integer, nullable=True),
    Column("token", String(42), nullable=False),
    Column("amount", String(80), nullable=False),  # decimal: beyond 64 bits
    Column("memo", SafeText, nullable=False),
)

bodies = Table(
    "bodies", metadata, *_event_columns(),
    Column("address", String(42), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("name", SafeText, nullable=False),
)

body_events = Table(
    "body_events", metadata, *_event_columns(),
    Column("body", String(42), nullable=False, index=True),
    Column("event", String(24), nullable=False),
    Column("member_id", Integer, nullable=True),
    Column("action_id", Integer, nullable=True),
    Column("detail", SafeText, nullable=False),
)

standards = Table(
    "standards", metadata, *_event_columns(),
    Column("standard_id", Integer, nullable=False, unique=True),
    Column("title", SafeText, nullable=False),
    Column("version", SafeText, nullable=False),  # free text, of any length
    Column("content_hash", String(66), nullable=False),
    Column("uri", SafeText, nullable=False),
    Column("supersedes", Integer, nullable=False),
    Column("publisher", String(42), nullable=False),
)

standard_changes = Table(
    "standard_changes", metadata, *_event_columns(),
    Column("standard_id", Integer, nullable=False, index=True),
    Column("change", String(16), nullable=False),  # adopted, superseded, deprecated, attested, withdrawn
    Column("member_id", Integer, nullable=True),
    Column("evidence", SafeText, nullable=False),
)

conduct_records = Table(
    "conduct_records", metadata, *_event_columns(),
    Column("kind", String(8), nullable=False),  # report, censure
    Column("record_id", Integer, nullable=False),
    Column("member_id", Integer, nullable=False, index=True),
    Column("reporter", Integer, nullable=True),
    Column("report_id", Integer, nullable=True),
    Column("text", SafeText, nullable=False),  # evidence URI, or the censure's reason
    Column("evidence_hash", String(66), nullable=True),
)

# Advisories (AdvisoryRegistry): one row per filing, as filed; what happened to it since (a status
# change, a new revision, a reply) is a row of advisory_changes, so its current state is the latest of
# those (observatory.py reads it in SQL). `subject_key` is the subject as the feed matches it: exactly,
# but with a 0x address (bare or the account of a CAIP-10 id) in lower case (derived.subject_key).
advisories = Table(
    "advisories", metadata, *_event_columns(),
    Column("advisory_id", Integer, nullable=False, unique=True),
    Column("filer", Integer, nullable=False, index=True),  # the filer's member id
    Column("kind", String(24), nullable=False),  # enum_names("IAdvisoryRegistry", "Kind")
    Column("severity", String(12), nullable=False),  # as filed
    Column("subject", SafeText, nullable=False),
    Column("subject_key", SafeText, nullable=False, index=True),
    Column("subject_hash", String(66), nullable=False),
    Column("subject_account", String(42), nullable=True, index=True),  # None: no account on this chain
    Column("summary", SafeText, nullable=False),
    Column("evidence_uri", SafeText, nullable=False),  # as filed
    Column("evidence_hash", String(66), nullable=False),
)

advisory_changes = Table(
    "advisory_changes", metadata, *_event_columns(),
    Column("advisory_id", Integer, nullable=False),  # indexed with the chain order: advisory_changes_in_order
    Column("change", String(12), nullable=False),  # status, updated, replied
    Column("status", String(12), nullable=True),  # status: the new one
    Column("old_status", String(12), nullable=True),
    Column("by_account", String(42), nullable=True),  # status: the account that changed it (a confirmer, the filer)
    Column("revision", Integer, nullable=True),  # updated: the new revision
    Column("severity", String(12), nullable=True),  # updated: the new severity
    Column("old_severity", String(12), nullable=True),
    Column("reply_index", Integer, nullable=True),  # replied
    Column("by_subject", Integer, nullable=True),  # replied: 1 by the subject's account, 0 recorded by a confirmer
    Column("uri", SafeText, nullable=False),  # updated: the new evidence; replied: the reply; status: ""
    Column("content_hash", String(66), nullable=True),
    Column("text", SafeText, nullable=False),  # status: the reason; updated: the note
)

# Contribution weight (the ContributionLedger, when the deployment has one): one row per ContributionRecorded
# (change: sponsorship or attribution, IContributionLedger.Source in words) or CountingChanged (counted, not
# counted). Scores are the ledger's own (the square root of the member's undecayed contributions, in 1e-9 weight
# units): a part, which decays, is never derived from them here (see contribution_parts).
contributions = Table(
    "contributions", metadata, *_event_columns(),
    Column("member_id", Integer, nullable=False, index=True),
    Column("change", String(12), nullable=False),
    Column("amount", String(80), nullable=False),  # decimal, dues-token base units; "0" for a counting change
    Column("old_score", String(80), nullable=False),
    Column("new_score", String(80), nullable=False),
    Column("memo", SafeText, nullable=False),
)

# Elections (the ElectionRegistry): one row per ElectionOpened, as opened; what happened to it since is a row
# of election_changes (a new ballot round, a winner, the seating, a seat vacated, the term vacated, the
# cancellation), so its status is worked out from those and the clock as the registry's status() does
# (observers/elections.py), and checked against it by `index --verify`.
elections = Table(
    "elections", metadata, *_event_columns(),
    Column("election_id", Integer, nullable=False, unique=True),
    Column("registry", String(42), nullable=False),
    Column("body", String(42), nullable=False, index=True),
    Column("seats", Integer, nullable=False),
    Column("reserved", SafeText, nullable=False),  # JSON: [[tier, seats], …] as opened
    Column("nominations_end", BigInteger, nullable=False),
    Column("term_end", BigInteger, nullable=False),
    Column("title", SafeText, nullable=False),
)

election_changes = Table(
    "election_changes", metadata, *_event_columns(),
    Column("election_id", Integer, nullable=False, index=True),
    Column("change", String(16), nullable=False),  # round, elected, seated, seat vacated, vacated, cancelled
    Column("member_id", Integer, nullable=True),  # elected, seat vacated
    Column("round", Integer, nullable=True),  # round: the new round
    Column("proposal_id", String(80), nullable=True),  # round: its ballot proposal's id; seated: the one executed
    Column("approvals", String(80), nullable=True),  # elected: its approval weight, as the registry counted it
    Column("reserved_seat", Integer, nullable=True),  # elected: 1 if it took a seat reserved for its tier
    Column("elected", Integer, nullable=True),  # seated: how many were elected
)

# Candidacies: one row per CandidateNominated (change "nominated": its tier at nomination) or CandidateWithdrawn
# ("withdrawn"). A candidate keeps its index (its bit in an approval ballot) when it withdraws and comes back;
# its standing is its latest row.
candidates = Table(
    "candidates", metadata, *_event_columns(),
    Column("election_id", Integer, nullable=False, index=True),
    Column("candidate", Integer, nullable=False),  # its index on the list
    Column("member_id", Integer, nullable=False),
    Column("change", String(12), nullable=False),  # nominated, withdrawn
    Column("tier", Integer, nullable=True),  # nominated: its tier then
)

# Which proposal is which election's ballot (the governor's ElectionBallotProposed), with the registry it named:
# only the deployment's registry's elections are shown (a contract claiming to be a registry gains nothing).
election_ballots = Table(
    "election_ballots", metadata, *_event_columns(),
    Column("proposal_id", String(80), nullable=False, unique=True),
    Column("registry", String(42), nullable=False),
    Column("election_id", String(80), nullable=False),  # as the event says (a foreign registry's may be huge)
    Column("candidates", Integer, nullable=False),
)

# A counted approval ballot (VoteCastWithParams on an election ballot): who, with what weight at the snapshot,
# and which candidates (the bitmap decoded from its params). The same ballot is also a row of `ballots` (for,
# or abstain when it approves nobody, as the chain counted it), so participation and turnout include it.
approval_ballots = Table(
    "approval_ballots", metadata, *_event_columns(),
    Column("proposal_id", String(80), nullable=False, index=True),
    Column("member_id", Integer, nullable=False, index=True),
    Column("voter", String(42), nullable=False),
    Column("tier", Integer, nullable=False),  # the voter's at the snapshot
    Column("weight", BigInteger, nullable=False),
    Column("approvals", String(80), nullable=False),  # the bitmap, decimal
    Column("relayed", Integer, nullable=False),  # 1: sent to castApprovals by another account than the voter
)

# One row per candidate an approval ballot approves (its key adds the candidate's index to the event's), so the
# tallies per candidate and voter's tier are a SUM in SQL; `index --verify` compares them with the governor's
# own proposalApprovals.
approvals = Table(
    "approvals",
    metadata,
    Column("tx_hash", String(66), primary_key=True),
    Column("log_index", Integer, primary_key=True),
    Column("candidate", Integer, primary_key=True),
    Column("block_number", BigInteger, nullable=False, index=True),
    Column("timestamp", BigInteger, nullable=False),
    Column("proposal_id", String(80), nullable=False, index=True),
    Column("member_id", Integer, nullable=False),
    Column("tier", Integer, nullable=False),
    Column("weight", BigInteger, nullable=False),
)

# The governor's own answer to state(id) (and proposalQuorum(id), once the snapshot is past) for every
# proposal not yet final, read at the end of every range the index commits, in the same transaction,
# and kept as a row only when it changed. Observers report these: the outcome is the chain's, never
# re-derived from tallies. Not from an event, so not in DERIVED (whose rows do not depend on where
# ranges end); rows carry the block they were read at and unwind with it.
proposal_states = Table(
    "proposal_states", metadata,
    Column("proposal_id", String(80), primary_key=True),
    Column("block_number", BigInteger, primary_key=True, index=True),
    Column("state", String(12), nullable=False),  # Pending, Active, Canceled, Defeated, Succeeded, …
    Column("quorum", String(80), nullable=True),  # decimal weight; None while Pending (not fixed yet)
)

# The contribution ledger's own parts, as proposal_states keeps states: at the end of every range the index commits,
# partsAt(every member with a contribution row, the block's time), totalPartAt and the registry's totalWeight(),
# read at that block and kept as a row only when they changed (a part also changes with no event, when it halves
# at a period boundary). Member 0 is the whole: `part` the ledger's total part, `total_weight` the registry's.
# Rows carry the block they were read at and unwind with it.
contribution_parts = Table(
    "contribution_parts", metadata,
    Column("member_id", Integer, primary_key=True),
    Column("block_number", BigInteger, primary_key=True, index=True),
    Column("part", String(80), nullable=False),  # decimal weight units
    Column("total_weight", String(80), nullable=True),  # member 0 only
)

# For the dashboard's pages: a proposal's ballots a page at a time in chain order (LIMIT/OFFSET walks this
# index, never the proposal's other rows), and a member's dues. Created with the tables (a new index);
# an index database made before them works, only slower on its large lists.
Index("ballots_in_order", ballots.c.proposal_id, ballots.c.block_number, ballots.c.log_index)
Index("treasury_flows_by_member", treasury_flows.c.member_id)
# An advisory's changes in chain order: its history, and the latest of each kind (its current state) read
# without sorting them.
Index("advisory_changes_in_order", advisory_changes.c.advisory_id, advisory_changes.c.block_number,
      advisory_changes.c.log_index)

DERIVED = (member_changes, proposals, proposal_events, ballots, recusals, treasury_flows, bodies, body_events,
           standards, standard_changes, conduct_records, advisories, advisory_changes, contributions, commitments,
           elections, election_changes, candidates, election_ballots, approval_ballots, approvals)
