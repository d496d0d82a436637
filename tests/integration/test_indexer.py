"""The indexer against a real devnet: what it stores is exactly what the chain holds, after reorgs of
depth 1, 6 and 60 (happening while it is stopped), after reorgs while a range is read or between two
ranges, after a crash inside a range's commit (on SQLite and PostgreSQL) and kills mid-backfill, with
events no ABI describes, and when the provider refuses wide ranges."""

import itertools
import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from web3 import Web3

from orchestrator.chain.node import Devnet
from orchestrator.errors import ChainError
from orchestrator.observers.indexer import schema
from orchestrator.observers.indexer.reader import CONTRACTS, Reader
from orchestrator.observers.indexer.schema import DERIVED, ballots, member_changes
from orchestrator.observers.indexer.store import IndexStore
from orchestrator.observers.indexer.sync import Indexer
from orchestrator.observers.observatory import Observatory
from orchestrator.operations.deploy import contract
from tests.integration.test_cli_governance import proposal_id
from tests.integration.test_cli_institutions import enact
from tests.postgres import postgres_database, postgres_server  # noqa: F401  (fixtures postgres_url, postgres)

PROPOSALS = itertools.count()


@pytest.fixture(scope="module")
def devnet():
    """A chain of this module's own: anvil keeps a bounded window of recent states in memory, so after a
    deep anvil_reorg on a chain that other tests made long, calls at the head can find no state."""
    with Devnet() as node:
        yield node


@pytest.fixture(scope="module")
def w3(devnet):
    return Web3(Web3.HTTPProvider(devnet.url))


@pytest.fixture(autouse=True)
def database(cli):
    cli.env["CONSORTIUM_DB"] = f"sqlite:///{cli.dir / 'index.db'}"


def manifest(cli) -> dict:
    return json.loads((cli.dir / "manifest.json").read_text())


def chain_keys(w3, m, bodies=()) -> set:
    """(tx hash, log index) of every log the suite's contracts (and `bodies`) emitted, straight from the node."""
    addresses = [a for name, a in m["contracts"].items() if name in CONTRACTS] + list(bodies)
    logs = w3.eth.get_logs({"fromBlock": m["deployment_block"], "toBlock": "latest", "address": addresses})
    return {("0x" + bytes(entry["transactionHash"]).hex(), entry["logIndex"]) for entry in logs}


def indexer(cli, w3, **reader_options) -> Indexer:
    m = manifest(cli)
    c = m["contracts"]
    store = IndexStore(cli.env["CONSORTIUM_DB"], m["chain_id"], c["ConsortiumGovernor"])
    reader = Reader(w3, c)
    for name, value in reader_options.items():
        setattr(reader, name, value)
    return Indexer(w3, store, reader, m["deployment_block"])


def derived_rows(url: str) -> dict:
    """Every derived table's rows, comparable across databases."""
    store = IndexStore(url, 0, "")
    with store.engine.connect() as db:
        return {t.name: sorted(tuple(map(str, row)) for row in db.execute(select(t))) for t in DERIVED}


def fresh_derived_rows(cli, w3) -> dict:
    """What an index built from scratch, in one pass over the final chain, derives."""
    m = manifest(cli)
    url = f"sqlite:///{cli.dir / 'fresh.db'}"
    fresh = Indexer(w3, IndexStore(url, m["chain_id"], m["contracts"]["ConsortiumGovernor"]),
                    Reader(w3, m["contracts"]), m["deployment_block"])
    fresh.sync()
    return derived_rows(url)


def activity(cli) -> str:
    """Three blocks with events: a proposal and two votes."""
    description = f"index me {next(PROPOSALS)}"
    pid = proposal_id(cli.ok("propose", "suspend", "4", "--reason", "r", "--description", description, account="f1"))
    cli.advance(2)
    cli.ok("vote", pid, "for", account="f1")
    cli.ok("vote", pid, "against", account="r1")
    return pid


def test_index_stores_every_event_once(cli, consortium, w3):
    activity(cli)
    out = cli.ok("index")
    assert "indexed" in out and "events/s" in out
    store = indexer(cli, w3).store
    assert store.keys() == chain_keys(w3, manifest(cli))
    assert "indexed 0 new events" in cli.ok("index")  # nothing twice


