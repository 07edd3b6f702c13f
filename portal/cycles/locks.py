"""Whether an indicator's value may still change: data under review or signed off is
read-only, and the reason is shown where the value is."""
from sqlalchemy import select

from portal.cycles.models import Cycle, CycleItem
from portal.extensions import db

MEASURED = {"triwulan": lambda no: no, "semester": lambda no: 2 * no, "tahunan": lambda no: 4}


def entry_block(tenant_id: int, tahun: int, triwulan: int, indikator_id: int) -> str | None:
    """Why this value cannot be edited now (Bahasa Indonesia), or None."""
    rows = db.session.execute(
        select(Cycle, CycleItem).join(CycleItem, CycleItem.cycle_id == Cycle.id)
        .where(Cycle.tenant_id == tenant_id, Cycle.tahun == tahun, CycleItem.indikator_id == indikator_id)).all()
    for cycle, item in rows:
        if MEASURED[cycle.period_kind](cycle.period_no) != triwulan:
            continue
        if item.state == "disahkan":
            return (f"Terkunci: {cycle.lock_reason or 'data sudah disahkan.'} "
                    "Kepala dapat membuka kembali dengan alasan.")
        if item.state == "diajukan":
            return "Sudah diajukan dan sedang direviu; nilai dapat diubah lagi bila dikembalikan."
    return None


def blocks_for(tenant_id: int, tahun: int, triwulan: int, indikator_ids: list[int]) -> dict[int, str]:
    """entry_block for many indicators with one query (the data-entry page)."""
    if not indikator_ids:
        return {}
    rows = db.session.execute(
        select(Cycle, CycleItem).join(CycleItem, CycleItem.cycle_id == Cycle.id)
        .where(Cycle.tenant_id == tenant_id, Cycle.tahun == tahun, CycleItem.indikator_id.in_(indikator_ids))).all()
    out: dict[int, str] = {}
    for cycle, item in rows:
        if MEASURED[cycle.period_kind](cycle.period_no) != triwulan or item.indikator_id in out:
            continue
        if item.state == "disahkan":
            out[item.indikator_id] = (f"Terkunci: {cycle.lock_reason or 'data sudah disahkan.'} "
                                      "Kepala dapat membuka kembali dengan alasan.")
        elif item.state == "diajukan":
            out[item.indikator_id] = "Sudah diajukan dan sedang direviu; nilai dapat diubah lagi bila dikembalikan."
    return out
