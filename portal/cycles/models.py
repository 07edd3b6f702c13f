"""A Pengukuran Kinerja cycle: one OPD x one period, run under one SOP version.

Each SOP step becomes a CycleTask (a periodic step one task per occurrence); each
indicator whose data the cycle measures becomes a CycleItem carrying its data state.
A signed cycle keeps a snapshot of the signed values per revision (CycleSnapshot).
"""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.columns import one_of, utcnow
from portal.extensions import db
from portal.sop.models import SopStep, SopVersion
from portal.tenancy.models import Tenant

PERIOD_KINDS = ("triwulan", "semester", "tahunan")


class CycleStatus(StrEnum):
    """Where a cycle stands: running, signed off (locked), finished (every task done)."""

    BERJALAN = "berjalan"
    DISAHKAN = "disahkan"
    SELESAI = "selesai"


class TaskStatus(StrEnum):
    """Where one task of the cycle's flow stands."""

    MENUNGGU = "menunggu"
    AKTIF = "aktif"
    SELESAI = "selesai"


class ItemState(StrEnum):
    """Where one indicator's data stands in a cycle."""

    BELUM_DIISI = "belum_diisi"
    DIAJUKAN = "diajukan"
    DIKEMBALIKAN = "dikembalikan"
    DISAHKAN = "disahkan"


ITEM_STATES = tuple(ItemState)


class Cycle(db.Model):
    __tablename__ = "cycle"
    __table_args__ = (
        UniqueConstraint("tenant_id", "tahun", "period_kind", "period_no"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint(one_of("period_kind", PERIOD_KINDS), name="period_kind"),
        CheckConstraint(one_of("status", CycleStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    # The version in force when the cycle started; it may be the pemda's shared SOP.
    sop_version_id: Mapped[int] = mapped_column(ForeignKey("sop_version.id"))
    tahun: Mapped[int] = mapped_column()
    period_kind: Mapped[str] = mapped_column(String(10))
    period_no: Mapped[int] = mapped_column()  # TW 1-4, semester 1-2, tahunan 1
    status: Mapped[str] = mapped_column(String(10), default=CycleStatus.BERJALAN)
    locked: Mapped[bool] = mapped_column(default=False)
    lock_reason: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revision: Mapped[int] = mapped_column(default=0)  # sign-offs so far

    tenant: Mapped[Tenant] = relationship()
    sop_version: Mapped[SopVersion] = relationship()
    started_by: Mapped[User | None] = relationship()
    # Joined on the primary key alone (the composite foreign keys keep the tenant in the
    # database), so a task's or item's cycle comes from the identity map.
    tasks: Mapped[list["CycleTask"]] = relationship(
        back_populates="cycle", order_by="(CycleTask.position, CycleTask.occurrence)",
        primaryjoin="Cycle.id == foreign(CycleTask.cycle_id)")
    items: Mapped[list["CycleItem"]] = relationship(back_populates="cycle", order_by="CycleItem.id",
                                                    primaryjoin="Cycle.id == foreign(CycleItem.cycle_id)")
    # The record of the latest sign-off (portal/signing writes it; named by its registry name,
    # signing sits above cycles): empty before the first sign-off, revisions start at 1.
    signed_figures: Mapped[list["SignedFigure"]] = relationship(  # noqa: F821
        viewonly=True, order_by="(SignedFigure.sasaran_kode, SignedFigure.kode)",
        primaryjoin="and_(Cycle.id == foreign(SignedFigure.cycle_id), "
                    "Cycle.tenant_id == foreign(SignedFigure.tenant_id), "
                    "Cycle.revision == foreign(SignedFigure.revision))")


class CycleTask(db.Model):
    __tablename__ = "cycle_task"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "cycle_id"], ["cycle.tenant_id", "cycle.id"]),
        UniqueConstraint("cycle_id", "position", "occurrence"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint(one_of("status", TaskStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(index=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("sop_step.id"))
    position: Mapped[int] = mapped_column()     # the step's number
    occurrence: Mapped[int] = mapped_column(default=1)
    occurrences: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(10), default=TaskStatus.MENUNGGU)
    activated_at: Mapped[datetime | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    output_blob_id: Mapped[int | None] = mapped_column(ForeignKey("file_blob.id"))
    output_filename: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    times_returned: Mapped[int] = mapped_column(default=0)

    cycle: Mapped[Cycle] = relationship(back_populates="tasks", primaryjoin="Cycle.id == foreign(CycleTask.cycle_id)")
    step: Mapped[SopStep] = relationship()
    completed_by: Mapped[User | None] = relationship()


class CycleItem(db.Model):
    """One indicator's data in the cycle, with its state. `stage` counts the data review
    steps it has passed (0: none); state 'diajukan' with stage 1 reads "divalidasi" when
    the SOP's first review step validates, and so on."""

    __tablename__ = "cycle_item"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "cycle_id"], ["cycle.tenant_id", "cycle.id"]),
        ForeignKeyConstraint(["tenant_id", "indikator_id"], ["indikator.tenant_id", "indikator.id"]),
        UniqueConstraint("cycle_id", "indikator_id"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint(one_of("state", ITEM_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(index=True)
    indikator_id: Mapped[int] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(12), default=ItemState.BELUM_DIISI)
    stage: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None] = mapped_column()
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Who approved at each data review stage: {"1": user_id, "2": user_id}
    approvals: Mapped[dict] = mapped_column(JSON, default=dict)
    returned_reason: Mapped[str] = mapped_column(Text, default="")
    returned_at: Mapped[datetime | None] = mapped_column()
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    cycle: Mapped[Cycle] = relationship(back_populates="items", primaryjoin="Cycle.id == foreign(CycleItem.cycle_id)")
    indikator = relationship("Indikator", foreign_keys=[indikator_id],
                             primaryjoin="CycleItem.indikator_id == Indikator.id", viewonly=True)
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id])


class CycleSnapshot(db.Model):
    """The values as signed: one row per indicator per sign-off (revision 1, 2 ...)."""

    __tablename__ = "cycle_snapshot"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "cycle_id"], ["cycle.tenant_id", "cycle.id"]),
        UniqueConstraint("cycle_id", "indikator_id", "revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(index=True)
    indikator_id: Mapped[int] = mapped_column()
    revision: Mapped[int] = mapped_column()
    values: Mapped[dict] = mapped_column(JSON)  # display strings: nilai, faktor, tindak lanjut ...
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