def test_a_body_created_and_acting_inside_one_range_is_indexed(cli, consortium, w3):
    """The body's first events come in the same range as its creation: the reader watches it at once."""
    enact(cli, cli.ok("propose", "create-body", "working-group", "WG", "--threshold", "1", "--member", "3",
                      "--mandate", "conduct:reportCount()", "--description", "WG", account="f1"))
    assert "executed" in cli.ok("body", "propose", "WG", "conduct", "reportCount()", "--description", "count",
                                account="r1")
    cli.ok("index")
    body = re.search(r"(0x[0-9a-fA-F]{40})", cli.ok("body", "list")).group(1)
    stored = indexer(cli, w3).store.keys()
    assert stored == chain_keys(w3, manifest(cli), [body])
    # The body's own: appointed, mandate set, threshold set (at creation); proposed, approved, executed.
    assert len(chain_keys(w3, manifest(cli), [body]) - chain_keys(w3, manifest(cli))) == 6
    assert "no differences" in cli.ok("index", "--verify")


def test_verify_reports_every_difference_between_the_index_and_the_chain(cli, consortium, w3):
    activity(cli)
    cli.ok("index")
    store = indexer(cli, w3).store
    with store.engine.begin() as db:  # a tampered database: one ballot gone, one member's status changed
        db.execute(delete(ballots).where(ballots.c.member_id == 1))
        db.execute(update(member_changes).where(member_changes.c.member_id == 2).values(status="expelled"))
    result = cli("index", "--verify")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "  difference: member 2 status: index says 'expelled', chain says 'active'" in lines
    assert any("tallies: index says" in line for line in lines)
    assert lines[-1] == "Error: 2 difference(s) between the index and the chain"


@pytest.mark.parametrize("depth", [1, 6, 60])
def test_a_reorg_while_stopped_is_undone(cli, consortium, w3, depth):
    cli.rpc("anvil_mine", hex(70))  # keep the deployment itself out of reach of the reorg
    activity(cli)
    if depth > 3:
        cli.rpc("anvil_mine", hex(depth - 3))  # the three event blocks lie inside the reorged window
    cli.ok("index")
    before = indexer(cli, w3).store.keys()
    assert before == chain_keys(w3, manifest(cli))
    cli.rpc("anvil_reorg", depth, [])  # replaces the last `depth` blocks, dropping their transactions
    after_chain = chain_keys(w3, manifest(cli))
    assert after_chain < before  # the reorg removed events
    cli.ok("index")
    assert indexer(cli, w3).store.keys() == after_chain
    activity(cli)  # and indexing goes on on the new chain
    cli.ok("index")
    assert indexer(cli, w3).store.keys() == chain_keys(w3, manifest(cli))
    assert derived_rows(cli.env["CONSORTIUM_DB"]) == fresh_derived_rows(cli, w3)
    assert "no differences" in cli.ok("index", "--verify")


CRASHING_INDEXER = """
import os
import signal
import sys
from web3 import Web3
from orchestrator.observers.indexer import derived
from orchestrator.observers.indexer.reader import Reader
from orchestrator.observers.indexer.store import IndexStore
from orchestrator.observers.indexer.sync import Indexer
from orchestrator.observers.observatory import Observatory
url, rpc, chain_id, governor, block, contracts, stage = sys.argv[1:8]
real_project, writing = derived.project, []


def die():
    os.kill(os.getpid(), signal.SIGKILL)  # no exception, no rollback by Python: the process is gone


def project(*args):  # called inside commit_range's transaction, after the events' insert
    if stage == "after the events":
        die()
    real_project(*args)
    writing.append(True)
    if stage == "after the derived rows":
        die()


def set_cursor(self, db, block):  # the transaction's last statement, after the block hashes
    if writing and stage == "at the cursor":
        die()
    real_set_cursor(self, db, block)


real_set_cursor, IndexStore._set_cursor = IndexStore._set_cursor, set_cursor
derived.project = project
w3 = Web3(Web3.HTTPProvider(rpc))
contracts = dict(pair.split("=") for pair in contracts.split(","))
Indexer(w3, IndexStore(url, int(chain_id), governor), Reader(w3, contracts), int(block)).sync()
"""


def index_tables(url: str) -> dict:
    """Every row of every table of the index: events, derived tables, block hashes, cursor."""
    store = IndexStore(url, 0, "")
    with store.engine.connect() as db:
        return {t.name: sorted(tuple(map(str, row)) for row in db.execute(select(t)))
                for t in schema.metadata.sorted_tables}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("stage", ["after the events", "after the derived rows", "at the cursor"])
