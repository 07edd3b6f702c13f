"""Pasting an SOP step table from Word/Excel: what is read, what is guessed, every
problem before a draft is made, and a new version of an existing SOP."""
from decimal import Decimal

from sqlalchemy import select

from portal.extensions import db
from portal.sop import paste
from portal.sop.document import publish_problems
from portal.sop.models import Sop
from tests.conftest import post, sign_in
from tests.factories import PASSWORD, gen_tree, gen_user
from tests.sop_table import TABLE, WORD_TABLE, WORD_TABLE_LANES


def test_pasted_table_reads_lanes_steps_and_guesses():
    result = paste.parse_rows(paste.rows_from_text(TABLE), "Pengukuran Kinerja Dinas Perikanan")
    assert result.problems == []
    doc = result.doc
    assert [(lane.name, lane.kind) for lane in doc.lanes] == [
        ("Kepala Dinas", "kepala"), ("Sekretaris", "sekretaris"), ("Kasubbag Perencanaan", "perencana"),
        ("Kepala Bidang", "kabid")]
    assert [s.symbol for s in doc.steps] == ["mulai", "proses", "proses", "keputusan", "selesai"]
    assert [s.meaning for s in doc.steps] == ["manual", "manual", "collect", "review", "sign"]
    assert doc.steps[0].waktu_amount is None  # Mulai may have no Waktu
    assert (doc.steps[2].waktu_amount, doc.steps[2].waktu_unit) == (Decimal("3"), "hari_kerja")
    assert doc.steps[3].return_to == 3
    assert publish_problems(doc) == []


def test_every_problem_is_named_before_a_draft():
    bad = TABLE.replace("2 jam", "2 minggu").replace("\t\t\t√\t\tFormulir PK", "\t\t\t\t\tFormulir PK").replace(
        "Kepala Bidang", "Juru Kunci")
    result = paste.parse_rows(paste.rows_from_text(bad), "SOP")
    assert "Pelaksana 'Juru Kunci': jenis peran tidak dikenali; pilih jenisnya." in result.problems
    assert any("Langkah 4" in p and "satuan waktu 'minggu' tidak dikenal" in p for p in result.problems)
    assert result.unmarked == [2] and "Langkah 2: belum ada pelaksana." not in result.warnings
    corrected = paste.parse_rows(paste.rows_from_text(bad), "SOP", kinds={3: "kabid"})
    assert not any("Juru Kunci" in p for p in corrected.problems)


def test_paste_preview_then_draft_then_new_version(app, client):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        gen_user("perencana@uji.test", tenant=opd, lane_kind="perencana")
        db.session.commit()
        slug = opd.slug
    sign_in(client, "perencana@uji.test", PASSWORD)
    bad = post(client, f"/t/{slug}/sop/tempel", {"nama": "SOP Perikanan", "tabel": TABLE.replace("2 jam", "2 pekan"),
                                                 "aksi": "simpan"})
    assert bad.status_code == 422 and "satuan waktu" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Sop).where(Sop.tenant_id != 0)) is None
    preview = post(client, f"/t/{slug}/sop/tempel", {"nama": "SOP Perikanan", "tabel": TABLE, "aksi": "pratinjau"})
    assert preview.status_code == 200 and "Jadikan draf" in preview.get_data(as_text=True)
    saved = post(client, f"/t/{slug}/sop/tempel", {"nama": "SOP Perikanan", "tabel": TABLE, "aksi": "simpan",
                                                   "buat_peran": "1"})
    assert saved.status_code == 303
    with app.app_context():
        sop = db.session.scalar(select(Sop))
        assert [v.number for v in sop.versions] == [1] and len(sop.versions[0].steps) == 5
        sop_id = sop.id
    again = post(client, f"/t/{slug}/sop/tempel", {"nama": "SOP Perikanan", "tabel": TABLE, "aksi": "simpan",
                                                   "sop_id": str(sop_id)})
    assert again.status_code == 422 and "sudah memiliki draf" in again.get_data(as_text=True)


