"""Several servers as the README's "Production" runs them: PostgreSQL migrated and loaded
as the owner, two app servers (gunicorn, PORTAL_ENV=production, each with an instance
folder of its own) and one job worker connected as a non-owner NOBYPASSRLS role, Redis
(a redis-server of the test's own), all behind a round-robin proxy
(tests/round_robin_proxy.py). Sign-in on one server is used on the other, a province
export started on one is run by the worker and downloaded from either, and one server
is killed with SIGKILL under load: the proxy goes on with the other, and no acknowledged
save is lost. Bounded: about half a minute."""
import http.client
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.capaian import plausibility
from tests.conftest import PG_URL, REQUIRE_PG, ROOT, TENANTS
from tests.redis_server import RedisServer, free_port
from tests.round_robin_proxy import RoundRobinProxy

PASSWORD = "demo-sakip"
SLUG = "kab-mojokerto-dinkes"
WRITER = "kabid.p2p@dinkes.mojokerto.test"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
EDIT = re.compile(r"/t/" + SLUG + r"/realisasi/(\d+)/(\d+)/ubah")
REVISION = re.compile(r'name="revision" value="(\d+)"')
GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")


class SecureOverLoopback(http.cookiejar.DefaultCookiePolicy):
    """The proxy stands for the TLS end: the portal's Secure cookies travel on to it."""

    def return_ok_secure(self, cookie, request):
        return True


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str):
        self.base, self.token = base, ""
        jar = http.cookiejar.CookieJar(SecureOverLoopback())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())

    def request(self, method, path, fields=None, htmx=False):
        # A browser's Referer: over https (the proxy's X-Forwarded-Proto) Flask-WTF checks it.
        referer = "https://" + urllib.parse.urlsplit(self.base).netloc + "/"
        headers = {"X-CSRFToken": self.token, "Referer": referer} if method == "POST" else {}
        if htmx:
            headers["HX-Request"] = "true"
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers

    def text(self, method, path, fields=None, htmx=False):
        status, body, headers = self.request(method, path, fields, htmx)
        return status, body.decode("utf-8", "replace"), headers

    def sign_in(self, email):
        _, page, _ = self.text("GET", "/masuk")
        self.token = CSRF.search(page).group(1)
        status, _, headers = self.text("POST", "/masuk", {"email": email, "password": PASSWORD,
                                                          "csrf_token": self.token})
        assert status == 303, f"sign-in {email}: {status}"
        _, page, _ = self.text("GET", "/tugas-saya")
        self.token = CSRF.search(page).group(1)
        return headers["X-Backend"]


@pytest.fixture
def cluster(tmp_path):
    """Database, role, Redis, two gunicorn servers, a worker and the proxy."""
    tag = f"{os.getpid()}_{tmp_path.name[-6:]}".lower().replace("-", "_")
    database, role = f"ops_multi_{tag}", f"ops_app_{tag}"
    try:
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {database}")
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
    except sa.exc.OperationalError as error:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL tidak dapat dihubungi: {error}")
        pytest.skip(f"PostgreSQL tidak dapat dihubungi: {error}")
    owner_url = sa.engine.make_url(PG_URL).set(database=database)
    app_url = owner_url.set(username=role)
    processes, redis, proxy = [], RedisServer().start(), None
    try:
        _migrate_and_load(owner_url.render_as_string(hide_password=False), role)
        env = {**os.environ, "PORTAL_ENV": "production", "SECRET_KEY": "s" * 48,
               "DATABASE_URL": app_url.render_as_string(hide_password=False), "REDIS_URL": redis.url,
               "PROXY_HOPS": "1", "PORTAL_URL": "https://sakip.example.go.id", "HUEY_NAME": f"ops-multi-{tag}",
               "JOB_SWEEP_SECONDS": "1",
               "LOGIN_ADDRESS_LIMIT": "100000 per minute"}
        for key in ("HUEY_URL", "HUEY_FILE", "INSECURE_COOKIES", "RATELIMIT_STORAGE_URI"):
            env.pop(key, None)
        ports = []
        for index in range(2):
            port = free_port()
            instance = tmp_path / f"server{index}" / "instance"
            instance.mkdir(parents=True)
            processes.append(subprocess.Popen(
                [GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"], cwd=ROOT,
                env={**env, "PORTAL_INSTANCE_PATH": str(instance)}, stdout=subprocess.DEVNULL,
                stderr=open(tmp_path / f"server{index}.log", "w"), start_new_session=True))
            ports.append(port)
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"], cwd=ROOT,
            env={**env, "PORTAL_INSTANCE_PATH": str(tmp_path / "worker")}, stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / "worker.log", "w"), start_new_session=True))
        for port in ports:
            _wait_up(port, tmp_path)
        proxy = RoundRobinProxy(ports).start()
        yield {"proxy": proxy, "servers": processes[:2], "owner_url": owner_url, "logs": tmp_path}
    finally:
        if proxy:
            proxy.stop()
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        redis.stop()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        admin.dispose()