def test_a_crash_inside_the_range_commit_leaves_nothing_of_the_range(cli, consortium, w3, stage, backend,
                                                                       request):
    """The indexer process is SIGKILLed inside IndexStore.commit_range's one transaction: after the
    range's events were inserted, after its derived rows too, or at the cursor update, its last
    statement. Nothing of the range is visible afterwards (no event, derived row, block hash or cursor
    move), and the next run indexes the range exactly once."""
    if backend == "postgresql":
        cli.env["CONSORTIUM_DB"] = request.getfixturevalue("postgres_url")
    url = cli.env["CONSORTIUM_DB"]
    activity(cli)
    cli.ok("index")
    before = index_tables(url)
    activity(cli)  # the range the crash interrupts: a proposal and two votes
    m = manifest(cli)
    new = chain_keys(w3, m) - indexer(cli, w3).store.keys()
    assert len(new) >= 4
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_INDEXER, url, cli.devnet.url, str(m["chain_id"]),
         m["contracts"]["ConsortiumGovernor"], str(m["deployment_block"]),
         ",".join(f"{k}={v}" for k, v in m["contracts"].items()), stage],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert index_tables(url) == before  # not one row of the range, and the cursor where it was
    assert f"indexed {len(new)} new events" in cli.ok("index")  # the rerun: the whole range, once
    assert indexer(cli, w3).store.keys() == chain_keys(w3, m)
    assert derived_rows(url) == fresh_derived_rows(cli, w3)
    assert "no differences" in cli.ok("index", "--verify")


def vote_keys(w3, m, pid: str) -> dict:
    """(tx hash, log index) of each VoteCast on `pid` now on the chain, by voter."""
    governor = contract(w3, "ConsortiumGovernor", m["contracts"]["ConsortiumGovernor"])
    logs = governor.events.VoteCast().get_logs(from_block=m["deployment_block"], to_block="latest")
    return {log["args"]["voter"]: ("0x" + bytes(log["transactionHash"]).hex(), log["logIndex"]) for log in logs
            if str(log["args"]["proposalId"]) == pid}


# Where the chain changes under the indexer, and how (evm_revert to a snapshot, then new blocks):
REORGS = {
    # between reading a range's logs and reading its block hashes: the block with the range's vote is
    # replaced by one with another vote
    "the range's event block, while the range is read": ("after the read", 0),
    # the same moment, but the blocks replaced had no events, and their replacements have one
    "the range's empty blocks, by blocks with an event, while the range is read": ("after the read", 1),
    # after a range was committed and before the next is read: the committed range's blocks are replaced
    "the blocks of the range just committed, before the next range is read": ("before the second read", 0),
}


@pytest.mark.parametrize("reorg", list(REORGS))
def test_a_reorg_while_a_range_is_read_is_detected_and_no_mixed_range_is_committed(cli, consortium, w3,
                                                                                    monkeypatch, reorg):
    """f1 votes and the indexer starts reading; the chain is then reverted to a snapshot and r1 votes on
    the new chain, as long as the old one. Whatever the moment and the blocks replaced, the index ends
    with r1's vote and not f1's (the vote of a block no longer on the chain): the indexer saw that the
    blocks changed, committed nothing it had read from two chains, looked for the fork and read again."""
    when, kept = REORGS[reorg]
    pid = proposal_id(cli.ok("propose", "suspend", "4", "--reason", "r", "--description", "reorged", account="f1"))
    cli.advance(2)
    cli.ok("index")
    snapshot = None
    if kept:
        cli.ok("vote", pid, "for", account="f1")
        snapshot = cli.rpc("evm_snapshot")["result"]  # f1's vote stays; the empty blocks after it go
    else:
        snapshot = cli.rpc("evm_snapshot")["result"]  # f1's vote goes with the blocks after the snapshot
        cli.ok("vote", pid, "for", account="f1")
    cli.rpc("anvil_mine", hex(4))
    head = w3.eth.block_number
    ix = indexer(cli, w3, span=3)  # two ranges
    real_read, reads = ix.reader.read, []

    def reorganise():
        cli.rpc("evm_revert", snapshot)
        cli.ok("vote", pid, "against", account="r1")
        cli.rpc("anvil_mine", hex(head - w3.eth.block_number))  # as long as the old chain
        assert w3.eth.block_number == head

    def read(start, end):
        reads.append(start)
        if when == "before the second read" and len(reads) == 2:
            reorganise()
        result = real_read(start, end)
        if when == "after the read" and len(reads) == 1:
            reorganise()
        return result

    m = manifest(cli)
    real_commit, committed = ix.store.commit_range, []

    def commit(found, seen, new_cursor, *args):
        """Every range committed is the chain's as it is then: all its events, and none from elsewhere."""
        start = ix.store.cursor() + 1
        addresses = [a for name, a in m["contracts"].items() if name in CONTRACTS]
        logs = w3.eth.get_logs({"fromBlock": start, "toBlock": new_cursor, "address": addresses})
        assert {(e.tx_hash, e.log_index) for e in found} == {
            ("0x" + bytes(entry["transactionHash"]).hex(), entry["logIndex"]) for entry in logs}
        assert seen[new_cursor][0] == "0x" + bytes(w3.eth.get_block(new_cursor)["hash"]).hex()
        committed.append((start, new_cursor))
        real_commit(found, seen, new_cursor, *args)

    monkeypatch.setattr(ix.reader, "read", read)
    monkeypatch.setattr(ix.store, "commit_range", commit)
    ix.sync()
    votes = vote_keys(w3, m, pid)
    assert (consortium["f1"] in votes) == bool(kept) and consortium["r1"] in votes
    assert ix.store.keys() == chain_keys(w3, m)  # r1's vote in, and f1's only if still on the chain
    assert len(reads) > len(committed)  # a range was read and not committed, then read again
    assert derived_rows(cli.env["CONSORTIUM_DB"]) == fresh_derived_rows(cli, w3)
    assert "no differences" in cli.ok("index", "--verify")


