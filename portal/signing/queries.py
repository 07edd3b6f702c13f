"""Reading signed figures: for the pages of a signed period, and for exports and
dashboards (signed_figures; latest_ids inside bulk statements)."""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.cycles.models import Cycle, CycleItem, ItemState
from portal.extensions import db
from portal.signing.models import SignedFigure


def _latest_per_indicator(figures) -> list[SignedFigure]:
    """The latest sign-off of each (tenant, indikator): figures come newest first."""
    seen, out = set(), []
    for figure in figures:
        key = (figure.tenant_id, figure.indikator_id)
        if key not in seen:
            seen.add(key)
            out.append(figure)
    return out


def signed_figures(opd_ids, tahun: int, triwulan: int) -> dict[int, list[SignedFigure]]:
    """The latest signed revision of each indicator of these OPDs for the measured
    triwulan (s.d. TW n) of the year, by OPD, in indicator order (sasaran, kode)."""
    opd_ids = list(opd_ids)
    out: dict[int, list[SignedFigure]] = {i: [] for i in opd_ids}
    if not opd_ids:
        return out
    figures = db.session.scalars(
        select(SignedFigure).options(selectinload(SignedFigure.values))
        .where(SignedFigure.tenant_id.in_(opd_ids), SignedFigure.tahun == tahun, SignedFigure.triwulan == triwulan)
        .order_by(SignedFigure.signed_at.desc(), SignedFigure.id.desc()))
    for figure in sorted(_latest_per_indicator(figures), key=lambda f: (f.sasaran_kode, f.kode)):
        out[figure.tenant_id].append(figure)
    return out


def signed_now(tenant_id: int, tahun: int, triwulan: int, indikator_ids) -> dict[int, SignedFigure]:
    """For the rows of a period's page: the record of each indicator whose value for
    this triwulan stands signed now (its cycle item 'disahkan'), by indikator id."""
    indikator_ids = list(indikator_ids)
    if not indikator_ids:
        return {}
    figures = db.session.scalars(
        select(SignedFigure).options(selectinload(SignedFigure.values))
        .join(Cycle, Cycle.id == SignedFigure.cycle_id)
        .join(CycleItem, (CycleItem.cycle_id == Cycle.id) & (CycleItem.indikator_id == SignedFigure.indikator_id))
        .where(SignedFigure.tenant_id == tenant_id, SignedFigure.tahun == tahun, SignedFigure.triwulan == triwulan,
               SignedFigure.indikator_id.in_(indikator_ids), SignedFigure.revision == Cycle.revision,
               CycleItem.state == ItemState.DISAHKAN)
        .order_by(SignedFigure.signed_at.desc(), SignedFigure.id.desc()))
    return {f.indikator_id: f for f in _latest_per_indicator(figures)}


def latest_ids(tahun: int, triwulan: int, tenant_ids):
    """For bulk statements (exports, dashboards): a select of the id of the latest signed
    revision of each (OPD, indikator) for the measured triwulan of the year, among the
    OPDs `tenant_ids` (a select or a list). Records are written once, in sign-off order,
    so the highest id is the latest revision."""
    return (select(func.max(SignedFigure.id))
            .where(SignedFigure.tenant_id.in_(tenant_ids), SignedFigure.tahun == tahun,
                   SignedFigure.triwulan == triwulan)
            .group_by(SignedFigure.tenant_id, SignedFigure.indikator_id))


def latest_of_indicators(indikator_ids, tahun: int) -> dict[tuple[int, int], SignedFigure]:
    """The latest signed revision of each of these indicators for each measured triwulan
    of the year, by (indikator id, triwulan): one statement, for comparisons across OPDs."""
    indikator_ids = list(indikator_ids)
    if not indikator_ids:
        return {}
    figures = db.session.scalars(
        select(SignedFigure).where(SignedFigure.indikator_id.in_(indikator_ids), SignedFigure.tahun == tahun)
        .order_by(SignedFigure.signed_at.desc(), SignedFigure.id.desc()))
    out: dict[tuple[int, int], SignedFigure] = {}
    for figure in figures:
        out.setdefault((figure.indikator_id, figure.triwulan), figure)
    return out
