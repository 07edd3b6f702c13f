"""Reminders as pages show them: the latest one per task (a note on the home page)."""
from sqlalchemy import select

from portal.extensions import db
from portal.reminders.models import ReminderSent
from portal.reminders.services import KIND_LABELS


def latest_for_tasks(task_ids) -> dict[int, ReminderSent]:
    """task id -> the latest reminder sent about it."""
    if not task_ids:
        return {}
    out: dict[int, ReminderSent] = {}
    for row in db.session.scalars(select(ReminderSent).where(ReminderSent.task_id.in_(list(task_ids)))
                                  .order_by(ReminderSent.sent_at, ReminderSent.id)):
        out[row.task_id] = row
    return out


def label(row: ReminderSent) -> str:
    return KIND_LABELS[row.kind]
