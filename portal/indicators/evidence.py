"""Bukti dukung: files attached to an indicator in a triwulan.

Where the bytes live: in the database (FileBlob), not on the app server's disk. The
portal runs as several app servers behind a load balancer; a file written to one
server's disk is missing on the others, and a shared network disk is one more thing
to provision, back up and keep consistent. The database is already shared by every
server, is backed up, and stores a file in the same transaction as the row that
describes it, so a failed upload leaves no orphan and a tenant-scoped query finds
exactly the tenant's files. Files are small (UPLOAD_MAX_BYTES, 10 MB by default) and
read rarely, so the cost in database size is acceptable; the blob sits in its own
table so that listing files never reads their bytes.

A file is recognised by its content (magic bytes; for XLSX and DOCX the zip must hold
xl/workbook.xml or word/document.xml), never by its name or the browser's type.
Replacing or removing a file flags the old row with who and when; nothing is deleted.
"""
import hashlib
import io
import os
import unicodedata
import zipfile

from sqlalchemy import select

from portal import problems
from portal.audit import services as audit
from portal.columns import utcnow
from portal.extensions import db
from portal.indicators.models import BuktiDukung, FileBlob, Indikator
from portal.tenancy.models import Tenant

KINDS = {
    "pdf": ("application/pdf", ".pdf", "PDF"),
    "jpeg": ("image/jpeg", ".jpg", "JPEG"),
    "png": ("image/png", ".png", "PNG"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "XLSX"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "DOCX"),
}
EXTENSIONS = {".jpeg": "jpeg", ".jpg": "jpeg", ".pdf": "pdf", ".png": "png", ".xlsx": "xlsx", ".docx": "docx"}
ALLOWED_TEXT = "PDF, JPEG, PNG, XLSX atau DOCX"


class BuktiError(problems.Invalid, ValueError):
    """An upload refused, with the reason for the user (422)."""


def sniff(data: bytes) -> str | None:
    """The kind of file the bytes are, or None when it is none of the accepted kinds."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())  # the central directory only; nothing is inflated
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
    return None


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def clean_filename(name: str, kind: str) -> str:
    """A display/download name: no path, no control characters, the extension of its kind."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    stem, ext = os.path.splitext(name)
    if EXTENSIONS.get(ext.lower()) != kind:
        stem = name  # keep what the user called it, add the real extension
        ext = KINDS[kind][1]
    stem = stem[:200] or "bukti-dukung"
    return stem + ext


def check(data: bytes, max_bytes: int) -> str:
    """The kind of an acceptable upload, else BuktiError with the reason."""
    if not data:
        raise BuktiError("Berkas kosong. Pilih berkas bukti dukung.")
    if len(data) > max_bytes:
        raise BuktiError(f"Berkas terlalu besar ({size_text(len(data))}). Ukuran maksimal {size_text(max_bytes)}.")
    kind = sniff(data)
    if kind is None:
        raise BuktiError(f"Jenis berkas tidak dikenali dari isinya. Unggah {ALLOWED_TEXT}.")
    return kind


def store(ind: Indikator, triwulan: int, filename: str, data: bytes, user, max_bytes: int) -> BuktiDukung:
    """Keep an uploaded file as bukti dukung of the indicator in the triwulan."""
    kind = check(data, max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    blob = FileBlob(tenant_id=ind.tenant_id, data=data, size=len(data), sha256=digest)
    db.session.add(blob)
    db.session.flush()
    row = BuktiDukung(
        tenant_id=ind.tenant_id, indikator_id=ind.id, triwulan=triwulan, blob_id=blob.id,
        filename=clean_filename(filename, kind), kind=kind, content_type=KINDS[kind][0],
        size=len(data), sha256=digest, uploaded_by_id=user.id if user else None, status="aktif",
    )
    db.session.add(row)
    db.session.flush()
    _audit(row, user, "bukti.unggah", new=row.filename)
    return row


def _audit(row: BuktiDukung, user, action: str, old: str = "", new: str = "") -> None:
    tenant = db.session.get(Tenant, row.tenant_id)
    audit.record(tenant, user, action, "bukti_dukung", row.id, indikator_id=row.indikator_id,
                 field=f"TW {row.triwulan} bukti dukung", old=old, new=new)


class Ended(problems.Conflict):
    """A replace/remove refused because someone else already replaced or removed the
    file (a stale write: `portal.problems.Conflict`, returned so the view can answer
    with the list again)."""

    def __init__(self, row: BuktiDukung):
        what = "diganti" if row.status == "diganti" else "dihapus"
        who = row.ended_by.name if row.ended_by else "pengguna lain"
        super().__init__(f"Berkas ini sudah {what} oleh {who}. Muat ulang daftar bukti dukung.")
        self.row = row


def _end(row: BuktiDukung, status: str, user) -> None:
    row.status = status
    row.ended_at = utcnow()
    row.ended_by_id = user.id if user else None


def replace(row: BuktiDukung, filename: str, data: bytes, user, max_bytes: int) -> BuktiDukung | Ended:
    if row.status != "aktif":
        return Ended(row)
    ind = db.session.get(Indikator, row.indikator_id)
    new = store(ind, row.triwulan, filename, data, user, max_bytes)
    _end(row, "diganti", user)
    row.replaced_by_id = new.id
    db.session.flush()
    _audit(row, user, "bukti.ganti", old=row.filename, new=new.filename)
    return new


def remove(row: BuktiDukung, user) -> BuktiDukung | Ended:
    if row.status != "aktif":
        return Ended(row)
    _end(row, "dihapus", user)
    db.session.flush()
    _audit(row, user, "bukti.hapus", old=row.filename)
    return row


def of_rows(tenant_id: int, indikator_ids: list[int], triwulan: int) -> dict[int, list[BuktiDukung]]:
    """Every bukti dukung (active first, then history) of the indicators in the triwulan."""
    from sqlalchemy.orm import selectinload

    out: dict[int, list[BuktiDukung]] = {i: [] for i in indikator_ids}
    if not indikator_ids:
        return out
    rows = db.session.scalars(
        select(BuktiDukung)
        .where(BuktiDukung.tenant_id == tenant_id, BuktiDukung.indikator_id.in_(indikator_ids),
               BuktiDukung.triwulan == triwulan)
        .options(selectinload(BuktiDukung.uploaded_by), selectinload(BuktiDukung.ended_by))
        .order_by(BuktiDukung.uploaded_at, BuktiDukung.id))
    for row in rows:
        out[row.indikator_id].append(row)
    return out


def content(row: BuktiDukung) -> bytes:
    blob = db.session.scalar(select(FileBlob).where(FileBlob.tenant_id == row.tenant_id,
                                                    FileBlob.id == row.blob_id))
    return blob.data
