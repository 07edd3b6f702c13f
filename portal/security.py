"""Answers for hostile input, made once for every route.

- URL ids: `<int:...>` is bounded to PostgreSQL's INTEGER (2^31 - 1); a larger id does
  not match the route (404) instead of overflowing the database driver (500).
- NUL characters: PostgreSQL text cannot hold them, so any request carrying one in its
  path, query, form, file names or JSON is refused with a message before a view runs.
- A value the database still refuses as out of range (a DataError, or SQLite's integer
  overflow) is answered 400 with a message, never a 500.
- Every response carries the security headers: a Content-Security-Policy that allows
  only the portal's own scripts and styles (no inline script or style; htmx is told not
  to inject its indicator style), no framing, nosniff, a same-origin referrer, and HSTS
  when the request came over TLS (behind a proxy: PROXY_HOPS makes X-Forwarded-Proto
  count).
"""
from flask import Flask, current_app, request
from sqlalchemy.exc import DataError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal import web
from portal.extensions import db

# Every id column is an INTEGER on PostgreSQL; SQLite's own limit (2^63) is larger.
MAX_ID = 2**31 - 1

NUL_MESSAGE = ("Isian berisi karakter yang tidak diizinkan (karakter NUL). "
               "Hapus karakter itu, lalu kirim lagi.")
RANGE_MESSAGE = "Nilai yang dikirim di luar batas yang dapat disimpan. Periksa angka dan panjang isian."


class BoundedInt(IntegerConverter):
    """`<int:...>` that only matches ids the database can hold."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def install_converters(app: Flask) -> None:
    """Before any route is added: the rules compile their converters when registered."""
    app.url_map.converters["int"] = BoundedInt


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _request_strings():
    yield request.path
    for key, value in request.args.items(multi=True):
        yield key
        yield value
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        for key, value in request.form.items(multi=True):
            yield key
            yield value
        for key, upload in request.files.items(multi=True):
            yield key
            yield upload.filename or ""
        if request.is_json:
            yield from _strings(request.get_json(silent=True))


def refuse_nul():
    """before_request (first of all, the sign-in form included)."""
    if any("\x00" in text for text in _request_strings()):
        return web.refusal(400, "Permintaan tidak valid", NUL_MESSAGE)
    return None


def _out_of_range(error):
    db.session.rollback()
    current_app.logger.warning("value out of range for the database: %s", error)
    return web.refusal(400, "Permintaan tidak valid", RANGE_MESSAGE)


CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response):
    """after_request: on every response (pages, fragments, downloads, errors, static)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    if app.config.get("PROXY_HOPS"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=app.config["PROXY_HOPS"])
    app.after_request(security_headers)
    app.before_request(refuse_nul)
    app.register_error_handler(DataError, _out_of_range)
    # SQLite's driver raises OverflowError for an integer past 2^63 (no DataError).
    app.register_error_handler(OverflowError, _out_of_range)