def test_refused_ranges_shrink_and_other_errors_are_raised(cli, consortium, w3, monkeypatch):
    activity(cli)
    ix = indexer(cli, w3)
    real_fetch = ix.reader.fetch
    asked = []

    def picky(start, stop, addresses):
        asked.append(stop - start + 1)
        if stop - start > 8:
            raise ValueError({"code": -32005, "message": "query returned more than 10000 results"})
        return real_fetch(start, stop, addresses)

    monkeypatch.setattr(ix.reader, "fetch", picky)
    ix.sync()
    assert ix.store.keys() == chain_keys(w3, manifest(cli))
    assert max(asked) > 8 and min(asked) <= 8

    def broken(start, stop, addresses):
        raise ValueError({"code": -32603, "message": "internal error"})

    activity(cli)
    monkeypatch.setattr(ix.reader, "fetch", broken)
    with pytest.raises(ChainError, match="internal error"):
        ix.sync()


def test_an_event_no_abi_describes_is_stored_raw_and_not_dropped(cli, consortium, w3):
    """The reader's ABIs lack the treasury's Contributed event (as for an event a newer contract adds):
    its log is kept as `unknown` with its raw topics and data, and nothing is derived from it."""
    ix = indexer(cli, w3)
    contributed = [key for key, shape in ix.reader.shapes.items() if key[0] == "Treasury"
                   and shape.name == "Contributed"]
    assert len(contributed) == 1
    del ix.reader.shapes[contributed[0]]
    cli.ok("treasury", "contribute", "grant", "1 wei", "--memo", "unknown to us", account="f1")
    ix.sync()
    assert ix.store.keys() == chain_keys(w3, manifest(cli))
    with ix.store.engine.connect() as db:
        raw = [json.loads(r.args) for r in db.execute(select(schema.events).where(schema.events.c.event == "unknown"))]
        assert db.execute(select(schema.treasury_flows)).all() == []
    assert len(raw) == 1 and raw[0]["topics"][0] == "0x" + contributed[0][1].hex()
    assert b"unknown to us".hex() in raw[0]["data"]


def test_an_index_written_before_states_were_recorded_gets_them_at_its_cursor(cli, consortium, w3):
    """Its proposals' states read as Unknown until the next `index`, which records the governor's states
    at the index's block even when no new block is there to read."""
    pid = activity(cli)
    cli.ok("index")
    store = indexer(cli, w3).store
    with store.engine.begin() as db:
        db.execute(delete(schema.proposal_states))
    assert Observatory(cli.env["CONSORTIUM_DB"]).proposal(pid).state == "Unknown"
    cli.rpc("evm_mine")
    cursor = store.cursor()
    assert "indexed 0 new events" in cli.ok("index", "--confirmations", "1")  # nothing new to read
    assert store.cursor() == cursor
    assert Observatory(cli.env["CONSORTIUM_DB"]).proposal(pid).state == "Active"


