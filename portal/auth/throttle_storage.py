"""A rate-limit storage for the `limits` library in a SQLite file of its own.

Without Redis, gunicorn's workers on one machine still have to share their counters
(an in-memory storage would give each worker its own five tries). A small SQLite file
next to the application database is shared by every process on the machine; each
increment is one BEGIN IMMEDIATE transaction, so parallel tries are counted exactly.
Several machines need REDIS_URL instead. URI: portal+sqlite:///absolute/path.
"""
import sqlite3
import threading
import time
import urllib.parse

from limits.storage import Storage


class SqliteFileStorage(Storage):
    STORAGE_SCHEME = ["portal+sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = urllib.parse.urlparse(uri).path
        self._local = threading.local()
        self._conn().execute("CREATE TABLE IF NOT EXISTS counter "
                             "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)")

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        conn, now = self._conn(), time.time()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("SELECT count, expires FROM counter WHERE key = ?", (key,)).fetchone()
            if row is None or row[1] <= now:
                count, expires = amount, now + expiry
            else:
                count, expires = row[0] + amount, row[1]
            conn.execute("INSERT OR REPLACE INTO counter (key, count, expires) VALUES (?, ?, ?)",
                         (key, count, expires))
            # Expired rows of other keys go now and then, so the file stays small.
            if count == amount:
                conn.execute("DELETE FROM counter WHERE expires <= ?", (now,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return count

    def get(self, key: str) -> int:
        row = self._conn().execute("SELECT count FROM counter WHERE key = ? AND expires > ?",
                                   (key, time.time())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._conn().execute("SELECT expires FROM counter WHERE key = ?", (key,)).fetchone()
        return row[0] if row and row[0] > time.time() else time.time()

    def check(self) -> bool:
        try:
            self._conn().execute("SELECT 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        return self._conn().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        self._conn().execute("DELETE FROM counter WHERE key = ?", (key,))
