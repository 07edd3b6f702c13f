"""The bulk statements behind gather(): each reads one table for every OPD of the scope
at once (never one statement per OPD)."""
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal.auth.models import Membership, User
from portal.capaian.kategori import KATEGORI_PERMENDAGRI_86_2017, KategoriScale
from portal.capaian.models import IndicatorSettings
from portal.capaian.rules import RuleSet
from portal.cycles.models import Cycle
from portal.cycles.policy import measured_triwulan
from portal.extensions import db
from portal.indikator.models import Indikator
from portal.signing import queries as signing_queries
from portal.signing.models import SignedFigure
from portal.tenancy.lanes import LaneKind, Level
from portal.tenancy.models import Lane, Tenant


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


def any_signed(latest) -> bool:
    """Some indicator of the scope has a signed figure for the period."""
    return db.session.scalar(select(func.count()).select_from(latest.subquery())) > 0


def pemdas(scope: Tenant) -> list[tuple[int, str]]:
    """The pemda of the scope, every one (a pemda without OPDs too), in export order."""
    where = {Level.OPD: Tenant.id == scope.parent_id, Level.PEMDA: Tenant.id == scope.id}.get(
        Level(scope.level), Tenant.parent_id == scope.id)
    return [(t.id, t.name) for t in db.session.execute(
        select(Tenant.id, Tenant.name).where(where, Tenant.level == Level.PEMDA).order_by(Tenant.name, Tenant.id))]


def people(user_ids) -> dict[int, tuple[str, str, str]]:
    """(nama, NIP, jabatan) of these users, by id: who signed a record."""
    ids = [i for i in set(user_ids) if i is not None]  # one statement even when empty (a fixed count)
    return {u.id: (u.name, u.nip, u.jabatan) for u in db.session.execute(
        select(User.id, User.name, User.nip, User.jabatan).where(User.id.in_(ids)))}


def kepala_of(opd_ids) -> dict[int, tuple[str, str, str]]:
    """(nama, NIP, jabatan) of each OPD's Kepala now (a lane of the Kepala kind), by OPD."""
    ids = list(opd_ids)
    out: dict[int, tuple[str, str, str]] = {}
    for row in db.session.execute(
            select(Membership.tenant_id, User.name, User.nip, User.jabatan, Lane.name.label("lane"))
            .join(User, User.id == Membership.user_id).join(Lane, Lane.id == Membership.lane_id)
            .where(Membership.tenant_id.in_(ids), Lane.kind == LaneKind.KEPALA, User.is_active)
            .order_by(Membership.tenant_id, Membership.id)):
        out.setdefault(row.tenant_id, (row.name, row.nip, row.jabatan))
    return out


def pemda_kinds(pemda_ids) -> dict[int, str]:
    ids = list(set(pemda_ids))
    return dict(db.session.execute(select(Tenant.id, Tenant.kind).where(Tenant.id.in_(ids))).all())


def default_period(scope: Tenant) -> tuple[int, str, int] | None:
    """(tahun, period kind, no) the export page starts with: the latest period signed in
    the scope (an OPD, its pemda's OPDs, the province's), else the latest running one."""
    opd, pemda = aliased(Tenant), aliased(Tenant)
    ids = select(opd.id).join(pemda, pemda.id == opd.parent_id).where(opd.level == Level.OPD,
                                                                      scope_filter(scope, opd, pemda))
    cycles = db.session.execute(select(Cycle.tahun, Cycle.period_kind, Cycle.period_no, Cycle.revision,
                                       Cycle.started_at).where(Cycle.tenant_id.in_(ids))).all()

    def latest(rows):
        return max(rows, key=lambda c: (c.tahun, measured_triwulan(c.period_kind, c.period_no), c.started_at),
                   default=None)

    chosen = latest([c for c in cycles if c.revision > 0]) or latest(cycles)
    return None if chosen is None else (chosen.tahun, chosen.period_kind, chosen.period_no)
