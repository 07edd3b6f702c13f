"""The tenant tree (provinsi → pemda → OPD), units inside an OPD, and lanes."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.columns import one_of, utcnow  # noqa: F401 (utcnow: still imported from here)
from portal.extensions import db
from portal.tenancy.lanes import KIND_LABELS, LEVEL_LABELS, LaneKind, Level


class Tenant(db.Model):
    __tablename__ = "tenant"
    __table_args__ = (CheckConstraint(one_of("level", Level), name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(60), default="")
    # kota / kabupaten / placeholder for a pemda; free text for an OPD (dinas, badan ...)
    kind: Mapped[str] = mapped_column(String(30), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Deactivated, never deleted: its cycles, SOPs and audit log stay readable.
    is_active: Mapped[bool] = mapped_column(default=True)
    # The slug the tenants/ files know it by (a slug renamed in the browser keeps it).
    file_slug: Mapped[str | None] = mapped_column(String(80), unique=True)
    # Set when someone changed it in the browser: `flask tenants load` no longer
    # overwrites its fields (it reports the difference instead).
    edited_by_id: Mapped[int | None] = mapped_column()

    parent: Mapped["Tenant | None"] = relationship(remote_side="Tenant.id", back_populates="children")
    children: Mapped[list["Tenant"]] = relationship(back_populates="parent", order_by="Tenant.name")
    units: Mapped[list["Unit"]] = relationship(back_populates="tenant", order_by="Unit.position")
    lanes: Mapped[list["Lane"]] = relationship(back_populates="tenant", order_by="Lane.position")

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[Level(self.level)]

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


class Unit(db.Model):
    """A part of an OPD (Sekretariat, Bidang ...): where indicators are assigned."""

    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key"),
        UniqueConstraint("tenant_id", "id"),  # target of composite foreign keys
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    edited_by_id: Mapped[int | None] = mapped_column()

    tenant: Mapped[Tenant] = relationship(back_populates="units")


class Lane(db.Model):
    """A role of a tenant, named as its SOP names it, with a kind that says what it may do."""

    __tablename__ = "lane"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint(one_of("kind", LaneKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    edited_by_id: Mapped[int | None] = mapped_column()

    tenant: Mapped[Tenant] = relationship(back_populates="lanes")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[LaneKind(self.kind)]