def test_bad_databases_and_manifests_are_refused_and_lose_nothing(cli, consortium, w3):
    activity(cli)
    cli.ok("index")
    db, before = cli.env["CONSORTIUM_DB"], indexer(cli, w3).store.keys()
    junk = cli.dir / "junk.db"
    junk.write_bytes(b"not a database at all " * 200)
    assert cli.fails("index", env={"CONSORTIUM_DB": f"sqlite:///{junk}"}) == (
        f"Error: sqlite:///{junk} is not a usable database: file is not a database")
    foreign = cli.dir / "foreign.db"
    with sqlite3.connect(foreign) as other:
        other.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT)")
    assert cli.fails("index", env={"CONSORTIUM_DB": f"sqlite:///{foreign}"}) == (
        "Error: this database's table 'events' is not a consortium index's (other columns): give the index its "
        "own --db")
    m = manifest(cli)
    governor, registry = m["contracts"]["ConsortiumGovernor"], m["contracts"]["MemberRegistry"]
    another = cli.dir / "another.json"
    another.write_text(json.dumps({**m, "contracts": {**m["contracts"], "ConsortiumGovernor": registry}}))
    assert cli.fails("index", env={"CONSORTIUM_DEPLOYMENT": str(another)}) == (
        f"Error: {db} indexes governor {governor} on chain 31337, not {registry} on chain 31337: give this "
        "deployment its own --db")
    nowhere = "0x" + "12" * 20
    another.write_text(json.dumps({**m, "contracts": {**m["contracts"], "ConsortiumGovernor": nowhere}}))
    assert cli.fails("index", env={"CONSORTIUM_DEPLOYMENT": str(another)}) == (
        f"Error: {another} names contracts that have no code on the node at {cli.devnet.url}: ConsortiumGovernor")
    assert indexer(cli, w3).store.keys() == before  # nothing lost
    assert "indexed 0 new events" in cli.ok("index")


KILLABLE_INDEXER = """
import sys
from web3 import Web3
from orchestrator.observers.indexer import reader
from orchestrator.observers.indexer.reader import Reader
from orchestrator.observers.indexer.store import IndexStore
from orchestrator.observers.indexer.sync import Indexer
from orchestrator.observers.observatory import Observatory
reader.MAX_SPAN = reader.START_SPAN = 1  # one block per range: many commits to be killed between or inside
url, rpc, chain_id, governor, block, contracts = sys.argv[1:7]
w3 = Web3(Web3.HTTPProvider(rpc))
contracts = dict(pair.split("=") for pair in contracts.split(","))
Indexer(w3, IndexStore(url, int(chain_id), governor), Reader(w3, contracts), int(block)).sync()
"""


def test_a_killed_indexer_resumes_with_no_gap_and_no_duplicate(cli, consortium, w3):
    """SIGKILL in the middle of a backfill, three times; each restart resumes from the last committed
    range, and the final index equals the chain and a fresh index."""
    cli.rpc("anvil_mine", hex(2000))  # a long backfill, to be killed in the middle of
    for _ in range(3):
        activity(cli)
    m = manifest(cli)
    args = [sys.executable, "-c", KILLABLE_INDEXER, cli.env["CONSORTIUM_DB"], cli.devnet.url, str(m["chain_id"]),
            m["contracts"]["ConsortiumGovernor"], str(m["deployment_block"]),
            ",".join(f"{k}={v}" for k, v in m["contracts"].items())]
    cursors = []
    for delay in (0.5, 0.2, 0.3):
        before = indexer(cli, w3).store.cursor()
        process = subprocess.Popen(args, cwd=Path(__file__).resolve().parents[2])
        # Killed once it has committed something of its own (however slow a loaded machine starts it), and then
        # a moment later, in the middle of another range.
        deadline = time.monotonic() + 120
        while indexer(cli, w3).store.cursor() == before and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        cursors.append(indexer(cli, w3).store.cursor())
    assert cursors[0] is not None and cursors[-1] < w3.eth.block_number  # killed before the end
    assert cursors == sorted(cursors)  # every restart went on from where the last one was killed
    cli.ok("index")
    assert indexer(cli, w3).store.keys() == chain_keys(w3, manifest(cli))
    assert derived_rows(cli.env["CONSORTIUM_DB"]) == fresh_derived_rows(cli, w3)
    assert "no differences" in cli.ok("index", "--verify")