def test_xlsx_upload_reads_like_a_paste_and_the_header_prints_pengesahan(app, client):
    import io
    from datetime import date

    from openpyxl import Workbook

    book = Workbook()
    for row in paste.rows_from_text(TABLE):
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    with app.app_context():
        _, _, opd, _ = gen_tree()
        gen_user("perencana@uji.test", tenant=opd, lane_kind="perencana")
        db.session.commit()
        slug = opd.slug
    sign_in(client, "perencana@uji.test", PASSWORD)
    saved = post(client, f"/t/{slug}/sop/tempel", {"nama": "SOP dari XLSX", "aksi": "simpan",
                                                   "berkas": (io.BytesIO(data.getvalue()), "sop.xlsx")},
                 content_type="multipart/form-data")
    assert saved.status_code == 303
    with app.app_context():
        version = db.session.scalar(select(Sop)).versions[0]
        assert [s.kegiatan for s in version.steps][2] == "Mengisi realisasi kinerja dan bukti dukung"
        version.tanggal_pengesahan = date(2026, 1, 5)
        version.disahkan_pangkat = "Pembina Utama Muda (IV/c)"
        db.session.commit()
        version_id = version.id
    page = client.get(f"/t/{slug}/sop/versi/{version_id}/").get_data(as_text=True)
    assert "Tanggal Pengesahan" in page and "5 Januari 2026" in page and "Pembina Utama Muda (IV/c)" in page


def test_a_table_as_word_copies_it_becomes_a_draft_whose_lanes_are_ticked_in_the_preview():
    result = paste.parse_rows(paste.rows_from_text(WORD_TABLE), "SOP dari Word")
    assert result.problems == []  # not one error a step and a dead end
    assert result.unmarked == [1, 2, 3, 4, 5]
    # Lane names offered in title case, kinds guessed from them.
    assert [(lane.name, lane.kind) for lane in result.doc.lanes] == [
        ("Kepala Dinas", "kepala"), ("Sekretaris", "sekretaris"), ("Kasubbag Perencanaan", "perencana"),
        ("Kepala Bidang", "kabid")]
    # The "Selesai" row is the flowchart's end, not a sixth step with a task.
    assert len(result.doc.steps) == 5 and result.doc.steps[-1].symbol == "selesai"
    assert result.doc.steps[-1].meaning == "sign"
    assert any("Baris 7 (Selesai)" in n and "terminator" in n for n in result.notes)
    ticks = paste.Fixes(lanes=WORD_TABLE_LANES, ticked=True)
    ticked = paste.parse_rows(paste.rows_from_text(WORD_TABLE), "SOP dari Word", fixes=ticks)
    assert ticked.unmarked == [] and ticked.warnings == []
    assert [s.lanes for s in ticked.doc.steps] == [["kepala-dinas"], ["kasubbag-perencanaan"], ["kepala-bidang"],
                                                  ["sekretaris"], ["kepala-dinas"]]
    assert ticked.doc.steps[3].return_to == 3


def test_terminator_rows_at_both_ends_keep_the_return_numbers_of_the_table():
    rows = paste.rows_from_text(TABLE)
    width = len(rows[0])
    start = ["1", "Mulai"] + [""] * (width - 2)
    renumbered = [[str(int(r[0]) + 1)] + r[1:] for r in rows[1:]]
    for row in renumbered:
        row[-1] = row[-1].replace("langkah 3", "langkah 4")
    end = ["7", "SELESAI", "X"] + [""] * (width - 3)
    result = paste.parse_rows([rows[0], start, *renumbered, end], "SOP")
    assert len(result.doc.steps) == 5 and result.unmarked == []
    assert result.doc.steps[0].symbol == "mulai" and result.doc.steps[-1].symbol == "selesai"
    assert result.doc.steps[3].return_to == 3  # "kembali ke langkah 4" of the table is the third step here
    assert publish_problems(result.doc) == []


def test_lane_names_in_capitals_are_offered_in_title_case():
    assert paste.offered_name("KA. DINAS") == "Kepala Dinas"
    assert paste.offered_name("JF PERENCANA") == "JF Perencana"
    assert paste.offered_name("KEPALA SUB BAGIAN UMUM DAN KEPEGAWAIAN") == "Kepala Sub Bagian Umum dan Kepegawaian"
    assert paste.offered_name("Kasubbag Program") == "Kasubbag Program"  # mixed case stays as written


