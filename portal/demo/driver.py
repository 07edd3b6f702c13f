"""Driving a measurement cycle through its SOP as the people of an OPD would, through the
portal's own services (engine, review, sign-off, save_realisasi, bukti): the demo's year
in progress is made with it, and the tests drive their cycles with it (tests/cycle_driver.py).

Each step is done by someone the SOP and the policy allow (the first such person by id);
data is entered by the staff of the indicator's unit (a Kabid where the unit has no Staf).
With a Pace, every action happens at its own moment (timeline.at), a little after its task
opened and well within its Mutu Baku, so a driven cycle reads as one that ran on time.
"""
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.auth.models import Membership, User
from portal.capaian import figures as capaian_figures
from portal.cycles import engine, policy, review
from portal.cycles.models import Cycle, CycleItem, CycleTask, ItemState
from portal.cycles.outputs import store_output
from portal.demo import files, timeline
from portal.extensions import db
from portal.indikator import periods
from portal.indikator.models import Indikator, Realisasi
from portal.realisasi import forms as realisasi_forms
from portal.realisasi import services as realisasi_services
from portal.signing import preview, signoff
from portal.sop import services as sop_services
from portal.sop.document import Meaning
from portal.tenancy.models import Lane, Tenant

PDF = files.pdf("Dokumen output langkah SOP")
RETURN_REASON = "Bukti dukung belum sesuai definisi operasional"
MAX_BYTES = 10_000_000
DEFAULT_PENDORONG = "Koordinasi lintas bidang"


class Pace:
    """When each action happens: `next(task)` moves on to a moment a little after the task
    opened (at most 20 minutes, at most half its Mutu Baku) and never back in time."""

    def __init__(self, start: datetime):
        self.now = start

    def next(self, task: CycleTask | None = None) -> datetime:
        gap = timedelta(minutes=20)
        if task is not None and task.activated_at is not None:
            if task.due_at is not None:
                gap = min(gap, (task.due_at - task.activated_at) / 2)
            self.now = max(self.now, task.activated_at)
        self.now += gap
        return self.now


def moment(pace: Pace | None, task: CycleTask | None = None):
    """The block runs at the pace's next moment, or at the real now without a pace."""
    return timeline.at(pace.next(task)) if pace is not None else contextlib.nullcontext()


def tenant(slug) -> Tenant:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def people(opd, kinds, unit_id=None) -> list[User]:
    query = (select(User).join(Membership, Membership.user_id == User.id).join(Lane, Lane.id == Membership.lane_id)
             .where(Membership.tenant_id == opd.id, Lane.kind.in_(kinds)).order_by(User.id))
    if unit_id is not None:
        query = query.where(Membership.unit_id == unit_id)
    return list(dict.fromkeys(db.session.scalars(query)))


def enterer(opd, item) -> User:
    unit_id = item.indikator.unit_id
    for kind in ("staf", "kabid"):
        found = people(opd, {kind}, unit_id)
        if found:
            return found[0]
    raise engine.CycleError(f"nobody enters {item.indikator.kode}")


def first_step(opd):
    return sop_services.sop_in_force(opd).steps[0]


def enter_value(item, user, value="75", faktor_pendorong=None) -> None:
    """Save a realisasi for the item's quarter through the data-entry form's reading and
    save_realisasi. `value` is a number as typed ("12,5" or "75"); a predikat indicator
    takes the first level of its scale for "75" and the second otherwise. The faktor and
    tindak lanjut texts already on the row stay (else a default text)."""
    ind: Indikator = item.indikator
    triwulan = engine.measured_triwulan(item.cycle.period_kind, item.cycle.period_no)
    periods.open_period(item.cycle.tenant, item.cycle.tahun, triwulan)
    row = db.session.scalar(select(Realisasi).where(Realisasi.tenant_id == ind.tenant_id,
                                                    Realisasi.indikator_id == ind.id, Realisasi.triwulan == triwulan))
    form = {"tidak_berlaku": "",
            "faktor_pendorong": faktor_pendorong or (row.faktor_pendorong if row else "") or DEFAULT_PENDORONG,
            "faktor_penghambat": row.faktor_penghambat if row else "",
            "tindak_lanjut": (row.tindak_lanjut if row else "") or "Pemantauan bulanan"}
    if ind.jenis_target == "predikat":
        levels = capaian_figures.predikat_scale(ind).levels
        form["predikat"] = levels[0] if value == "75" else levels[1]
    elif ind.pakai_rasio:
        form.update(pembilang=value, penyebut="100")
    else:
        form["nilai"] = value
    values, errors = realisasi_forms.read_realisasi(form, ind)
    if errors:
        raise engine.CycleError(f"{ind.kode}: {errors}")
    saved = realisasi_services.save_realisasi(ind, triwulan, user, values, row.revision if row else 0)
    if isinstance(saved, realisasi_services.Conflict):
        raise saved


def actor(opd, task, avoid=()) -> User:
    for user in people(opd, engine.step_lane_kinds(task.step)):
        if user.id not in avoid:
            return user
    raise engine.CycleError(f"nobody may do step {task.position} ({engine.step_lane_names(task.step)})")


def _test_value(item: CycleItem, resubmit: bool) -> str:
    return "80" if resubmit else "75"


