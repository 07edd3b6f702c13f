"""Reading cycles for pages: the timeline, the inbox, the late-task summary."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from portal.auth.models import Membership
from portal.cycles import work
from portal.cycles.deadlines import standard_minutes, working_minutes_between
from portal.cycles.models import Cycle, CycleTask
from portal.extensions import db
from portal.tenancy.models import Lane, Tenant, utcnow


def cycles_of(tenant: Tenant) -> list[Cycle]:
    return list(db.session.scalars(select(Cycle).where(Cycle.tenant_id == tenant.id)
                                   .order_by(Cycle.tahun.desc(), Cycle.started_at.desc())))


def is_late(task: CycleTask, now: datetime | None = None) -> bool:
    if task.due_at is None or task.status == "menunggu":
        return False
    return (task.completed_at or now or utcnow()) > task.due_at


def timeline_state(task: CycleTask, now: datetime | None = None) -> str:
    """selesai / sekarang / menunggu, and terlambat on top when past its Mutu Baku."""
    base = {"selesai": "selesai", "aktif": "sekarang", "menunggu": "menunggu"}[task.status]
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
    open_periodic = select(CycleTask.cycle_id).where(CycleTask.status == "aktif", CycleTask.occurrences > 1)
    cycles = db.session.scalars(select(Cycle).where(
        Cycle.tenant_id.in_(held), (Cycle.status != "selesai") | Cycle.id.in_(open_periodic))
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
    from portal.formatting import angka
    from portal.sop.document import UNIT_LABELS

    rows: dict[tuple[int, str], StepTime] = {}
    totals: dict[tuple[int, str], list[Decimal]] = {}
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
            if task.status == "selesai" and task.activated_at and task.completed_at:
                rows[key].runs += 1
                rows[key].late += is_late(task)
                totals[key].append(working_minutes_between(task.activated_at, task.completed_at))
    for key, row in rows.items():
        if totals[key]:
            row.actual_minutes = sum(totals[key]) / len(totals[key])
    return sorted(rows.values(), key=lambda r: r.position)
