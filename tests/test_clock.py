"""One clock (portal/clock.py): at 23.30 UTC it is already tomorrow in WIB, and every date
and time the portal writes says so."""
import re
from datetime import date, datetime

from portal import clock
from portal.extensions import db
from portal.sop import services as sop_services
from tests import cycle_driver
from tests.conftest import sign_in

LATE_UTC = datetime(2026, 12, 7, 23, 30)  # 8 Desember 2026 06.30 WIB
NEW_YEAR_EVE_UTC = datetime(2026, 12, 31, 23, 30)  # 1 Januari 2027 06.30 WIB


def test_the_pinned_clock_says_today_and_now_in_wib():
    with clock.pinned(LATE_UTC):
        assert clock.now().isoformat() == "2026-12-07T23:30:00+00:00"
        assert clock.utcnow() == LATE_UTC
        assert clock.today() == date(2026, 12, 8)
        assert clock.waktu(clock.utcnow()) == "8 Des 2026 06.30 WIB"
        assert clock.tanggal(clock.utcnow()) == "8 Desember 2026"
    assert clock.now() != clock.to_wib(LATE_UTC)  # unpinned again: the real time


def test_a_sop_revised_at_06_30_wib_is_dated_that_day(demo):
    with demo.app_context(), clock.pinned(LATE_UTC):
        opd = cycle_driver.tenant("kab-mojokerto-dinkes")
        draft = sop_services.revise(sop_services.sop_in_force(opd), None)
        db.session.flush()
        assert draft.tanggal_revisi == date(2026, 12, 8)
        db.session.rollback()


def test_the_lock_text_of_a_signed_cycle_is_in_wib(demo):
    with demo.app_context(), clock.pinned(LATE_UTC):
        cycle, log = cycle_driver.run("kab-mojokerto-dinkes", return_once=False)
        assert any(entry.endswith("signed") for entry in log)
        assert "pada 8 Des 2026 06.30 WIB (revisi 1)" in cycle.lock_reason
        assert "UTC" not in cycle.lock_reason
        db.session.rollback()


def test_pages_open_on_the_wib_year(demo, client):
    with clock.pinned(NEW_YEAR_EVE_UTC):
        sign_in(client, "admin@pasuruan.test")
        page = client.get("/t/kota-pasuruan/ekspor/").get_data(as_text=True)
        assert re.search(r'name="tahun"[^>]*value="2027"', page), "the export form opens on this WIB year"