def run(opd_slug, tahun=2026, kind="triwulan", no=3, return_once=True, max_steps=200, faktor=None,
        pace: Pace | None = None, stop: Callable[[Cycle, CycleTask], bool] | None = None,
        value_of: Callable[[CycleItem, bool], str | None] = _test_value,
        after_entry: Callable[[CycleItem, User], None] | None = None, cycle: Cycle | None = None):
    """Start (or go on with) a cycle and run it to its end, or until `stop(cycle, task)`
    says so before a task is acted on. Returns (cycle, log of what happened).

    `return_once`: the first data review returns one item (RETURN_REASON) and the first
    document review with a "Tidak" step says Tidak once. `value_of(item, resubmit)`: the
    value typed for an item (None: keep the value it already has). `after_entry(item,
    user)`: called after an item's value is saved (bukti dukung). `faktor`: faktor
    pendorong typed for some indicators (by indikator id)."""
    opd = tenant(opd_slug)
    if cycle is None:
        starter = people(opd, engine.step_lane_kinds(first_step(opd)))[0]
        with moment(pace):
            cycle = engine.start_cycle(opd, tahun, kind, no, starter)
            db.session.flush()
    log, returned, decided_no = [], False, set()
    for _ in range(max_steps):
        task = engine.current_task(cycle)
        if task is None or (stop is not None and stop(cycle, task)):
            break
        with moment(pace, task):
            log.append(_act(opd, cycle, task, return_once, returned, decided_no, faktor, value_of, after_entry))
        returned = returned or log[-1].endswith(":kembalikan")
        db.session.flush()
    return cycle, log


def advance(opd, cycle, return_once=False, max_steps=200, faktor=None) -> list[str]:
    """Drive a started (or reopened) cycle through its SOP until no task is left (signed
    and archived). Returns the log of what happened."""
    return run(opd.slug, cycle=cycle, return_once=return_once, max_steps=max_steps, faktor=faktor)[1]


def _act(opd, cycle, task, return_once, returned, decided_no, faktor, value_of, after_entry) -> str:
    meaning = task.step.meaning
    if meaning in (Meaning.MANUAL, Meaning.ARCHIVE):
        user = actor(opd, task)
        output = store_output(opd, "output.pdf", PDF, MAX_BYTES) if task.step.output.strip() else None
        engine.mark_done(task, user, output=output)
        return f"{task.position}:done"
    if meaning == Meaning.COLLECT:
        pending = [i for i in cycle.items if i.state in (ItemState.BELUM_DIISI, ItemState.DIKEMBALIKAN)]
        if not pending:
            raise engine.CycleError("collect step active with nothing to submit")
        for item in pending:
            user = enterer(opd, item)
            value = value_of(item, item.state == ItemState.DIKEMBALIKAN)
            if value is not None:
                enter_value(item, user, value,
                            **({"faktor_pendorong": faktor[item.indikator_id]} if item.indikator_id in (faktor or {})
                               else {}))
            if after_entry is not None:
                after_entry(item, user)
            review.submit([item], user)
        return f"{task.position}:collected"
    if meaning == Meaning.REVIEW and review.stage_of_task(task) is None:
        user = actor(opd, task)
        if return_once and task.position not in decided_no and task.step.return_to is not None:
            decided_no.add(task.position)
            review.decide(task, user, False, "Perbaiki dulu")
            return f"{task.position}:tidak"
        review.decide(task, user, True)
        return f"{task.position}:ya"
    if meaning == Meaning.REVIEW:
        return _review(opd, cycle, task, return_once and not returned)
    if meaning == Meaning.SIGN:  # the Kepala signs what the sign-off page shows him
        signoff.sign(task, actor(opd, task), preview.fingerprint(cycle))
        return f"{task.position}:signed"
    raise engine.CycleError(f"step {task.position}: {meaning}")


def reviewers(opd, task: CycleTask, items: list[CycleItem]) -> dict[int, list[User]]:
    """Who may review each item at this data review step: its lanes, never whoever entered
    it, and for unit-bound lanes (Kabid, Staf) the item's unit only. {item id: users}"""
    kinds = engine.step_lane_kinds(task.step)
    everyone = people(opd, kinds)
    entered = policy.enterers(task.cycle, items)
    unit_bound = all(k in review.ENTRY_KINDS for k in kinds)
    by_unit: dict[int | None, list[User]] = {}
    out = {}
    for item in items:
        unit_id = item.indikator.unit_id
        if unit_bound and unit_id not in by_unit:
            by_unit[unit_id] = people(opd, kinds, unit_id)
        out[item.id] = [u for u in everyone if u.id not in entered[item.id]
                        and (not unit_bound or u in by_unit[unit_id])]
    return out


def _review(opd, cycle, task, return_one: bool) -> str:
    stage = review.stage_of_task(task)
    waiting = [i for i in cycle.items if i.state == ItemState.DIAJUKAN and i.stage == stage - 1]
    if not waiting:
        raise engine.CycleError(f"review step {task.position} active with nothing waiting")
    by_reviewer: dict[int, tuple[User, list]] = {}
    allowed = reviewers(opd, task, waiting)
    for item in waiting:
        candidates = allowed[item.id]
        if not candidates:
            raise engine.CycleError(f"nobody may review {item.indikator.kode} at step {task.position}")
        by_reviewer.setdefault(candidates[0].id, (candidates[0], []))[1].append(item)
    outcome = "reviewed"
    for user, items in by_reviewer.values():
        if engine.current_task(cycle) is not task:
            break
        decisions = {i.id: ("setuju", "") for i in items}
        if return_one and outcome == "reviewed":
            decisions[items[0].id] = ("kembalikan", RETURN_REASON)
            outcome = "kembalikan"
        review.review(task, user, decisions)
    return f"{task.position}:{outcome}"
