"""Static files the same on every app server: URLs and ETags from the file's content.

Werkzeug's own ETag is made of the file's mtime and size, and every server's copy has
its own mtime: behind a round-robin proxy a browser got a 304 from one server and the
whole file again from the other. Here:

- `url_for('static', filename=...)` adds `?v=<first 12 hex of the SHA-256 of the file>`;
  such a URL is served with `Cache-Control: public, max-age=31536000, immutable` (a
  changed file has another URL, so the browser never has to ask again);
- the ETag is the content's SHA-256 (every server answers 304 to the same
  If-None-Match); a URL without or with an old `v` is served `no-cache` (revalidated).

Digests are computed once per file and process (again when its size or mtime changes).
"""
import hashlib
import os

from flask import Flask, abort, request, send_from_directory
from werkzeug.security import safe_join

VERSION_LENGTH = 12
YEAR_SECONDS = 365 * 24 * 3600
_digests: dict[str, tuple[tuple[int, int], str]] = {}


def digest(path: str) -> str:
    stat = os.stat(path)
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _digests.get(path)
    if cached and cached[0] == key:
        return cached[1]
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            sha.update(block)
    _digests[path] = (key, sha.hexdigest())
    return _digests[path][1]


def _file(app: Flask, filename: str) -> str | None:
    path = safe_join(app.static_folder, filename)
    return path if path and os.path.isfile(path) else None


def install(app: Flask) -> None:
    @app.url_defaults
    def static_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            path = _file(app, values["filename"])
            if path:
                values["v"] = digest(path)[:VERSION_LENGTH]

    def static(filename):
        path = _file(app, filename)
        if path is None:
            abort(404)
        sha = digest(path)
        immutable = request.args.get("v") == sha[:VERSION_LENGTH]
        response = send_from_directory(app.static_folder, filename, etag=sha, conditional=True,
                                       max_age=YEAR_SECONDS if immutable else 0)
        response.headers.pop("Last-Modified", None)  # each server's copy has its own mtime; the ETag decides
        if immutable:
            response.cache_control.public = True
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = True
        return response

    app.view_functions["static"] = static
