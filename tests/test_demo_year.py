"""The demo's year in progress (portal/demo/year.py), made as `flask demo` makes it, dated
as if today were 7 Dec 2026: every person of the README's "sign in as ... to see ..."
table finds what the table promises, with figures in it; the dates read as a year that
happened; the README's table is the command's."""
import io
import re
from datetime import date, datetime

import openpyxl
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.cycles.models import Cycle
from portal.demo import cli as demo_cli
from portal.demo import year
from portal.extensions import db
from portal.jobs.models import Job
from portal.oversight.models import IndicatorReference
from portal.signing.models import SignedFigure
from portal.tenancy.models import Tenant
from tests.conftest import DEMO_NOW, ROOT, post, sign_in


def _text(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _cycle(app, slug: str, triwulan: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Cycle.id).join(Tenant, Tenant.id == Cycle.tenant_id).where(
            Tenant.slug == slug, Cycle.tahun == 2026, Cycle.period_no == triwulan))


def test_the_plan_follows_today():
    now = datetime(2026, 12, 7, 2)
    assert (year.plan(date(2026, 12, 7), now).tahun, year.plan(date(2026, 12, 7), now).current) == (2026, 4)
    assert (year.plan(date(2027, 2, 10), now).tahun, year.plan(date(2027, 2, 10), now).current) == (2026, 4)
    may = year.plan(date(2027, 5, 5), now)
    assert (may.tahun, may.current, may.signed) == (2027, 2, [1])
    # A past triwulan's cycle starts after it ended and before today's cycles, on a working day.
    for today in (date(2026, 12, 7), date(2026, 10, 2), date(2027, 4, 1), date(2027, 7, 6)):
        p = year.plan(today, now)
        for triwulan in p.signed:
            start = p.start_of(triwulan)
            assert start < p.running_start, (today, triwulan)
            assert (start + year.timeline.WIB).weekday() < 5
        assert (p.running_start + year.timeline.WIB).date() < today


def test_staf_finds_the_returned_value_with_its_reason(demo_year):
    client = demo_year.test_client()
    sign_in(client, "staf.kesmas@dinkes.mojokerto.test")
    inbox = _text(client.get("/tugas-saya"))
    assert "Data dikembalikan untuk diperbaiki" in inbox
    assert "Prevalensi stunting pada balita" in inbox and "Bukti dukung belum sesuai definisi operasional" in inbox
    page = _text(client.get("/t/kab-mojokerto-dinkes/realisasi/"))
    assert "Bukti dukung belum sesuai definisi operasional" in page
    assert re.search(r"Laporan IKU-01 TW IV 2026\.pdf", page), page[:2000]


def test_kabid_has_a_validation_past_its_mutu_baku(demo_year):
    client = demo_year.test_client()
    sign_in(client, "kabid.rehsos@dinsos.blitar.test")
    inbox = _text(client.get("/tugas-saya"))
    assert re.search(r"Dinas Sosial Kota Blitar Triwulan IV 2026 7\. Kabid memvalidasi data kinerja .* terlambat",
                     inbox), inbox
    cycle = _cycle(demo_year, "kota-blitar-dinsos", 4)
    page = _text(client.get(f"/t/kota-blitar-dinsos/siklus/{cycle}/"))
    assert "Persentase PMKS yang tertangani" in page


def test_kepala_has_the_sign_off_with_figures(demo_year):
    client = demo_year.test_client()
    sign_in(client, "kepala@dinkes.pasuruan.test")
    inbox = _text(client.get("/tugas-saya"))
    assert "Penandatanganan Dokumen Pengukuran Kinerja oleh Kepala PD" in inbox
    cycle = _cycle(demo_year, "kota-pasuruan-dinkes", 4)
    page = _text(client.get(f"/t/kota-pasuruan-dinkes/siklus/{cycle}/pengesahan"))
    assert "Prevalensi stunting pada balita" in page
    assert re.search(r"\d+,\d\d ?%", page), page[:3000]  # capaian figures to sign


