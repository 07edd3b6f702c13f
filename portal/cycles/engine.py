"""Running an SOP version as a cycle of tasks. Plain functions: tenant, user and values
in; rows changed; a portal.problems error with a message in Bahasa Indonesia when refused.
Who may do what is asked of portal/cycles/policy.py.

Tasks run in the SOP's order, one at a time. A periodic step (per triwulan or semester
inside a longer cycle) is not in that line: each occurrence is due at the end of its own
period, with its Mutu Baku counted from there. A review step that returns sends the flow
back to its "Tidak" step (or, for data reviews without one, to the collect step before
it); the tasks from there on are done again. Returned data goes to its enterers whatever
the flow does, and comes back to the review that returned it.
"""
from datetime import date, datetime

from sqlalchemy import select

from portal import clock
from portal.audit import services as audit
from portal.calendar.services import work_calendar_of
from portal.columns import utcnow
from portal.cycles import locking, policy
from portal.cycles.deadlines import due_at
from portal.cycles.models import Cycle, CycleItem, CycleStatus, CycleTask, ItemState, TaskStatus
from portal.cycles.policy import (  # noqa: F401 (the names callers know the engine by)
    CycleError,
    lane_text,
    measured_triwulan,
    step_lane_kinds,
    step_lane_names,
)
from portal.extensions import db
from portal.indikator import periods
from portal.indikator import services as indicator_services
from portal.indikator.models import Indikator
from portal.numbers import TW
from portal.onboarding import readiness
from portal.problems import Conflict
from portal.sop import services as sop_services
from portal.sop.document import Meaning
from portal.tenancy.lanes import Level
from portal.tenancy.models import Tenant

PERIOD_LABELS = {"triwulan": "Triwulan", "semester": "Semester", "tahunan": "Tahunan"}
OCCURRENCES = {  # (step repeat, cycle period) -> occurrences of the step
    ("triwulan", "tahunan"): 4, ("triwulan", "semester"): 2, ("semester", "tahunan"): 2,
}
PERIOD_COUNT = {"triwulan": 4, "semester": 2, "tahunan": 1}


def period_label(kind: str, no: int, tahun: int) -> str:
    if kind == "tahunan":
        return f"Tahunan {tahun}"
    return f"{PERIOD_LABELS[kind]} {TW[no - 1]} {tahun}"


def covered_triwulans(kind: str, no: int) -> set[int]:
    """The triwulans a cycle measures: its own quarter, the semester's two, the year's four."""
    return {"triwulan": {no}, "semester": {2 * no - 1, 2 * no}, "tahunan": {1, 2, 3, 4}}[kind]


def acting_lanes(user, task: CycleTask):
    """The user's memberships that may do this task (its step's lanes), or refuse."""
    return policy.step_actors(user, task)


# ---------------------------------------------------------------- start

def _overlap(opd: Tenant, tahun: int, kind: str, no: int) -> None:
    """One measurement per OPD and period: a cycle may not measure a triwulan that another
    cycle of the year (running or signed) measures - TW III, Semester II and Tahunan
    overlap."""
    wanted = covered_triwulans(kind, no)
    for other in db.session.scalars(select(Cycle).where(Cycle.tenant_id == opd.id, Cycle.tahun == tahun)
                                    .order_by(Cycle.id)):
        shared = wanted & covered_triwulans(other.period_kind, other.period_no)
        if shared:
            state = "sedang berjalan" if other.status == CycleStatus.BERJALAN else "sudah disahkan"
            quarters = ", ".join(f"TW {TW[t - 1]}" for t in sorted(shared))
            raise Conflict(f"Siklus {period_label(other.period_kind, other.period_no, tahun)} {state} dan "
                           f"sudah mengukur {quarters}; satu periode hanya diukur oleh satu siklus.")


