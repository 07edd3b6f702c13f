"""What the Kepala sees before signing: every indicator of the cycle with its realisasi,
capaian, kategori and status, computed as the sign-off will record it, and a
fingerprint of those inputs so that a sign-off is refused if anything changed after
the page was shown."""
import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from portal.capaian import settings as capaian_settings
from portal.capaian.figures import Figures, angka, figures
from portal.cycles.engine import measured_triwulan
from portal.cycles.models import Cycle, CycleItem
from portal.extensions import db
from portal.indikator.models import Indikator, Realisasi
from portal.indikator.services import INDIKATOR_FIELDS


@dataclass
class PreviewRow:
    item: CycleItem
    ind: Indikator
    figures: Figures
    target_sd: str


def _values(cycle: Cycle) -> dict[int, list]:
    ids = [i.indikator_id for i in cycle.items]
    values: dict[int, list] = {i: [None] * 4 for i in ids}
    if ids:
        for row in db.session.scalars(select(Realisasi).where(Realisasi.tenant_id == cycle.tenant_id,
                                                              Realisasi.indikator_id.in_(ids))):
            values[row.indikator_id][row.triwulan - 1] = row
    return values


def preview(cycle: Cycle) -> list[PreviewRow]:
    n = measured_triwulan(cycle.period_kind, cycle.period_no)
    values = _values(cycle)
    rules = capaian_settings.effective(cycle.tenant).rules
    out = []
    for item in cycle.items:
        ind = item.indikator
        if ind.jenis_target == "rentang":
            target = f"{angka(ind.target_bawah) or '—'}–{angka(ind.target_atas) or '—'}"
        elif ind.jenis_target == "predikat":
            target = ind.target_predikat or "—"
        else:
            target = angka(ind.target_sd(n)) or "—"
        out.append(PreviewRow(item, ind, figures(ind, values[ind.id], n, rules), target))
    return out


def fingerprint(cycle: Cycle) -> str:
    """A digest of everything the figures shown are computed from: each indicator's
    definition and frozen rules, and its realisasi rows up to the measured triwulan."""
    n = measured_triwulan(cycle.period_kind, cycle.period_no)
    values = _values(cycle)
    digest = hashlib.sha256()
    for item in sorted(cycle.items, key=lambda i: i.indikator_id):
        ind = item.indikator
        digest.update(repr((ind.id, item.state, item.stage, [str(getattr(ind, f)) for f in INDIKATOR_FIELDS],
                            repr(ind.rules))).encode())
        for row in values[ind.id][:n]:
            digest.update(repr((row.id, row.revision) if row else None).encode())
    return digest.hexdigest()
