"""Output documents of manual and archive steps, kept in the same blob store as the
bukti dukung (so every app server serves them) and checked by content the same way."""
import hashlib
import os

from portal.extensions import db
from portal.indikator.models import FileBlob
from portal.safe_files import EXTENSIONS, KINDS, check, clean_filename


def store_output(tenant, filename: str, data: bytes, max_bytes: int) -> tuple[str, FileBlob]:
    """Keep an uploaded output document; (clean filename, blob), or safe_files.UploadRefused."""
    kind = check(data, max_bytes)
    blob = FileBlob(tenant_id=tenant.id, data=data, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    db.session.add(blob)
    db.session.flush()
    return clean_filename(filename, kind), blob


def content_type(filename: str) -> str:
    """Stored names always end in their sniffed kind's extension (clean_filename)."""
    kind = EXTENSIONS.get(os.path.splitext(filename.lower())[1])
    return KINDS[kind][0] if kind else "application/octet-stream"

