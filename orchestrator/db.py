"""The one database engine factory: SQLite by default, PostgreSQL (or any SQLAlchemy URL) when given.

One engine per URL and process: the dashboard builds an Observatory per request and the relayer a store
per command, and an engine is a connection pool, so each of them making its own would open connections
without bound (PostgreSQL refuses clients past its max_connections). And the one text type the stores
use for free text, which PostgreSQL would otherwise refuse when it holds a NUL."""

from __future__ import annotations

import re
import threading

from sqlalchemy import Text, create_engine, event
from sqlalchemy.engine import URL, Engine, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.types import TypeDecorator

from orchestrator.errors import InputError, OrchestratorError

# A PostgreSQL process holds at most this many connections at once (pool_size + max_overflow); a request
# past them waits pool_timeout seconds for one to come back. Pre-ping replaces connections the server
# closed (a restart, an idle timeout) instead of handing them out to fail.
POSTGRES_POOL = {"pool_size": 5, "max_overflow": 10, "pool_timeout": 10, "pool_pre_ping": True}

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()  # the dashboard's and the relayer's threads ask for engines concurrently


def shown(url: str) -> str:
    """The URL as it may be printed: its password, if any, hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable database URL)"  # not echoed: it may hold a password


def _parsed(url: str) -> URL:
    """The URL with plain PostgreSQL schemes mapped to psycopg 3, the driver we depend on (SQLAlchemy's
    default for them is psycopg2)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError("the database URL (--db) cannot be read: give sqlite:///FILE or "
                         "postgresql://USER:PASSWORD@HOST:PORT/DATABASE") from None
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


def engine(url: str) -> Engine:
    """The process's engine for `url`, created on first use."""
    parsed = _parsed(url)
    key = parsed.render_as_string(hide_password=False)
    with _engines_lock:
        if key not in _engines:
            _engines[key] = _create(parsed, shown(url))
        return _engines[key]


def _create(parsed: URL, printable: str) -> Engine:
    try:
        if parsed.get_backend_name() == "sqlite":
            # Connections are shared with `relay serve`'s submitter thread. A writer waits up to 30 s for another
            # (`relay serve` and `index --follow` may share a file) before "database is locked", not sqlite3's 5 s.
            created = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(created, "connect", _sqlite_wal)
        elif parsed.get_backend_name() == "postgresql":
            created = create_engine(parsed, **POSTGRES_POOL)
        else:
            created = create_engine(parsed)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise InputError(f"cannot use database {printable}: {exc}") from None
    event.listen(created, "handle_error", lambda context: _unreachable(context, printable))
    return created


def _unreachable(context: ExceptionContext, printable: str) -> None:
    """A connection that cannot be opened (server down, wrong port or credentials, too many clients) is
    the user's to fix, so it becomes a one-line error naming the database; errors on an open connection
    and failed pre-pings (the pool reconnects) stay as they are."""
    if context.connection is None and not context.is_pre_ping and isinstance(context.sqlalchemy_exception,
                                                                            OperationalError):
        reason = str(context.original_exception).strip().splitlines()[0]
        raise OrchestratorError(f"cannot connect to the database {printable}: {reason}")


def _sqlite_wal(dbapi_connection, _record) -> None:
    """WAL with synchronous=NORMAL: a commit survives the process dying (what the relayer and the
    indexer promise) without an fsync per commit; only a power loss could take the last commits."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class SafeText(TypeDecorator):
    """Text that may hold any string, NUL included. PostgreSQL's text cannot hold NUL (0x00), and any
    string the chain or a member supplies (a memo, a vote reason) may contain one; a refused row would
    stop the index at that range for good. So on PostgreSQL `\\` is stored as `\\\\` and NUL as `\\0`,
    undone on reading. SQLite stores NUL as it is, so it stores every string unchanged, and databases
    written before this type read the same."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None or dialect.name != "postgresql":
            return value
        return value.replace("\\", "\\\\").replace("\x00", "\\0")

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None or dialect.name != "postgresql":
            return value
        return _unescape(value)


_ESCAPED = re.compile(r"\\(.)", re.DOTALL)  # a backslash and the character it escapes


def _unescape(stored: str) -> str:
    return _ESCAPED.sub(lambda m: "\x00" if m.group(1) == "0" else m.group(1), stored)
