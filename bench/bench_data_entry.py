"""Speed of the data-entry page (Pengisian Realisasi), measured against a floor.

For an OPD with 10 and with 60 indicators (values in TW I and II, some bukti dukung),
on a SQLite file and, when reachable, on PostgreSQL:

1. counts the SQL statements of one page request (SQLAlchemy before_cursor_execute);
   the count must be the same for 10 and 60 indicators (no query per row);
2. measures the page through the whole stack (test client: session, access guard,
   services, template) and a floor measured in the same run: the very statements the
   page ran, replayed through a raw DB-API cursor (fetching every row), plus the same
   template rendered with the context the page rendered. It prints page / floor.

Run: .venv/bin/python bench/bench_data_entry.py   (BENCH_POSTGRES_URL to choose the
PostgreSQL server; default postgresql+psycopg://postgres@127.0.0.1:5432/test, schema
portal_bench, dropped and recreated). Exit status 1 when the query count grows.
"""
import os
import re
import sys
import tempfile
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import sqlalchemy as sa  # noqa: E402
from flask import template_rendered  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402

PASSWORD = "bench-sandi-123"
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_SCHEMA = "portal_bench"
SIZES = (10, 60)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 30))

KINDS = [
    dict(polaritas="positif", sifat="nilai_akhir", satuan="%", target_pk=Decimal(100), target_tw1=Decimal(80),
         target_tw2=Decimal(90)),
    dict(polaritas="negatif", sifat="nilai_akhir", satuan="%", target_pk=Decimal(10), target_tw1=Decimal(12),
         target_tw2=Decimal(11)),
    dict(polaritas="positif", sifat="kumulatif", satuan="%", target_pk=Decimal(100), target_tw2=Decimal(50),
         pakai_rasio=True),
    dict(polaritas="positif", sifat="nilai_akhir", satuan="%", jenis_target="rentang", target_bawah=Decimal(60),
         target_atas=Decimal(85)),
    dict(polaritas="positif", sifat="nilai_akhir", satuan="", jenis_target="predikat",
         skala_predikat="predikat_sakip", target_predikat="A"),
    dict(polaritas="negatif", sifat="kumulatif", satuan="kasus", target_pk=Decimal(0), target_tw1=Decimal(0),
         target_tw2=Decimal(0)),
]


def make_app(url: str, engine_options: dict | None = None):
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
              "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SESSION_COOKIE_SECURE": False}
    if engine_options:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def build(app, n: int) -> tuple[str, str]:
    """An OPD with a kabid and n indicators of every kind; returns (slug, kabid e-mail)."""
    from portal.auth.models import Membership, User
    from portal.indikator import periods, services
    from portal.indikator.models import BuktiDukung, FileBlob, Indikator, Realisasi
    from portal.tenancy.models import Lane, Tenant, Unit

    with app.app_context():
        prov = Tenant(level="provinsi", slug=f"prov-{n}", name="Provinsi Bench")
        pemda = Tenant(level="pemda", slug=f"pemda-{n}", name="Kota Bench", kind="kota", parent=prov)
        opd = Tenant(level="opd", slug=f"opd-{n}", name=f"Dinas Bench {n}", parent=pemda)
        db.session.add_all([prov, pemda, opd])
        db.session.flush()
        lane = Lane(tenant_id=opd.id, key="kabid", name="Kepala Bidang", kind="kabid")
        unit = Unit(tenant_id=opd.id, key="bidang", name="Bidang Bench")
        user = User(email=f"kabid{n}@bench.test", name="Kabid Bench")
        user.set_password(PASSWORD)
        db.session.add_all([lane, unit, user])
        db.session.flush()
        db.session.add(Membership(user_id=user.id, tenant_id=opd.id, lane_id=lane.id, unit_id=unit.id))
        tset = services.create_set(opd, 2026, user)
        sasaran = [services.save_sasaran(tset, None, {"kode": f"S{i}", "nama": f"Sasaran {i}"})[0] for i in (1, 2)]
        for i in range(n):
            kind = KINDS[i % len(KINDS)]
            ind = Indikator(tenant_id=opd.id, set_id=tset.id, sasaran_id=sasaran[i % 2].id, unit_id=unit.id,
                            kode=f"IK-{i:03d}", nama=f"Indikator kinerja nomor {i}", position=i,
                            definisi="Definisi operasional", **kind)
            db.session.add(ind)
            db.session.flush()
            services.freeze_rules(opd, ind)
            for tw in (1, 2):
                value = dict(predikat="BB") if kind.get("jenis_target") == "predikat" else (
                    dict(pembilang=Decimal(40 + tw), penyebut=Decimal(100), nilai=Decimal(40 + tw))
                    if kind.get("pakai_rasio") else dict(nilai=Decimal(70 + i % 20 + tw)))
                db.session.add(Realisasi(tenant_id=opd.id, indikator_id=ind.id, triwulan=tw, updated_by_id=user.id,
                                         faktor_pendorong="Faktor pendorong", tindak_lanjut="Tindak lanjut",
                                         **value))
            if i % 3 == 0:
                blob = FileBlob(tenant_id=opd.id, data=b"%PDF-1.4 bench", size=14, sha256="0" * 64)
                db.session.add(blob)
                db.session.flush()
                db.session.add(BuktiDukung(tenant_id=opd.id, indikator_id=ind.id, triwulan=2, blob_id=blob.id,
                                           filename="bukti.pdf", kind="pdf", content_type="application/pdf",
                                           size=14, sha256="0" * 64, uploaded_by_id=user.id))
        periods.open_period(opd, 2026, 2)
        db.session.commit()
        return opd.slug, user.email


