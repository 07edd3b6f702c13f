"""What a person must do now in a tenant: their tasks with due times, data returned to
them with the reason, the current cycle's progress, and for the Kepala and Sekretaris
the capaian per sasaran. Above the OPDs: the oversight summary."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from portal.auth.models import User
from portal.capaian import figures as capaian_figures
from portal.capaian import settings as capaian_settings
from portal.capaian.rules import average_capaian
from portal.columns import utcnow
from portal.cycles import policy as cycle_policy
from portal.cycles import queries as cycle_queries
from portal.cycles.engine import measured_triwulan, period_label
from portal.cycles.models import Cycle, CycleItem, CycleStatus, ItemState
from portal.extensions import db
from portal.indikator.models import IndicatorSet, Indikator, Realisasi, Sasaran
from portal.oversight import queries
from portal.reminders import queries as reminder_queries
from portal.signing.queries import signed_now
from portal.tenancy import services as tenancy
from portal.tenancy.lanes import Capability, LaneKind, Level
from portal.tenancy.models import Tenant

HEAD_KINDS = {LaneKind.KEPALA.value, LaneKind.SEKRETARIS.value}


@dataclass
class Returned:
    item: CycleItem
    ind: Indikator
    cycle: Cycle
    returned_by: str


@dataclass
class Progress:
    cycle: Cycle
    label: str
    total: int = 0
    entered: int = 0
    submitted: int = 0
    reviewed: int = 0
    signed: int = 0


@dataclass
class SasaranCapaian:
    sasaran: Sasaran
    capaian: object       # CapaianResult
    indicators: int


@dataclass
class Home:
    tasks: list = field(default_factory=list)
    returned: list[Returned] = field(default_factory=list)
    progress: Progress | None = None
    sasaran: list[SasaranCapaian] = field(default_factory=list)
    sasaran_triwulan: int | None = None
    oversight: queries.Matrix | None = None
    late_count: int = 0
    is_head: bool = False
    reminders: dict = field(default_factory=dict)  # task id -> the latest reminder sent about it
    sop_approvals: list = field(default_factory=list)  # SOP versions waiting for this Kepala


def current_cycle(tenant: Tenant) -> Cycle | None:
    """The running cycle, else the latest one."""
    return db.session.scalar(select(Cycle).where(Cycle.tenant_id == tenant.id)
                             .order_by((Cycle.status == CycleStatus.BERJALAN).desc(), Cycle.tahun.desc(),
                                       Cycle.started_at.desc()).limit(1))


def progress_of(cycle: Cycle) -> Progress:
    triwulan = measured_triwulan(cycle.period_kind, cycle.period_no)
    p = Progress(cycle, period_label(cycle.period_kind, cycle.period_no, cycle.tahun))
    for state, stage, n in db.session.execute(
            select(CycleItem.state, CycleItem.stage, func.count()).where(CycleItem.cycle_id == cycle.id)
            .group_by(CycleItem.state, CycleItem.stage)):
        p.total += n
        p.submitted += n if state in (ItemState.DIAJUKAN, ItemState.DISAHKAN) else 0
        p.reviewed += n if state == ItemState.DISAHKAN or (state == ItemState.DIAJUKAN and stage >= 1) else 0
        p.signed += n if state == ItemState.DISAHKAN else 0
    p.entered = db.session.scalar(
        select(func.count()).select_from(Realisasi)
        .join(CycleItem, CycleItem.indikator_id == Realisasi.indikator_id)
        .where(CycleItem.cycle_id == cycle.id, Realisasi.triwulan == triwulan,
               (Realisasi.nilai.is_not(None)) | (Realisasi.predikat.is_not(None)) | Realisasi.tidak_berlaku)) or 0
    return p


def returned_to(user, tenant: Tenant) -> list[Returned]:
    """Indicators of the user's units sent back in a running cycle, with the reason."""
    units = cycle_policy.realisasi_unit_ids(user, tenant)
    if not units:
        return []
    rows = db.session.execute(
        select(CycleItem, Indikator, Cycle, User.name)
        .join(Indikator, Indikator.id == CycleItem.indikator_id).join(Cycle, Cycle.id == CycleItem.cycle_id)
        .outerjoin(User, User.id == CycleItem.returned_by_id)
        .where(CycleItem.tenant_id == tenant.id, CycleItem.state == ItemState.DIKEMBALIKAN,
               Indikator.unit_id.in_(units))
        .order_by(CycleItem.returned_at.desc())).all()
    return [Returned(item, ind, cycle, name or "") for item, ind, cycle, name in rows]


def capaian_per_sasaran(tenant: Tenant, tahun: int, triwulan: int) -> list[SasaranCapaian]:
    """Mean capaian s.d. TW n of each sasaran's indicators (the capaian engine's average,
    never a sum of ratios). A signed indicator counts with its signed record, as the
    Realisasi page shows it."""
    pairs = db.session.execute(
        select(Indikator, Sasaran).join(Sasaran, Sasaran.id == Indikator.sasaran_id)
        .join(IndicatorSet, IndicatorSet.id == Indikator.set_id)
        .where(Indikator.tenant_id == tenant.id, IndicatorSet.tahun == tahun)
        .order_by(Sasaran.position, Sasaran.id, Indikator.position)).all()
    values = {ind.id: [None] * 4 for ind, _ in pairs}
    for row in db.session.scalars(select(Realisasi).where(Realisasi.tenant_id == tenant.id,
                                                          Realisasi.indikator_id.in_(list(values)))):
        values[row.indikator_id][row.triwulan - 1] = row
    eff = capaian_settings.effective(tenant).rules
    signed = signed_now(tenant.id, tahun, triwulan, values)
    grouped: dict[int, tuple[Sasaran, list]] = {}
    for ind, sasaran in pairs:
        f = signed[ind.id].figures() if ind.id in signed else capaian_figures.figures(ind, values[ind.id],
                                                                                         triwulan, eff)
        grouped.setdefault(sasaran.id, (sasaran, []))[1].append(f.capaian)
    return [SasaranCapaian(s, average_capaian(results, eff), len(results)) for s, results in grouped.values()]


def home_for(user, tenant: Tenant, caps, now: datetime | None = None) -> Home:
    now = now or utcnow()
    home = Home()
    home.tasks = [e for e in cycle_queries.inbox(user, now) if e.tenant.id == tenant.id]
    home.reminders = reminder_queries.latest_for_tasks({e.task.id for e in home.tasks})
    home.sop_approvals = cycle_queries.sop_approvals(user, [tenant.id])
    if tenant.level == Level.OPD:
        home.returned = returned_to(user, tenant)
        cycle = current_cycle(tenant)
        if cycle is not None:
            home.progress = progress_of(cycle)
        kinds = {m.lane.kind for m in tenancy.memberships_in(user, tenant)}
        home.is_head = bool(kinds & HEAD_KINDS)
        if home.is_head and cycle is not None:
            home.sasaran_triwulan = measured_triwulan(cycle.period_kind, cycle.period_no)
            home.sasaran = capaian_per_sasaran(tenant, cycle.tahun, home.sasaran_triwulan)
    if Capability.OVERSEE in caps and tenant.level != Level.OPD:
        home.oversight = queries.matrix(tenant, queries.tahun_default(tenant, now.date()), now)
        home.late_count = len(queries.late_tasks(tenant, now))
    return home
