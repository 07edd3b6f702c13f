"""Load, faults and races against the real server (gunicorn on loopback), demo tenants.

  .venv/bin/python bench/load_faults.py load  [--duration 600] [--users 8] [--workers 4] [--db sqlite|postgresql]
  .venv/bin/python bench/load_faults.py kill9 [--kills 10] [--workers 4] [--db ...]
  .venv/bin/python bench/load_faults.py race  [--rounds 20] [--racers 8] [--workers 4] [--db ...]
  .venv/bin/python bench/load_faults.py throttle [--racers 40] [--workers 4] [--db ...]

load:  virtual users (the Kepala Bidang and Staf of Dinas Kesehatan Kab. Mojokerto) sign
       in and, for --duration seconds, mix page views (60 %), htmx saves of realisasi
       (30 %) and bukti dukung uploads (10 %). Prints req/s, latency percentiles and
       every unexpected status (pages: 200; saves: 200 or 409; uploads: 200).
kill9: writers save values while the whole server (master and workers) is killed with
       SIGKILL at random moments and restarted, --kills times. Then, in the database:
       every acknowledged (200) save is there, or a later attempt replaced it (0 lost),
       and every stored value has its audit event (0 half-saved).
race:  --racers browsers open the same value at the same revision and save different
       values at once: exactly one wins (200), every other gets 409 naming the winner's
       value.
throttle: --racers wrong passwords for one account from one address at once, spread
       over the workers: exactly LOGIN_MAX_FAILURES (5) are checked, the rest refused.
A fresh database each run: a SQLite file in a temporary folder, or the PostgreSQL
schema portal_loadbench (BENCH_POSTGRES_URL, default the local server's `test`).
Exit status 1 when a check fails.
"""
import argparse
import http.client
import http.cookiejar
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_SCHEMA = "portal_loadbench"
SLUG = "kab-mojokerto-dinkes"
USERS = ["kabid.p2p@dinkes.mojokerto.test", "kabid.kesmas@dinkes.mojokerto.test",
         "kabid.yansdk@dinkes.mojokerto.test", "staf.sekretariat@dinkes.mojokerto.test"]
PASSWORD = "demo-sakip"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
EDIT = re.compile(r"/t/" + SLUG + r"/realisasi/(\d+)/(\d+)/ubah")
REVISION = re.compile(r'name="revision" value="(\d+)"')
# Every value is sent confirmed against every plausibility check (portal/capaian/
# plausibility.py: a confirmation covers the checks it names, for the value as typed), as a
# user confirming an unusual value would; the load is about saving, not about asking.
ALL_CHECKS = "persen_lebih_100,titik_ribuan,jauh_dari_target,jauh_dari_sebelumnya"


def confirmed(value: str) -> dict:
    return {"konfirmasi": f"{ALL_CHECKS}@{value}|/", "catatan_kewajaran": "Uji beban"}


# --- database and server -------------------------------------------------------------

