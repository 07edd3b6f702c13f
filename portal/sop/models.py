"""SOP Pengukuran Kinerja as versioned data.

Sop is the identity of one agency's (or one pemda's) SOP; SopVersion is one version of
its document: a draft that is edited, or a published version that never changes again.
Every row carries the owning tenant, and composite foreign keys keep a version's lanes
and steps inside that tenant.
"""
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.columns import one_of, utcnow
from portal.extensions import db
from portal.sop.document import Meaning, Repeat, Symbol, TimeUnit
from portal.tenancy.models import Tenant


class VersionStatus(StrEnum):
    """A SOP version is a draft until published; a published version never changes."""

    DRAFT = "draft"
    PUBLISHED = "published"


class EditTracked:
    """Optimistic locking for rows edited in the browser: every save bumps `revision`;
    a save made against an older revision is refused and told who changed it."""

    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime | None] = mapped_column()
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Sop(db.Model):
    __tablename__ = "sop"
    __table_args__ = (UniqueConstraint("tenant_id", "key"), UniqueConstraint("tenant_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    # A template sits in a coordinator's library; it is cloned, never run.
    is_template: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tenant: Mapped[Tenant] = relationship()
    # Relationships join on the primary key alone (the composite foreign keys keep the
    # tenant in the database): a many-to-one then comes from the identity map instead of
    # a query per row.
    versions: Mapped[list["SopVersion"]] = relationship(
        back_populates="sop", order_by="SopVersion.number", primaryjoin="Sop.id == foreign(SopVersion.sop_id)")


class SopVersion(EditTracked, db.Model):
    __tablename__ = "sop_version"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "sop_id"], ["sop.tenant_id", "sop.id"]),
        UniqueConstraint("sop_id", "number"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint(one_of("status", VersionStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    sop_id: Mapped[int] = mapped_column(index=True)
    number: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default=VersionStatus.DRAFT)

    nama: Mapped[str] = mapped_column(String(300), default="")
    nomor: Mapped[str] = mapped_column(String(120), default="")
    tanggal_pembuatan: Mapped[date | None] = mapped_column()
    tanggal_revisi: Mapped[date | None] = mapped_column()
    tanggal_efektif: Mapped[date | None] = mapped_column()
    tanggal_pengesahan: Mapped[date | None] = mapped_column()
    disahkan_nama: Mapped[str] = mapped_column(String(200), default="")
    disahkan_nip: Mapped[str] = mapped_column(String(30), default="")
    disahkan_jabatan: Mapped[str] = mapped_column(String(200), default="")
    disahkan_pangkat: Mapped[str] = mapped_column(String(120), default="")  # pangkat/golongan
    # Dasar Hukum, Kualifikasi Pelaksana, ...: {list key: [item, ...]}
    lists: Mapped[dict] = mapped_column(JSON, default=dict)

    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("sop_version.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column()
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # "Disahkan oleh": an OPD's version runs only once its Kepala approved it (recorded
    # here and in the audit log, like a sign-off); see services.approve.
    approved_at: Mapped[datetime | None] = mapped_column()
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    sop: Mapped[Sop] = relationship(back_populates="versions", primaryjoin="Sop.id == foreign(SopVersion.sop_id)")
    lanes: Mapped[list["SopLane"]] = relationship(
        back_populates="version", order_by="SopLane.position", cascade="all, delete-orphan",
        primaryjoin="SopVersion.id == foreign(SopLane.version_id)")
    steps: Mapped[list["SopStep"]] = relationship(
        back_populates="version", order_by="SopStep.position", cascade="all, delete-orphan",
        primaryjoin="SopVersion.id == foreign(SopStep.version_id)")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys="SopVersion.updated_by_id")
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    based_on: Mapped["SopVersion | None"] = relationship(remote_side="SopVersion.id", foreign_keys=[based_on_id])

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class SopLane(EditTracked, db.Model):
    __tablename__ = "sop_lane"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "version_id"], ["sop_version.tenant_id", "sop_version.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("version_id", "key"),
        UniqueConstraint("tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    version_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column()
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))

    version: Mapped[SopVersion] = relationship(back_populates="lanes",
                                               primaryjoin="SopVersion.id == foreign(SopLane.version_id)")
    updated_by: Mapped[User | None] = relationship(foreign_keys="SopLane.updated_by_id")


class SopStep(EditTracked, db.Model):
    __tablename__ = "sop_step"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "version_id"], ["sop_version.tenant_id", "sop_version.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint(one_of("symbol", Symbol), name="symbol"),
        CheckConstraint(one_of("meaning", Meaning), name="meaning"),
        CheckConstraint(one_of("waktu_unit", TimeUnit), name="waktu_unit"),
        CheckConstraint("repeat IS NULL OR " + one_of("repeat", Repeat), name="repeat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    version_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column()  # the step's number is its position, 1-based
    kegiatan: Mapped[str] = mapped_column(Text, default="")
    symbol: Mapped[str] = mapped_column(String(10), default=Symbol.PROSES.value)
    meaning: Mapped[str] = mapped_column(String(10), default=Meaning.MANUAL.value)
    kelengkapan: Mapped[str] = mapped_column(Text, default="")
    waktu_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    waktu_unit: Mapped[str] = mapped_column(String(12), default=TimeUnit.MENIT.value)
    output: Mapped[str] = mapped_column(Text, default="")
    # The Output is a record to keep, not a file to upload, unless the SOP says "wajib".
    output_wajib: Mapped[bool] = mapped_column(default=False, server_default=false())
    keterangan: Mapped[str] = mapped_column(Text, default="")
    # Keys of the SopLane rows doing this step (one or more), in lane order.
    lane_keys: Mapped[list] = mapped_column(JSON, default=list)
    return_to_id: Mapped[int | None] = mapped_column(ForeignKey("sop_step.id", ondelete="SET NULL"))
    repeat: Mapped[str | None] = mapped_column(String(10))

    version: Mapped[SopVersion] = relationship(back_populates="steps",
                                               primaryjoin="SopVersion.id == foreign(SopStep.version_id)")
    updated_by: Mapped[User | None] = relationship(foreign_keys="SopStep.updated_by_id")
    return_to: Mapped["SopStep | None"] = relationship(remote_side="SopStep.id", foreign_keys=[return_to_id],
                                                       post_update=True)

    @property
    def no(self) -> int:
        return self.position


class SopChoice(db.Model):
    """The SOP in force for a tenant: an explicit, recorded choice (made by publishing
    the tenant's first SOP, or by choosing), never a consequence of key order."""

    __tablename__ = "sop_choice"
    __table_args__ = (ForeignKeyConstraint(["tenant_id", "sop_id"], ["sop.tenant_id", "sop.id"]),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), primary_key=True)
    sop_id: Mapped[int] = mapped_column()
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    sop: Mapped[Sop] = relationship(primaryjoin="Sop.id == foreign(SopChoice.sop_id)", viewonly=True)
    chosen_by: Mapped[User | None] = relationship(foreign_keys=[chosen_by_id])
