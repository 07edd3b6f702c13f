"""Exports in a real browser: the Kepala Dinas downloads the Formulir Pengukuran Kinerja
of a signed triwulan and its figures are the ones on his Realisasi page; the pemda admin
downloads the pemda workbook with the same signed figures; the coordinator starts the
province export, watches it progress and downloads it when it is done."""
import re
from decimal import Decimal

import openpyxl
from playwright.sync_api import expect
from sqlalchemy import select

from portal.capaian.kategori import format_angka
from portal.extensions import db
from portal.indikator.models import ReportingPeriod
from portal.jobs import queue
from tests import cycle_driver

KEPALA = "kadis@dinkes.mojokerto.test"
PEMDA_ADMIN = "admin@mojokerto.test"
OPD = "kab-mojokerto-dinkes"


def _download(page, path_dir, jenis: str):
    """Fill the export form for TW II 2026 and save the download."""
    page.locator("select[name=jenis]").select_option(jenis)
    page.locator("input[name=tahun]").fill("2026")
    page.locator("select[name=periode]").select_option("triwulan-2")
    with page.expect_download() as info:
        page.get_by_test_id("export-submit").click()
    path = path_dir / info.value.suggested_filename
    info.value.save_as(path)
    return path


def _signed_capaian(sheet) -> dict[str, str]:
    """Kode -> capaian as the Realisasi page prints it, of the rows whose status is Disahkan."""
    head = next(c.row for c in sheet["A"] if c.value in ("No", "Perangkat Daerah"))
    columns = {c.value: c.column_letter for c in sheet[head] if c.value}
    kode, capaian, status = columns["Kode"], columns["Capaian s.d. TW II (%)"], columns["Status"]
    opd = columns.get("Perangkat Daerah")
    out = {}
    for r in range(head + 2, sheet.max_row + 1):
        if opd and "Kesehatan" not in str(sheet[f"{opd}{r}"].value):
            continue
        if sheet[f"{status}{r}"].value == "Disahkan":
            value = sheet[f"{capaian}{r}"].value
            out[sheet[f"{kode}{r}"].value] = (f"{format_angka(Decimal(repr(value)))}%"
                                              if isinstance(value, (int, float)) else value)
    return out


def test_kepala_downloads_the_signed_formulir_and_coordinator_the_province(live_server, new_page, tmp_path):
    app = live_server.app
    with app.app_context():
        cycle_driver.run(OPD, no=2)  # TW II signed through the SOP
        db.session.commit()
        opd = cycle_driver.tenant(OPD)
        period_id = db.session.scalar(select(ReportingPeriod.id).where(
            ReportingPeriod.tenant_id == opd.id, ReportingPeriod.tahun == 2026, ReportingPeriod.triwulan == 2))
        province, pemda = opd.parent.parent.slug, opd.parent.slug
        db.session.remove()

    kepala = new_page(KEPALA)
    kepala.goto(f"/t/{OPD}/realisasi/?periode={period_id}")
    screen = {}
    for row in kepala.get_by_test_id("realisasi-row").all():
        screen[row.get_attribute("data-kode")] = row.get_by_test_id("capaian").inner_text().strip()
    assert screen
    signed_screen = dict(screen)
    kepala.get_by_role("link", name="Ekspor").click()
    kepala.locator("select[name=jenis]").select_option("formulir")
    kepala.locator("input[name=tahun]").fill("2026")
    kepala.locator("select[name=periode]").select_option("triwulan-2")
    with kepala.expect_download() as info:
        kepala.get_by_test_id("export-submit").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    sheet = openpyxl.load_workbook(path, data_only=True)["Data pengukuran"]
    head = next(c.row for c in sheet["A"] if c.value == "No")
    columns = {c.value: c.column_letter for c in sheet[head] if c.value}
    kode, capaian = columns["Kode"], columns["Capaian s.d. TW II (%)"]
    status = columns["Status"]
    for r in range(head + 2, sheet.max_row + 1):
        code = sheet[f"{kode}{r}"].value
        if code not in screen:
            continue
        value = sheet[f"{capaian}{r}"].value
        shown = f"{format_angka(Decimal(repr(value)))}%" if isinstance(value, (int, float)) else value
        assert shown == screen.pop(code), code
        assert sheet[f"{status}{r}"].value == "Disahkan"
    assert screen == {}, f"not in the workbook: {screen}"

    admin = new_page(PEMDA_ADMIN)
    admin.goto(f"/t/{pemda}/ekspor/")
    path = _download(admin, tmp_path, "pemda")
    book = openpyxl.load_workbook(path, data_only=True)
    assert book.sheetnames[:2] == ["Aturan capaian", "Ringkasan"]
    assert any("Kesehatan" in name for name in book.sheetnames[2:])  # the OPD's Formulir
    assert _signed_capaian(book["Data pengukuran"]) == signed_screen

    worker = queue.ThreadedWorker(app)
    worker.start()
    try:
        coordinator = new_page("koordinator@jatim.test")
        coordinator.goto(f"/t/{province}/ekspor/")
        coordinator.locator("select[name=jenis]").select_option("provinsi")
        coordinator.locator("input[name=tahun]").fill("2026")
        coordinator.locator("select[name=periode]").select_option("triwulan-2")
        coordinator.get_by_test_id("export-submit").click()
        coordinator.wait_for_url(re.compile(r".*/ekspor/tugas/\d+$"))
        expect(coordinator.get_by_test_id("job")).to_have_attribute("data-status", "selesai", timeout=60000)
        with coordinator.expect_download() as info:
            coordinator.get_by_test_id("job-download").click()
        path = tmp_path / "provinsi.xlsx"
        info.value.save_as(path)
        book = openpyxl.load_workbook(path, data_only=True)
        assert book.sheetnames[:2] == ["Aturan capaian", "Ringkasan"]
        assert "Kabupaten Mojokerto" in " ".join(book.sheetnames)
    finally:
        worker.stop()