def period_end(tahun: int, repeat: str, occurrence: int, kind: str, no: int) -> datetime:
    """The first instant (UTC) after the occurrence-th period of `repeat` inside the cycle's
    period: a per-triwulan step in Semester II falls due after TW III and after TW IV."""
    months = 3 if repeat == "triwulan" else 6
    first = {"tahunan": 1, "semester": 2 * no - 1, "triwulan": no}[kind]  # first quarter of the cycle
    first_month = (first - 1) * 3 + 1
    end_month = first_month - 1 + months * occurrence  # last month of the occurrence's period
    year, month = tahun + end_month // 12, end_month % 12 + 1
    return clock.wib_midnight_utc(date(year, month, 1))


def is_periodic(task: CycleTask) -> bool:
    return task.occurrences > 1


def start_cycle(opd: Tenant, tahun: int, kind: str, no: int, user, now: datetime | None = None) -> Cycle:
    now = now or utcnow()
    if kind not in PERIOD_LABELS or not (1 <= no <= PERIOD_COUNT[kind]):
        raise CycleError("Periode tidak valid.")
    if not 2000 <= tahun <= 2100:  # the indicator sets' range; a larger int overflows the column
        raise CycleError("Tahun harus antara 2000 dan 2100.")
    if opd.level != Level.OPD:
        raise CycleError("Siklus pengukuran dijalankan per perangkat daerah.")
    version = sop_services.sop_in_force(opd)
    policy.may_start(user, opd, version)
    existing = db.session.scalar(select(Cycle).where(Cycle.tenant_id == opd.id, Cycle.tahun == tahun,
                                                     Cycle.period_kind == kind, Cycle.period_no == no))
    if existing is not None:
        raise CycleError(f"Siklus {period_label(kind, no, tahun)} sudah dimulai.")
    _overlap(opd, tahun, kind, no)
    if version is None:
        raise CycleError("Belum ada SOP Pengukuran Kinerja yang terbit untuk perangkat daerah ini.")
    if version.approved_at is None:
        raise CycleError(f"SOP {version.nama} versi {version.number} belum disahkan oleh Kepala {opd.name}; "
                         "Kepala mengesahkannya di halaman dokumen SOP.")
    indicator_set = indicator_services.set_of_year(opd, tahun)
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
    periodic = []
    for step in version.steps:
        count = OCCURRENCES.get((step.repeat, kind), 1) if step.repeat else 1
        for occurrence in range(1, count + 1):
            task = CycleTask(tenant_id=opd.id, cycle_id=cycle.id, step_id=step.id, position=step.position,
                             occurrence=occurrence, occurrences=count)
            db.session.add(task)
            if count > 1:
                periodic.append((task, step, period_end(tahun, step.repeat, occurrence, kind, no)))
    for indikator_id in indikator_ids:
        db.session.add(CycleItem(tenant_id=opd.id, cycle_id=cycle.id, indikator_id=indikator_id))
    db.session.flush()
    db.session.refresh(cycle)
    audit.record(opd, user, "siklus.mulai", "cycle", cycle.id, cycle_id=cycle.id,
                 new=f"{period_label(kind, no, tahun)} · SOP {version.nama} versi {version.number}")
    # Each occurrence of a periodic step is open on its own, from its period's end.
    calendar = work_calendar_of(cycle) if periodic else None
    for task, step, starts in periodic:
        task.status, task.activated_at = TaskStatus.AKTIF, starts
        task.due_at = (due_at(starts, step.waktu_amount, step.waktu_unit, calendar=calendar)
                       if step.waktu_amount else None)
    _activate(flow(cycle)[0], now)
    return cycle


# ---------------------------------------------------------------- moving through the tasks

def flow(cycle: Cycle) -> list[CycleTask]:
    """The tasks that run one after another (every task but the periodic ones)."""
    return [t for t in cycle.tasks if not is_periodic(t)]


def current_task(cycle: Cycle) -> CycleTask | None:
    return next((t for t in flow(cycle) if t.status == TaskStatus.AKTIF), None)


