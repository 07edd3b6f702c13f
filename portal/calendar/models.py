"""A local day off: a date with a name, kept by a tenant (usually the pemda) and counted
as a non-working day by every tenant below it."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.columns import one_of, utcnow
from portal.extensions import db

JENIS = ("cuti_bersama", "libur_daerah")
JENIS_LABELS = {"cuti_bersama": "Cuti bersama", "libur_daerah": "Hari libur daerah"}


class HariLibur(db.Model):
    __tablename__ = "hari_libur"
    __table_args__ = (
        UniqueConstraint("tenant_id", "tanggal"),
        CheckConstraint(one_of("jenis", JENIS), name="jenis"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    tanggal: Mapped[date] = mapped_column()
    nama: Mapped[str] = mapped_column(String(200))
    jenis: Mapped[str] = mapped_column(String(20), default="libur_daerah")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by: Mapped[User | None] = relationship()

    @property
    def jenis_label(self) -> str:
        return JENIS_LABELS[self.jenis]
