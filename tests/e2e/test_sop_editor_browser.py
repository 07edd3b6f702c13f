"""A coordinator enters, from scratch, an SOP none of the seeds has, publishes it, sees
the official document, revises it, and the old version is still there."""
import re

from playwright.sync_api import expect

COORDINATOR = "koordinator@jatim.test"
PERENCANA = "perencana@dinkes.mojokerto.test"
SEKRETARIS = "sekretaris@dinkes.mojokerto.test"

LANES = [("Kadinkes", "Kepala Perangkat Daerah"), ("Sekretaris Dinas Kesehatan", "Sekretaris"),
         ("Perencana Ahli Madya", "Jabatan Fungsional Perencana"), ("Tim Evaluasi Internal", "Tim SAKIP"),
         ("Pengelola Data Kinerja", "Staf")]


def _add_lane(page, name, kind_label):
    count = page.locator("form.lane-row:not(.add)").count()
    form = page.locator("form.lane-row.add")
    form.get_by_label("Nama pelaksana baru").fill(name)
    form.get_by_label("Jenis peran pelaksana baru").select_option(label=kind_label)
    form.get_by_role("button", name="Tambah pelaksana").click()
    # (A locator wait: wait_for_function evaluates a string, which the CSP forbids.)
    expect(page.locator("form.lane-row:not(.add)")).to_have_count(count + 1)
    assert page.locator("form.lane-row:not(.add) input[name=name]").nth(count).input_value() == name


def _add_step(page, kegiatan, lanes, *, symbol="Proses", meaning=None, amount="1", unit="hari",
              repeat=None, return_to=None, output=""):
    count = page.locator("article.step-card").count()
    form = page.get_by_test_id("add-step")
    form.get_by_label("Kegiatan", exact=True).fill(kegiatan)
    for lane in lanes:
        form.get_by_label(lane, exact=True).check()
    form.get_by_label("Simbol").select_option(label=symbol)
    if meaning:
        form.get_by_label("Makna sistem").select_option(label=meaning)
    if repeat:
        form.get_by_label("Berulang").select_option(label=repeat)
    if return_to:
        select = form.get_by_label('Jika "Tidak", kembali ke langkah')
        value = select.locator("option", has_text=re.compile(rf"^{return_to}\. ")).get_attribute("value")
        select.select_option(value=value)
    form.get_by_label("Waktu", exact=True).fill(amount)
    form.get_by_label("Satuan").select_option(label=unit)
    form.get_by_label("Output", exact=True).fill(output)
    form.get_by_role("button", name="Tambah langkah").click()
    expect(page.locator("article.step-card")).to_have_count(count + 1)


