"""The home page says what to do now: tasks with due times, returned data with its
reason, the cycle's progress, capaian per sasaran for the Kepala; units and people moved
to the organisation page."""
import re

import pytest
from sqlalchemy import select

from portal.cycles.models import Cycle
from portal.extensions import db
from tests import cycle_driver, oversight_scenario
from tests.conftest import sign_in
from tests.exports_world import redefine

HOME = "/t/kab-mojokerto-dinkes/"
KABID = "kabid.kesmas@dinkes.mojokerto.test"
REASON = "Angka tidak sesuai laporan puskesmas"


@pytest.fixture
def reopened(demo):
    """Mojokerto's signed TW I, reopened by the Kepala for one Kesmas indicator."""
    ids = oversight_scenario.build(demo)
    return oversight_scenario.reopen_one(demo, ids["signed"], "kesmas", REASON)


def test_kabid_lands_on_open_task_and_returned_indicator(demo, client, reopened):
    response = sign_in(client, KABID, follow=True)
    page = response.get_data(as_text=True)
    tasks = re.search(r'data-testid="my-tasks">(.*?)</section>', page, re.S).group(1)
    # The reopened indicator is the Kabid's task: fix it and submit it again (cycles.work).
    assert "Perbaiki dan ajukan kembali" in tasks and REASON in tasks and "WIB" in tasks
    returned = re.search(r'data-testid="returned">(.*?)</section>', page, re.S).group(1)
    assert reopened in returned and REASON in returned and "dr. Bagus Wicaksono Putra" in returned
    progress = re.search(r'data-testid="cycle-progress">(.*?)</section>', page, re.S).group(1)
    assert "Triwulan I 2026" in progress and "direviu" in progress
    assert 'data-testid="sasaran-capaian"' not in page  # only for the Kepala and Sekretaris


def test_kepala_sees_capaian_per_sasaran_as_chart_and_table(demo, client, reopened):
    sign_in(client, "kadis@dinkes.mojokerto.test")
    page = client.get(HOME).get_data(as_text=True)
    section = re.search(r'data-testid="sasaran-capaian">(.*?)</section>', page, re.S).group(1)
    assert "<svg" in section and "Capaian rata-rata per sasaran s.d. Triwulan I" in section
    assert "S1 Meningkatnya derajat kesehatan masyarakat" in section
    assert re.search(r'<td class="fig">\d+(\.\d{3})*,\d\d %', section)  # Indonesian format


def test_coordinator_home_summarises_the_province(demo, client):
    oversight_scenario.build(demo)
    sign_in(client, "koordinator@jatim.test")
    page = client.get("/t/jawa-timur/").get_data(as_text=True)
    summary = re.search(r'data-testid="oversight-summary">(.*?)</section>', page, re.S).group(1)
    assert "tugas terlambat" in summary and "/t/jawa-timur/pemantauan/" in summary
    late = int(re.search(r"<strong>(\d+)</strong>tugas terlambat", summary).group(1))
    # Blitar's late step, and every ended period whose cycle never started (late means late).
    listed = client.get("/t/jawa-timur/pemantauan/terlambat").get_data(as_text=True).count('<tr class="late">')
    assert late == listed > 1


def test_units_and_people_are_on_the_organisation_page(demo, client):
    sign_in(client, KABID)
    home = client.get(HOME).get_data(as_text=True)
    assert 'data-testid="units"' not in home
    link = re.search(r'href="([^"]+)" data-testid="organisation-link"', home).group(1)
    page = client.get(link).get_data(as_text=True)
    assert 'data-testid="units"' in page and "Bidang Kesehatan Masyarakat" in page
    assert "drg. Wahyuni Setyaningsih" in page


def test_kepala_sasaran_capaian_keeps_the_signed_figures_after_a_definition_change(demo, client):
    """Signed indicators count with their signed record, as the Realisasi page shows them:
    flipping the polaritas of one (with a reason) leaves the averages as they were."""
    oversight_scenario.build(demo)  # Mojokerto's TW I signed
    sign_in(client, "kadis@dinkes.mojokerto.test")

    def section():
        page = client.get(HOME).get_data(as_text=True)
        return re.search(r'data-testid="sasaran-capaian">(.*?)</section>', page, re.S).group(1)

    before = section()
    with demo.app_context():
        opd = cycle_driver.tenant("kab-mojokerto-dinkes")
        cycle = db.session.scalar(select(Cycle).where(Cycle.tenant_id == opd.id, Cycle.tahun == 2026,
                                                      Cycle.period_kind == "triwulan", Cycle.period_no == 1))
        item = next(i for i in cycle.items if i.state == "disahkan" and i.indikator.jenis_target == "angka")
        flipped = {"positif": "negatif", "negatif": "positif"}[item.indikator.polaritas]
        redefine("kab-mojokerto-dinkes", item.indikator.kode, "Koreksi polaritas sesuai Renstra", polaritas=flipped)
        db.session.remove()
    assert section() == before
