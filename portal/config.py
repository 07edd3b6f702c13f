"""Configuration read from the environment, with safe defaults for a newcomer."""
import os
import secrets
from pathlib import Path


def normalise_database_url(url: str) -> str:
    """Make a plain postgres:// URL use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/.

    Keeping it on disk means sessions survive a restart of the development server;
    production sets SECRET_KEY so that every app server shares it.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if os.environ.get("PORTAL_ENV") == "production":
        return ""  # never a key of this server's own in production: the start is refused
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
    return key_file.read_text().strip()


def from_environment(instance_path: str) -> dict:
    instance = Path(instance_path)
    default_db = "sqlite:///" + str(instance / "portal.sqlite3")
    return {
        # "production" refuses a half-configured start (portal/production.py).
        "PORTAL_ENV": os.environ.get("PORTAL_ENV", "development"),
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL", default_db)
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Upload limit for bukti dukung (bytes); the request limit leaves room for the form.
        "UPLOAD_MAX_BYTES": int(os.environ.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)),
        "MAX_CONTENT_LENGTH": int(os.environ.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)) + 1024 * 1024,
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed
        # (client address for the sign-in throttle, https for HSTS). 0: none.
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", 0)),
        # The portal's public address for links in mail and reminders (else the request's own host;
        # a job worker has no request, so production sets it).
        "PORTAL_URL": os.environ.get("PORTAL_URL", ""),
        # Cookies: secure unless explicitly running over plain http (the local demo).
        "SESSION_COOKIE_SECURE": os.environ.get("INSECURE_COOKIES", "") != "1",
        "REMEMBER_COOKIE_SECURE": os.environ.get("INSECURE_COOKIES", "") != "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        # CSRF tokens are bound to the session, not to a clock: a page left open for
        # hours still saves. The session itself ends at logout or expiry.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        # A sign-in lasts at most this long, and ends after this long without a request
        # (portal/auth/binding.py; both stated in the README).
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_LIFETIME_SECONDS", 12 * 3600)),
        "SESSION_IDLE_SECONDS": int(os.environ.get("SESSION_IDLE_SECONDS", 4 * 3600)),
        # Sign-in throttle (portal/auth/throttle.py): tries per account from one address
        # within the window (then a stepped backoff), failed sign-ins per address, and
        # tries per account from browsers it never signed in from.
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", 5)),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", 900)),
        "LOGIN_ADDRESS_LIMIT": os.environ.get("LOGIN_ADDRESS_LIMIT", "30 per 10 minutes;300 per day"),
        "LOGIN_ACCOUNT_LIMIT": os.environ.get("LOGIN_ACCOUNT_LIMIT", "50 per hour"),
        # Redis shared by every app server and worker: the sign-in throttle's counters and
        # the job queue. Empty: SQLite files on this machine (README "Production").
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Shared by every worker: REDIS_URL, else a SQLite file in instance/ (one machine).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL", ""),
    }
