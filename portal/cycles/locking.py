"""Workflow actions on a cycle run one at a time, and the one who comes second is told
what happened first.

Every action that changes a cycle's state (submit, approve, return, decide, mark a step
done, sign, reopen) and every realisasi save calls `lock()` before it checks anything:

- PostgreSQL: SELECT ... FOR UPDATE of the cycle row. A second action on the same cycle
  waits until the first commits; the cycle, its items and tasks and the realisasi rows
  the request read before are then read again, so the checks that follow see the first
  action's result.
  A save locks every cycle of its OPD's year (in id order, as no action locks two cycles
  in another order), because a value may be held by the cycle that measures its triwulan
  or by a later one that rolls it up.
- SQLite: writers are serialized already (requests with unsafe methods begin with
  BEGIN IMMEDIATE, portal/database.py), so every read of a writing transaction happens
  under the lock; nothing needs to be re-read.

The whole cycle row is the lock (not one item): an approval may finish the review step,
a submission may finish the collect step, a return rewinds the flow; each reads every
item, so two actions on different items of one cycle conflict too.

The loser's checks fail with `StateChanged` (409) naming the latest action on the thing
it wanted to act on: who (and in which lane) did what, and when (WIB).
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.audit.labels import ACTION_LABELS
from portal.audit.models import AuditEvent
from portal.cycles.models import Cycle, CycleItem, CycleTask
from portal.cycles.policy import CycleError
from portal.extensions import db
from portal.formatting import waktu
from portal.indikator.models import Realisasi
from portal.problems import Conflict


class StateChanged(Conflict, CycleError):
    """The cycle or item is no longer where the page showed it: someone acted first (409).
    Still a CycleError, so callers that catch the flow's refusals catch this too."""

    title = "Sudah berubah"


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


# What a workflow action changes and the next one reads: read again after the lock.
# (Definitions, people and lanes are not changed by these actions; audit events and
# bukti dukung are queried afresh by every check that reads them.)
CHANGING = (Cycle, CycleItem, CycleTask, Realisasi)


def _read_again() -> None:
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, CHANGING):
            db.session.expire(obj)


def lock(cycle: Cycle) -> None:
    """Take the cycle's row lock for the rest of the transaction and re-read what was read."""
    if not _postgresql():
        return
    db.session.flush()
    db.session.execute(select(Cycle.id).where(Cycle.id == cycle.id).with_for_update())
    _read_again()


def lock_year(tenant_id: int, tahun: int) -> None:
    """A realisasi save: lock every cycle of the OPD's year (in id order)."""
    if not _postgresql():
        return
    db.session.flush()
    db.session.execute(select(Cycle.id).where(Cycle.tenant_id == tenant_id, Cycle.tahun == tahun)
                       .order_by(Cycle.id).with_for_update())
    _read_again()


def last_event(cycle: Cycle, subject_type: str | None = None, subject_id: int | None = None) -> AuditEvent | None:
    """The latest action of a person on the cycle (or on one of its items or tasks)."""
    query = (select(AuditEvent).options(selectinload(AuditEvent.user))
             .where(AuditEvent.tenant_id == cycle.tenant_id, AuditEvent.cycle_id == cycle.id,
                    AuditEvent.user_id.is_not(None)))
    if subject_type is not None:
        query = query.where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
    return db.session.scalar(query.order_by(AuditEvent.id.desc()).limit(1))


def what_happened(event: AuditEvent | None) -> str:
    """'Budi (Kepala Bidang P2P) mengembalikan data untuk diperbaiki (Diajukan → Dikembalikan)
    pada 7 Des 2026 21.40 WIB'."""
    if event is None:
        return ""
    who = event.user.name if event.user else "Sistem"
    lane = f" ({event.lane})" if event.lane else ""
    label = ACTION_LABELS.get(event.action, event.action)
    label = label[:1].lower() + label[1:]
    if event.old_value and event.new_value:
        change = f" ({event.old_value} → {event.new_value})"
    elif event.new_value:
        change = f" ({event.new_value})"
    else:
        change = ""
    return f"{who}{lane} {label}{change} pada {waktu(event.at)}"


def changed(message: str, cycle: Cycle, subject_type: str | None = None, subject_id: int | None = None
            ) -> StateChanged:
    """A StateChanged whose message ends with the latest action on the subject (or the cycle)."""
    event = last_event(cycle, subject_type, subject_id)
    if event is None and subject_type is not None:
        event = last_event(cycle)
    told = what_happened(event)
    return StateChanged(f"{message} Terakhir: {told}. Muat ulang halaman." if told
                        else f"{message} Muat ulang halaman.")
