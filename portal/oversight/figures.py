"""Figures of linked indicators for comparison: the ONE function oversight reads
realisasi and capaian through. A signed period shows its signing record (portal.signing:
the latest signed revision, also while its cycle is reopened), whatever changed in the
definition or the live rows since; only a period never signed is computed from the live
Realisasi rows (portal/capaian/figures.py), and is marked as such.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from portal.capaian import figures as capaian_figures
from portal.capaian import settings as capaian_settings
from portal.capaian.values import DIHITUNG
from portal.extensions import db
from portal.indikator.models import IndicatorSet, Indikator, Realisasi
from portal.oversight.models import IndicatorLink
from portal.oversight.queries import opds_below
from portal.signing.queries import latest_of_indicators
from portal.tenancy.lanes import Level
from portal.tenancy.models import Tenant

LIVE = "Belum disahkan (data berjalan)"


@dataclass
class LinkedFigure:
    ind: Indikator
    opd: Tenant
    pemda_name: str
    target: Decimal | None
    realisasi: str
    capaian: Decimal | None
    capaian_text: str
    kategori: str | None
    trend: list[Decimal | None] = field(default_factory=list)   # capaian TW I..IV
    satuan: str = ""
    status: str = ""           # "Disahkan (revisi n)" or LIVE
    signed: bool = False

    @property
    def label(self) -> str:
        return f"{self.pemda_name} · {self.opd.display_name}" if self.pemda_name else self.opd.display_name


def linked_figures(viewer: Tenant, reference_id: int, tahun: int, triwulan: int) -> list[LinkedFigure]:
    """Target s.d. TW n, realisasi s.d. TW n and capaian of each indicator linked to the
    reference in the OPDs below the viewer, for the year; with the capaian trend TW I-IV."""
    rows = db.session.execute(
        select(Indikator, Tenant)
        .join(IndicatorLink, IndicatorLink.indikator_id == Indikator.id)
        .join(IndicatorSet, IndicatorSet.id == Indikator.set_id).join(Tenant, Tenant.id == Indikator.tenant_id)
        .where(IndicatorLink.reference_id == reference_id, IndicatorLink.tenant_id.in_(opds_below(viewer)),
               IndicatorSet.tahun == tahun)).all()
    values: dict[int, list] = {ind.id: [None] * 4 for ind, _ in rows}
    for row in db.session.scalars(select(Realisasi).where(Realisasi.indikator_id.in_(list(values)))):
        if 1 <= row.triwulan <= 4:
            values[row.indikator_id][row.triwulan - 1] = row
    signed = latest_of_indicators(values, tahun)
    rules = {}
    out = []
    for ind, opd in rows:
        if opd.id not in rules:
            rules[opd.id] = capaian_settings.effective(opd).rules
        trend = []
        for n in range(1, 5):
            f, _ = _figures_at(ind, n, signed, values[ind.id], rules[opd.id])
            trend.append(f.capaian.value if f.capaian.state == DIHITUNG else None)
        f, record = _figures_at(ind, triwulan, signed, values[ind.id], rules[opd.id])
        pemda = opd.parent
        out.append(LinkedFigure(
            ind, opd, pemda.display_name if pemda and pemda.level == Level.PEMDA else "",
            record.target_sd if record else ind.target_sd(triwulan), f.realisasi_sd,
            f.capaian.value if f.capaian.state == DIHITUNG else None, f.capaian.display(), f.kategori, trend,
            record.satuan if record else ind.satuan,
            f"Disahkan (revisi {record.revision})" if record else LIVE, record is not None))
    out.sort(key=lambda x: x.label)
    return out


def _figures_at(ind: Indikator, n: int, signed: dict, values: list, rules):
    """The signed record's figures for s.d. TW n if that period was signed, else live."""
    record = signed.get((ind.id, n))
    if record is not None:
        return record.figures(), record
    return capaian_figures.figures(ind, values, n, rules), None