def test_reopened_triwulan_is_signed_again_as_revision_2(demo_year):
    tw1 = _cycle(demo_year, "kab-mojokerto-dinkes", 1)
    with demo_year.app_context():
        revisions = set(db.session.scalars(select(SignedFigure.revision).where(SignedFigure.cycle_id == tw1)))
        assert revisions == {1, 2}
    client = demo_year.test_client()
    sign_in(client, "kadis@dinkes.mojokerto.test")
    page = _text(client.get(f"/t/kab-mojokerto-dinkes/siklus/{tw1}/"))
    assert "revisi 2" in page and year.REOPEN_REASON in page


def test_kepala_downloads_a_signed_formulir(demo_year):
    client = demo_year.test_client()
    sign_in(client, "kadis@dinkes.mojokerto.test")
    response = post(client, "/t/kab-mojokerto-dinkes/ekspor/",
                    {"jenis": "formulir", "tahun": "2026", "periode": "triwulan-3"})
    assert response.status_code == 200, _text(response)[:500]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert cells.count("Disahkan") >= 9  # every indicator of Dinkes Mojokerto, signed
    assert "DRAF — belum disahkan" not in cells


def test_coordinator_sees_matrix_late_work_charts_and_a_finished_export(demo_year):
    client = demo_year.test_client()
    sign_in(client, "koordinator@jatim.test")
    matrix = _text(client.get("/t/jawa-timur/pemantauan/"))
    assert re.search(r"Dinas Kesehatan Kabupaten Mojokerto Disahkan Disahkan Disahkan Pengisian", matrix), matrix
    assert "Terlambat" in matrix and not re.search(r"(?<![\d,])0,0 %", matrix)
    html = client.get("/t/jawa-timur/pemantauan/").get_data(as_text=True)
    never = re.search(r'<td class="cell late"[^>]*data-testid="cell-kota-pasuruan-dpupr-triwulan-3"[^>]*>(.*?)</td>',
                      html, flags=re.S)
    assert never and "Belum dimulai" in never.group(1)  # an ended period nobody started is late
    late = _text(client.get("/t/jawa-timur/pemantauan/terlambat"))
    assert "Dinas Sosial Kota Blitar" in late and "Kabid memvalidasi data kinerja" in late
    with demo_year.app_context():
        refs = list(db.session.scalars(select(IndicatorReference.id).order_by(IndicatorReference.kode)))
        job = db.session.scalar(select(Job).where(Job.kind == "ekspor"))
        assert len(refs) == 2 and job.status == "selesai"
        job_id = job.id
    compare = client.get(f"/t/jawa-timur/pemantauan/indikator/{refs[0]}/?tahun=2026&triwulan=3")
    body = compare.get_data(as_text=True)
    assert body.count("<svg") >= 2
    assert "Kabupaten Mojokerto" in _text(compare) and "Kota Pasuruan" in _text(compare)
    download = client.get(f"/t/jawa-timur/ekspor/tugas/{job_id}/unduh")
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    assert len(book.sheetnames) >= 3  # the summary and a sheet per pemda


def test_the_year_reads_as_one_that_happened(demo_year):
    """Every action is in the past of the moment the demo was made, in its year; TW I was
    signed in April, after it ended."""
    tw1 = _cycle(demo_year, "kab-mojokerto-dinkes", 1)
    with demo_year.app_context():
        first, last = db.session.execute(select(func.min(AuditEvent.at), func.max(AuditEvent.at)).where(
            AuditEvent.cycle_id.is_not(None))).one()
        assert datetime(2026, 4, 1) <= first and last <= DEMO_NOW
        signed = db.session.scalars(select(SignedFigure.signed_at).where(SignedFigure.cycle_id == tw1)
                                    .order_by(SignedFigure.revision)).all()
        assert signed[0].month == 4 and signed[-1] > signed[0]


def test_readme_table_is_the_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|", readme, flags=re.M)
    assert rows == [(look.email, look.path) for look in demo_cli.WHERE_TO_LOOK]
    assert f"`{demo_cli.DEMO_PASSWORD}`" in readme


def test_reset_refuses_a_database_with_other_accounts(demo, runner):
    with demo.app_context():
        db.session.add(User(email="kepala@dinkes.contoh.go.id", name="Bukan demo", password_hash="x"))
        db.session.commit()
    result = runner.invoke(args=["demo", "--reset", "--no-serve"])
    assert result.exit_code != 0
    assert "berisi akun di luar demo (kepala@dinkes.contoh.go.id" in result.output
    with demo.app_context():
        assert db.session.scalar(select(func.count(User.id))) > 1
