"""Reading indicator rows that several areas show: the bukti dukung of a triwulan (the
data-entry page, portal/realisasi/, and the signed record, portal/signing/capture.py)."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.indikator.models import BuktiDukung


def bukti_of_rows(tenant_id: int, indikator_ids: list[int], triwulan: int) -> dict[int, list[BuktiDukung]]:
    """Every bukti dukung (active first, then history) of the indicators in the triwulan."""
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
