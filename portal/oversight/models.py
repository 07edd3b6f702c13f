"""Province-wide indicator references (an IKK or SPM code kept as data) and the links
from each pemda's / OPD's own indicator to them, so the same measure can be compared."""
from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.columns import utcnow
from portal.extensions import db
from portal.tenancy.models import Tenant


class IndicatorReference(db.Model):
    """A measure the coordinator compares across the province (owned by the province)."""

    __tablename__ = "indicator_reference"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kode"),
        UniqueConstraint("tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    kode: Mapped[str] = mapped_column(String(40))      # e.g. "IKK 1.02" or "SPM-KES-01"
    nama: Mapped[str] = mapped_column(String(500))
    satuan: Mapped[str] = mapped_column(String(60), default="")
    keterangan: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    tenant: Mapped[Tenant] = relationship()
    links: Mapped[list["IndicatorLink"]] = relationship(
        back_populates="reference", order_by="IndicatorLink.id",
        primaryjoin="IndicatorReference.id == foreign(IndicatorLink.reference_id)")


class IndicatorLink(db.Model):
    """One OPD indicator measuring the reference. The link row carries the OPD's tenant
    so the indicator's tenant is enforced by a composite foreign key."""

    __tablename__ = "indicator_link"
    __table_args__ = (
        ForeignKeyConstraint(["province_id", "reference_id"],
                             ["indicator_reference.tenant_id", "indicator_reference.id"]),
        # A deleted indicator (one without values may be deleted) takes its links along.
        ForeignKeyConstraint(["tenant_id", "indikator_id"], ["indikator.tenant_id", "indikator.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("reference_id", "indikator_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"))
    reference_id: Mapped[int] = mapped_column(index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)  # the OPD
    indikator_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    reference: Mapped[IndicatorReference] = relationship(
        back_populates="links", primaryjoin="IndicatorReference.id == foreign(IndicatorLink.reference_id)")
