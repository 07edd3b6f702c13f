"""The bulk statements behind gather(): each reads one table for every OPD of the scope
at once (never one statement per OPD)."""
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal.capaian.kategori import KATEGORI_PERMENDAGRI_86_2017, KategoriScale
from portal.capaian.models import IndicatorSettings
from portal.capaian.rules import RuleSet
from portal.cycles.models import Cycle
from portal.cycles.policy import measured_triwulan
from portal.extensions import db
from portal.indikator.models import Indikator
from portal.signing import queries as signing_queries
from portal.signing.models import SignedFigure
from portal.tenancy.lanes import Level
from portal.tenancy.models import Tenant


def scope_filter(scope: Tenant, opd, pemda):
    if scope.level == Level.OPD:
        return opd.id == scope.id
    if scope.level == Level.PEMDA:
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
    if scope.parent_id in settings and scope.level == Level.OPD:
        return settings[scope.parent_id]
    return RuleSet()


def measured_cycles(scoped, tahun: int, n: int) -> dict[int, tuple]:
    rows = db.session.execute(scoped(select(Cycle.id, Cycle.period_kind, Cycle.period_no, Cycle.status,
                                            Cycle.revision).where(Cycle.tahun == tahun), Cycle.tenant_id)).all()
    return {r.id: r for r in rows if measured_triwulan(r.period_kind, r.period_no) == n}


def latest_signed(scope: Tenant, tahun: int, n: int):
    """Ids of the latest signed figure of each indicator of the scope's OPDs (a select)."""
    opd, pemda = aliased(Tenant), aliased(Tenant)
    ids = select(opd.id).join(pemda, pemda.id == opd.parent_id).where(
        opd.level == Level.OPD, scope_filter(scope, opd, pemda)).correlate(None)
    return signing_queries.latest_ids(tahun, n, ids)


def any_unsigned(scoped, sets, latest, units=None) -> bool:
    """Some indicator of the scope (of these units; None: any) has no signed figure for
    the period (drafts to mark)."""
    signed = select(SignedFigure.indikator_id).where(SignedFigure.id.in_(latest))
    query = select(func.count(Indikator.id)).where(Indikator.set_id.in_(sets), Indikator.id.not_in(signed))
    if units is not None:
        query = query.where(Indikator.unit_id.in_(list(units) or [-1]))
    total = db.session.scalar(scoped(query, Indikator.tenant_id))
    return bool(total)
