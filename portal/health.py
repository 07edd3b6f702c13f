"""Health for load balancers and orchestrators: two questions, two endpoints.

- `/sehat` (liveness): the process answers. It touches nothing else, so a database or
  Redis outage never makes an orchestrator restart every app server (a restart cannot
  fix either); it says only that this process is not hung.
- `/siap` (readiness): this server can do its work now. It checks the database, Redis
  (when configured: sign-in throttle and job queue) and the job queue, and answers 503
  naming what is down, so a load balancer stops sending people here while it is.

Both answer JSON: machine-readable keys, Indonesian messages.
"""
import time
import urllib.parse

import redis
from flask import Blueprint, current_app
from sqlalchemy import text

from portal import rls
from portal.access import rule
from portal.extensions import db

bp = Blueprint("health", __name__)
TIMEOUT_SECONDS = 2


@bp.route("/sehat")
@rule("public")
def health():
    return {"status": "ok", "pesan": "Proses portal menjawab."}


def redacted(url: str) -> str:
    """A Redis URL without its password, fit for a public answer."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def redis_urls(app) -> list[str]:
    """Every Redis server this app server depends on (throttle counters, job queue)."""
    urls = [app.config.get("REDIS_URL", ""), app.config.get("RATELIMIT_STORAGE_URI", ""),
            app.extensions.get("huey_url", "")]
    out = []
    for url in urls:
        if url and url.startswith(("redis://", "rediss://", "unix://")) and url not in out:
            out.append(url)
    return out


def check_database() -> dict:
    try:
        with rls.across_tenants():
            db.session.execute(text("SELECT 1"))
        db.session.rollback()
        return {"ok": True, "pesan": "Basis data menjawab."}
    except Exception as error:  # noqa: BLE001 - any failure means "down", with its kind
        db.session.rollback()
        current_app.logger.warning("readiness: database down: %s", error)
        return {"ok": False, "pesan": f"Basis data tidak dapat dihubungi ({type(error).__name__})."}


def check_redis(url: str) -> dict:
    client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
    try:
        client.ping()
        return {"ok": True, "pesan": f"Redis {redacted(url)} menjawab."}
    except redis.RedisError as error:
        current_app.logger.warning("readiness: Redis %s down: %s", redacted(url), error)
        return {"ok": False, "pesan": f"Redis {redacted(url)} tidak dapat dihubungi."}
    finally:
        client.close()


def check_queue() -> dict:
    huey = current_app.extensions["huey"]
    try:
        waiting = huey.storage.queue_size()
    except Exception as error:  # noqa: BLE001 - Redis or the SQLite file: either way, down
        current_app.logger.warning("readiness: job queue down: %s", error)
        return {"ok": False, "pesan": "Antrean pekerja latar tidak dapat dihubungi; ekspor besar menunggu."}
    return {"ok": True, "pesan": f"Antrean pekerja latar menjawab ({waiting} menunggu).", "menunggu": waiting}


NAMES = {"database": "basis data", "queue": "antrean pekerja latar"}


def readiness(app) -> tuple[dict, bool]:
    started = time.monotonic()
    checks = {"database": check_database()}
    for index, url in enumerate(redis_urls(app)):
        checks["redis" if index == 0 else f"redis_{index + 1}"] = check_redis(url)
    checks["queue"] = check_queue()
    down = [name for name, result in checks.items() if not result["ok"]]
    if down:
        message = "Tidak siap: " + "; ".join(checks[name]["pesan"] for name in down)
    else:
        message = "Siap melayani."
    body = {"status": "not_ready" if down else "ready", "pesan": message, "down": down, "checks": checks,
            "ms": round((time.monotonic() - started) * 1000)}
    return body, not down


@bp.route("/siap")
@rule("public")
def ready():
    body, ok = readiness(current_app)
    return body, 200 if ok else 503, {"Cache-Control": "no-store"}
