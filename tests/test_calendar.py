"""Local days off kept in the browser: who keeps them, where they count, and a deadline
that moves when the pemda adds one."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import event, select

from portal.audit.models import AuditEvent
from portal.calendar.models import HariLibur
from portal.cycles import engine
from portal.extensions import db
from portal.sop import services as sop_services
from tests import cycle_driver
from tests.conftest import post, sign_in

PEMDA = "/t/kabupaten-mojokerto/hari-libur/"
OPD = "/t/kab-mojokerto-dinkes/hari-libur/"
ADMIN = "admin@mojokerto.test"
COORDINATOR = "koordinator@jatim.test"
PERENCANA = "perencana@dinkes.mojokerto.test"
KABID = "kabid.kesmas@dinkes.mojokerto.test"
TUESDAY_10_WIB = datetime(2026, 11, 10, 3, 0)  # November 2026 has no national holiday


def _first_step_in_working_days(app, amount=3):
    with app.app_context():
        opd = cycle_driver.tenant("kab-mojokerto-dinkes")
        step = sop_services.sop_in_force(opd).steps[0]
        step.waktu_amount, step.waktu_unit = Decimal(amount), "hari_kerja"
        db.session.commit()


def _start_due(app, no) -> datetime:
    with app.app_context():
        opd = cycle_driver.tenant("kab-mojokerto-dinkes")
        starter = cycle_driver.people(opd, {"kepala"})[0]
        cycle = engine.start_cycle(opd, 2026, "triwulan", no, starter, now=TUESDAY_10_WIB)
        due = cycle.tasks[0].due_at
        db.session.rollback()
        return due


def test_a_day_off_added_by_the_pemda_moves_an_opd_deadline(demo, client):
    _first_step_in_working_days(demo)
    # Tuesday + 3 working days = Friday 13 November, 10.00 WIB.
    assert _start_due(demo, 1) == datetime(2026, 11, 13, 3, 0)
    sign_in(client, ADMIN)
    added = post(client, PEMDA, {"tanggal": "2026-11-12", "nama": "Hari Jadi Kabupaten Mojokerto",
                                 "jenis": "libur_daerah"})
    assert added.status_code == 303
    # Thursday is now a day off in every OPD of the pemda: Friday + Monday 16 November.
    assert _start_due(demo, 1) == datetime(2026, 11, 16, 3, 0)
    page = client.get(OPD).get_data(as_text=True)
    assert "Hari Jadi Kabupaten Mojokerto" in page and "12 November 2026" in page
    assert 'data-testid="libur-inherited"' in page
    with demo.app_context():
        event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "libur.tambah"))
        assert "12 November 2026" in event_.new_value


def test_who_keeps_the_dates(demo, client):
    sign_in(client, COORDINATOR)  # the province's coordinator may keep a pemda's dates
    assert post(client, PEMDA, {"tanggal": "2026-12-28", "nama": "Cuti bersama akhir tahun",
                                "jenis": "cuti_bersama"}).status_code == 303
    perencana = demo.test_client()
    sign_in(perencana, PERENCANA)
    # An OPD's perencana does not see the pemda's pages, let alone change its dates ...
    assert post(perencana, PEMDA, {"tanggal": "2026-12-29", "nama": "X", "jenis": "libur_daerah"}).status_code == 404
    with demo.app_context():
        pemda_row = db.session.scalar(select(HariLibur))
        row_id = pemda_row.id
    # ... nor remove an inherited date through the OPD's page.
    assert post(perencana, f"{OPD}{row_id}/hapus").status_code == 404
    kabid = demo.test_client()
    sign_in(kabid, KABID)
    page = kabid.get(OPD).get_data(as_text=True)
    assert "Cuti bersama akhir tahun" in page and 'data-testid="libur-form"' not in page
    assert post(kabid, OPD, {"tanggal": "2026-12-30", "nama": "X", "jenis": "libur_daerah"}).status_code == 403
    removed = post(client, f"{PEMDA}{row_id}/hapus")
    assert removed.status_code == 303
    with demo.app_context():
        assert db.session.scalar(select(sa.func.count()).select_from(HariLibur)) == 0
        assert db.session.scalar(select(AuditEvent.old_value).where(AuditEvent.action == "libur.hapus")) \
            == "28 Desember 2026 · Cuti bersama akhir tahun"


def test_bad_input_answers_in_indonesian_and_saves_nothing(demo, client):
    sign_in(client, ADMIN)
    for data, message in [
        ({"tanggal": "", "nama": "Hari Jadi", "jenis": "libur_daerah"}, "Isi tanggal."),
        ({"tanggal": "12-11-2026x", "nama": "Hari Jadi", "jenis": "libur_daerah"}, "Tanggal tidak valid"),
        ({"tanggal": "2026-11-12", "nama": "  ", "jenis": "libur_daerah"}, "Isi nama hari libur."),
        ({"tanggal": "2026-11-12", "nama": "Hari Jadi", "jenis": "cuti"}, "Pilih jenis hari libur."),
        ({"tanggal": "2026-08-17", "nama": "Upacara", "jenis": "libur_daerah"}, "sudah hari libur nasional"),
    ]:
        response = post(client, PEMDA, data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    assert post(client, PEMDA, {"tanggal": "2026-11-12", "nama": "Hari Jadi", "jenis": "libur_daerah"}).status_code == 303
    twice = post(client, PEMDA, {"tanggal": "2026-11-12", "nama": "Lagi", "jenis": "libur_daerah"})
    assert twice.status_code == 409 and "sudah dicatat sebagai Hari Jadi" in twice.get_data(as_text=True)
    # An OPD cannot record a date its pemda already keeps either.
    perencana = demo.test_client()
    sign_in(perencana, PERENCANA)
    again = post(perencana, OPD, {"tanggal": "2026-11-12", "nama": "Lagi", "jenis": "libur_daerah"})
    assert again.status_code == 409 and "Kabupaten Mojokerto" in again.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalar(select(sa.func.count()).select_from(HariLibur)) == 1


def test_the_page_lists_the_national_days_of_the_year(demo, client):
    sign_in(client, KABID)
    page = client.get(OPD + "?tahun=2026").get_data(as_text=True)
    assert "17 Agustus 2026" in page and "Hari Kemerdekaan" in page
    assert "Cuti Bersama" in page  # cuti bersama from the SKB, as the library has it


def test_a_whole_cycle_reads_the_local_days_once(demo):
    with demo.app_context():
        db.session.add(HariLibur(tenant_id=cycle_driver.tenant("kabupaten-mojokerto").id, tanggal=date(2026, 11, 12),
                                 nama="Hari Jadi", jenis="libur_daerah"))
        db.session.commit()
        statements = []

        def count(conn, cursor, statement, *args):
            if "hari_libur" in statement:
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            cycle, log = cycle_driver.run("kab-mojokerto-dinkes")
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert cycle.status == "selesai" and len(log) > 10
        assert len(statements) == 1
        db.session.rollback()
