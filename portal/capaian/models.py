"""A tenant's capaian options as a table (read and written by portal/capaian/settings.py)."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.columns import one_of, utcnow
from portal.extensions import db

NEGATIVE_RULES = ("default", "inverse")


class IndicatorSettings(db.Model):
    """A tenant's capaian options (a pemda's apply to its OPDs unless an OPD has its own)."""

    __tablename__ = "indicator_settings"
    __table_args__ = (CheckConstraint(one_of("negative_rule", NEGATIVE_RULES), name="negative_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), unique=True)
    negative_rule: Mapped[str] = mapped_column(String(10), default="default")
    # KategoriScale.to_dict(); NULL: the default scale (Permendagri 86/2017).
    kategori: Mapped[dict | None] = mapped_column(JSON)
    # Plausibility thresholds of data entry ({"target": 3, "sebelumnya": 3}: a realisasi
    # more than that many times off its target or the previous triwulan asks for a
    # confirmation); NULL: the portal's defaults (capaian/settings.py, PLAUSIBILITY_DEFAULTS).
    plausibility: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
