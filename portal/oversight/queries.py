"""Reading cycle state across many OPDs: the one place oversight pages read it.

Every function issues a fixed number of bulk statements whatever the number of OPDs
(the tenants below are selected by subquery, never one query per OPD or per cycle).
The statements are built apart from their execution (`matrix_statements`) so the
benchmark can run exactly the same SQL through a raw cursor; `assemble_matrix` turns
the plain rows of either path into the page's cells.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import and_, func, or_, select

from portal import clock
from portal.auth.models import Membership, User
from portal.columns import utcnow
from portal.cycles import overdue
from portal.cycles.engine import period_label
from portal.cycles.models import Cycle, CycleItem, CycleStatus, CycleTask, ItemState, TaskStatus
from portal.extensions import db
from portal.formatting import waktu
from portal.indikator.models import Indikator
from portal.sop.document import Meaning
from portal.sop.models import SopLane, SopStep
from portal.tenancy.lanes import Capability, Level, kinds_with
from portal.tenancy.models import Lane, Tenant, Unit

# The matrix columns: (period_kind, period_no).
PERIODS = [("triwulan", 1), ("triwulan", 2), ("triwulan", 3), ("triwulan", 4), ("tahunan", 1)]
PERIOD_SHORT = {("triwulan", 1): "TW I", ("triwulan", 2): "TW II", ("triwulan", 3): "TW III",
                ("triwulan", 4): "TW IV", ("tahunan", 1): "Tahunan"}


class CellState(StrEnum):
    """Where one OPD stands in one period of the matrix."""

    BELUM_DIMULAI = "belum_dimulai"
    PENGISIAN = "pengisian"
    DIAJUKAN = "diajukan"
    DIREVIU = "direviu"
    DISAHKAN = "disahkan"
    DIBUKA_KEMBALI = "dibuka_kembali"


STATE_LABELS = {CellState.BELUM_DIMULAI: "Belum dimulai", CellState.PENGISIAN: "Pengisian",
                CellState.DIAJUKAN: "Diajukan", CellState.DIREVIU: "Direviu", CellState.DISAHKAN: "Disahkan",
                CellState.DIBUKA_KEMBALI: "Dibuka kembali"}


def opds_below(tenant: Tenant):
    """Subquery of the OPD ids the tenant oversees: itself (an OPD), its OPDs (a pemda),
    or the OPDs of its pemda (a province)."""
    if tenant.level == Level.OPD:
        return select(Tenant.id).where(Tenant.id == tenant.id)
    if tenant.level == Level.PEMDA:
        return select(Tenant.id).where(Tenant.parent_id == tenant.id, Tenant.level == Level.OPD)
    pemda = select(Tenant.id).where(Tenant.parent_id == tenant.id)
    return select(Tenant.id).where(Tenant.parent_id.in_(pemda), Tenant.level == Level.OPD)


def period_ended(kind: str, no: int, tahun: int, today: date) -> bool:
    """A period whose measurement is expected by now (its last day has passed)."""
    last_month = 12 if kind == "tahunan" else 3 * no
    end = date(tahun + 1, 1, 1) if last_month == 12 else date(tahun, last_month + 1, 1)
    return today >= end


# ---------------------------------------------------------------- the matrix

@dataclass
class Cell:
    kind: str
    no: int
    state: CellState = CellState.BELUM_DIMULAI
    cycle_id: int | None = None
    submitted: int = 0              # items diajukan or further
    total: int = 0
    late_by: timedelta | None = None    # how late (now, or the worst finished step)
    late_step: str = ""
    late_now: bool = False          # a step is past its Mutu Baku right now
    submitted_on_time: bool | None = None   # None: not submitted yet
    signed_on_time: bool | None = None
    expected: bool = False          # the period has ended or its cycle has started

    @property
    def label(self) -> str:
        if self.state == CellState.PENGISIAN:
            return f"Pengisian {self.submitted}/{self.total} indikator"
        return STATE_LABELS[self.state]

    @property
    def late(self) -> bool:
        return self.late_by is not None


@dataclass
class MatrixRow:
    opd_id: int
    name: str
    slug: str
    pemda_id: int | None
    pemda_name: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def late_count(self) -> int:
        return sum(1 for c in self.cells if c.late)

    @property
    def done_count(self) -> int:
        return sum(1 for c in self.cells if c.state == CellState.DISAHKAN)


@dataclass
class Rate:
    """Reports expected, submitted on time, signed on time (DHIS2's timeliness)."""
    name: str
    pemda_id: int | None = None
    expected: int = 0
    submitted_on_time: int = 0
    signed_on_time: int = 0

    def pct(self, part: int):
        return None if not self.expected else Decimal(part * 100) / Decimal(self.expected)

    @property
    def submitted_pct(self):
        return self.pct(self.submitted_on_time)

    @property
    def signed_pct(self):
        return self.pct(self.signed_on_time)


@dataclass
class Matrix:
    tahun: int
    periods: list[tuple[str, int]]
    rows: list[MatrixRow]
    by_pemda: list[Rate]
    total: Rate


def matrix_statements(tenant: Tenant, tahun: int) -> dict:
    """The five statements of the matrix; each returns plain tuples."""
    opds = opds_below(tenant)
    pemda = Tenant.__table__.alias("pemda")
    cycles = select(Cycle.id).where(Cycle.tenant_id.in_(opds), Cycle.tahun == tahun)
    return {
        "opds": select(Tenant.id, Tenant.name, Tenant.short_name, Tenant.slug, Tenant.parent_id, pemda.c.name)
        .outerjoin(pemda, pemda.c.id == Tenant.parent_id).where(Tenant.id.in_(opds)),
        "cycles": select(Cycle.id, Cycle.tenant_id, Cycle.period_kind, Cycle.period_no, Cycle.status,
                         Cycle.locked, Cycle.revision, Cycle.sop_version_id)
        .where(Cycle.tenant_id.in_(opds), Cycle.tahun == tahun),
        "items": select(CycleItem.cycle_id, CycleItem.state, CycleItem.stage, func.count())
        .where(CycleItem.cycle_id.in_(cycles)).group_by(CycleItem.cycle_id, CycleItem.state, CycleItem.stage),
        # The active task of each cycle, and the finished tasks that tell timeliness:
        # collect and sign steps (on time or not) and any step finished late.
        "tasks": select(CycleTask.cycle_id, CycleTask.status, SopStep.meaning, CycleTask.position,
                        SopStep.kegiatan, CycleTask.due_at, CycleTask.completed_at)
        .join(SopStep, SopStep.id == CycleTask.step_id)
        .where(CycleTask.cycle_id.in_(cycles), CycleTask.due_at.is_not(None), or_(
            CycleTask.status == TaskStatus.AKTIF,
            and_(CycleTask.status == TaskStatus.SELESAI,
                 or_(SopStep.meaning.in_([Meaning.COLLECT.value, Meaning.SIGN.value]),
                     CycleTask.completed_at > CycleTask.due_at))))
        .order_by(CycleTask.cycle_id, CycleTask.position, CycleTask.occurrence),
        # Data review steps come after the first collect step; their count per SOP
        # version says when an item is fully reviewed.
        "steps": select(SopStep.version_id, SopStep.position, SopStep.meaning)
        .where(SopStep.version_id.in_(select(Cycle.sop_version_id).where(Cycle.id.in_(cycles))),
               SopStep.meaning.in_([Meaning.COLLECT.value, Meaning.REVIEW.value])),
    }


def run_statements(statements: dict) -> dict:
    return {name: db.session.execute(stmt).all() for name, stmt in statements.items()}


def matrix(tenant: Tenant, tahun: int, now: datetime | None = None) -> Matrix:
    now = now or utcnow()
    rows = run_statements(matrix_statements(tenant, tahun))
    return assemble_matrix(tenant, tahun, rows, now, not_started(rows, tahun, now))


def not_started(rows: dict, tahun: int, now: datetime) -> dict:
    """Ended periods of the matrix's OPDs whose cycle never started, with their due time
    (cycles/overdue.py: four more statements, whatever the number of OPDs)."""
    started = {(opd_id, kind, no) for _, opd_id, kind, no, *_ in rows["cycles"]}
    due = overdue.deadlines([(r[0], r[4]) for r in rows["opds"]], tahun, PERIODS, now)
    return {key: value for key, value in due.items() if key not in started and not covered(key, started)}


def _final_stages(step_rows) -> dict[int, int]:
    by_version: dict[int, list[tuple[int, str]]] = {}
    for version_id, position, meaning in step_rows:
        by_version.setdefault(version_id, []).append((position, meaning))
    out = {}
    for version_id, steps in by_version.items():
        collects = [p for p, m in steps if m == Meaning.COLLECT]
        out[version_id] = 0 if not collects else sum(1 for p, m in steps if m == Meaning.REVIEW and p > min(collects))
    return out


def _as_datetime(value):
    """SQLite through a raw cursor gives text; the ORM gives datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _cell_state(status, locked, revision, counts: dict, final: int) -> tuple[CellState, int, int]:
    total = sum(counts.values())
    submitted = sum(n for (state, _), n in counts.items() if state in (ItemState.DIAJUKAN, ItemState.DISAHKAN))
    if locked or (status in (CycleStatus.DISAHKAN, CycleStatus.SELESAI) and revision):
        return CellState.DISAHKAN, submitted, total
    if revision:
        return CellState.DIBUKA_KEMBALI, submitted, total
    if submitted < total or not total:
        return CellState.PENGISIAN, submitted, total
    reviewed = sum(n for (state, stage), n in counts.items() if state == ItemState.DIAJUKAN and stage >= max(final, 1))
    return (CellState.DIREVIU if reviewed == total else CellState.DIAJUKAN), submitted, total


def assemble_matrix(tenant: Tenant, tahun: int, rows: dict, now: datetime | None = None,
                    never_started: dict | None = None) -> Matrix:
    """never_started: (opd id, kind, no) -> overdue.NotStarted, for periods without a cycle."""
    now = now or utcnow()
    never_started = never_started or {}
    today = clock.to_wib(now).date()
    final = _final_stages(rows["steps"])
    counts: dict[int, dict] = {}
    for cycle_id, state, stage, n in rows["items"]:
        counts.setdefault(cycle_id, {})[(state, stage)] = n
    tasks: dict[int, list] = {}
    for task in rows["tasks"]:
        tasks.setdefault(task[0], []).append(task)
    cells: dict[tuple[int, str, int], Cell] = {}
    for cycle_id, opd_id, kind, no, status, locked, revision, version_id in rows["cycles"]:
        state, submitted, total = _cell_state(status, locked, revision, counts.get(cycle_id, {}),
                                              final.get(version_id, 0))
        cell = Cell(kind, no, state, cycle_id, submitted, total, expected=True)
        _timeliness(cell, tasks.get(cycle_id, []), now)
        cells[(opd_id, kind, no)] = cell
    ended = {p: period_ended(*p, tahun, today) for p in PERIODS}
    out_rows = []
    for opd_id, name, _short, slug, pemda_id, pemda_name in rows["opds"]:
        row = MatrixRow(opd_id, name, slug, pemda_id, pemda_name or "")
        for kind, no in PERIODS:
            cell = cells.get((opd_id, kind, no)) or Cell(kind, no)
            cell.expected = cell.expected or ended[(kind, no)]
            missing = never_started.get((opd_id, kind, no))
            if missing is not None and now > missing.due:  # late means late, started or not
                cell.late_by, cell.late_now = now - missing.due, True
                cell.late_step = f"Siklus belum dimulai; batas {waktu(missing.due)}"
            row.cells.append(cell)
        out_rows.append(row)
    out_rows.sort(key=lambda r: (r.pemda_name, r.name))
    by_pemda: dict[int | None, Rate] = {}
    total = Rate(tenant.name)
    for row in out_rows:
        rate = by_pemda.setdefault(row.pemda_id, Rate(row.pemda_name, row.pemda_id))
        for cell in row.cells:
            for r in (rate, total):
                r.expected += cell.expected
                r.submitted_on_time += bool(cell.submitted_on_time)
                r.signed_on_time += bool(cell.signed_on_time)
    return Matrix(tahun, PERIODS, out_rows, list(by_pemda.values()), total)


def _timeliness(cell: Cell, task_rows, now: datetime) -> None:
    worst: tuple[timedelta, str] | None = None
    for _, status, meaning, position, kegiatan, due, completed in task_rows:
        due, completed = _as_datetime(due), _as_datetime(completed)
        if status == TaskStatus.AKTIF:
            if now > due:
                cell.late_now = True
                worst = (now - due, f"Langkah {position}: {kegiatan}")
                break
            continue
        on_time = completed <= due
        # The last completion counts: a collect step done again after a return decides.
        if meaning == Meaning.COLLECT:
            cell.submitted_on_time = on_time
        elif meaning == Meaning.SIGN:
            cell.signed_on_time = on_time
        if not on_time and (worst is None or completed - due > worst[0]):
            worst = (completed - due, f"Langkah {position}: {kegiatan}")
    # A step without a Mutu Baku has no due time: done is on time.
    if cell.state in (CellState.DIAJUKAN, CellState.DIREVIU, CellState.DISAHKAN) and cell.submitted_on_time is None:
        cell.submitted_on_time = True
    if cell.state != CellState.DISAHKAN:
        cell.signed_on_time = None
    elif cell.signed_on_time is None:
        cell.signed_on_time = True
    if worst is not None:
        cell.late_by, cell.late_step = worst


# ---------------------------------------------------------------- late work

@dataclass
class LateTask:
    opd_name: str
    opd_slug: str
    pemda_name: str
    cycle_id: int | None  # None: the period's cycle never started
    period: str
    position: int
    kegiatan: str
    lanes: str
    holders: list[str]
    due_at: datetime
    late_by: timedelta
    task_id: int | None = None  # None: the period's cycle never started


def late_tasks(tenant: Tenant, now: datetime | None = None) -> list[LateTask]:
    """Active tasks past their Mutu Baku in the OPDs below the tenant, most late first:
    four statements whatever the number of OPDs."""

    now = now or utcnow()
    opds = opds_below(tenant)
    pemda = Tenant.__table__.alias("pemda")
    rows = db.session.execute(
        select(CycleTask.cycle_id, Cycle.tenant_id, Tenant.name, Tenant.slug, pemda.c.name, Cycle.tahun,
               Cycle.period_kind, Cycle.period_no, CycleTask.position, SopStep.kegiatan, SopStep.meaning,
               SopStep.lane_keys, SopStep.version_id, CycleTask.due_at, CycleTask.id)
        .join(Cycle, Cycle.id == CycleTask.cycle_id).join(SopStep, SopStep.id == CycleTask.step_id)
        .join(Tenant, Tenant.id == Cycle.tenant_id).outerjoin(pemda, pemda.c.id == Tenant.parent_id)
        .where(CycleTask.tenant_id.in_(opds), CycleTask.status == TaskStatus.AKTIF, CycleTask.due_at < now)
        .order_by(CycleTask.due_at)).all()
    late_starts = _never_started(tenant, now)
    if not rows and not late_starts:
        return []
    version_ids = {r[12] for r in rows} | {n.version_id for _, n, _ in late_starts}
    sop_lanes: dict[int, dict[str, tuple[str, str]]] = {}
    for version_id, key, name, kind in db.session.execute(
            select(SopLane.version_id, SopLane.key, SopLane.name, SopLane.kind)
            .where(SopLane.version_id.in_(version_ids))):
        sop_lanes.setdefault(version_id, {})[key] = (name, kind)
    opd_ids = {r[1] for r in rows} | {n.opd_id for _, n, _ in late_starts}
    people: dict[int, list[tuple[str, str, int | None, str]]] = {}
    for tenant_id, kind, user_name, unit_id, unit_name in db.session.execute(
            select(Membership.tenant_id, Lane.kind, User.name, Membership.unit_id, Unit.name)
            .join(Lane, Lane.id == Membership.lane_id).join(User, User.id == Membership.user_id)
            .outerjoin(Unit, Unit.id == Membership.unit_id)
            .where(Membership.tenant_id.in_(opd_ids)).order_by(User.name)):
        people.setdefault(tenant_id, []).append((kind, user_name, unit_id, unit_name or ""))
    # A collect step is held by whoever still has data to submit: their units.
    collect_cycles = [r[0] for r in rows if r[10] == Meaning.COLLECT]
    pending_units: dict[int, set[int]] = {}
    if collect_cycles:
        for cycle_id, unit_id in db.session.execute(
                select(CycleItem.cycle_id, Indikator.unit_id).distinct()
                .join(Indikator, Indikator.id == CycleItem.indikator_id)
                .where(CycleItem.cycle_id.in_(collect_cycles),
                       CycleItem.state.in_([ItemState.BELUM_DIISI, ItemState.DIKEMBALIKAN]))):
            pending_units.setdefault(cycle_id, set()).add(unit_id)
    out = []
    for (cycle_id, opd_id, opd_name, slug, pemda_name, tahun, kind, no, position, kegiatan, meaning,
         lane_keys, version_id, due, task_id) in rows:
        lanes = [sop_lanes.get(version_id, {}).get(k) for k in (lane_keys or [])]
        lanes = [lane for lane in lanes if lane]
        kinds = {k for _, k in lanes}
        holders = [f"{name}" + (f" ({unit})" if unit else "") for k, name, unit_id, unit in people.get(opd_id, [])
                   if k in kinds and (meaning != Meaning.COLLECT or unit_id is None
                                      or unit_id in pending_units.get(cycle_id, set()))]
        if meaning == Meaning.COLLECT:
            holders += [f"{name} ({unit})" for k, name, unit_id, unit in people.get(opd_id, [])
                        if k in ("kabid", "staf") and k not in kinds
                        and unit_id in pending_units.get(cycle_id, set())]
        out.append(LateTask(opd_name, slug, pemda_name or "", cycle_id, period_label(kind, no, tahun), position,
                            kegiatan, ", ".join(name for name, _ in lanes), list(dict.fromkeys(holders)),
                            due, now - due, task_id))
    # A cycle is started by the lanes of the SOP's first step or the OPD's planner.
    first_lanes = dict(db.session.execute(select(SopStep.version_id, SopStep.lane_keys).where(
        SopStep.version_id.in_({n.version_id for _, n, _ in late_starts}), SopStep.position == 1)).all()) \
        if late_starts else {}
    planners = kinds_with(Capability.MANAGE_TENANT)
    for (opd_id, opd_name, slug, pemda_name), missing, tahun in late_starts:
        lanes = [sop_lanes.get(missing.version_id, {}).get(k) for k in (first_lanes.get(missing.version_id) or [])]
        kinds = {k for _, k in filter(None, lanes)} | planners
        holders = [name for k, name, _, _ in people.get(opd_id, []) if k in kinds]
        out.append(LateTask(opd_name, slug, pemda_name or "", None, period_label(missing.kind, missing.no, tahun), 0,
                            "Memulai siklus pengukuran (belum dimulai)",
                            ", ".join(name for name, _ in filter(None, lanes)), list(dict.fromkeys(holders)),
                            missing.due, now - missing.due))
    return sorted(out, key=lambda t: t.due_at)


def _never_started(tenant: Tenant, now: datetime) -> list:
    """Ended periods of this year (WIB) whose cycle never started and whose due time has
    passed: ((opd id, name, slug, pemda name), overdue.NotStarted, tahun)."""
    tahun = clock.to_wib(now).year
    pemda = Tenant.__table__.alias("pemda")
    opds = db.session.execute(select(Tenant.id, Tenant.name, Tenant.slug, pemda.c.name, Tenant.parent_id)
                              .outerjoin(pemda, pemda.c.id == Tenant.parent_id)
                              .where(Tenant.id.in_(opds_below(tenant)), Tenant.is_active)).all()
    started = set(db.session.execute(select(Cycle.tenant_id, Cycle.period_kind, Cycle.period_no).where(
        Cycle.tenant_id.in_([o[0] for o in opds]), Cycle.tahun == tahun)).all()) if opds else set()
    due = overdue.deadlines([(o[0], o[4]) for o in opds], tahun, PERIODS, now)
    info = {o[0]: tuple(o[:4]) for o in opds}
    return [(info[key[0]], missing, tahun) for key, missing in due.items()
            if key not in started and missing.due < now and not covered(key, started)]


def covered(key: tuple[int, str, int], started: set) -> bool:
    """A Tahunan cycle measures every triwulan: its TWs are not missing (and four TW
    cycles make the year's measurement)."""
    opd_id, kind, no = key
    if kind == "triwulan":
        return (opd_id, "tahunan", 1) in started or (opd_id, "semester", (no + 1) // 2) in started
    return False


def tahun_default(tenant: Tenant, today: date) -> int:
    """The latest year with a cycle below the tenant, else this year."""
    latest = db.session.scalar(select(func.max(Cycle.tahun)).where(Cycle.tenant_id.in_(opds_below(tenant))))
    return latest or today.year
