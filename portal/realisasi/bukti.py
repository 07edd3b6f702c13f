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

A file is recognised by its content, never by its name or the browser's type
(portal/safe_files.py: check, clean_filename).
Replacing or removing a file flags the old row with who and when; nothing is deleted.
"""
import hashlib

from sqlalchemy import select

from portal import problems
from portal.audit import services as audit
from portal.columns import utcnow
from portal.extensions import db
from portal.indikator.models import BuktiDukung, BuktiStatus, FileBlob, Indikator
from portal.realisasi import services
from portal.safe_files import KINDS, check, clean_filename
from portal.tenancy.models import Tenant


def store(ind: Indikator, triwulan: int, filename: str, data: bytes, user, max_bytes: int) -> BuktiDukung:
    """Keep an uploaded file as bukti dukung of the indicator in the triwulan."""
    kind = check(data, max_bytes)
    services.hold(ind, triwulan)
    digest = hashlib.sha256(data).hexdigest()
    blob = FileBlob(tenant_id=ind.tenant_id, data=data, size=len(data), sha256=digest)
    db.session.add(blob)
    db.session.flush()
    row = BuktiDukung(
        tenant_id=ind.tenant_id, indikator_id=ind.id, triwulan=triwulan, blob_id=blob.id,
        filename=clean_filename(filename, kind), kind=kind, content_type=KINDS[kind][0],
        size=len(data), sha256=digest, uploaded_by_id=user.id if user else None, status=BuktiStatus.AKTIF,
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
        what = "diganti" if row.status == BuktiStatus.DIGANTI else "dihapus"
        who = row.ended_by.name if row.ended_by else "pengguna lain"
        super().__init__(f"Berkas ini sudah {what} oleh {who}. Muat ulang daftar bukti dukung.")
        self.row = row


def _end(row: BuktiDukung, status: str, user) -> None:
    row.status = status
    row.ended_at = utcnow()
    row.ended_by_id = user.id if user else None


def replace(row: BuktiDukung, filename: str, data: bytes, user, max_bytes: int) -> BuktiDukung | Ended:
    ind = db.session.get(Indikator, row.indikator_id)
    services.hold(ind, row.triwulan)
    if row.status != BuktiStatus.AKTIF:
        return Ended(row)
    new = store(ind, row.triwulan, filename, data, user, max_bytes)
    _end(row, BuktiStatus.DIGANTI, user)
    row.replaced_by_id = new.id
    db.session.flush()
    _audit(row, user, "bukti.ganti", old=row.filename, new=new.filename)
    return new


def remove(row: BuktiDukung, user) -> BuktiDukung | Ended:
    services.hold(db.session.get(Indikator, row.indikator_id), row.triwulan)
    if row.status != BuktiStatus.AKTIF:
        return Ended(row)
    _end(row, BuktiStatus.DIHAPUS, user)
    db.session.flush()
    _audit(row, user, "bukti.hapus", old=row.filename)
    return row


def content(row: BuktiDukung) -> bytes:
    blob = db.session.scalar(select(FileBlob).where(FileBlob.tenant_id == row.tenant_id,
                                                    FileBlob.id == row.blob_id))
    return blob.data
