"""The bulk statements behind gather(): each reads one table for every OPD of the scope
at once (never one statement per OPD)."""
from sqlalchemy import func, select

from portal.auth.models import User
from portal.cycles.models import Cycle, CycleItem, CycleSnapshot, ItemState
from portal.extensions import db
from portal.indicators.capaian import RuleSet
from portal.indicators.kategori import KATEGORI_PERMENDAGRI_86_2017, KategoriScale
from portal.indicators.models import IndicatorSettings, Indikator
from portal.tenancy.models import Tenant

PERIOD_KINDS = {"triwulan": 4, "semester": 2, "tahunan": 1}


def measured_triwulan(kind: str, no: int) -> int:
    return {"triwulan": no, "semester": 2 * no, "tahunan": 4}[kind]


def scope_filter(scope: Tenant, opd, pemda):
    if scope.level == "opd":
        return opd.id == scope.id
    if scope.level == "pemda":
        return pemda.id == scope.id
    return pemda.parent_id == scope.id


class Stream:
    """Rows of one statement ordered by OPD (the same order as the OPD list)."""

    def __init__(self, result, key: str = "opd_id"):
        self._it = iter(result.mappings())
        self._key = key
        self._head = next(self._it, None)

    def take(self, opd_id: int) -> list:
        out = []
        while self._head is not None and self._head[self._key] == opd_id:
            out.append(self._head)
            self._head = next(self._it, None)
        return out


def settings(scope, opd, pemda, where) -> dict[int, RuleSet]:
    ids = select(opd.id).join(pemda, pemda.id == opd.parent_id).where(where)
    pemda_ids = select(pemda.id).join(opd, opd.parent_id == pemda.id).where(where)
    out = {}
    for row in db.session.scalars(select(IndicatorSettings).where(
            IndicatorSettings.tenant_id.in_(ids) | IndicatorSettings.tenant_id.in_(pemda_ids))):
        kategori = KategoriScale.from_dict(row.kategori) if row.kategori else KATEGORI_PERMENDAGRI_86_2017
        out[row.tenant_id] = RuleSet(negative_rule=row.negative_rule, kategori=kategori)
    return out


def scope_rules(scope: Tenant, settings: dict[int, RuleSet]) -> RuleSet:
    if scope.id in settings:
        return settings[scope.id]
    if scope.parent_id in settings and scope.level == "opd":
        return settings[scope.parent_id]
    return RuleSet()


def measured_cycles(scoped, tahun: int, n: int) -> dict[int, tuple]:
    rows = db.session.execute(scoped(select(Cycle.id, Cycle.period_kind, Cycle.period_no, Cycle.status,
                                            Cycle.revision).where(Cycle.tahun == tahun), Cycle.tenant_id)).all()
    return {r.id: r for r in rows if measured_triwulan(r.period_kind, r.period_no) == n}


def signers(scoped, tahun: int) -> dict[tuple[int, int], tuple[str, object]]:
    """(cycle id, revision) -> (who signed, when)."""
    rows = db.session.execute(scoped(
        select(CycleSnapshot.cycle_id, CycleSnapshot.revision, User.name, func.max(CycleSnapshot.signed_at))
        .select_from(CycleSnapshot).join(User, User.id == CycleSnapshot.signed_by_id, isouter=True)
        .join(Cycle, Cycle.id == CycleSnapshot.cycle_id).where(Cycle.tahun == tahun)
        .group_by(CycleSnapshot.cycle_id, CycleSnapshot.revision, User.name), CycleSnapshot.tenant_id)).all()
    return {(c, r): (name or "", at) for c, r, name, at in rows}


def reopened_snapshots(scoped, measured: dict, n: int) -> dict[int, tuple]:
    """Indicator id -> (values, cycle id, revision) of the last sign-off of a reopened cycle."""
    reopened = [c.id for c in measured.values() if c.revision > 0 and c.status == "berjalan"]
    if not reopened:
        return {}
    out = {}
    rows = db.session.execute(scoped(select(CycleSnapshot.indikator_id, CycleSnapshot.values,
                                            CycleSnapshot.cycle_id, CycleSnapshot.revision)
                                     .where(CycleSnapshot.cycle_id.in_(reopened)), CycleSnapshot.tenant_id)
                              .order_by(CycleSnapshot.revision)).all()
    for ind_id, values, cycle_id, revision in rows:
        out[ind_id] = (values, cycle_id, revision)
    return out


def any_unsigned(scoped, sets, measured) -> bool:
    # Signed now, or signed before and reopened (the last signed value is printed).
    cycles = list(measured) or [-1]
    signed = select(CycleItem.indikator_id) \
        .where(CycleItem.cycle_id.in_(cycles), CycleItem.state == ItemState.DISAHKAN) \
        .union(select(CycleSnapshot.indikator_id).where(CycleSnapshot.cycle_id.in_(cycles)))
    total = db.session.scalar(scoped(select(func.count(Indikator.id)).where(
        Indikator.set_id.in_(sets), Indikator.id.not_in(signed)), Indikator.tenant_id))
    return bool(total)
