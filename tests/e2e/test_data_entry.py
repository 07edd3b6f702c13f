"""Pengisian realisasi in a real browser: Kepala Bidang of Dinas Kesehatan Kabupaten
Mojokerto (demo) enter each kind of indicator, attach bukti dukung, get the messages
for bad input and files, and a second browser is told of a conflict."""
import re

from playwright.sync_api import expect

ENTRY = "/t/kab-mojokerto-dinkes/realisasi/"
KABID_P2P = "kabid.p2p@dinkes.mojokerto.test"          # dr. Hadi Purnomo Sidik, M.KM.
KABID_KESMAS = "kabid.kesmas@dinkes.mojokerto.test"
KABID_YANSDK = "kabid.yansdk@dinkes.mojokerto.test"
STAF_SEKRETARIAT = "staf.sekretariat@dinkes.mojokerto.test"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200


def row(page, kode):
    return page.locator(f'[data-testid="realisasi-row"][data-kode="{kode}"]')


def open_form(page, kode):
    r = row(page, kode)
    r.get_by_test_id("isi").click()
    expect(r.get_by_test_id("realisasi-form")).to_be_visible()
    return r


def save(r):
    r.get_by_role("button", name="Simpan", exact=True).click()


def enter(page, kode, **fields):
    r = open_form(page, kode)
    for name, value in fields.items():
        if name == "predikat":
            r.locator("select[name=predikat]").select_option(value)
        else:
            r.locator(f"[name={name}]").fill(value)
    save(r)
    expect(r.get_by_test_id("realisasi-form")).to_have_count(0)
    return r


def test_kabid_enters_each_kind_and_sees_capaian_kategori_and_rule(new_page):
    page = new_page(KABID_P2P)
    page.goto(ENTRY)
    expect(page.get_by_test_id("period")).to_contain_text("Triwulan II 2026")
    # positive, kumulatif: (23,1 + 25,1) / 48
    r = enter(page, "IK-03", nilai="25,1", faktor_pendorong="Sweeping imunisasi di 5 desa")
    expect(r.get_by_test_id("capaian")).to_have_text("100,42%")
    expect(r.get_by_test_id("kategori")).to_have_text("Sangat Tinggi")
    expect(r.get_by_test_id("rule")).to_contain_text("Positif: R / T × 100")
    expect(r.get_by_test_id("rule")).to_contain_text("Permendagri 86/2017")
    expect(r).to_contain_text("Sweeping imunisasi di 5 desa")
    # negative with T = 0
    r = enter(page, "IK-04", nilai="0")
    expect(r.get_by_test_id("capaian")).to_have_text("100,00%")      # was 0 % with one death in TW II
    expect(r.get_by_test_id("rule")).to_contain_text("Negatif, T = 0")
    # pembilang / penyebut
    r = enter(page, "IK-05", pembilang="420", penyebut="430")
    expect(r.get_by_test_id("capaian")).to_have_text("97,67%")
    expect(r.get_by_test_id("realisasi-tw2")).to_contain_text("97,6744")
    # tidak berlaku stays its own state
    r = row(page, "IK-06")
    expect(r.get_by_test_id("realisasi-tw2")).to_have_text("tidak berlaku")

    page = new_page(KABID_KESMAS)
    page.goto(ENTRY)
    r = enter(page, "IKU-01", nilai="12,5")                  # (2 × 12,4 - 12,5) / 12,4
    expect(r.get_by_test_id("capaian")).to_have_text("99,19%")
    expect(r.get_by_test_id("rule")).to_contain_text("Negatif: (2T - R) / T × 100, minimal 0")

    page = new_page(KABID_YANSDK)
    page.goto(ENTRY)
    r = enter(page, "IK-07", nilai="90")                     # above the 60-85 range: R / atas
    expect(r.get_by_test_id("capaian")).to_have_text("105,88%")
    expect(r.get_by_test_id("rule")).to_contain_text("Target rentang, R di atas batas atas")
    r = row(page, "IK-08")   # TW II still empty: no capaian shown, said why
    expect(r.get_by_test_id("capaian-pending")).to_have_text("Capaian TW II dihitung setelah realisasi TW II diisi.")

    page = new_page(STAF_SEKRETARIAT)
    page.goto(ENTRY)
    r = enter(page, "IK-09", predikat="A")
    expect(r.get_by_test_id("capaian")).to_have_text("100,00%")
    expect(r.get_by_test_id("rule")).to_contain_text("Predikat: skor R / skor T × 100 (skala Predikat SAKIP)")


