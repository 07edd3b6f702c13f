"""Speed of the province matrix (Kelengkapan dan ketepatan waktu), measured against a floor.

A province of 38 pemda with 40 OPD each (1.520 OPD), every OPD with cycles for TW I-IV
2026 in varied states (signed, late, in review, being filled; 10 tasks and 12 indicators
each); and, in the same database, a province of 38 pemda x 10 OPD. On SQLite and, when
reachable, on PostgreSQL:

1. counts the SQL statements of one matrix request (before_cursor_execute); the count
   must be the same for 10 and 40 OPD per pemda (no query per OPD or per cycle);
2. measures the page through the whole stack (test client: session, access guard,
   queries, template) and a floor measured in the same run: the very statements the
   page ran, replayed through a raw DB-API cursor (fetching every row), plus the same
   template rendered with the context the page rendered. Prints page / floor.

Run: .venv/bin/python bench/bench_oversight.py   (BENCH_ROUNDS, default 5;
BENCH_POSTGRES_URL as in bench_data_entry.py). Exit status 1 when the query count grows.
"""
import os
import sys
import tempfile
from datetime import datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

import sqlalchemy as sa  # noqa: E402
from bench_data_entry import PASSWORD, capture, make_app, postgres_url, sign_in, timed  # noqa: E402
from flask import g  # noqa: E402

from portal.extensions import db  # noqa: E402

PEMDA = 38
SIZES = (10, 40)          # OPD per pemda
PERIODS = 4
STEPS = 10
INDICATORS = 12
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))
MEANINGS = ["manual", "manual", "collect", "review", "review", "manual", "manual", "review", "sign", "archive"]


def build(app, per_pemda: int) -> tuple[str, str]:
    """The province, its pemda, OPDs, one shared SOP and the cycles; bulk inserts (the
    builder is not what is measured). Returns (province slug, coordinator e-mail)."""
    from portal.auth.models import Membership, User
    from portal.cycles.models import Cycle, CycleItem, CycleTask
    from portal.indikator.models import IndicatorSet, Indikator, Sasaran
    from portal.sop.models import Sop, SopLane, SopStep, SopVersion
    from portal.tenancy.models import Lane, Tenant

    now = datetime(2026, 11, 30, 6, 0)
    with app.app_context():
        prov = Tenant(level="provinsi", slug=f"prov-{per_pemda}", name=f"Provinsi Bench {per_pemda}")
        db.session.add(prov)
        db.session.flush()
        lane = Lane(tenant_id=prov.id, key="koordinator", name="Koordinator", kind="coordinator")
        user = User(email=f"koordinator{per_pemda}@bench.test", name="Koordinator Bench")
        user.set_password(PASSWORD)
        db.session.add_all([lane, user])
        db.session.flush()
        db.session.add(Membership(user_id=user.id, tenant_id=prov.id, lane_id=lane.id))
        pemda_ids = []
        for p in range(PEMDA):
            t = Tenant(level="pemda", slug=f"pemda-{per_pemda}-{p}", name=f"Kabupaten Bench {p:02d}", kind="kabupaten",
                       parent_id=prov.id)
            db.session.add(t)
            db.session.flush()
            pemda_ids.append(t.id)
        sop = Sop(tenant_id=pemda_ids[0], key="pk")
        db.session.add(sop)
        db.session.flush()
        version = SopVersion(tenant_id=pemda_ids[0], sop_id=sop.id, number=1, status="published", nama="SOP Bench")
        db.session.add(version)
        db.session.flush()
        db.session.add(SopLane(tenant_id=pemda_ids[0], version_id=version.id, position=1, key="kadis",
                               name="Kepala Dinas", kind="kepala"))
        steps = []
        for i, meaning in enumerate(MEANINGS, 1):
            s = SopStep(tenant_id=pemda_ids[0], version_id=version.id, position=i, kegiatan=f"Langkah bench {i}",
                        meaning=meaning, lane_keys=["kadis"])
            db.session.add(s)
            steps.append(s)
        db.session.flush()
        opd_rows = [dict(level="opd", slug=f"opd-{per_pemda}-{p}-{k}", name=f"Dinas Bench {p:02d}-{k:02d}",
                         parent_id=pid, kind="dinas", short_name="", created_at=now)
                    for p, pid in enumerate(pemda_ids) for k in range(per_pemda)]
        db.session.execute(sa.insert(Tenant), opd_rows)
        opd_ids = list(db.session.scalars(sa.select(Tenant.id).where(Tenant.parent_id.in_(pemda_ids))
                                          .order_by(Tenant.id)))
        db.session.execute(sa.insert(IndicatorSet), [dict(tenant_id=o, tahun=2026, created_at=now) for o in opd_ids])
        sets = dict(db.session.execute(sa.select(IndicatorSet.tenant_id, IndicatorSet.id)
                                       .where(IndicatorSet.tenant_id.in_(opd_ids))).all())
        db.session.execute(sa.insert(Sasaran), [dict(tenant_id=o, set_id=sets[o], kode="S1", nama="Sasaran", position=0)
                                               for o in opd_ids])
        sasaran = dict(db.session.execute(sa.select(Sasaran.tenant_id, Sasaran.id)
                                          .where(Sasaran.tenant_id.in_(opd_ids))).all())
        db.session.execute(sa.insert(Indikator), [
            dict(tenant_id=o, set_id=sets[o], sasaran_id=sasaran[o], kode=f"IK-{i}", nama=f"Indikator {i}",
                 position=i, is_iku=False, definisi="", satuan="%", sumber_data="", polaritas="positif",
                 sifat="nilai_akhir", jenis_target="angka", pakai_rasio=False, boleh_negatif=False)
            for o in opd_ids for i in range(INDICATORS)])
        indicators: dict[int, list[int]] = {}
        for o, i in db.session.execute(sa.select(Indikator.tenant_id, Indikator.id)
                                       .where(Indikator.tenant_id.in_(opd_ids)).order_by(Indikator.id)):
            indicators.setdefault(o, []).append(i)
        cycles = []
        for n, o in enumerate(opd_ids):
            for tw in range(1, PERIODS + 1):
                signed = (n + tw) % 4 == 0
                cycles.append(dict(tenant_id=o, sop_version_id=version.id, tahun=2026, period_kind="triwulan",
                                   period_no=tw, status="disahkan" if signed else "berjalan", locked=signed,
                                   lock_reason="", revision=1 if signed else 0,
                                   started_at=now - timedelta(days=120 - 30 * tw), started_by_id=user.id))
        db.session.execute(sa.insert(Cycle), cycles)
        rows = db.session.execute(sa.select(Cycle.id, Cycle.tenant_id, Cycle.locked, Cycle.started_at)
                                  .where(Cycle.tenant_id.in_(opd_ids)).order_by(Cycle.id)).all()
        tasks, items = [], []
        for n, (cid, o, locked, started) in enumerate(rows):
            current = STEPS + 1 if locked else 1 + n % STEPS
            for i, step in enumerate(steps, 1):
                status = "selesai" if i < current else ("aktif" if i == current else "menunggu")
                activated = started + timedelta(hours=6 * i) if status != "menunggu" else None
                due = activated + timedelta(hours=4 + (n % 3) * 4) if activated else None
                done = activated + timedelta(hours=3 + n % 7) if status == "selesai" else None
                tasks.append(dict(tenant_id=o, cycle_id=cid, step_id=step.id, position=i, occurrence=1,
                                  occurrences=1, status=status, activated_at=activated, due_at=due,
                                  completed_at=done, output_filename="", note="", times_returned=0))
            for k, ind in enumerate(indicators[o]):
                state = "disahkan" if locked else ("diajukan" if current > 3 or k < n % INDICATORS else "belum_diisi")
                items.append(dict(tenant_id=o, cycle_id=cid, indikator_id=ind, state=state,
                                  stage=min(2, max(0, current - 4)) if state == "diajukan" else 0, approvals={},
                                  returned_reason=""))
        for chunk in range(0, len(tasks), 20000):
            db.session.execute(sa.insert(CycleTask), tasks[chunk:chunk + 20000])
        for chunk in range(0, len(items), 20000):
            db.session.execute(sa.insert(CycleItem), items[chunk:chunk + 20000])
        db.session.commit()
        return prov.slug, user.email, len(opd_ids), len(rows)


