"""The sign-in throttle: slows guessing down without locking the owner out.

Limits, all counted in the Flask-Limiter storage that every worker shares (Redis when
REDIS_URL is set; else a SQLite file in instance/ shared by every process on the
machine; memory only under tests). Failures are counted PER ACCOUNT; what varies is
where from:

- per account AND address, every try (LOGIN_MAX_FAILURES per LOGIN_FAILURE_WINDOW,
  then twice as many per four windows, four times as many per day): a stepped backoff
  for whoever is guessing there. Other accounts' failures from the same address (an
  office behind one NAT) never count here.
- per account from all addresses, for browsers the account has never signed in from
  (LOGIN_ACCOUNT_LIMIT): guessing spread over many addresses stops.
- per address, failed sign-ins to any account (LOGIN_ADDRESS_LIMIT), only from browsers
  without the tried account's device cookie: spraying one password over many accounts
  from one place stops; a 429 with the sign-in form.
- a browser holding the account's device cookie (a signed cookie set at each successful
  sign-in) is held by none of those: its tries are counted per account AND device (the
  same stepped backoff, keyed by the cookie), so colleagues or strangers failing at the
  office address never lock the owner's own browser out, and a copied cookie still
  guesses slowly.

Each try is counted (an atomic increment) BEFORE the password is checked, so parallel
tries cannot slip past the limit; a successful sign-in clears its own count and gives
back its try to the account-wide count.
"""
import hashlib
import math
import os
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItemPerSecond, parse
from limits.strategies import RateLimiter

from portal.auth import throttle_storage  # registers the portal+sqlite:// and portal+redis:// storages

limiter = Limiter(key_func=get_remote_address, strategy="fixed-window", key_prefix="portal")

DEVICE_COOKIE = "portal_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600
DEVICE_ACCOUNTS = 5  # accounts remembered per browser


def storage_uri(app: Flask) -> str:
    if app.config.get("RATELIMIT_STORAGE_URI"):
        return app.config["RATELIMIT_STORAGE_URI"]
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    if app.config.get("TESTING"):
        return "memory://"
    os.makedirs(app.instance_path, exist_ok=True)
    return "portal+sqlite://" + os.path.join(app.instance_path, "ratelimit.sqlite3")


def init_app(app: Flask) -> None:
    # Redis gets the machine's SQLite file behind it for when it does not answer
    # (throttle_storage.RedisWithFallbackStorage; README "Production").
    fallback = app.config.get("RATELIMIT_FALLBACK_FILE") or os.path.join(app.instance_path, "ratelimit.sqlite3")
    uri, options = throttle_storage.with_fallback(storage_uri(app), fallback)
    if options:
        os.makedirs(os.path.dirname(fallback), exist_ok=True)
    app.config["RATELIMIT_STORAGE_URI"] = uri
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {**app.config.get("RATELIMIT_STORAGE_OPTIONS", {}), **options}
    limiter.init_app(app)


def address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_LIMIT"]


def device_key(cookie: str | None) -> str:
    """Which browser this is, for the per-device count (a digest of its device cookie)."""
    return hashlib.sha256((cookie or "").encode()).hexdigest()[:32]


def known_device() -> bool:
    """The browser holds the device cookie of the account it tries (request context):
    the per-address limit neither counts nor holds it."""
    email = (request.form.get("email") or "").strip().lower()
    return bool(email) and digest(email) in device_accounts(request.cookies.get(DEVICE_COOKIE))


def failed(response) -> bool:
    """Only failed sign-ins count against an address (an office behind one NAT signs in
    many times a morning)."""
    return response.status_code != 303


def digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:32]


@dataclass
class Throttle:
    """The limits of one sign-in attempt; `rate` is the shared rate limiter."""

    rate: RateLimiter
    max_failures: int
    window_seconds: int
    account_limit: str

    def _tiers(self):
        n, w = self.max_failures, self.window_seconds
        return [RateLimitItemPerSecond(n, w), RateLimitItemPerSecond(2 * n, 4 * w),
                RateLimitItemPerSecond(4 * n, 24 * 3600)]

    @staticmethod
    def _here(email: str, address: str, trusted_device: bool, device: str) -> str:
        """The per-account count's second key: the owner's browser (its device cookie),
        else the address."""
        return f"{digest(email)}:perangkat:{device}" if trusted_device else f"{digest(email)}:{address}"

    def take_attempt(self, email: str, address: str, trusted_device: bool, device: str = "") -> int:
        """Count one try; the seconds to wait when it is over a limit, else 0."""
        account, here = digest(email), self._here(email, address, trusted_device, device)
        # In order, stopping at the first refusal: a longer tier counts only the tries
        # the shorter ones let through (else parallel refused tries would use it up).
        for item in self._tiers():
            if not self.rate.hit(item, "login-here", here):
                return self._wait(item, "login-here", here)
        if not trusted_device:
            item = parse(self.account_limit)
            if not self.rate.hit(item, "login-account", account):
                return self._wait(item, "login-account", account)
        return 0

    def _wait(self, item, *identifiers) -> int:
        reset_at = self.rate.get_window_stats(item, *identifiers).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def succeeded(self, email: str, address: str, trusted_device: bool, device: str = "") -> None:
        """A right password: this address (or device) starts afresh, and the try it took
        from the account-wide count is given back (only failures should use that up)."""
        for item in self._tiers():
            self.rate.clear(item, "login-here", self._here(email, address, trusted_device, device))
        if not trusted_device:
            item = parse(self.account_limit)
            self.rate.storage.incr(item.key_for("login-account", digest(email)), item.get_expiry(), amount=-1)


def for_app() -> Throttle:
    config = current_app.config
    return Throttle(limiter.limiter, config["LOGIN_MAX_FAILURES"], config["LOGIN_FAILURE_WINDOW_SECONDS"],
                    config["LOGIN_ACCOUNT_LIMIT"])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="portal-device")


def device_accounts(cookie: str | None) -> list[str]:
    """The account digests this browser has signed in as (from its signed cookie)."""
    if not cookie:
        return []
    try:
        value = _serializer().loads(cookie)
    except BadSignature:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def device_cookie(known: list[str], email: str) -> str:
    accounts = [digest(email)] + [d for d in known if d != digest(email)]
    return _serializer().dumps(accounts[:DEVICE_ACCOUNTS])