def test_coordinator_enters_publishes_and_revises_a_new_sop(new_page):
    page = new_page(COORDINATOR)
    # Province → pemda → OPD, by the links on the tenant pages.
    page.get_by_role("link", name="Pemerintah Kabupaten Mojokerto").click()
    page.get_by_role("link", name="Dinas Kesehatan Kabupaten Mojokerto").click()
    # The nav's SOP link belongs to the page shown: wait for the OPD's page, not the pemda's.
    page.wait_for_url(re.compile(r".*/t/kab-mojokerto-dinkes/$"))
    page.get_by_role("navigation").get_by_role("link", name="SOP").click()
    page.get_by_label("Nama SOP baru").fill("Pengukuran Kinerja Triwulanan")
    page.get_by_test_id("create-sop").click()
    page.wait_for_url(re.compile(r".*/sop/versi/\d+/ubah$"))

    for name, kind in LANES:
        _add_lane(page, name, kind)
    assert page.locator("form.lane-row:not(.add)").count() == 5

    _add_step(page, "Menerbitkan disposisi pengukuran kinerja", ["Kadinkes"], symbol="Mulai", amount="1",
              output="Disposisi")
    _add_step(page, "Mengisi realisasi dan bukti dukung", ["Pengelola Data Kinerja"],
              meaning="Pengumpulan data (unit mengisi realisasi)", amount="5", unit="hari kerja",
              output="Form realisasi")
    _add_step(page, "Rapat reviu capaian kinerja triwulanan",
              ["Sekretaris Dinas Kesehatan", "Perencana Ahli Madya", "Tim Evaluasi Internal"],
              repeat="setiap triwulan", amount="1", output="Notulen rapat")
    _add_step(page, "Memverifikasi data capaian", ["Tim Evaluasi Internal"], symbol="Keputusan",
              meaning="Reviu (setujui / kembalikan)", return_to=2, amount="2", output="Data terverifikasi")
    _add_step(page, "Memeriksa dokumen pengukuran kinerja", ["Sekretaris Dinas Kesehatan"], symbol="Keputusan",
              meaning="Reviu (setujui / kembalikan)", return_to=4, amount="1", output="Dokumen diparaf")
    _add_step(page, "Menandatangani dokumen pengukuran kinerja", ["Kadinkes"], symbol="Selesai",
              meaning="Pengesahan (Kepala menandatangani, data terkunci)", amount="1",
              output="Dokumen pengukuran kinerja")

    # Edit a step in place, without a page reload.
    page.get_by_test_id("step-3").get_by_role("link", name="Ubah").click()
    form = page.get_by_test_id("step-form-3")
    form.get_by_label("Output", exact=True).fill("Notulen dan daftar hadir")
    form.get_by_role("button", name="Simpan langkah").click()
    page.get_by_test_id("step-3").get_by_text("Notulen dan daftar hadir").wait_for()

    page.get_by_test_id("publish").click()
    page.wait_for_url(re.compile(r".*/sop/versi/\d+/$"))
    content = page.content()
    for text in ("Pengukuran Kinerja Triwulanan", "Tim Evaluasi Internal", "Rapat reviu capaian kinerja triwulanan",
                 "5 hari kerja", "Tidak"):
        assert text in content, text
    first_url = page.url

    # Revise: a new draft from the published version; version 1 stays.
    page.get_by_role("navigation").get_by_role("link", name="SOP").click()
    page.wait_for_url(re.compile(r".*/sop/$"))  # the list, not a link of the page still shown
    page.get_by_role("link", name="Pengukuran Kinerja Triwulanan").click()
    page.get_by_test_id("revise").click()
    page.wait_for_url(re.compile(r".*/ubah$"))
    page.get_by_test_id("step-6").get_by_role("link", name="Ubah").click()
    page.get_by_test_id("step-form-6").get_by_label("Waktu", exact=True).fill("2")
    page.get_by_test_id("step-form-6").get_by_role("button", name="Simpan langkah").click()
    page.get_by_test_id("step-6").get_by_text("2 hari").wait_for()
    page.get_by_test_id("publish").click()
    page.wait_for_url(re.compile(r".*/sop/versi/\d+/$"))
    assert page.url != first_url
    page.goto(first_url)
    assert "Pengukuran Kinerja Triwulanan" in page.content()
    page.get_by_role("navigation").get_by_role("link", name="SOP").click()
    page.wait_for_url(re.compile(r".*/sop/$"))  # the list, not a link of the page still shown
    page.get_by_role("link", name="Pengukuran Kinerja Triwulanan").click()
    page.wait_for_url(re.compile(r".*/sop/\d+/$"))
    rows = page.get_by_test_id("sop-versions").locator("tbody tr")
    assert rows.count() == 2
    assert "terbit" in rows.nth(0).inner_text() and "terbit" in rows.nth(1).inner_text()


def test_a_stale_step_save_swaps_in_the_form_again_with_who_changed_it(new_page):
    """Two editors on one step: the later save is refused (409) and gets its own typed
    values back with the message, swapped into the page rather than shown as an error."""
    a = new_page(PERENCANA)
    a.goto("/t/kab-mojokerto-dinkes/sop/")
    a.get_by_label("Nama SOP baru").fill("Uji konflik")
    a.get_by_test_id("create-sop").click()
    a.wait_for_url(re.compile(r".*/sop/versi/\d+/ubah$"))
    form = a.locator("form.lane-row.add")
    form.get_by_label("Nama pelaksana baru").fill("Kadinkes")
    form.get_by_label("Jenis peran pelaksana baru").select_option(label="Kepala Perangkat Daerah")
    form.get_by_role("button", name="Tambah pelaksana").click()
    expect(a.locator("form.lane-row:not(.add)")).to_have_count(1)
    add = a.get_by_test_id("add-step")
    add.get_by_label("Kegiatan", exact=True).fill("Langkah awal")
    add.get_by_role("button", name="Tambah langkah").click()
    expect(a.locator("article.step-card")).to_have_count(1)
    editor_url = a.url
    a.get_by_test_id("step-1").get_by_role("link", name="Ubah").click()
    form_a = a.get_by_test_id("step-form-1")
    form_a.get_by_label("Output", exact=True).fill("Versi Perencana")

    b = new_page(SEKRETARIS)
    b.goto(editor_url)
    b.get_by_test_id("step-1").get_by_role("link", name="Ubah").click()
    form_b = b.get_by_test_id("step-form-1")
    form_b.get_by_label("Output", exact=True).fill("Versi Sekretaris")
    form_b.get_by_role("button", name="Simpan langkah").click()
    b.get_by_test_id("step-1").get_by_text("Versi Sekretaris").wait_for()

    form_a.get_by_role("button", name="Simpan langkah").click()
    conflict = a.get_by_test_id("conflict")
    conflict.wait_for()
    assert "Sudah diubah oleh" in conflict.inner_text()
    assert a.get_by_test_id("step-form-1").get_by_label("Output", exact=True).input_value() == "Versi Perencana"
    assert a.locator("#flash .flash.error").count() == 0  # swapped in, not reported as an error
