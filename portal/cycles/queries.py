"""Reading cycles for pages: the timeline, the inbox, the late-task summary."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.auth.models import Membership
from portal.calendar.services import work_calendar
from portal.columns import utcnow
from portal.cycles import engine, policy, review, work
from portal.cycles.deadlines import standard_minutes, working_minutes_between
from portal.cycles.models import Cycle, CycleItem, CycleStatus, CycleTask, ItemState, TaskStatus
from portal.extensions import db
from portal.formatting import angka
from portal.indikator.models import Indikator, ReportingPeriod
from portal.sop import queries as sop_queries
from portal.sop.document import UNIT_LABELS
from portal.tenancy.models import Lane, Tenant


def cycles_of(tenant: Tenant) -> list[Cycle]:
    return list(db.session.scalars(select(Cycle).where(Cycle.tenant_id == tenant.id)
                                   .order_by(Cycle.tahun.desc(), Cycle.started_at.desc())))


def is_late(task: CycleTask, now: datetime | None = None) -> bool:
    if task.due_at is None or task.status == TaskStatus.MENUNGGU:
        return False
    return (task.completed_at or now or utcnow()) > task.due_at


def timeline_state(task: CycleTask, now: datetime | None = None) -> str:
    """selesai / sekarang / menunggu, and terlambat on top when past its Mutu Baku."""
    base = {TaskStatus.SELESAI: "selesai", TaskStatus.AKTIF: "sekarang", TaskStatus.MENUNGGU: "menunggu"}[task.status]
    if base == "sekarang" and task.activated_at and task.activated_at > (now or utcnow()):
        base = "menunggu"  # a periodic step before its period has ended
    return f"{base} terlambat" if is_late(task, now) else base


@dataclass
class InboxEntry:
    task: CycleTask
    cycle: Cycle
    tenant: Tenant
    late: bool
    what: str

    @property
    def period(self) -> str:
        return engine.period_label(self.cycle.period_kind, self.cycle.period_no, self.cycle.tahun)


def sop_approvals(user, tenant_ids=None) -> list:
    """SOP versions waiting for this Kepala's approval ("Disahkan oleh"), in the tenants
    where she holds the lane that signs (all of hers, or those of `tenant_ids`)."""
    held = set(db.session.scalars(select(Membership.tenant_id).join(Lane, Lane.id == Membership.lane_id)
                                  .where(Membership.user_id == user.id, Lane.kind.in_(policy.SIGN_KINDS))))
    if tenant_ids is not None:
        held &= set(tenant_ids)
    return sop_queries.awaiting_approval(held)


def inbox(user, now: datetime | None = None) -> list[InboxEntry]:
    """What the user's lanes must do now, across their tenants: the current steps, the data
    of their units to enter or fix after a return (cycles.work decides what is open)."""
    now = now or utcnow()
    memberships = db.session.execute(
        select(Membership.tenant_id, Lane.kind, Membership.unit_id).join(Lane, Lane.id == Membership.lane_id)
        .where(Membership.user_id == user.id)).all()
    held: dict[int, set[tuple[str, int | None]]] = {}
    for tenant_id, kind, unit_id in memberships:
        held.setdefault(tenant_id, set()).add((kind, unit_id))
    if not held:
        return []
    open_periodic = select(CycleTask.cycle_id).where(CycleTask.status == TaskStatus.AKTIF, CycleTask.occurrences > 1)
    # open_work reads every task's step and every item's indikator: loaded with the cycles.
    cycles = db.session.scalars(select(Cycle).where(
        Cycle.tenant_id.in_(held), (Cycle.status != CycleStatus.SELESAI) | Cycle.id.in_(open_periodic))
        .options(selectinload(Cycle.tasks).selectinload(CycleTask.step),
                 selectinload(Cycle.items).selectinload(CycleItem.indikator), selectinload(Cycle.tenant))
        .order_by(Cycle.started_at))
    out = []
    for cycle in cycles:
        seen = set()
        for todo in work.open_work(cycle, now):
            mine = any(kind in todo.kinds and (todo.unit_id is None or unit == todo.unit_id)
                       for kind, unit in held[cycle.tenant_id])
            if mine and (todo.task.id, todo.what) not in seen:
                seen.add((todo.task.id, todo.what))
                out.append(InboxEntry(todo.task, cycle, cycle.tenant, is_late(todo.task, now), todo.what))
    return sorted(out, key=lambda e: (e.task.due_at is None, e.task.due_at or now))


@dataclass
class ReturnedEntry:
    item: CycleItem
    cycle: Cycle
    tenant: Tenant
    period_id: int | None   # the Realisasi page's period where it is corrected

    @property
    def period(self) -> str:
        return engine.period_label(self.cycle.period_kind, self.cycle.period_no, self.cycle.tahun)


def returned_to(user) -> list[ReturnedEntry]:
    """Data a reviewer returned that this user must correct and submit again: items of
    the units they enter data for (Kabid, Staf), across their tenants. A fixed number of
    queries."""
    units = set(db.session.execute(
        select(Membership.tenant_id, Membership.unit_id).join(Lane, Lane.id == Membership.lane_id)
        .where(Membership.user_id == user.id, Membership.unit_id.is_not(None),
               Lane.kind.in_(review.ENTRY_KINDS))).all())
    if not units:
        return []
    rows = db.session.execute(
        select(CycleItem, Indikator.unit_id).join(Indikator, Indikator.id == CycleItem.indikator_id)
        .where(CycleItem.state == ItemState.DIKEMBALIKAN, CycleItem.tenant_id.in_({t for t, _ in units}))
        .options(selectinload(CycleItem.indikator), selectinload(CycleItem.returned_by),
                 selectinload(CycleItem.cycle).selectinload(Cycle.tenant))
        .order_by(CycleItem.returned_at)).all()
    items = [item for item, unit_id in rows if (item.tenant_id, unit_id) in units]
    if not items:
        return []
    periods = {(p.tenant_id, p.tahun, p.triwulan): p.id for p in db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.tenant_id.in_({i.tenant_id for i in items})))}
    return [ReturnedEntry(item, item.cycle, item.cycle.tenant, periods.get(
        (item.tenant_id, item.cycle.tahun, engine.measured_triwulan(item.cycle.period_kind, item.cycle.period_no))))
        for item in items]


@dataclass
class StepTime:
    position: int
    kegiatan: str
    standard: str
    runs: int
    late: int
    actual_minutes: Decimal | None
    standard_minutes: Decimal | None


def time_summary(tenant: Tenant) -> list[StepTime]:
    """Per SOP step over this OPD's cycles: how often it ran late, and the mean actual
    (working) time against the Mutu Baku."""
    rows: dict[tuple[int, str], StepTime] = {}
    totals: dict[tuple[int, str], list[Decimal]] = {}
    calendar = work_calendar(tenant)
    for cycle in cycles_of(tenant):
        for task in cycle.tasks:
            step = task.step
            key = (task.position, step.kegiatan)
            if key not in rows:
                rows[key] = StepTime(
                    task.position, step.kegiatan,
                    f"{angka(step.waktu_amount)} {UNIT_LABELS[step.waktu_unit]}" if step.waktu_amount else "—",
                    0, 0, None, standard_minutes(step.waktu_amount, step.waktu_unit) if step.waktu_amount else None)
                totals[key] = []
            if task.status == TaskStatus.SELESAI and task.activated_at and task.completed_at:
                rows[key].runs += 1
                rows[key].late += is_late(task)
                totals[key].append(working_minutes_between(task.activated_at, task.completed_at,
                                                              calendar=calendar))
    for key, row in rows.items():
        if totals[key]:
            row.actual_minutes = sum(totals[key]) / len(totals[key])
    return sorted(rows.values(), key=lambda r: r.position)