def measure(app, slug, email, opds, cycles) -> dict:
    from portal.tenancy.models import Tenant

    url = f"/t/{slug}/pemantauan/?tahun=2026"
    client = app.test_client()
    sign_in(client, email)
    client.get(url)  # warm caches
    statements, (template, context), engine, size = capture(app, client, url, "oversight/matrix.html")

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

    result = {"opds": opds, "cycles": cycles, "queries": len(statements), "bytes": size,
              "page": timed(page, ROUNDS), "sql": timed(sql_floor, ROUNDS), "render": timed(render_floor, ROUNDS)}
    raw.close()
    return result


def main() -> int:
    databases = []
    with tempfile.TemporaryDirectory() as tmp:
        databases.append(("sqlite", f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}"))
        pg = postgres_url()
        if pg:
            databases.append(("postgresql", pg))
        print(f"Matriks provinsi ({PEMDA} pemda x {SIZES} OPD x {PERIODS} triwulan), {ROUNDS} permintaan per ukuran\n")
        header = (f"{'database':<11}{'OPD':>6}{'siklus':>8}{'query':>7}{'KB':>6}{'halaman ms':>12}"
                  f"{'SQL mentah ms':>15}{'render ms':>11}{'lantai ms':>11}{'halaman/lantai':>16}")
        print(header)
        print("-" * len(header))
        failed = False
        for name, url in databases:
            app = make_app(url)
            built = [build(app, n) for n in SIZES]
            results = [measure(app, *b) for b in built]
            for r in results:
                floor = r["sql"] + r["render"]
                print(f"{name:<11}{r['opds']:>6}{r['cycles']:>8}{r['queries']:>7}{r['bytes'] // 1024:>6}"
                      f"{r['page'] * 1000:>12.1f}{r['sql'] * 1000:>15.1f}{r['render'] * 1000:>11.1f}"
                      f"{floor * 1000:>11.1f}{r['page'] / floor:>16.2f}")
            small, large = results
            same = small["queries"] == large["queries"]
            failed |= not same
            print(f"{'':<11}query {small['opds']} vs {large['opds']} OPD: {small['queries']} vs {large['queries']} "
                  f"({'tetap' if same else 'BERTAMBAH'}); waktu halaman x{large['page'] / small['page']:.2f} "
                  f"untuk x{large['opds'] / small['opds']:.0f} OPD")
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if pg:
            engine = sa.create_engine(os.environ.get("BENCH_POSTGRES_URL",
                                                     "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA IF EXISTS portal_bench CASCADE")
            engine.dispose()
    print("\nLantai = pernyataan SQL yang sama lewat kursor DB-API mentah + templat yang sama dirender "
          "dengan konteks yang sama (diukur pada proses yang sama).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
