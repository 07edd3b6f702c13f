"""A sign-in cookie belongs to the browser that signed in, and to an active one.

Flask-Login's session protection "strong" does nothing for permanent sessions (it
only marks them not fresh), and the portal's sessions are permanent. So the sign-in
stores, in the signed session cookie, a digest of the browser (its User-Agent) and of
its network (the /24 of an IPv4 address, the /64 of IPv6: a laptop moving between
desks keeps its session, a copy of the cookie used elsewhere does not), and the time
of the last request. A request whose browser or network differ, or that comes after
SESSION_IDLE_SECONDS without any, ends the sign-in session in the database: the copy
is refused, and the owner is told why at the next sign-in.
"""
import hashlib
import ipaddress
import time

from flask import current_app, request, session

BIND_KEY = "_bind"
SEEN_KEY = "_seen"
SEEN_GRANULARITY = 60  # seconds; the cookie is rewritten at most once a minute for it


def _network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def fingerprint() -> str:
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha256(f"{agent}|{_network(request.remote_addr or '')}".encode()).hexdigest()[:32]


def bind() -> None:
    """At sign-in: this browser, now."""
    session[BIND_KEY] = fingerprint()
    session[SEEN_KEY] = int(time.time())


def problem() -> str | None:
    """"browser", "idle" or None for the request's sign-in cookie."""
    if session.get(BIND_KEY) != fingerprint():
        return "browser"
    seen = session.get(SEEN_KEY)
    if not isinstance(seen, int) or time.time() - seen > current_app.config["SESSION_IDLE_SECONDS"]:
        return "idle"
    return None


def touch() -> None:
    now = int(time.time())
    if now - session.get(SEEN_KEY, 0) >= SEEN_GRANULARITY:
        session[SEEN_KEY] = now


ENDED_MESSAGES = {
    "browser": ("Sesi Anda diakhiri karena cookie sesinya dipakai dari peramban atau jaringan lain. "
                "Jika itu bukan Anda, segera ganti kata sandi dan beri tahu admin."),
    "idle": "Sesi Anda berakhir karena tidak ada aktivitas terlalu lama. Silakan masuk kembali.",
}
