"""Running an SOP version as a cycle of tasks. Plain functions: tenant, user and values
in; rows changed; CycleError with a message in Bahasa Indonesia when refused.

Tasks run in the SOP's order, one at a time. A periodic step becomes one task per
occurrence within the cycle's period. A review step that returns sends the flow back to
its "Tidak" step (or, for data reviews without one, to the collect step before it); the
tasks from there on are done again.
"""
from datetime import datetime

from sqlalchemy import select

from portal.audit import services as audit
from portal.auth.models import Membership
from portal.calendar.services import work_calendar_of
from portal.cycles.deadlines import due_at
from portal.cycles.models import Cycle, CycleItem, CycleTask
from portal.extensions import db
from portal.onboarding import readiness
from portal.sop import services as sop_services
from portal.sop.document import Meaning
from portal.tenancy.models import Lane, Tenant, utcnow

PERIOD_LABELS = {"triwulan": "Triwulan", "semester": "Semester", "tahunan": "Tahunan"}
ROMAN = ["I", "II", "III", "IV"]
OCCURRENCES = {  # (step repeat, cycle period) -> occurrences of the step
    ("triwulan", "tahunan"): 4, ("triwulan", "semester"): 2, ("semester", "tahunan"): 2,
}


class CycleError(Exception):
    pass


def period_label(kind: str, no: int, tahun: int) -> str:
    if kind == "tahunan":
        return f"Tahunan {tahun}"
    return f"{PERIOD_LABELS[kind]} {ROMAN[no - 1]} {tahun}"


def measured_triwulan(kind: str, no: int) -> int:
    """The triwulan whose data (s.d.) a cycle measures."""
    return {"triwulan": no, "semester": 2 * no, "tahunan": 4}[kind]


# ---------------------------------------------------------------- who may act

def step_lane_kinds(step) -> set[str]:
    keys = set(step.lane_keys or [])
    return {lane.kind for lane in step.version.lanes if lane.key in keys}


def step_lane_names(step) -> str:
    keys = step.lane_keys or []
    return ", ".join(lane.name for lane in step.version.lanes if lane.key in keys)


def memberships_for(user, tenant: Tenant, kinds: set[str]) -> list[Membership]:
    if user is None:
        return []
    return list(db.session.scalars(
        select(Membership).join(Lane, Lane.id == Membership.lane_id)
        .where(Membership.user_id == user.id, Membership.tenant_id == tenant.id, Lane.kind.in_(kinds))))


def acting_lanes(user, task: CycleTask) -> list[Membership]:
    """The user's memberships that may do this task (its step's lanes), or refuse."""
    found = memberships_for(user, task.cycle.tenant, step_lane_kinds(task.step))
    if not found:
        raise CycleError(f"Langkah {task.position} dikerjakan oleh {step_lane_names(task.step)}; "
                         "peran Anda tidak termasuk.")
    return found


def lane_text(memberships: list[Membership]) -> str:
    return ", ".join(dict.fromkeys(m.lane.name + (f" ({m.unit.name})" if m.unit else "") for m in memberships))


# ---------------------------------------------------------------- start

def start_cycle(opd: Tenant, tahun: int, kind: str, no: int, user, now: datetime | None = None) -> Cycle:
    from portal.indicators import entry as indicator_entry
    from portal.indicators.models import Indikator

    now = now or utcnow()
    if kind not in PERIOD_LABELS or not (1 <= no <= {"triwulan": 4, "semester": 2, "tahunan": 1}[kind]):
        raise CycleError("Periode tidak valid.")
    if not 2000 <= tahun <= 2100:  # the indicator sets' range; a larger int overflows the column
        raise CycleError("Tahun harus antara 2000 dan 2100.")
    existing = db.session.scalar(select(Cycle).where(Cycle.tenant_id == opd.id, Cycle.tahun == tahun,
                                                     Cycle.period_kind == kind, Cycle.period_no == no))
    if existing is not None:
        raise CycleError(f"Siklus {period_label(kind, no, tahun)} sudah dimulai.")
    version = sop_services.sop_in_force(opd)
    if version is None:
        raise CycleError("Belum ada SOP Pengukuran Kinerja yang terbit untuk perangkat daerah ini.")
    indicator_set = indicator_entry.set_of_year(opd, tahun)
    indikator_ids = list(db.session.scalars(select(Indikator.id).where(
        Indikator.tenant_id == opd.id, Indikator.set_id == indicator_set.id).order_by(Indikator.position))) \
        if indicator_set else []
    if not indikator_ids:
        raise CycleError(f"Belum ada indikator kinerja tahun {tahun}; isi atau impor indikator lebih dulu.")
    readiness.require_ready(opd, tahun)  # onboarding: names every blocking item missing (Invalid)
    cycle = Cycle(tenant_id=opd.id, sop_version_id=version.id, tahun=tahun, period_kind=kind, period_no=no,
                  started_at=now, started_by_id=user.id if user else None)
    db.session.add(cycle)
    db.session.flush()
    for step in version.steps:
        count = OCCURRENCES.get((step.repeat, kind), 1) if step.repeat else 1
        for occurrence in range(1, count + 1):
            db.session.add(CycleTask(tenant_id=opd.id, cycle_id=cycle.id, step_id=step.id, position=step.position,
                                     occurrence=occurrence, occurrences=count))
    for indikator_id in indikator_ids:
        db.session.add(CycleItem(tenant_id=opd.id, cycle_id=cycle.id, indikator_id=indikator_id))
    db.session.flush()
    db.session.refresh(cycle)
    audit.record(opd, user, "siklus.mulai", "cycle", cycle.id, cycle_id=cycle.id,
                 new=f"{period_label(kind, no, tahun)} · SOP {version.nama} versi {version.number}")
    _activate(cycle.tasks[0], now)
    return cycle