def test_ticks_in_the_preview_make_the_draft_and_belong_to_their_table(app, client):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        gen_user("perencana@uji.test", tenant=opd, lane_kind="perencana")
        db.session.commit()
        slug = opd.slug
    sign_in(client, "perencana@uji.test", PASSWORD)
    preview = post(client, f"/t/{slug}/sop/tempel", {"nama": "SOP Word", "tabel": WORD_TABLE, "aksi": "pratinjau"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Jadikan draf" in page
    assert "Pelaksana belum ditandai pada langkah" in page and "1, 2, 3, 4, 5" in page
    assert "X, ✓, v" in page  # the hint says what marks a lane
    fingerprint = paste.fingerprint(WORD_TABLE)
    assert f'value="{fingerprint}"' in page
    form = {"nama": "SOP Word", "tabel": WORD_TABLE, "aksi": "simpan", "centang": fingerprint, "buat_peran": "1",
            **{f"pelaksana_{no}": [str(i) for i in lanes] for no, lanes in WORD_TABLE_LANES.items()}}
    stale = post(client, f"/t/{slug}/sop/tempel", {**form, "centang": "lain", "aksi": "pratinjau"})
    assert "Pelaksana belum ditandai pada langkah" in stale.get_data(as_text=True)  # ticks of another table
    saved = post(client, f"/t/{slug}/sop/tempel", form)
    assert saved.status_code == 303
    with app.app_context():
        version = db.session.scalar(select(Sop)).versions[0]
        assert [s.lane_keys for s in version.steps][3] == ["sekretaris"]
        assert [lane.name for lane in version.lanes][0] == "Kepala Dinas"
        assert len(version.steps) == 5


def test_a_draft_without_marks_is_made_and_lists_its_missing_lanes(app, client):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        gen_user("perencana@uji.test", tenant=opd, lane_kind="perencana")
        db.session.commit()
        slug = opd.slug
    sign_in(client, "perencana@uji.test", PASSWORD)
    saved = post(client, f"/t/{slug}/sop/tempel", {"nama": "SOP Word", "tabel": WORD_TABLE, "aksi": "simpan"})
    assert saved.status_code == 303
    editor = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Pelaksana belum ditandai pada langkah 1, 2, 3, 4, 5" in editor
    assert editor.count('<span class="error">belum ada</span>') == 5


def test_output_wajib_is_ticked_in_the_preview_and_kept_in_the_yaml_file():
    from portal.sop import files

    fixes = paste.Fixes(lanes=WORD_TABLE_LANES, wajib={5, 2}, ticked=True)
    doc = paste.parse_rows(paste.rows_from_text(WORD_TABLE), "SOP dari Word", fixes=fixes).doc
    assert [s.output_wajib for s in doc.steps] == [False, True, False, False, True]
    text = files.to_yaml(doc)
    assert text.count("output_wajib: true") == 2
    problems = []
    again = files.read_sop_text(text, "sop.yaml", problems)
    assert problems == [] and [s.output_wajib for s in again.steps] == [False, True, False, False, True]
    bad = files.read_sop_text(text.replace("output_wajib: true", "output_wajib: ya", 1), "sop.yaml", problems)
    assert bad is None and any("output_wajib" in p.key and "true atau false" in p.message for p in problems)


def test_draft_and_publish_in_one_submission_or_the_draft_stays(app, client):
    with app.app_context():
        _, _, opd, _ = gen_tree()
        gen_user("perencana@uji.test", tenant=opd, lane_kind="perencana")
        db.session.commit()
        slug = opd.slug
    sign_in(client, "perencana@uji.test", PASSWORD)
    unmarked = post(client, f"/t/{slug}/sop/tempel", {"nama": "SOP Word", "tabel": WORD_TABLE, "aksi": "terbitkan"})
    assert unmarked.status_code == 303 and unmarked.headers["Location"].endswith("/ubah")  # the editor: still a draft
    assert "belum dapat diterbitkan" in client.get(unmarked.headers["Location"]).get_data(as_text=True)
    ticked = {"nama": "SOP Word 2", "tabel": WORD_TABLE, "aksi": "terbitkan", "buat_peran": "1",
              "centang": paste.fingerprint(WORD_TABLE),
              **{f"pelaksana_{no}": [str(i) for i in lanes] for no, lanes in WORD_TABLE_LANES.items()}}
    published = post(client, f"/t/{slug}/sop/tempel", ticked)
    assert published.status_code == 303 and "/ubah" not in published.headers["Location"]
    with app.app_context():
        versions = [s.versions[0] for s in db.session.scalars(select(Sop).order_by(Sop.id))]
        assert [(v.nama, v.status, v.approved_at is None) for v in versions] == [
            ("SOP Word", "draft", True), ("SOP Word 2", "published", True)]  # the Kepala still approves