def _migrate_and_load(owner_url: str, role: str) -> None:
    """As the README: `db upgrade` and `tenants load` as the owner (here in this process,
    with the tests' fast password hash), then the app role's GRANTs."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from portal.tenantfiles.cli import load_folder
    from tests.conftest import _config

    app = create_app({**_config(owner_url), "TESTING": False})
    with app.app_context():
        upgrade()
        report, problems = load_folder(str(TENANTS))
        assert problems == [], problems
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    engine = sa.create_engine(owner_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    engine.dispose()


def _wait_up(port: int, logs) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sehat", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, (logs / "server0.log").read_text()[-3000:]
        time.sleep(0.2)


def _targets(browser) -> list[tuple[str, str]]:
    _, page, _ = browser.text("GET", f"/t/{SLUG}/realisasi/")
    out = []
    for periode, indikator in sorted(set(EDIT.findall(page))):
        _, form, _ = browser.text("GET", f"/t/{SLUG}/realisasi/{periode}/{indikator}/ubah", htmx=True)
        if 'name="nilai"' in form and 'name="pembilang"' not in form and '<select name="nilai"' not in form:
            out.append((periode, indikator))
    return out


def _save(browser, target, value):
    periode, indikator = target
    _, form, _ = browser.text("GET", f"/t/{SLUG}/realisasi/{periode}/{indikator}/ubah", htmx=True)
    revision = REVISION.search(form)
    # Confirmed against every plausibility check, as a user confirming an unusual value
    # would (portal/capaian/plausibility.py): the load is about saving, not about asking.
    confirmed = {"konfirmasi": ",".join(plausibility.LABELS) + f"@{value}|/", "catatan_kewajaran": "Uji beban"}
    return browser.text("POST", f"/t/{SLUG}/realisasi/{periode}/{indikator}/",
                        {"nilai": value, "revision": revision.group(1) if revision else "0", **confirmed},
                        htmx=True)[0]


def test_two_servers_a_worker_and_a_kill_behind_a_proxy(cluster):
    proxy = cluster["proxy"]
    base = proxy.base

    # Both servers ready (database, Redis, queue), as the load balancer asks them.
    probe = Browser(base)
    answered = {probe.request("GET", "/siap")[2]["X-Backend"] for _ in range(2)}
    assert answered == {"0", "1"}
    assert all(probe.request("GET", "/siap")[0] == 200 for _ in range(2))

    # Signed in on one server, working on the other.
    kabid = Browser(base)
    signed_on = kabid.sign_in(WRITER)
    status, page, headers = kabid.text("GET", f"/t/{SLUG}/realisasi/")
    if headers["X-Backend"] == signed_on:
        status, page, headers = kabid.text("GET", f"/t/{SLUG}/realisasi/")
    assert headers["X-Backend"] != signed_on and status == 200 and EDIT.search(page)

    # A province export started on one server, run by the worker, downloaded from both.
    coordinator = Browser(base)
    coordinator.sign_in("koordinator@jatim.test")
    status, _, headers = coordinator.text("POST", "/t/jawa-timur/ekspor/", {
        "jenis": "provinsi", "tahun": "2026", "periode": "triwulan-2", "draf": "y"})
    assert status == 303, status
    job = urllib.parse.urlsplit(headers["Location"]).path
    deadline = time.monotonic() + 60
    while 'data-status="selesai"' not in (fragment := coordinator.text("GET", job, htmx=True)[1]):
        assert 'data-status="gagal"' not in fragment and time.monotonic() < deadline, fragment
        time.sleep(0.3)
    downloads = [coordinator.request("GET", job + "/unduh") for _ in range(2)]
    assert {d[2]["X-Backend"] for d in downloads} == {"0", "1"}
    assert downloads[0][0] == downloads[1][0] == 200 and downloads[0][1] == downloads[1][1]
    assert downloads[0][1][:2] == b"PK"

    # Under load (writers saving, readers reading), server 0 is killed with SIGKILL.
    targets = _targets(kabid)
    assert len(targets) >= 2
    writers, lock, stop = min(4, len(targets)), threading.Lock(), threading.Event()
    acked, attempted = {}, {}
    counts = {"saves": 0, "acknowledged": 0, "after_kill": 0, "cut_off": 0, "reads": 0, "read_failures": 0}
    killed = threading.Event()
    before = dict(proxy.stats)

    def writer(n):
        browser, seq = Browser(base), 0
        browser.sign_in(WRITER)
        mine = targets[n::writers]
        while not stop.is_set():
            target = mine[seq % len(mine)]
            seq += 1
            value = str(100 + (n * 1000 + seq) % 9000)
            with lock:
                attempted.setdefault(target, []).append(value)
            try:
                status = _save(browser, target, value)
            except (OSError, http.client.HTTPException):
                status = None
            with lock:
                counts["saves"] += 1
                if status == 200:
                    acked[target] = value
                    attempted[target] = []
                    counts["acknowledged"] += 1
                    counts["after_kill"] += killed.is_set()
                elif status != 409:
                    counts["cut_off"] += 1

    def reader():
        browser = Browser(base)
        browser.sign_in(WRITER)
        while not stop.is_set():
            status, _, _ = browser.request("GET", f"/t/{SLUG}/realisasi/")
            with lock:
                counts["reads"] += 1
                counts["read_failures"] += status != 200

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    os.killpg(cluster["servers"][0].pid, signal.SIGKILL)  # master and workers, mid-request
    killed.set()
    cluster["servers"][0].wait()
    time.sleep(6)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    requests = proxy.stats["requests"] - before["requests"]
    bad_gateway = proxy.stats["bad_gateway"] - before["bad_gateway"]
    lost, half = _check_saves(cluster["owner_url"], acked, attempted)
    figures = (f"multi-server: {requests} requests through the proxy during the load, {bad_gateway} answered 502 "
               f"(cut off when server 0 was killed); saves: {counts['saves']} made, {counts['acknowledged']} "
               f"acknowledged ({counts['after_kill']} after the kill), {counts['cut_off']} cut off; reads: {counts['reads']} ({counts['read_failures']} "
               f"failed); acknowledged saves lost: {lost}; saves without their audit row: {half}")
    print(figures)
    (cluster["logs"] / "figures.txt").write_text(figures)
    assert lost == 0 and half == 0, figures
    assert counts["acknowledged"] >= 5 and counts["after_kill"] >= 1, figures
    assert bad_gateway <= writers + 2, figures  # only what was in flight on the killed server
    assert counts["cut_off"] + counts["read_failures"] <= bad_gateway, figures
    # After the kill everything goes to server 1 and it still serves the signed-in people.
    assert kabid.request("GET", f"/t/{SLUG}/realisasi/")[0] == 200


def _number(text) -> Decimal:
    return Decimal(str(text).replace(".", "").replace(",", ".")) if isinstance(text, str) else Decimal(text)


def _check_saves(url, acked, attempted) -> tuple[int, int]:
    """Every acknowledged save is stored (or a later attempt replaced it), with its audit row."""
    engine = sa.create_engine(url)
    lost = half = 0
    with engine.connect() as conn:
        for (periode, indikator), value in acked.items():
            row = conn.execute(sa.text(
                "SELECT r.id, r.nilai FROM realisasi r JOIN reporting_period p ON p.triwulan = r.triwulan "
                "AND p.tenant_id = r.tenant_id WHERE p.id = :p AND r.indikator_id = :i"),
                {"p": int(periode), "i": int(indikator)}).one()
            allowed = {Decimal(value)} | {Decimal(v) for v in attempted.get((periode, indikator), [])}
            if Decimal(row.nilai) not in allowed:
                lost += 1
            audit = conn.execute(sa.text(
                "SELECT new_value FROM audit_event WHERE subject_type = 'realisasi' AND subject_id = :r "
                "AND field LIKE '% nilai' ORDER BY id DESC LIMIT 1"), {"r": row.id}).scalar()
            if audit is None or _number(audit) != Decimal(row.nilai):
                half += 1
    engine.dispose()
    return lost, half