# ---------------------------------------------------------------- moving through the tasks

def current_task(cycle: Cycle) -> CycleTask | None:
    return next((t for t in cycle.tasks if t.status == "aktif"), None)


def _activate(task: CycleTask, now: datetime) -> None:
    from portal.indicators import entry as indicator_entry

    task.status = "aktif"
    task.activated_at = now
    task.completed_at = None
    task.completed_by_id = None
    step = task.step
    task.due_at = (due_at(now, step.waktu_amount, step.waktu_unit, calendar=work_calendar_of(task.cycle))
                   if step.waktu_amount else None)
    if step.meaning == Meaning.COLLECT:
        cycle = task.cycle
        indicator_entry.open_period(cycle.tenant, cycle.tahun, measured_triwulan(cycle.period_kind, cycle.period_no))
        # A collect step whose data is already all submitted (after a return loop) passes on.
        maybe_complete_collect(cycle, None, now)
    elif step.meaning == Meaning.REVIEW:
        from portal.cycles import review

        review.maybe_pass(task, now)


def complete(task: CycleTask, user, now: datetime, lanes: str = "", note: str = "") -> None:
    """Mark the task done and start the next one (or finish the cycle)."""
    task.status = "selesai"
    task.completed_at = now
    task.completed_by_id = user.id if user else None
    cycle = task.cycle
    audit.record(cycle.tenant, user, "tugas.selesai", "cycle_task", task.id, lane=lanes, cycle_id=cycle.id,
                 field=f"langkah {task.position}", new=task.step.kegiatan[:200], reason=note)
    following = [t for t in cycle.tasks if (t.position, t.occurrence) > (task.position, task.occurrence)]
    if following:
        _activate(following[0], now)
    else:
        cycle.status = "selesai"
        audit.record(cycle.tenant, user, "siklus.selesai", "cycle", cycle.id, cycle_id=cycle.id)


def rewind(task: CycleTask, target_position: int, user, now: datetime, reason: str, lanes: str) -> CycleTask:
    """Send the flow back to an earlier step: its first task becomes active again and
    every task after it waits once more."""
    cycle = task.cycle
    target = next(t for t in cycle.tasks if t.position == target_position and t.occurrence == 1)
    for other in cycle.tasks:
        if (other.position, other.occurrence) >= (target.position, target.occurrence):
            other.status = "menunggu"
    task.times_returned += 1
    audit.record(cycle.tenant, user, "tugas.kembalikan", "cycle_task", task.id, lane=lanes, cycle_id=cycle.id,
                 field=f"langkah {task.position}", new=f"kembali ke langkah {target_position}", reason=reason)
    _activate(target, now)
    return target


def return_target(task: CycleTask) -> int:
    """Where "Tidak" goes: the SOP's return step, else the collect step before this one."""
    if task.step.return_to is not None:
        return task.step.return_to.position
    collects = [t.position for t in task.cycle.tasks
                if t.step.meaning == Meaning.COLLECT and t.position < task.position]
    if collects:
        return collects[-1]
    raise CycleError("Langkah ini tidak memiliki langkah tujuan jika 'Tidak'.")


def maybe_complete_collect(cycle: Cycle, user, now: datetime) -> bool:
    task = current_task(cycle)
    if task is None or task.step.meaning != Meaning.COLLECT:
        return False
    if all(item.state == "diajukan" for item in cycle.items):
        complete(task, user, now, note="Semua indikator sudah diajukan.")
        return True
    return False


def mark_done(task: CycleTask, user, now: datetime | None = None, output=None, note: str = "") -> None:
    """A manual or archive step: its lane marks it done, with the Output document where
    the SOP names one (output: (filename, FileBlob) from the evidence store)."""
    now = now or utcnow()
    require_current(task)
    if task.step.meaning not in (Meaning.MANUAL, Meaning.ARCHIVE):
        raise CycleError("Langkah ini diselesaikan melalui data (pengisian, reviu atau pengesahan), "
                         "bukan ditandai selesai.")
    lanes = acting_lanes(user, task)
    if task.step.output.strip() and output is None:
        raise CycleError(f"Lampirkan dokumen output langkah ini: {task.step.output}.")
    if output is not None:
        task.output_filename, blob = output
        task.output_blob_id = blob.id
    task.note = note
    complete(task, user, now, lane_text(lanes), note)


def require_current(task: CycleTask) -> None:
    if task.status != "aktif":
        current = current_task(task.cycle)
        where = f"sekarang langkah {current.position}" if current else "siklus sudah selesai"
        raise CycleError(f"Langkah {task.position} belum atau tidak lagi berjalan ({where}).")
