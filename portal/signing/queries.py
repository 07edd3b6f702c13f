"""Reading signed figures. ONE rule says which record is "the latest signed revision",
`latest()`; every reader goes through it: the pages of a signed period (signed_now,
signed_figures), the exports (latest_ids inside their bulk statements), the oversight
comparison (latest_of_indicators) and the locks (portal/signing/locks.py).

The rule: a record belongs to the latest revision when its revision is its cycle's
revision. A cycle's revision counts its sign-offs and only a sign-off raises it, so
while a reopened cycle is corrected its last signed revision stays the latest, and the
next sign-off replaces it everywhere at once. (Cycle.signed_figures, the cycle page's
relationship, is the same rule seen from one cycle: portal/cycles sits below signing.)
One OPD measures a triwulan in one cycle only (portal/cycles/engine.py refuses overlaps),
so (OPD, indikator, tahun, triwulan) has one latest record."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.cycles.models import Cycle, CycleItem, ItemState
from portal.extensions import db
from portal.signing.models import SignedFigure


def latest(*conditions, columns=None):
    """A select of the latest signed revision's records (or `columns` of them) that meet
    `conditions` (on SignedFigure or Cycle)."""
    return (select(*(columns or (SignedFigure,)))
            .join(Cycle, (Cycle.id == SignedFigure.cycle_id) & (Cycle.revision == SignedFigure.revision))
            .where(*conditions))


def signed_figures(opd_ids, tahun: int, triwulan: int) -> dict[int, list[SignedFigure]]:
    """The latest signed revision of each indicator of these OPDs for the measured
    triwulan (s.d. TW n) of the year, by OPD, in indicator order (sasaran, kode)."""
    opd_ids = list(opd_ids)
    out: dict[int, list[SignedFigure]] = {i: [] for i in opd_ids}
    if not opd_ids:
        return out
    figures = db.session.scalars(
        latest(SignedFigure.tenant_id.in_(opd_ids), SignedFigure.tahun == tahun, SignedFigure.triwulan == triwulan)
        .options(selectinload(SignedFigure.values)))
    for figure in sorted(figures, key=lambda f: (f.sasaran_kode, f.kode)):
        out[figure.tenant_id].append(figure)
    return out


def signed_now(tenant_id: int, tahun: int, triwulan: int, indikator_ids) -> dict[int, SignedFigure]:
    """For the rows of a period's page: the record of each indicator whose value for
    this triwulan stands signed now (its cycle item 'disahkan', not reopened), by indikator id."""
    indikator_ids = list(indikator_ids)
    if not indikator_ids:
        return {}
    figures = db.session.scalars(
        latest(SignedFigure.tenant_id == tenant_id, SignedFigure.tahun == tahun, SignedFigure.triwulan == triwulan,
               SignedFigure.indikator_id.in_(indikator_ids), CycleItem.state == ItemState.DISAHKAN)
        .join(CycleItem, (CycleItem.cycle_id == Cycle.id) & (CycleItem.indikator_id == SignedFigure.indikator_id))
        .options(selectinload(SignedFigure.values)))
    return {f.indikator_id: f for f in figures}


def latest_ids(tahun: int, triwulan: int, tenant_ids):
    """For bulk statements (exports): a select of the ids of the latest signed revision of
    each (OPD, indikator) for the measured triwulan of the year, among the OPDs
    `tenant_ids` (a select or a list)."""
    return latest(SignedFigure.tenant_id.in_(tenant_ids), SignedFigure.tahun == tahun,
                  SignedFigure.triwulan == triwulan, columns=(SignedFigure.id,))


def latest_of_indicators(indikator_ids, tahun: int) -> dict[tuple[int, int], SignedFigure]:
    """The latest signed revision of each of these indicators for each measured triwulan
    of the year, by (indikator id, triwulan): one statement, for comparisons across OPDs."""
    indikator_ids = list(indikator_ids)
    if not indikator_ids:
        return {}
    figures = db.session.scalars(latest(SignedFigure.indikator_id.in_(indikator_ids), SignedFigure.tahun == tahun))
    return {(f.indikator_id, f.triwulan): f for f in figures}


def of_cycle(cycle: Cycle) -> list[SignedFigure]:
    """The latest signed revision of a cycle (also while it is reopened), in indicator order."""
    figures = db.session.scalars(latest(SignedFigure.cycle_id == cycle.id, SignedFigure.tenant_id == cycle.tenant_id)
                                 .options(selectinload(SignedFigure.values)))
    return sorted(figures, key=lambda f: (f.sasaran_kode, f.kode))
