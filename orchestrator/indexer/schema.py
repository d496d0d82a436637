"""Tables of the index. Every row that came from the chain carries its block number, so a reorg is
undone by deleting what lies above the fork point, in one transaction with the cursor."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text

metadata = MetaData()

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
    Column("args", Text, nullable=False),  # JSON; large integers as decimal strings
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
