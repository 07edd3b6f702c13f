"""Engine behaviour per database: SQLite pragmas and write locking.

SQLite allows one writer. A deferred transaction that reads first and writes later
can fail with "database is locked" when another writer got there in between, and
busy_timeout cannot help it. So a transaction that will write starts with
BEGIN IMMEDIATE: it waits (busy_timeout) for the write lock up front instead of
failing half-way. Requests with unsafe methods and CLI commands are writers; GET
requests start deferred transactions so that readers never queue behind each other.

A write request that first does slow work on its input (parsing an uploaded XLSX or
YAML) must not hold the write lock meanwhile: every other writer, a sign-in included,
would wait behind it and fail after busy_timeout. Such a view is marked
`@parse_before_writing`: it starts with a deferred (read) transaction and calls
`start_writing()` once the file is parsed; the next statement begins IMMEDIATE.
"""
import contextvars

from sqlalchemy import event
from sqlalchemy.engine import Engine

_writing = contextvars.ContextVar("portal_sqlite_writing", default=True)

SQLITE_BUSY_TIMEOUT_MS = 15000


def mark_request_kind(is_write: bool):
    """Called at the start of a request; returns a token for reset_request_kind."""
    return _writing.set(is_write)


def reset_request_kind(token) -> None:
    _writing.reset(token)


def parse_before_writing(view):
    """Mark a write view that reads and parses before it writes (see the module text)."""
    view.parses_before_writing = True
    return view


def defers_write_lock(view) -> bool:
    return getattr(view, "parses_before_writing", False)


def start_writing(session) -> None:
    """End the read transaction; the next statement of the request begins the write
    transaction (BEGIN IMMEDIATE on SQLite). Objects read so far reload on next use."""
    session.commit()
    _writing.set(True)


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, connection_record):
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _on_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")
