"""Bukti dukung: recognised by content, limited in size, kept in the database, scoped."""
import hashlib
import io
import zipfile

import pytest
import sqlalchemy as sa

from portal import safe_files
from portal.extensions import db
from portal.indikator.models import BuktiDukung, FileBlob
from tests.conftest import post, sign_in
from tests.factories import PASSWORD
from tests.test_indicators_entry import build

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def _zip(*names) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.fixture
def app_config():
    return {"UPLOAD_MAX_BYTES": 4096, "MAX_CONTENT_LENGTH": 64 * 1024}


@pytest.fixture
def w(app):
    return build(app)


def upload_url(w, name="positif"):
    return f"/t/{w['slug']}/bukti/{w['period']}/{w['ids'][name]}/"


def upload(client, w, data: bytes, filename: str, url=None):
    return post(client, url or upload_url(w), {"berkas": (io.BytesIO(data), filename)}, htmx=True,
                content_type="multipart/form-data")


def rows(app):
    with app.app_context():
        return db.session.scalars(sa.select(BuktiDukung).order_by(BuktiDukung.id)).all()


def test_sniff_by_content_not_name():
    assert safe_files.sniff(PDF) == "pdf"
    assert safe_files.sniff(PNG) == "png"
    assert safe_files.sniff(JPEG) == "jpeg"
    assert safe_files.sniff(_zip("[Content_Types].xml", "xl/workbook.xml")) == "xlsx"
    assert safe_files.sniff(_zip("[Content_Types].xml", "word/document.xml")) == "docx"
    assert safe_files.sniff(_zip("readme.txt")) is None
    assert safe_files.sniff(EXE) is None
    assert safe_files.sniff(b"PK\x03\x04 not really a zip") is None
    assert safe_files.clean_filename("../../laporan.pdf", "png") == "laporan.pdf.png"
    assert safe_files.clean_filename("C:\\data\\Foto\u0000.JPG", "jpeg") == "Foto.JPG"


