"""Oversight in a real browser: the Jawa Timur coordinator reads the matrix (also on a
phone), follows a late cell to its cycle and compares a linked IKU across two kab/kota
in a chart; a Kabid lands on their open task and a returned indicator with its reason."""
import pytest
from playwright.sync_api import expect

from tests import oversight_scenario

REASON = "Bukti dukung belum sesuai definisi operasional"


@pytest.fixture
def scenario(demo):
    return oversight_scenario.build(demo)


def test_coordinator_matrix_late_cell_and_linked_iku_chart(new_page, scenario):
    page = new_page("koordinator@jatim.test")
    page.goto("/t/jawa-timur/")
    page.get_by_role("navigation").get_by_role("link", name="Pemantauan").click()
    page.wait_for_url("**/t/jawa-timur/pemantauan/")
    matrix = page.get_by_test_id("matrix")
    assert matrix.locator("tbody tr[data-testid^=row-]").count() == 4  # every OPD of the province's demo pemda
    assert matrix.locator("tbody tr.group").all_inner_texts()[0].startswith("Pemerintah Kabupaten Mojokerto")
    signed = page.get_by_test_id("cell-kab-mojokerto-dinkes-triwulan-1")
    assert signed.get_attribute("data-state") == "disahkan" and "Disahkan" in signed.inner_text()
    # Never started and its due time (period end + the SOP's Mutu Baku) long past: late means late.
    never = page.get_by_test_id("cell-kota-pasuruan-dinkes-triwulan-1").inner_text()
    assert never.strip().startswith("Belum dimulai") and "Terlambat" in never and "hari" in never
    late = page.get_by_test_id("cell-kota-blitar-dinsos-triwulan-1")
    assert "Terlambat" in late.inner_text() and "hari" in late.inner_text()

    # On a phone every OPD is a card: nothing wider than the screen but the page itself.
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert late.is_visible()
    page.set_viewport_size({"width": 1400, "height": 1000})

    late.get_by_role("link").click()
    page.wait_for_url(f"**/t/kota-blitar-dinsos/siklus/{scenario['late']}/")
    assert "Triwulan I 2026" in page.locator("h1").inner_text()

    page.goto("/t/jawa-timur/pemantauan/indikator/")
    page.fill("input[name=kode]", "IKK 2.01")
    page.fill("input[name=nama]", "Prevalensi stunting pada balita")
    page.fill("input[name=satuan]", "%")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url("**/pemantauan/indikator/*/")
    page.fill("input[name=cari]", "stunting")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_url("**cari=stunting**")
    page.get_by_label("Tautkan Dinas Kesehatan Kabupaten Mojokerto IKU-01").check()
    page.get_by_label("Tautkan Dinas Kesehatan Kota Pasuruan IKU-01").check()
    page.get_by_role("button", name="Tautkan yang dipilih").click()
    expect(page.get_by_test_id("compare-table").locator("tbody tr")).to_have_count(2)
    page.select_option("select[name=triwulan]", "1")
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_url("**triwulan=1**")
    chart = page.get_by_test_id("compare-chart").locator("svg")
    assert chart.is_visible() and chart.bounding_box()["height"] > 60
    labels = chart.locator("text").evaluate_all("els => els.map(e => e.textContent)")
    assert any("Kabupaten Mojokerto" in t for t in labels) and any("Kota Pasuruan" in t for t in labels)
    assert any(t == "97,24%" for t in labels)  # Indonesian decimals in the chart
    assert page.get_by_test_id("compare-table").locator("tbody tr").count() == 2


def test_kabid_lands_on_open_task_and_returned_indicator(new_page, demo, scenario):
    name = oversight_scenario.reopen_one(demo, scenario["signed"], "kesmas", REASON)
    page = new_page("kabid.kesmas@dinkes.mojokerto.test")
    assert page.url.endswith("/t/kab-mojokerto-dinkes/")
    tasks = page.get_by_test_id("my-tasks")
    # The reopened indicator is the Kabid's task: fix it and submit it again (cycles.work).
    assert "Perbaiki dan ajukan kembali" in tasks.inner_text() and REASON in tasks.inner_text()
    returned = page.get_by_test_id("returned")
    assert name in returned.inner_text() and REASON in returned.inner_text()
