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
from tests.sop_table import TABLE


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
    assert "Langkah 2 (baris 3): tidak ada pelaksana yang ditandai." in result.problems
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
