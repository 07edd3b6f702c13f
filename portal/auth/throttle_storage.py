"""A rate-limit storage for the `limits` library in a SQLite file of its own.

Without Redis, gunicorn's workers on one machine still have to share their counters
(an in-memory storage would give each worker its own five tries). A small SQLite file
next to the application database is shared by every process on the machine; each
increment is one BEGIN IMMEDIATE transaction, so parallel tries are counted exactly.
Several machines need REDIS_URL instead. URI: portal+sqlite:///absolute/path.

RedisWithFallbackStorage (portal+redis://) is Redis with this file behind it, for the
time Redis does not answer.
"""
import logging
import sqlite3
import threading
import time
import urllib.parse

from limits.storage import RedisStorage, Storage

log = logging.getLogger(__name__)


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


class RedisWithFallbackStorage(Storage):
    """Redis shared by every app server; when Redis does not answer, the machine's SQLite
    file (SqliteFileStorage) instead, so that sign-in goes on with a limit rather than
    failing with a 500.

    What that means, documented in the README: while Redis is unreachable each machine
    counts on its own, from zero (its processes share the SQLite file), so a guesser who
    spreads tries over N machines gets at most N times the limit during the outage. Every
    try is still counted before the password is checked. Redis is tried again after
    RETRY_SECONDS; counts made meanwhile stay in the file (they expire with their window).

    URI: portal+redis://host:port/db (or portal+rediss://); option `fallback`: the path of
    the SQLite file.
    """

    STORAGE_SCHEME = ["portal+redis", "portal+rediss"]
    RETRY_SECONDS = 5
    CONNECT_TIMEOUT_SECONDS = 1

    def __init__(self, uri: str, wrap_exceptions: bool = False, fallback: str = "", **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.redis_uri = uri[len("portal+"):]
        self.primary = RedisStorage(self.redis_uri, socket_connect_timeout=self.CONNECT_TIMEOUT_SECONDS,
                                    socket_timeout=self.CONNECT_TIMEOUT_SECONDS)
        self.fallback = SqliteFileStorage("portal+sqlite://" + fallback)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def base_exceptions(self):
        return sqlite3.Error

    @property
    def degraded(self) -> bool:
        """Counting in the fallback file now (Redis failed less than RETRY_SECONDS ago)."""
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args, **kwargs):
        if not self.degraded:
            try:
                return getattr(self.primary, name)(*args, **kwargs)
            except self.primary.base_exceptions as error:
                with self._lock:
                    first = not self.degraded
                    self._down_until = time.monotonic() + self.RETRY_SECONDS
                if first:
                    log.warning("sign-in throttle: Redis %s unreachable (%s); counting in %s until it answers",
                                self.primary.storage.connection_pool.connection_kwargs.get("host", "?"), error,
                                self.fallback.path)
        return getattr(self.fallback, name)(*args, **kwargs)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._call("incr", key, expiry, amount=amount)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def get_expiry(self, key: str) -> float:
        return self._call("get_expiry", key)

    def check(self) -> bool:
        return self.primary.check()

    def reset(self) -> int | None:
        self.fallback.reset()
        return self._call("reset")

    def clear(self, key: str) -> None:
        self.fallback.clear(key)
        self._call("clear", key)


def with_fallback(uri: str, fallback_path: str) -> tuple[str, dict]:
    """The storage URI and options Flask-Limiter is given: a Redis URI gets the SQLite
    file behind it (RedisWithFallbackStorage); any other URI is used as it is."""
    if uri.startswith(("redis://", "rediss://")):
        return "portal+" + uri, {"fallback": fallback_path}
    return uri, {}
