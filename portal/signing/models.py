"""SignedFigure: one indicator's figure as signed off, one row per (OPD, cycle,
revision, indikator), with its four quarterly values (SignedValue). Written once at
sign-off and never changed: the database refuses UPDATE and DELETE on both tables (a
trigger on SQLite and on PostgreSQL, as for the audit log).

The row holds everything needed to print the figure again without the live tables:
the definition in force (satuan, polaritas, sifat, targets, the frozen rule set), the
values as numbers, the computed capaian (raw) and kategori, the texts, the bukti dukung
references and who entered, validated, verified and signed it, and when.
"""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    DDL,
    JSON,
    ForeignKey,
    ForeignKeyConstraint,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.capaian.figures import Figures, shown_realisasi_sd
from portal.capaian.rules import CapaianResult
from portal.columns import utcnow
from portal.extensions import db
from portal.indikator.models import Angka, QuarterValue

# Capaian and progres unrounded (the pages round them to 2 decimals).
Raw = Numeric(24, 10)


class SignedFigure(db.Model):
    __tablename__ = "signed_figure"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "cycle_id"], ["cycle.tenant_id", "cycle.id"]),
        UniqueConstraint("cycle_id", "revision", "indikator_id"),
        UniqueConstraint("tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(index=True)
    revision: Mapped[int] = mapped_column()
    # The live indicator it was taken from (kept for lookups; never needed to print).
    indikator_id: Mapped[int] = mapped_column(index=True)
    tahun: Mapped[int] = mapped_column()
    triwulan: Mapped[int] = mapped_column()  # the measured triwulan (s.d. TW n)
    period_label: Mapped[str] = mapped_column(String(40))

    # The definition in force at sign-off.
    sasaran_kode: Mapped[str] = mapped_column(String(30), default="")
    sasaran_nama: Mapped[str] = mapped_column(String(500), default="")
    kode: Mapped[str] = mapped_column(String(30))
    nama: Mapped[str] = mapped_column(String(500))
    is_iku: Mapped[bool] = mapped_column(default=False)
    unit_name: Mapped[str] = mapped_column(String(200), default="")
    satuan: Mapped[str] = mapped_column(String(60), default="")
    polaritas: Mapped[str] = mapped_column(String(10))
    sifat: Mapped[str] = mapped_column(String(12))
    jenis_target: Mapped[str] = mapped_column(String(10))
    pakai_rasio: Mapped[bool] = mapped_column(default=False)
    target_sd: Mapped[Decimal | None] = mapped_column(Angka)   # T s.d. TW n
    target_pk: Mapped[Decimal | None] = mapped_column(Angka)
    target_tw1: Mapped[Decimal | None] = mapped_column(Angka)
    target_tw2: Mapped[Decimal | None] = mapped_column(Angka)
    target_tw3: Mapped[Decimal | None] = mapped_column(Angka)
    target_tw4: Mapped[Decimal | None] = mapped_column(Angka)
    target_bawah: Mapped[Decimal | None] = mapped_column(Angka)
    target_atas: Mapped[Decimal | None] = mapped_column(Angka)
    skala_predikat: Mapped[str | None] = mapped_column(String(20))
    target_predikat: Mapped[str | None] = mapped_column(String(20))
    # The rule set the figure was computed under: Indikator.rules (frozen with the PK
    # target) or, while none was frozen, the tenant's rules at sign-off.
    rules: Mapped[dict] = mapped_column(JSON)
    rules_frozen_at: Mapped[datetime | None] = mapped_column()

    # The figure.
    realisasi_sd: Mapped[Decimal | None] = mapped_column(Angka)
    realisasi_sd_state: Mapped[str] = mapped_column(String(24))
    realisasi_sd_predikat: Mapped[str | None] = mapped_column(String(20))
    realisasi_sd_note: Mapped[str] = mapped_column(Text, default="")
    capaian: Mapped[Decimal | None] = mapped_column(Raw)
    capaian_state: Mapped[str] = mapped_column(String(24))
    capaian_rule: Mapped[str] = mapped_column(String(40), default="")
    capaian_rule_label: Mapped[str] = mapped_column(String(200), default="")
    capaian_note: Mapped[str] = mapped_column(Text, default="")
    progres: Mapped[Decimal | None] = mapped_column(Raw)
    progres_state: Mapped[str | None] = mapped_column(String(24))
    kategori: Mapped[str | None] = mapped_column(String(60))
    kategori_scale: Mapped[str] = mapped_column(String(200), default="")

    # The texts of the measured triwulan and its bukti dukung:
    # [{"id", "filename", "kind", "size", "sha256", "uploaded_at", "uploaded_by"}].
    faktor_pendorong: Mapped[str] = mapped_column(Text, default="")
    faktor_penghambat: Mapped[str] = mapped_column(Text, default="")
    tindak_lanjut: Mapped[str] = mapped_column(Text, default="")
    bukti: Mapped[list] = mapped_column(JSON, default=list)

    # Who and when. Names are copied: the record reads the same if a person is renamed.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_by_name: Mapped[str] = mapped_column(String(200), default="")
    entered_at: Mapped[datetime | None] = mapped_column()
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by_name: Mapped[str] = mapped_column(String(200), default="")
    submitted_at: Mapped[datetime | None] = mapped_column()
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    validated_by_name: Mapped[str] = mapped_column(String(200), default="")
    validated_at: Mapped[datetime | None] = mapped_column()
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_by_name: Mapped[str] = mapped_column(String(200), default="")
    verified_at: Mapped[datetime | None] = mapped_column()
    # Every data review stage of the SOP: [{"stage", "label", "user_id", "name", "lane", "at"}].
    reviews: Mapped[list] = mapped_column(JSON, default=list)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_by_name: Mapped[str] = mapped_column(String(200), default="")
    signed_by_lane: Mapped[str] = mapped_column(String(300), default="")
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    values: Mapped[list["SignedValue"]] = relationship(
        order_by="SignedValue.triwulan", primaryjoin="SignedFigure.id == foreign(SignedValue.figure_id)",
        viewonly=True)

    def value_of(self, triwulan: int) -> "SignedValue | None":
        return next((v for v in self.values if v.triwulan == triwulan), None)

    def figures(self) -> Figures:
        """The figure as the pages show figures (the same Figures the live rows use)."""
        return record_figures(self)


def record_figures(record) -> Figures:
    """The Figures of a signed_figure record: an ORM object or any row read by attribute
    (bulk readers such as the exports read rows, not objects)."""
    capaian = CapaianResult(record.capaian, record.capaian_state, record.capaian_rule, record.capaian_rule_label,
                            record.capaian_note or None)
    progres = None
    if record.progres_state is not None:
        progres = CapaianResult(record.progres, record.progres_state, record.capaian_rule, record.capaian_rule_label)
    return Figures(shown_realisasi_sd(record.realisasi_sd, record.realisasi_sd_state, record.realisasi_sd_predikat),
                   record.realisasi_sd_note or None, capaian, progres, record.kategori, record.kategori_scale, True)


class SignedValue(QuarterValue, db.Model):
    """One quarter's realisasi of a signed figure (TW I up to the measured TW)."""

    __tablename__ = "signed_value"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "figure_id"], ["signed_figure.tenant_id", "signed_figure.id"]),
        UniqueConstraint("figure_id", "triwulan"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    figure_id: Mapped[int] = mapped_column(index=True)
    realisasi_revision: Mapped[int | None] = mapped_column()  # the Realisasi row's revision signed


def _triggers(table: str) -> tuple[list[str], list[str]]:
    message = f"{table} ditulis sekali saat pengesahan dan tidak dapat diubah"
    sqlite = [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]
    postgresql = [
        f"CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$",
        # Row triggers: TRUNCATE (the tests' reset) is not refused.
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse()",
    ]
    return sqlite, postgresql


# The same statements run in migration 0005.
TRIGGERS = {table: _triggers(table) for table in ("signed_figure", "signed_value")}

for _model in (SignedFigure, SignedValue):
    _sqlite, _postgresql = TRIGGERS[_model.__tablename__]
    _model.__table__.info["append_only"] = True  # tests/test_rls.py checks its triggers
    for _statement in _sqlite:
        event.listen(_model.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
    for _statement in _postgresql:
        event.listen(_model.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
