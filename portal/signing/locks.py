"""Whether an indicator's value may still change: data under review or signed off is
read-only, and the reason is shown where the value is: what is signed stays signed.

A value is also read-only while a later triwulan's figure that rolls it up is signed
off or under review: TW I of a kumulatif indicator is part of R s.d. TW II, so saving
TW I (say in a TW I cycle started after TW II was signed) would change a signed TW II.
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.cycles.models import Cycle, CycleItem, ItemState
from portal.cycles.policy import measured_triwulan
from portal.extensions import db
from portal.indikator.models import Indikator
from portal.numbers import TW
from portal.signing.models import SignedFigure
from portal.signing.queries import latest

ROLLING = ("kumulatif", "rata_rata")  # every quarter up to TW n counts


def realisasi_block(tenant_id: int, tahun: int, triwulan: int, indikator_id: int) -> str | None:
    """Why this value cannot be edited now (Bahasa Indonesia), or None."""
    return blocks_for(tenant_id, tahun, triwulan, [indikator_id]).get(indikator_id)


def blocks_for(tenant_id: int, tahun: int, triwulan: int, indikator_ids: list[int]) -> dict[int, str]:
    """realisasi_block for many indicators with a fixed number of queries (the data-entry page)."""
    if not indikator_ids:
        return {}
    rows = db.session.execute(
        select(Cycle, CycleItem).join(CycleItem, CycleItem.cycle_id == Cycle.id)
        .where(Cycle.tenant_id == tenant_id, Cycle.tahun == tahun, CycleItem.indikator_id.in_(indikator_ids))).all()
    out: dict[int, str] = {}
    later_review: dict[int, int] = {}
    for cycle, item in rows:
        measured = measured_triwulan(cycle.period_kind, cycle.period_no)
        if measured > triwulan and item.state == ItemState.DIAJUKAN:
            later_review.setdefault(item.indikator_id, measured)
        if measured != triwulan or item.indikator_id in out:
            continue
        if item.state == ItemState.DISAHKAN:
            out[item.indikator_id] = (f"Terkunci: {cycle.lock_reason or 'data sudah disahkan.'} "
                                      "Kepala dapat membuka kembali dengan alasan.")
        elif item.state == ItemState.DIAJUKAN:
            out[item.indikator_id] = "Sudah diajukan dan sedang direviu; nilai dapat diubah lagi bila dikembalikan."
    rest = [i for i in indikator_ids if i not in out]
    out.update(_signed_later(tenant_id, tahun, triwulan, rest))
    if later_review:
        sifat = dict(db.session.execute(select(Indikator.id, Indikator.sifat).where(
            Indikator.tenant_id == tenant_id, Indikator.id.in_(list(later_review)),
            Indikator.jenis_target != "predikat")).all())
        for indikator_id, measured in later_review.items():
            if indikator_id not in out and sifat.get(indikator_id) in ROLLING:
                out[indikator_id] = (f"Nilai TW {TW[triwulan - 1]} ikut dihitung dalam realisasi s.d. "
                                     f"TW {TW[measured - 1]} yang sedang direviu; tidak dapat diubah sekarang.")
    return out


def rolls_up(figure: SignedFigure, triwulan: int) -> bool:
    """Whether the signed R s.d. TW n depends on (or would change with) this quarter's
    value: always for kumulatif and rata-rata; for nilai akhir and predikat only when
    no later quarter up to TW n has a value (the latest value given is taken; a quarter
    "tidak berlaku" is skipped, so the one before it counts)."""
    if figure.triwulan <= triwulan:
        return False
    if figure.jenis_target != "predikat" and figure.sifat in ROLLING:
        return True
    return not any(v.nilai is not None or v.predikat is not None
                   for v in figure.values if triwulan < v.triwulan <= figure.triwulan)


def _signed_later(tenant_id: int, tahun: int, triwulan: int, indikator_ids: list[int]) -> dict[int, str]:
    if not indikator_ids:
        return {}
    figures = db.session.scalars(
        latest(SignedFigure.tenant_id == tenant_id, SignedFigure.tahun == tahun,
               SignedFigure.indikator_id.in_(indikator_ids), SignedFigure.triwulan > triwulan,
               Cycle.locked.is_(True))
        .options(selectinload(SignedFigure.values)).order_by(SignedFigure.triwulan.desc()))
    out: dict[int, str] = {}
    for figure in figures:
        if figure.indikator_id not in out and rolls_up(figure, triwulan):
            out[figure.indikator_id] = (
                f"Terkunci: nilai TW {TW[triwulan - 1]} ikut dihitung dalam realisasi s.d. TW "
                f"{TW[figure.triwulan - 1]} ({figure.period_label}) yang sudah disahkan oleh "
                f"{figure.signed_by_name}. Mengubahnya akan mengubah angka yang disahkan; "
                "Kepala dapat membuka kembali siklus itu dengan alasan.")
    return out
