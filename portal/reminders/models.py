"""What was sent (one row per reminder, written before the mail goes out) and each
tenant's escalation setting."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.columns import one_of, utcnow
from portal.extensions import db

KINDS = ("segera", "terlambat", "eskalasi", "ringkasan", "manual", "belum_mulai")


class ReminderSent(db.Model):
    """One reminder: (kind, key) is unique, so two workers (or one restarted) can never
    send it twice: the row is committed before the mail is handed to the SMTP server.
    key names what it is about: a task and the activation it belongs to (a task run again
    after a return has a new due time and new reminders), a week for a digest."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("kind", "key"), CheckConstraint(one_of("kind", KINDS), name="kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("cycle_task.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    key: Mapped[str] = mapped_column(String(80))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipients: Mapped[list] = mapped_column(JSON, default=list)  # user ids
    subject: Mapped[str] = mapped_column(Text, default="")
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # "Kirim pengingat"


class ReminderSetting(db.Model):
    """After how many hari kerja late work is escalated; an OPD without a row follows its
    pemda, a pemda its province, the province the default."""

    __tablename__ = "reminder_setting"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), primary_key=True)
    escalate_after_days: Mapped[int] = mapped_column(default=2)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
