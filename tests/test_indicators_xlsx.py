"""The XLSX template of an indicator set and importing a filled one (all or nothing)."""
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from portal.extensions import db
from portal.indikator.models import IndicatorSet, Indikator, ProgramKegiatan, Sasaran
from portal.indikator.xlsx_template import INDIKATOR_COLUMNS, PROGRAM_COLUMNS
from portal.tenancy.models import Unit
from tests.conftest import post, sign_in
from tests.factories import PASSWORD
from tests.test_indicators_entry import build


@pytest.fixture
def w(app):
    w = build(app)
    with app.app_context():
        db.session.add(Unit(tenant_id=w["opd_id"], key="formula", name='=HYPERLINK("http://contoh.test","klik")',
                            position=9))
        w["set_id"] = db.session.scalar(sa.select(IndicatorSet.id).where(IndicatorSet.tenant_id == w["opd_id"]))
        db.session.commit()
    return w


def _book(indikator_rows, program_rows=()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Indikator"
    sheet.append([c.header for c in INDIKATOR_COLUMNS])
    keys = [c.key for c in INDIKATOR_COLUMNS]
    for row in indikator_rows:
        sheet.append([row.get(k) for k in keys])
    programs = book.create_sheet("Program")
    programs.append([c.header for c in PROGRAM_COLUMNS])
    for row in program_rows:
        programs.append([row.get(c.key) for c in PROGRAM_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    {"kode_sasaran": "S9", "nama_sasaran": "Meningkatnya akses air minum", "kode": "IK-90",
     "nama": "Persentase rumah tangga dengan akses air minum layak", "is_iku": "Ya", "satuan": "%",
     "unit": "bidang-1", "polaritas": "Positif", "sifat": "Nilai akhir", "baseline": 78.25, "target_pk": "82,5",
     "target_tw1": 79, "target_tw2": 80, "target_tw3": 81, "target_tw4": 82.5, "target_renstra": 90},
    {"kode_sasaran": "S9", "nama_sasaran": "Meningkatnya akses air minum", "kode": "IK-91",
     "nama": "Predikat SAKIP", "unit": "Bidang Dua", "polaritas": "positif", "sifat": "nilai_akhir",
     "jenis_target": "Predikat", "skala_predikat": "Predikat SAKIP", "target_predikat": "bb"},
    {"kode_sasaran": "S1", "nama_sasaran": "Sasaran uji", "kode": "IK-92", "nama": "BOR", "satuan": "%",
     "polaritas": "Positif", "sifat": "Rata-rata", "jenis_target": "Rentang", "target_bawah": 60, "target_atas": 85},
]


def upload(client, w, data: bytes, name="isi.xlsx"):
    return post(client, f"/t/{w['slug']}/indikator/{w['set_id']}/impor", {"berkas": (io.BytesIO(data), name)},
                content_type="multipart/form-data")


def _count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_template_is_a_workbook_with_the_columns_and_text_kept_as_text(app, client, w):
    sign_in(client, "perencana@uji.test", PASSWORD)
    response = client.get(f"/t/{w['slug']}/indikator/{w['set_id']}/templat.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Indikator", "Program", "Petunjuk"]
    assert [c.value for c in book["Indikator"][1]] == [c.header for c in INDIKATOR_COLUMNS]
    cells = [c for row in book["Petunjuk"].iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)      # a string, never a formula
    sign_in(client, "budi@uji.test", PASSWORD)
    assert client.get(f"/t/{w['slug']}/indikator/{w['set_id']}/templat.xlsx").status_code == 403


def test_import_a_clean_file(app, client, w):
    sign_in(client, "perencana@uji.test", PASSWORD)
    programs = [{"kode": "1.03.10", "nama": "Program Penyelenggaraan Jalan", "pagu": 1500000000,
                 "realisasi_tw1": "250.000.000", "kode_sasaran": "S9"},
                {"kode": "1.03.10.2.01", "nama": "Penyelenggaraan Jalan", "kode_induk": "1.03.10", "pagu": 900000000}]
    response = upload(client, w, _book(GOOD, programs))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Impor selesai: 3 indikator, 2 sasaran, 2 program/kegiatan disimpan." in page
    with app.app_context():
        ind = db.session.scalar(sa.select(Indikator).where(Indikator.kode == "IK-90"))
        assert (ind.baseline, ind.target_pk, ind.target_tw4, ind.is_iku) == (
            Decimal("78.25"), Decimal("82.5"), Decimal("82.5"), True)
        assert ind.rules is not None
        pred = db.session.scalar(sa.select(Indikator).where(Indikator.kode == "IK-91"))
        assert (pred.jenis_target, pred.skala_predikat, pred.target_predikat) == ("predikat", "predikat_sakip", "BB")
        bor = db.session.scalar(sa.select(Indikator).where(Indikator.kode == "IK-92"))
        assert (bor.target_bawah, bor.target_atas, bor.unit_id) == (Decimal(60), Decimal(85), None)
        kegiatan = db.session.scalar(sa.select(ProgramKegiatan).where(ProgramKegiatan.kode == "1.03.10.2.01"))
        assert kegiatan.level == "kegiatan" and kegiatan.parent_id is not None
        program = db.session.scalar(sa.select(ProgramKegiatan).where(ProgramKegiatan.kode == "1.03.10"))
        served = db.session.get(Sasaran, program.sasaran_id)
        assert served.kode == "S9" and kegiatan.sasaran_id is None  # a kegiatan follows its program
    unknown = upload(client, w, _book(GOOD, [dict(programs[0], kode_sasaran="S77")]))
    assert unknown.status_code == 422
    assert ("Lembar Program, baris 2: Kode Sasaran: sasaran S77 tidak ada pada lembar Indikator maupun pada set "
            "tahun ini.") in unknown.get_data(as_text=True)
    # importing the same file again updates in place: nothing is duplicated
    assert upload(client, w, _book(GOOD, programs)).status_code == 303
    assert _count(app, Indikator) == 7 + 3 and _count(app, Sasaran) == 2


def test_every_bad_row_is_named_and_nothing_is_imported(app, client, w):
    sign_in(client, "perencana@uji.test", PASSWORD)
    rows = [dict(GOOD[0]),
            dict(GOOD[0], kode="IK-93", polaritas="naik", target_pk="12.5"),
            dict(GOOD[0], kode="IK-90", unit="bidang-tidak-ada"),
            dict(GOOD[2], kode="IK-94", target_bawah=90),
            dict(GOOD[0], kode="", nama_sasaran="Lain")]
    before = (_count(app, Indikator), _count(app, Sasaran))
    response = upload(client, w, _book(rows, [{"kode": "1.01.1", "nama": "Kegiatan", "kode_induk": "9.99"}]))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tidak ada yang diimpor" in text
    assert "Lembar Indikator, baris 3: Polaritas: &#39;naik&#39; tidak dikenal; pilihan: Positif, Negatif." in text
    assert "Lembar Indikator, baris 3: Target PK: Bukan angka" in text
    assert "Lembar Indikator, baris 4: Unit Penanggung Jawab: unit &#39;bidang-tidak-ada&#39; tidak ada" in text
    assert "Lembar Indikator, baris 4: Kode Indikator IK-90 sudah dipakai pada baris 2." in text
    assert "Lembar Indikator, baris 5: Batas Bawah Rentang: Batas bawah melebihi batas atas." in text
    assert "Lembar Indikator, baris 6: Kode Indikator: wajib diisi." in text
    assert "Lembar Indikator, baris 6: Sasaran Strategis untuk kode S9 berbeda dengan baris 2." in text
    assert "Lembar Program, baris 2: Kode Program Induk: program 9.99 tidak ada pada lembar ini." in text
    assert (_count(app, Indikator), _count(app, Sasaran)) == before


def test_a_file_that_is_not_a_workbook(app, client, w):
    sign_in(client, "perencana@uji.test", PASSWORD)
    response = upload(client, w, b"%PDF-1.4 bukan xlsx", "isi.xlsx")
    assert response.status_code == 422 and "Berkas bukan XLSX yang dapat dibaca." in response.get_data(as_text=True)
    book = Workbook()
    book.active.title = "Lain"
    out = io.BytesIO()
    book.save(out)
    response = upload(client, w, out.getvalue())
    assert response.status_code == 422 and "Lembar &#39;Indikator&#39; tidak ditemukan" in response.get_data(
        as_text=True)