def sign_in(client, email: str) -> None:
    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/masuk", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.status_code


def capture(app, client, url, page_template: str = "realisasi/index.html"):
    """One page request: its SQL statements (with parameters), the rendered context of
    `page_template`, the engine and the size of the answer in bytes."""
    statements, rendered = [], []

    def on_sql(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    def on_render(sender, template, context, **extra):
        if template.name == page_template:
            ctx = dict(context)
            user = ctx["current_user"]
            ctx["current_user"] = getattr(user, "_get_current_object", lambda: user)()
            rendered.append((template, ctx))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", on_sql)
    template_rendered.connect(on_render, app)
    try:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_sql)
        template_rendered.disconnect(on_render, app)
    return statements, rendered[0], engine, len(response.data)


def timed(fn, rounds: int) -> float:
    fn()  # warm up
    start = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - start) / rounds


def measure(app, n: int) -> dict:
    from flask import g

    from portal.tenancy.models import Tenant

    slug, email = build(app, n)
    url = f"/t/{slug}/realisasi/"
    client = app.test_client()
    sign_in(client, email)
    client.get(url)  # warm caches (templates, compiled statements)
    statements, (template, context), engine, _ = capture(app, client, url)
    body_size = len(client.get(url).data)

    def page():
        assert client.get(url).status_code == 200

    raw = engine.raw_connection()

    def sql_floor():
        cursor = raw.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        cursor.close()
        raw.rollback()

    with app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        db.session.expunge_all()

    def render_floor():
        with app.test_request_context(url):
            g.tenant, g.capabilities = tenant, context["caps"]
            template.render(context)

    result = {"n": n, "queries": len(statements), "bytes": body_size,
              "page": timed(page, ROUNDS), "sql": timed(sql_floor, ROUNDS), "render": timed(render_floor, ROUNDS)}
    raw.close()
    return result


def postgres_url() -> str | None:
    try:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {PG_SCHEMA}")
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - not reachable: skip PostgreSQL
        print(f"PostgreSQL tidak dapat dihubungi ({PG_URL}): {error.__class__.__name__}; dilewati.")
        return None
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{PG_SCHEMA}"


def main() -> int:
    databases = []
    with tempfile.TemporaryDirectory() as tmp:
        databases.append(("sqlite", f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}"))
        pg = postgres_url()
        if pg:
            databases.append(("postgresql", pg))
        print(f"Halaman Pengisian Realisasi, {ROUNDS} permintaan per ukuran (rata-rata per permintaan)\n")
        header = (f"{'database':<11}{'indikator':>10}{'query':>7}{'KB':>6}{'halaman ms':>12}{'SQL mentah ms':>15}"
                  f"{'render ms':>11}{'lantai ms':>11}{'halaman/lantai':>16}")
        print(header)
        print("-" * len(header))
        failed = False
        for name, url in databases:
            app = make_app(url)
            results = [measure(app, n) for n in SIZES]
            for r in results:
                floor = r["sql"] + r["render"]
                print(f"{name:<11}{r['n']:>10}{r['queries']:>7}{r['bytes'] // 1024:>6}{r['page'] * 1000:>12.2f}"
                      f"{r['sql'] * 1000:>15.2f}{r['render'] * 1000:>11.2f}{floor * 1000:>11.2f}"
                      f"{r['page'] / floor:>16.2f}")
            small, large = results
            growth = large["page"] / small["page"]
            same = small["queries"] == large["queries"]
            failed |= not same
            print(f"{'':<11}query {SIZES[0]} vs {SIZES[1]} indikator: {small['queries']} vs {large['queries']} "
                  f"({'tetap' if same else 'BERTAMBAH'}); waktu halaman x{growth:.2f} untuk x{SIZES[1] // SIZES[0]}"
                  " indikator")
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if pg:
            engine = sa.create_engine(PG_URL)
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
            engine.dispose()
    print("\nLantai = pernyataan SQL yang sama lewat kursor DB-API mentah + templat yang sama dirender "
          "dengan konteks yang sama (diukur pada proses yang sama).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