def fresh_database(kind: str) -> str:
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from portal.tenantfiles.cli import load_folder

    if kind == "sqlite":
        url = "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="portal-bench-"), "portal.sqlite3")
    else:
        import sqlalchemy as sa
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {PG_SCHEMA}")
        engine.dispose()
        url = f"{PG_URL}?options=-csearch_path%3D{PG_SCHEMA}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        report, problems = load_folder(os.path.join(ROOT, "tenants"))
        assert not problems, problems
        db.session.commit()
        db.engine.dispose()
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, workers: int, storage: str):
        self.url, self.workers, self.port, self.process = url, workers, free_port(), None
        self.storage = storage  # the throttle's counters, shared by the workers
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self):
        env = dict(os.environ, DATABASE_URL=self.url, SECRET_KEY="bench", INSECURE_COOKIES="1",
                   LOGIN_ADDRESS_LIMIT="100000 per minute", RATELIMIT_STORAGE_URI=self.storage)
        self.process = subprocess.Popen(
            [os.path.join(ROOT, ".venv", "bin", "gunicorn"), "-w", str(self.workers), "-b",
             f"127.0.0.1:{self.port}", "--timeout", "60", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/sehat", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill9(self):
        os.killpg(self.process.pid, signal.SIGKILL)  # master and every worker at once
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


# --- a browser ----------------------------------------------------------------------

class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())
        self.token = ""

    def request(self, method, path, fields=None, files=None, htmx=False):
        headers = {"X-CSRFToken": self.token} if method == "POST" else {}
        if htmx:
            headers["HX-Request"] = "true"
        data = None
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in (fields or {}).items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                             f"{value}\r\n".encode())
            for name, (filename, body) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
                             f"\r\nContent-Type: application/pdf\r\n\r\n".encode() + body + b"\r\n")
            data = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif fields is not None:
            data = urllib.parse.urlencode(fields).encode()
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def sign_in(self, email):
        status, page = self.request("GET", "/masuk")
        self.token = CSRF.search(page).group(1)
        status, _ = self.request("POST", "/masuk", {"email": email, "password": PASSWORD, "csrf_token": self.token})
        assert status == 303, f"sign-in {email}: {status}"
        status, page = self.request("GET", "/tugas-saya")
        self.token = CSRF.search(page).group(1)

    def targets(self):
        """(periode, indikator) this person may save with a plain number."""
        _, page = self.request("GET", f"/t/{SLUG}/realisasi/")
        out = []
        for periode, indikator in sorted(set(EDIT.findall(page))):
            _, form = self.request("GET", f"/t/{SLUG}/realisasi/{periode}/{indikator}/ubah", htmx=True)
            if 'name="nilai"' in form and 'name="pembilang"' not in form and "<select name=\"nilai\"" not in form:
                out.append((periode, indikator))
        return out

    def save(self, target, value):
        periode, indikator = target
        _, form = self.request("GET", f"/t/{SLUG}/realisasi/{periode}/{indikator}/ubah", htmx=True)
        revision = REVISION.search(form)
        fields = {"nilai": value, "revision": revision.group(1) if revision else "0", **confirmed(value)}
        return self.request("POST", f"/t/{SLUG}/realisasi/{periode}/{indikator}/", fields, htmx=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# --- load ---------------------------------------------------------------------------

def run_load(server: Server, duration: float, users: int) -> bool:
    pages = [f"/t/{SLUG}/realisasi/", f"/t/{SLUG}/", f"/t/{SLUG}/sop/", f"/t/{SLUG}/indikator/", "/tugas-saya"]
    results, lock = [], threading.Lock()
    stop_at = time.time() + duration

    def user(n):
        browser = Browser(server.base)
        browser.sign_in(USERS[n % len(USERS)])
        targets = browser.targets()
        rnd = random.Random(n)
        while time.time() < stop_at:
            roll = rnd.random()
            started = time.perf_counter()
            if roll < 0.6 or not targets:
                kind, (status, _) = "page", browser.request("GET", rnd.choice(pages))
                ok = status == 200
            elif roll < 0.9:
                kind, (status, _) = "save", browser.save(rnd.choice(targets), f"{rnd.randint(1, 999)},5")
                ok = status in (200, 409)
            else:
                periode, indikator = rnd.choice(targets)
                kind, (status, _) = "upload", browser.request(
                    "POST", f"/t/{SLUG}/bukti/{periode}/{indikator}/",
                    {}, {"berkas": (f"bukti-{uuid.uuid4().hex[:8]}.pdf", PDF + uuid.uuid4().bytes)}, htmx=True)
                ok = status == 200
            with lock:
                results.append((kind, status, ok, time.perf_counter() - started))

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started
    latencies = sorted(r[3] for r in results)
    unexpected = [(k, s) for k, s, ok, _ in results if not ok]
    by_kind = {k: sum(1 for r in results if r[0] == k) for k in ("page", "save", "upload")}
    conflicts = sum(1 for k, s, _, _ in results if k == "save" and s == 409)
    print(f"load: {len(results)} requests in {elapsed:.0f} s = {len(results) / elapsed:.1f} req/s "
          f"({by_kind}; {conflicts} saves met a concurrent edit: 409)")
    print(f"  latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
    print(f"  unexpected statuses: {len(unexpected)} {sorted(set(unexpected))[:10]}")
    return not unexpected


# --- kill -9 ------------------------------------------------------------------------

def run_kill9(server: Server, kills: int, writers: int) -> bool:
    probe = Browser(server.base)
    probe.sign_in(USERS[0])
    targets = probe.targets()
    acked: dict = {}       # target -> last acknowledged value
    attempted: dict = {}   # target -> values attempted after the last acknowledged one
    lock, stop = threading.Lock(), threading.Event()
    counts = {"acknowledged": 0, "failed": 0}

    def writer(n):
        mine = targets[n::writers]
        seq = 0
        browser = None
        while not stop.is_set() and mine:
            try:
                if browser is None:
                    browser = Browser(server.base)
                    browser.sign_in(USERS[0])
                target = mine[seq % len(mine)]
                seq += 1
                value = str(100 + seq % 800)
                with lock:
                    attempted.setdefault(target, []).append(value)
                status, _ = browser.save(target, value)
                with lock:
                    if status == 200:
                        acked[target] = value
                        attempted[target] = []
                        counts["acknowledged"] += 1
                    else:
                        counts["failed"] += 1
            except (OSError, http.client.HTTPException, AssertionError, AttributeError):
                with lock:
                    counts["failed"] += 1
                browser = None
                time.sleep(0.2)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for _ in range(kills):
        time.sleep(random.uniform(1.0, 3.0))
        server.kill9()
        server.start()
    time.sleep(2)
    stop.set()
    for t in threads:
        t.join()
    server.stop()
    lost, half = check_after_kills(server.url, acked, attempted)
    print(f"kill9: {kills} kills of master and workers during writes; {counts['acknowledged']} saves acknowledged, "
          f"{counts['failed']} cut off; acknowledged writes lost: {lost}; half-saved rows: {half}")
    return lost == 0 and half == 0


def _number(text) -> Decimal:
    return Decimal(str(text).replace(".", "").replace(",", ".")) if isinstance(text, str) else Decimal(text)


def check_after_kills(url, acked, attempted) -> tuple[int, int]:
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    lost = half = 0
    with engine.connect() as conn:
        for (periode, indikator), value in acked.items():
            row = conn.execute(sa.text(
                "SELECT r.id, r.nilai, r.revision FROM realisasi r JOIN reporting_period p ON p.triwulan = r.triwulan "
                "AND p.tenant_id = r.tenant_id WHERE p.id = :p AND r.indikator_id = :i"),
                {"p": int(periode), "i": int(indikator)}).one()
            allowed = {Decimal(value)} | {Decimal(v) for v in attempted.get((periode, indikator), [])}
            if Decimal(row.nilai) not in allowed:
                lost += 1
            # The audit event of the stored value, written in the same transaction.
            audit = conn.execute(sa.text(
                "SELECT new_value FROM audit_event WHERE subject_type = 'realisasi' AND subject_id = :r "
                "AND field LIKE '% nilai' ORDER BY id DESC LIMIT 1"), {"r": row.id}).scalar()
            if audit is None or _number(audit) != Decimal(row.nilai):
                half += 1
        if engine.dialect.name == "sqlite":
            if conn.exec_driver_sql("PRAGMA integrity_check").scalar() != "ok":
                half += 1
    engine.dispose()
    return lost, half


# --- race ---------------------------------------------------------------------------

def run_race(server: Server, rounds: int, racers: int) -> bool:
    browsers = []
    for _ in range(racers):
        browser = Browser(server.base)
        browser.sign_in(USERS[0])
        browsers.append(browser)
    target = browsers[0].targets()[0]
    periode, indikator = target
    bad = 0
    for round_no in range(rounds):
        revisions = []
        for browser in browsers:
            _, form = browser.request("GET", f"/t/{SLUG}/realisasi/{periode}/{indikator}/ubah", htmx=True)
            match = REVISION.search(form)
            revisions.append(match.group(1) if match else "0")
        barrier, answers = threading.Barrier(racers), [None] * racers

        def race(n, value, revision, barrier, answers):
            barrier.wait()
            answers[n] = (value, *browsers[n].request(
                "POST", f"/t/{SLUG}/realisasi/{periode}/{indikator}/", {"nilai": value, "revision": revision,
                                                                       **confirmed(value)},
                htmx=True))

        threads = [threading.Thread(target=race, args=(n, str(200 + round_no * racers + n), revisions[n],
                                                       barrier, answers)) for n in range(racers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [a for a in answers if a[1] == 200]
        losers = [a for a in answers if a[1] == 409]
        named = winners and all(f"({winners[0][0]})" in body for _, _, body in losers)
        if len(winners) != 1 or len(losers) != racers - 1 or not named:
            bad += 1
            print(f"  round {round_no}: statuses {[a[1] for a in answers]}")
    print(f"race: {rounds} rounds of {racers} simultaneous saves of one value: "
          f"{rounds - bad} with exactly one winner and every other told the winner's value (409), {bad} not")
    return bad == 0


# --- throttle -----------------------------------------------------------------------

def run_throttle(server: Server, racers: int) -> bool:
    browsers = []
    for _ in range(racers):
        browser = Browser(server.base)
        _, page = browser.request("GET", "/masuk")
        browser.token = CSRF.search(page).group(1)
        browsers.append(browser)
    barrier, answers = threading.Barrier(racers), []

    def attempt(browser):
        barrier.wait()
        answers.append(browser.request("POST", "/masuk", {"email": USERS[0], "password": "tebakan",
                                                          "csrf_token": browser.token})[1])

    threads = [threading.Thread(target=attempt, args=(b,)) for b in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checked = sum("Email atau kata sandi salah" in a for a in answers)
    refused = sum("Terlalu banyak percobaan" in a for a in answers)
    print(f"throttle: {racers} parallel wrong passwords for one account over {server.workers} workers: "
          f"{checked} checked, {refused} refused by the throttle (limit 5)")
    return checked == 5 and refused == racers - 5


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["load", "kill9", "race", "throttle"])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--racers", type=int, default=8)
    parser.add_argument("--redis", default="", help="throttle storage, e.g. redis://127.0.0.1:6379/14 (flushed)")
    args = parser.parse_args()
    url = fresh_database(args.db)
    storage = args.redis or "portal+sqlite://" + os.path.join(tempfile.mkdtemp(prefix="portal-rl-"), "rl.sqlite3")
    if args.redis:
        import redis
        redis.Redis.from_url(args.redis).flushdb()
    server = Server(url, args.workers, storage)
    server.start()
    try:
        print(f"[{args.db}, gunicorn -w {args.workers}, throttle storage {storage.split(':')[0]}]")
        if args.mode == "load":
            ok = run_load(server, args.duration, args.users)
        elif args.mode == "kill9":
            ok = run_kill9(server, args.kills, args.writers)
        elif args.mode == "race":
            ok = run_race(server, args.rounds, args.racers)
        else:
            ok = run_throttle(server, args.racers)
    finally:
        server.stop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