def periodic_due(cycle: Cycle, now: datetime | None = None) -> list[CycleTask]:
    """Periodic tasks whose period has ended and which are not done yet."""
    now = now or utcnow()
    return [t for t in cycle.tasks if is_periodic(t) and t.status == TaskStatus.AKTIF and t.activated_at <= now]


def _activate(task: CycleTask, now: datetime) -> None:
    task.status = TaskStatus.AKTIF
    task.activated_at = now
    task.completed_at = None
    task.completed_by_id = None
    step = task.step
    task.due_at = (due_at(now, step.waktu_amount, step.waktu_unit, calendar=work_calendar_of(task.cycle))
                   if step.waktu_amount else None)
    if step.meaning == Meaning.COLLECT:
        cycle = task.cycle
        periods.open_period(cycle.tenant, cycle.tahun, measured_triwulan(cycle.period_kind, cycle.period_no))
        # A collect step whose data is already all submitted (after a return loop) passes on.
        maybe_complete_collect(cycle, None, now)
    elif step.meaning == Meaning.REVIEW:
        maybe_pass(task, now)


def complete(task: CycleTask, user, now: datetime, lanes: str = "", note: str = "") -> None:
    """Mark the task done and start the next one (or finish the cycle)."""
    task.status = TaskStatus.SELESAI
    task.completed_at = now
    task.completed_by_id = user.id if user else None
    cycle = task.cycle
    audit.record(cycle.tenant, user, "tugas.selesai", "cycle_task", task.id, lane=lanes, cycle_id=cycle.id,
                 field=f"langkah {task.position}", new=task.step.kegiatan[:200], reason=note)
    if is_periodic(task):
        return
    following = [t for t in flow(cycle) if (t.position, t.occurrence) > (task.position, task.occurrence)]
    if following:
        _activate(following[0], now)
    else:
        cycle.status = CycleStatus.SELESAI
        audit.record(cycle.tenant, user, "siklus.selesai", "cycle", cycle.id, cycle_id=cycle.id)


def _wait_again(task: CycleTask) -> None:
    """Back to "menunggu": the timeline no longer says done by whom (the audit keeps it)."""
    task.status = TaskStatus.MENUNGGU
    task.activated_at = task.due_at = task.completed_at = None
    task.completed_by_id = None


def restart_from(cycle: Cycle, anchor: CycleTask, now: datetime) -> None:
    for other in flow(cycle):
        if (other.position, other.occurrence) >= (anchor.position, anchor.occurrence):
            _wait_again(other)
    _activate(anchor, now)


def rewind(task: CycleTask, target_position: int, user, now: datetime, reason: str, lanes: str) -> CycleTask:
    """Send the flow back to an earlier step: its first task becomes active again and
    every task after it waits once more."""
    cycle = task.cycle
    target = next((t for t in flow(cycle) if t.position == target_position), None)
    if target is None:  # the SOP sends "Tidak" to a periodic step: that is not a place in the line
        raise CycleError(f"Langkah {target_position} berulang per periode, jadi tidak dapat menjadi tujuan 'Tidak'.")
    task.times_returned += 1
    audit.record(cycle.tenant, user, "tugas.kembalikan", "cycle_task", task.id, lane=lanes, cycle_id=cycle.id,
                 field=f"langkah {task.position}", new=f"kembali ke langkah {target_position}", reason=reason)
    restart_from(cycle, target, now)
    return target


def return_target(task: CycleTask) -> int:
    """Where "Tidak" goes: the SOP's return step, else the collect step before this one."""
    if task.step.return_to is not None:
        return task.step.return_to.position
    collects = [t.position for t in flow(task.cycle)
                if t.step.meaning == Meaning.COLLECT and t.position < task.position]
    if collects:
        return collects[-1]
    raise CycleError("Langkah ini tidak memiliki langkah tujuan jika 'Tidak'.")


def maybe_complete_collect(cycle: Cycle, user, now: datetime) -> bool:
    task = current_task(cycle)
    if task is None or task.step.meaning != Meaning.COLLECT:
        return False
    if all(item.state == ItemState.DIAJUKAN for item in cycle.items):
        complete(task, user, now, note="Semua indikator sudah diajukan.")
        return True
    return False


