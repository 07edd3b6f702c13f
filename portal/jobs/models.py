"""A background job and what became of it. The result's bytes are kept in the row, so
every app server can serve the download whichever worker made it."""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.columns import one_of, utcnow
from portal.extensions import db


class JobStatus(StrEnum):
    ANTRI = "antri"
    BERJALAN = "berjalan"
    SELESAI = "selesai"
    GAGAL = "gagal"


STATUS_LABELS = {JobStatus.ANTRI: "Dalam antrean", JobStatus.BERJALAN: "Sedang disusun", JobStatus.SELESAI: "Selesai",
                 JobStatus.GAGAL: "Gagal"}

# A job whose enqueue failed: its row is kept and the workers' sweep queues it once the
# queue answers again (portal/jobs/queue.py).
QUEUE_DOWN = ("Antrean pekerja latar sedang tidak dapat dihubungi. Permintaan ekspor ini sudah tersimpan dan "
              "akan disusun otomatis begitu antrean kembali; halaman ini memperbarui sendiri.")


class Job(db.Model):
    __tablename__ = "job"
    __table_args__ = (CheckConstraint(one_of("status", JobStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(40))           # which runner (e.g. "ekspor")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    title: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.ANTRI, index=True)
    progress: Mapped[int] = mapped_column(default=0)       # percent
    error: Mapped[str] = mapped_column(Text, default="")   # why it failed, for the user
    attempts: Mapped[int] = mapped_column(default=0)
    # A running job renews its lease as it goes; past the lease its worker is taken for
    # dead and the job is queued again.
    lease_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    filename: Mapped[str] = mapped_column(String(255), default="")
    result: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    result_size: Mapped[int] = mapped_column(default=0)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def waiting_for_queue(self) -> bool:
        """Queued in the database but in no queue (its enqueue failed): the sweep takes it."""
        return self.status == JobStatus.ANTRI and self.lease_until is None

    @property
    def queue_down_message(self) -> str:
        return QUEUE_DOWN

    @property
    def done(self) -> bool:
        return self.status in (JobStatus.SELESAI, JobStatus.GAGAL)