def test_bad_input_is_shown_beside_the_field_and_nothing_is_lost(new_page):
    page = new_page(KABID_P2P)
    page.goto(ENTRY)
    r = open_form(page, "IK-03")
    r.locator("[name=nilai]").fill("abc")
    r.locator("[name=tindak_lanjut]").fill("Koordinasi dengan puskesmas")
    save(r)
    expect(r.get_by_test_id("error-nilai")).to_contain_text("Bukan angka")
    expect(r.locator("[name=nilai]")).to_have_value("abc")
    expect(r.locator("[name=tindak_lanjut]")).to_have_value("Koordinasi dengan puskesmas")
    r.locator("[name=nilai]").fill("-5")
    save(r)
    expect(r.get_by_test_id("error-nilai")).to_have_text("Nilai tidak boleh negatif.")
    expect(r.locator("[name=tindak_lanjut]")).to_have_value("Koordinasi dengan puskesmas")
    r.get_by_role("link", name="Batal").click()
    expect(r.get_by_test_id("realisasi-tw2")).to_have_text("24,8")   # nothing was saved
    expect(page.locator("#flash .flash.error")).to_have_count(0)


def test_bukti_dukung_upload_and_refusals(new_page):
    page = new_page(KABID_P2P)
    page.goto(ENTRY)
    bukti = row(page, "IK-03").get_by_test_id("bukti")

    def attach(name, data, mime="application/pdf"):
        bukti.locator("[data-testid=bukti-upload] input[type=file]").set_input_files(
            {"name": name, "mimeType": mime, "buffer": data})
        bukti.get_by_role("button", name="Unggah bukti").click()

    attach("Laporan imunisasi TW II.pdf", PDF)
    expect(bukti.get_by_test_id("bukti-item")).to_contain_text("Laporan imunisasi TW II.pdf")
    expect(bukti.get_by_test_id("bukti-item")).to_contain_text("dr. Hadi Purnomo Sidik")
    with page.expect_download() as download:
        bukti.get_by_role("link", name="Laporan imunisasi TW II.pdf").click()
    assert download.value.suggested_filename == "Laporan imunisasi TW II.pdf"
    attach("laporan.pdf", EXE)
    expect(bukti.get_by_test_id("bukti-error")).to_contain_text("Jenis berkas tidak dikenali dari isinya")
    attach("besar.pdf", PDF + b"0" * (10 * 1024 * 1024))
    expect(bukti.get_by_test_id("bukti-error")).to_contain_text("Berkas terlalu besar")
    expect(bukti.get_by_test_id("bukti-item")).to_have_count(1)
    # capaian and the file list live in one row: the row still shows the saved figures
    expect(row(page, "IK-03").get_by_test_id("capaian")).to_have_text("99,79%")


def test_second_browser_is_told_of_the_conflict(new_page):
    first, second = new_page(KABID_P2P), new_page(KABID_P2P)
    for page in (first, second):
        page.goto(ENTRY)
    a, b = open_form(first, "IK-03"), open_form(second, "IK-03")
    a.locator("[name=nilai]").fill("30")
    save(a)
    expect(a.get_by_test_id("realisasi-tw2")).to_have_text("30")
    b.locator("[name=nilai]").fill("31")
    b.locator("[name=faktor_penghambat]").fill("Vaksin datang terlambat")
    save(b)
    conflict = b.get_by_test_id("conflict")
    expect(conflict).to_contain_text("Nilai ini sudah diubah oleh dr. Hadi Purnomo Sidik, M.KM. (30) pada")
    expect(conflict).to_have_text(re.compile(r"pada \d+ \w{3} \d{4} \d\d\.\d\d WIB\. Periksa lalu simpan lagi\."))
    expect(b.locator("[name=nilai]")).to_have_value("31")
    expect(b.locator("[name=faktor_penghambat]")).to_have_value("Vaksin datang terlambat")
    expect(b.get_by_test_id("realisasi-tw2")).to_have_text("30")     # what is saved now
    save(b)                                                          # checked: save again
    expect(b.get_by_test_id("realisasi-tw2")).to_have_text("31")
    first.reload()
    expect(row(first, "IK-03").get_by_test_id("realisasi-tw2")).to_have_text("31")


def test_a_body_over_the_request_limit_gets_a_message(new_page):
    """Werkzeug stops reading a body over MAX_CONTENT_LENGTH (413); the layout shows why."""
    page = new_page(KABID_P2P)
    page.goto(ENTRY)
    bukti = row(page, "IK-03").get_by_test_id("bukti")
    bukti.locator("[data-testid=bukti-upload] input[type=file]").set_input_files(
        {"name": "huge.pdf", "mimeType": "application/pdf", "buffer": PDF + b"0" * (12 * 1024 * 1024)})
    bukti.get_by_role("button", name="Unggah bukti").click()
    expect(page.locator("#flash .flash.error")).to_contain_text("Berkas terlalu besar. Ukuran maksimal 10,0 MB")
    expect(bukti.get_by_test_id("bukti-item")).to_have_count(0)
