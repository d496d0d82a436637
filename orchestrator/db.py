"""The one database engine factory: SQLite by default, PostgreSQL (or any SQLAlchemy URL) when given."""

from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine


def _sqlite_wal(dbapi_connection, _record) -> None:
    """WAL with synchronous=NORMAL: a commit survives the process dying (what the relayer and the
    indexer promise) without an fsync per commit; only a power loss could take the last commits."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url)
    # Connections are shared with `relay serve`'s submitter thread.
    created = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(created, "connect", _sqlite_wal)
    return created