# ---------------------------------------------------------------- data review stages

def data_review_positions(cycle: Cycle) -> list[int]:
    return [s.position for s in policy.data_review_steps(cycle.sop_version)]


def stage_of_task(task: CycleTask) -> int | None:
    positions = data_review_positions(task.cycle)
    return positions.index(task.position) + 1 if task.position in positions else None


def past_stage(item: CycleItem, stage: int) -> bool:
    """The item needs nothing more from data review `stage`: approved there, or returned by
    a later stage (corrected data goes back to the review that returned it, not here)."""
    return item.state in (ItemState.DIAJUKAN, ItemState.DIKEMBALIKAN) and item.stage >= stage


def stage_done(cycle: Cycle, stage: int) -> bool:
    """Review `stage` is finished when every item was approved there."""
    return all(i.state == ItemState.DIAJUKAN and i.stage >= stage for i in cycle.items)


def maybe_pass(task: CycleTask, now: datetime) -> None:
    """A data review with nothing waiting for it (every item already past it, after a
    return loop further on) passes on by itself."""
    stage = stage_of_task(task)
    items = task.cycle.items
    if stage is not None and items and all(past_stage(i, stage) for i in items) and task.status == TaskStatus.AKTIF:
        engine_note = "Tidak ada data yang menunggu reviu langkah ini."
        complete(task, None, now, note=engine_note)


# ---------------------------------------------------------------- manual steps

def mark_done(task: CycleTask, user, now: datetime | None = None, output=None, note: str = "") -> None:
    """A manual or archive step: its lane marks it done, with the Output document where
    the SOP marks it "wajib" (optional otherwise: an Output such as "Disposisi" is often a
    paper record); output: (filename, FileBlob) from the stored files, checked by safe_files."""
    now = now or utcnow()
    locking.lock(task.cycle)
    require_current(task, now)
    if task.step.meaning not in (Meaning.MANUAL, Meaning.ARCHIVE):
        raise CycleError("Langkah ini diselesaikan melalui data (pengisian, reviu atau pengesahan), "
                         "bukan ditandai selesai.")
    lanes = acting_lanes(user, task)
    if task.step.output_wajib and task.step.output.strip() and output is None:
        raise CycleError(f"Langkah {task.position} belum dapat ditandai selesai: unggah dokumen output "
                         f"\"{task.step.output}\" (wajib menurut SOP).")
    if output is not None:
        task.output_filename, blob = output
        task.output_blob_id = blob.id
    task.note = note
    complete(task, user, now, lane_text(lanes), note)


def require_current(task: CycleTask, now: datetime | None = None) -> None:
    """The task is the one to do now, else StateChanged (409) naming the latest action on
    the cycle: after locking.lock, this is how the second of two actions learns it lost."""
    if is_periodic(task):
        if task.status != TaskStatus.AKTIF:
            raise locking.changed(f"Langkah {task.position} ke-{task.occurrence} sudah selesai.", task.cycle,
                                  "cycle_task", task.id)
        if task.activated_at > (now or utcnow()):
            raise CycleError(f"Langkah {task.position} ke-{task.occurrence} baru dikerjakan setelah periodenya "
                             "berakhir.")
        return
    if task.status != TaskStatus.AKTIF:
        current = current_task(task.cycle)
        where = f"sekarang langkah {current.position}" if current else "siklus sudah selesai"
        raise locking.changed(f"Langkah {task.position} belum atau tidak lagi berjalan ({where}).", task.cycle)


def realisasi_open(cycle: Cycle) -> bool:
    """Data may be submitted once the SOP's collect step has started (and until sign-off)."""
    collect = [t for t in flow(cycle) if t.step.meaning == Meaning.COLLECT]
    return not cycle.locked and bool(collect) and any(t.status != TaskStatus.MENUNGGU for t in collect)