def test_upload_list_and_download(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    response = upload(client, w, PDF, "Laporan TW II – Puskesmas.pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "tersimpan" in html
    assert "Laporan TW II – Puskesmas.pdf" in html and "Budi Santoso" in html
    [row] = rows(app)
    assert row.kind == "pdf" and row.size == len(PDF) and row.sha256 == hashlib.sha256(PDF).hexdigest()
    with app.app_context():
        assert db.session.get(FileBlob, row.blob_id).data == PDF
    download = client.get(f"/t/{w['slug']}/bukti/{row.id}/unduh")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Laporan TW II  Puskesmas.pdf"' in disposition   # the ASCII fallback
    assert "filename*=UTF-8''Laporan%20TW%20II%20%E2%80%93%20Puskesmas.pdf" in disposition
    # a reviewer of the tenant may download; other tenants get 404
    sign_in(client, "kepala@uji.test", PASSWORD)
    assert client.get(f"/t/{w['slug']}/bukti/{row.id}/unduh").status_code == 200
    sign_in(client, "asing@uji.test", PASSWORD)
    assert client.get(f"/t/{w['slug']}/bukti/{row.id}/unduh").status_code == 404
    assert client.get(f"/t/{w['sibling']}/bukti/{row.id}/unduh").status_code == 404


@pytest.mark.parametrize("data, name, kind", [
    (PNG, "foto.png", "png"), (JPEG, "foto.jpeg", "jpeg"),
    (_zip("xl/workbook.xml"), "rekap.xlsx", "xlsx"), (_zip("word/document.xml"), "notulen.docx", "docx"),
    (PDF, "laporan", "pdf"),
])
def test_accepted_kinds(app, client, w, data, name, kind):
    sign_in(client, "budi@uji.test", PASSWORD)
    assert upload(client, w, data, name).status_code == 200
    assert [r.kind for r in rows(app)] == [kind]


def test_renamed_executable_and_empty_file_are_refused(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    response = upload(client, w, EXE, "laporan.pdf")
    assert response.status_code == 422
    assert "Jenis berkas tidak dikenali dari isinya" in response.get_data(as_text=True)
    response = upload(client, w, _zip("evil.exe"), "rekap.xlsx")
    assert response.status_code == 422
    response = upload(client, w, b"", "kosong.pdf")
    assert response.status_code == 422 and "Berkas kosong" in response.get_data(as_text=True)
    response = post(client, upload_url(w), {}, htmx=True)
    assert response.status_code == 422 and "Pilih berkas" in response.get_data(as_text=True)
    assert rows(app) == []


def test_size_limit_and_oversized_body(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    response = upload(client, w, PDF + b"0" * 5000, "besar.pdf")
    assert response.status_code == 422
    assert "Berkas terlalu besar" in response.get_data(as_text=True) and "4 KB" in response.get_data(as_text=True)
    response = upload(client, w, PDF + b"0" * 70 * 1024, "sangat-besar.pdf")
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "Berkas terlalu besar" in text and "Ukuran maksimal 4 KB" in text
    assert "<html" not in text                       # a short message the layout shows
    assert rows(app) == []


def test_replace_and_remove_are_recorded(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    upload(client, w, PDF, "v1.pdf")
    [first] = rows(app)
    response = post(client, f"/t/{w['slug']}/bukti/{first.id}/ganti",
                    {"berkas": (io.BytesIO(PNG), "v2.png")}, htmx=True, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "v1.pdf diganti dengan v2.png" in html
    assert "Riwayat berkas (1)" in html and "diganti oleh Budi Santoso" in html
    old, new = rows(app)
    assert (old.status, old.replaced_by_id, new.status) == ("diganti", new.id, "aktif")
    sign_in(client, "sari@uji.test", PASSWORD)
    response = post(client, f"/t/{w['slug']}/bukti/{new.id}/hapus", {}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Riwayat berkas (2)" in html and "dihapus oleh Sari Wulandari" in html
    assert [r.status for r in rows(app)] == ["diganti", "dihapus"]
    again = post(client, f"/t/{w['slug']}/bukti/{new.id}/hapus", {}, htmx=True)
    assert again.status_code == 409 and "sudah dihapus oleh Sari Wulandari" in again.get_data(as_text=True)
    # the old files stay downloadable from the history
    assert client.get(f"/t/{w['slug']}/bukti/{old.id}/unduh").data == PDF
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(FileBlob.id))) == 2
        from portal.audit import services as audit
        from portal.tenancy.models import Tenant
        events = audit.for_indikator(db.session.get(Tenant, w["opd_id"]), w["ids"]["positif"])
        assert [(e.action, e.old_value, e.new_value, e.user.name) for e in events] == [
            ("bukti.unggah", "", "v1.pdf", "Budi Santoso"), ("bukti.unggah", "", "v2.png", "Budi Santoso"),
            ("bukti.ganti", "v1.pdf", "v2.png", "Budi Santoso"), ("bukti.hapus", "v2.png", "", "Sari Wulandari")]


def test_only_own_unit_may_upload_replace_or_remove(app, client, w):
    sign_in(client, "budi@uji.test", PASSWORD)
    upload(client, w, PDF, "v1.pdf")
    [row] = rows(app)
    sign_in(client, "lain@uji.test", PASSWORD)
    assert upload(client, w, PDF, "x.pdf").status_code == 403
    assert post(client, f"/t/{w['slug']}/bukti/{row.id}/hapus", {}, htmx=True).status_code == 403
    sign_in(client, "asing@uji.test", PASSWORD)
    assert post(client, f"/t/{w['slug']}/bukti/{row.id}/hapus", {}, htmx=True).status_code == 404
    assert post(client, f"/t/{w['sibling']}/bukti/{row.id}/hapus", {}, htmx=True).status_code == 404
    assert [r.status for r in rows(app)] == ["aktif"]
