"""The engine factory's SQLite settings (orchestrator/db.py)."""

import sqlite3
import threading

from sqlalchemy import text

from orchestrator.db import engine

HELD = 6.0  # seconds another process holds the write lock: past sqlite3's own 5 s wait, within ours


def test_a_writer_waits_for_another_writer_past_sqlite3s_five_seconds(tmp_path):
    """`relay serve` and `index --follow` may share a file: a commit that meets the other's write lock waits for
    it, instead of failing with "database is locked" after sqlite3's default 5 s."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with engine(url).begin() as db:
        db.execute(text("CREATE TABLE rows (value INTEGER)"))
    other = sqlite3.connect(tmp_path / "shared.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # the other process's write transaction, open
    other.execute("INSERT INTO rows VALUES (1)")
    release = threading.Timer(HELD, other.execute, ["COMMIT"])
    release.start()
    try:
        with engine(url).begin() as db:
            db.execute(text("INSERT INTO rows VALUES (2)"))
    finally:
        release.join()
        other.close()
    with engine(url).connect() as db:
        assert sorted(db.execute(text("SELECT value FROM rows")).scalars()) == [1, 2]
