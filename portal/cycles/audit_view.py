"""The audit log as people read it: Indonesian action labels, times in WIB, and for the
steps of a cycle the lane names of the SOP that ran it (not the tenant's own names for
those roles); steps the portal completed by itself say so.

Used as the Jinja filter `jejak` wherever an audit table is shown
(templates/audit/_events.html). A fixed number of queries for any number of events.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.audit.labels import AUTOMATIC_LANE, action_label, field_text
from portal.audit.models import AuditEvent
from portal.cycles.models import Cycle, CycleTask
from portal.extensions import db
from portal.formatting import waktu
from portal.sop.document import Meaning
from portal.sop.models import SopVersion
from portal.tenancy.models import Lane

# Which kind of SOP step an event on a cycle's data belongs to (the step itself is not
# recorded for these; its meaning is implied by the action).
MEANING_OF_ACTION = {
    "data.ajukan": Meaning.COLLECT,
    "data.setujui": Meaning.REVIEW,
    "data.kembalikan": Meaning.REVIEW,
    "siklus.sahkan": Meaning.SIGN,
    "siklus.buka_kembali": Meaning.SIGN,
}
# Events the portal itself causes, whoever's action set them off.
AUTOMATIC_ACTIONS = {"siklus.selesai"}


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    when: str       # "30 Nov 2026 18.15 WIB"
    who: str
    lane: str
    action: str     # the label, with the field it changed
    code: str
    change: str     # "old → new"
    reason: str


def split_lanes(text: str) -> list[tuple[str, str]]:
    """'Kabid Kesmas (Bidang Kesmas), Staf' -> [('Kabid Kesmas', ' (Bidang Kesmas)'), ('Staf', '')]:
    the lane texts the cycle code writes (names joined by ', ', a unit in parentheses)."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    out = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        name, paren, rest = part.partition(" (")
        out.append((name, f" ({rest}" if paren else ""))
    return out


def readable(events: list[AuditEvent]) -> list[AuditRow]:
    kinds = _lane_kinds({e.tenant_id for e in events})
    versions = _versions({e.cycle_id for e in events if e.cycle_id})
    tasks = _tasks({e.subject_id for e in events if e.subject_type == "cycle_task" and e.subject_id})
    rows = []
    for e in events:
        action = action_label(e.action) + (f" ({field_text(e.field)})" if e.field else "")
        change = f"{e.old_value} → {e.new_value}" if e.old_value else e.new_value
        rows.append(AuditRow(e.at, waktu(e.at), e.user.name if e.user else "sistem",
                             _lane(e, kinds, versions, tasks), action, e.action, change, e.reason))
    return rows


def _lane(e: AuditEvent, kinds, versions, tasks) -> str:
    automatic = e.action in AUTOMATIC_ACTIONS or (e.subject_type == "cycle_task" and not e.lane)
    if automatic or (e.user_id is None and not e.lane):
        return AUTOMATIC_LANE
    version = versions.get(e.cycle_id)
    if version is None or not e.lane:
        return e.lane
    sop_lanes = version.lanes
    task = tasks.get(e.subject_id) if e.subject_type == "cycle_task" else None
    if task is not None:
        keys = set(task.step.lane_keys or [])
        sop_lanes = [lane for lane in sop_lanes if lane.key in keys]
    elif e.action in MEANING_OF_ACTION:
        meaning = MEANING_OF_ACTION[e.action]
        keys = {k for step in version.steps if step.meaning == meaning for k in (step.lane_keys or [])}
        sop_lanes = [lane for lane in sop_lanes if lane.key in keys] or sop_lanes
    names = []
    for tenant_name, unit in split_lanes(e.lane):
        kind = kinds.get((e.tenant_id, tenant_name))
        matching = [lane.name for lane in sop_lanes if lane.kind == kind]
        # A role the SOP does not name (or a lane renamed since): the recorded name stays.
        names.append((" / ".join(dict.fromkeys(matching)) if matching else tenant_name) + unit)
    return ", ".join(dict.fromkeys(names))


def _lane_kinds(tenant_ids) -> dict[tuple[int, str], str]:
    if not tenant_ids:
        return {}
    return {(t, name): kind for t, name, kind in db.session.execute(
        select(Lane.tenant_id, Lane.name, Lane.kind).where(Lane.tenant_id.in_(tenant_ids)))}


def _versions(cycle_ids) -> dict[int, SopVersion]:
    if not cycle_ids:
        return {}
    cycles = db.session.scalars(select(Cycle).where(Cycle.id.in_(cycle_ids)).options(
        selectinload(Cycle.sop_version).selectinload(SopVersion.lanes),
        selectinload(Cycle.sop_version).selectinload(SopVersion.steps)))
    return {c.id: c.sop_version for c in cycles}


def _tasks(task_ids) -> dict[int, CycleTask]:
    if not task_ids:
        return {}
    return {t.id: t for t in db.session.scalars(
        select(CycleTask).where(CycleTask.id.in_(task_ids)).options(selectinload(CycleTask.step)))}


def register(app) -> None:
    app.add_template_filter(readable, "jejak")
