"""The README's first command, as a newcomer runs it: `flask --app wsgi demo` migrates a
fresh SQLite file, loads the demo tenants and the year in progress, prints the "sign in
as ... to see ..." table and serves the portal; then, in chromium, each person of that
table finds what it promises, with figures in it."""
import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from portal.demo import year
from portal.demo.cli import DEMO_PASSWORD, WHERE_TO_LOOK
from tests.e2e.conftest import sign_in_page

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(tmp_path, port):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    env.pop("SECRET_KEY", None)
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output, started = [], time.monotonic()
    deadline = started + 300
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        output.append(line)
        if "Portal berjalan di" in line:
            break
    return process, "".join(output), time.monotonic() - started


def _person(browser, port, email):
    context = browser.new_context(base_url=f"http://127.0.0.1:{port}", locale="id-ID",
                                  viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(20000)
    page = context.new_page()
    sign_in_page(page, email, DEMO_PASSWORD)
    return context, page


def _look(path_of_email: str, email: str) -> str:
    return next(look.path for look in WHERE_TO_LOOK if look.email == email and look.path == path_of_email)


def test_demo_command_serves_the_year_in_progress(browser, tmp_path):
    port = _free_port()
    process, text, seconds = _serve(tmp_path, port)
    try:
        assert f"Portal berjalan di http://127.0.0.1:{port}/" in text, text
        print(f"flask demo ready in {seconds:.1f} s")
        assert re.search(r"kabid\.kesmas@dinkes\.mojokerto\.test\s+Kepala Bidang \(Bidang Kesehatan Masyarakat\)", text)
        for look in WHERE_TO_LOOK:  # the README's table, printed by the command
            assert re.search(rf"{re.escape(look.email)}\s+{re.escape(look.path)}", text), look

        # The Staf: the returned value with its reason, on the page to fix it; bukti dukung.
        context, page = _person(browser, port, "staf.kesmas@dinkes.mojokerto.test")
        page.goto("/tugas-saya")
        returned = page.get_by_test_id("returned-IKU-01")
        expect(returned).to_contain_text("Bukti dukung belum sesuai definisi operasional")
        page.goto(_look("/t/kab-mojokerto-dinkes/realisasi/", "staf.kesmas@dinkes.mojokerto.test"))
        expect(page.locator("body")).to_contain_text("Bukti dukung belum sesuai definisi operasional")
        expect(page.get_by_text(re.compile(r"Laporan IKU-01 TW IV \d{4}\.pdf")).first).to_be_visible()
        context.close()

        # The Kabid: his validation waits, late against its Mutu Baku; the cycle page lists the data.
        context, page = _person(browser, port, "kabid.rehsos@dinsos.blitar.test")
        page.goto("/tugas-saya")
        row = page.get_by_test_id("inbox").locator("tr", has_text="Kabid memvalidasi data kinerja")
        expect(row).to_contain_text("terlambat")
        row.get_by_role("link").first.click()
        expect(page.locator("body")).to_contain_text("Persentase PMKS yang tertangani")
        context.close()

        # The Kepala: the sign-off, with every indicator's capaian.
        context, page = _person(browser, port, "kepala@dinkes.pasuruan.test")
        page.goto("/tugas-saya")
        page.get_by_test_id("inbox").locator("tr", has_text="Penandatanganan").get_by_role("link").first.click()
        page.get_by_test_id("open-signoff").click()
        capaian = page.get_by_test_id("signoff-capaian")
        expect(capaian.first).to_have_text(re.compile(r"\d+,\d+ ?%"))
        assert capaian.count() >= 4
        expect(page.get_by_test_id("sign")).to_be_visible()
        context.close()

        # The Kepala Dinas: the signed Formulir Pengukuran Kinerja of the last signed triwulan.
        context, page = _person(browser, port, "kadis@dinkes.mojokerto.test")
        page.goto("/t/kab-mojokerto-dinkes/siklus/")
        page.get_by_role("link", name=re.compile(r"Triwulan I \d{4}$")).click()
        expect(page.locator("body")).to_contain_text("revisi 2")
        page.goto(_look("/t/kab-mojokerto-dinkes/ekspor/", "kadis@dinkes.mojokerto.test"))
        page.locator("select[name=jenis]").select_option("formulir")
        page.locator("input[name=tahun]").fill(re.search(r"Tahun berjalan (\d{4}) dibuat", text).group(1))
        page.locator("select[name=periode]").select_option(_last_signed(text))
        with page.expect_download() as info:
            page.get_by_test_id("export-submit").click()
        book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
        cells = [c.value for sheet in book for r in sheet.iter_rows() for c in r]
        assert cells.count("Disahkan") >= 9 and any(isinstance(v, (int, float)) and v > 0 for v in cells)
        context.close()

        # The coordinator: a coloured matrix, the late list, charts, the finished province export.
        context, page = _person(browser, port, "koordinator@jatim.test")
        page.goto("/t/jawa-timur/pemantauan/")
        matrix = page.get_by_test_id("matrix")
        signed = matrix.locator("[data-state=disahkan] .st").first
        never = matrix.locator("[data-state=belum_dimulai] .st").first
        colour = "el => getComputedStyle(el).backgroundColor"
        assert signed.evaluate(colour) != never.evaluate(colour)
        expect(matrix.locator("td.late").first).to_contain_text("Terlambat")
        page.get_by_role("link", name="Tugas terlambat").first.click()
        expect(page.locator("body")).to_contain_text("Dinas Sosial Kota Blitar")
        page.get_by_role("link", name="Indikator yang sama antar daerah").first.click()
        page.get_by_role("link", name=year.REFERENCES[0][0]).click()
        expect(page.get_by_test_id("compare-chart").locator("svg")).to_be_visible()
        expect(page.get_by_test_id("trend-chart").locator("svg")).to_be_visible()
        expect(page.get_by_test_id("compare-table")).to_contain_text("Kabupaten Mojokerto")
        page.goto("/t/jawa-timur/ekspor/")
        page.get_by_test_id("export-jobs").get_by_role("link").first.click()
        expect(page.get_by_test_id("job-status")).to_have_text("Selesai")
        with page.expect_download() as info:
            page.get_by_test_id("job-download").click()
        book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
        assert len(book.sheetnames) >= 3
        context.close()
    finally:
        process.terminate()
        process.wait(timeout=20)


def _last_signed(text: str) -> str:
    """The export form's period value of the last signed triwulan the command reported."""
    numeral = re.search(r"ekspor provinsi TW (I{1,3}|IV) selesai", text).group(1)
    return f"triwulan-{['I', 'II', 'III', 'IV'].index(numeral) + 1}"
