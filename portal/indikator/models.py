"""Indicator sets, their values and bukti dukung, as tables.

An IndicatorSet is one OPD's indicators for one year: Sasaran Strategis with their
Indikator (the indicator-year: targets, polarity, the capaian rules frozen with its PK
target) and optional Program/Kegiatan rows with pagu and realisasi anggaran.
Realisasi holds one value per indicator and triwulan, with a revision counter for
optimistic locking. BuktiDukung rows point at FileBlob rows (the bytes, in the
database; see portal/realisasi/bukti.py for why).

Every row carries tenant_id, uniques include it, and composite foreign keys
(tenant_id, x_id) → (tenant_id, id) keep every reference inside one tenant.
Every number is Numeric (exported as a number later, never via float).
"""
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.columns import one_of, utcnow
from portal.extensions import db
from portal.tenancy.models import Unit

POLARITAS = ("positif", "negatif")
SIFAT = ("kumulatif", "nilai_akhir", "rata_rata")
JENIS_TARGET = ("angka", "rentang", "predikat")
SKALA_PREDIKAT = ("opini_bpk", "predikat_sakip")


class PeriodStatus(StrEnum):
    """A reporting period open for entering realisasi (the cycle's collect step opens
    it), or closed."""

    TERBUKA = "terbuka"
    DITUTUP = "ditutup"


class BuktiStatus(StrEnum):
    """A bukti dukung file in use, replaced by another, or removed (kept in the history)."""

    AKTIF = "aktif"
    DIGANTI = "diganti"
    DIHAPUS = "dihapus"


BUKTI_KINDS = ("pdf", "jpeg", "png", "xlsx", "docx")

# A value: up to 14 integer digits and 4 decimals. Rupiah: 18 digits and 2 decimals.
Angka = Numeric(18, 4)
Rupiah = Numeric(20, 2)


class IndicatorSet(db.Model):
    """The indicators of one OPD for one year."""

    __tablename__ = "indicator_set"
    __table_args__ = (
        UniqueConstraint("tenant_id", "tahun"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint("tahun BETWEEN 2000 AND 2100", name="tahun"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    tahun: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Sasaran(db.Model):
    """A Sasaran Strategis of the set."""

    __tablename__ = "sasaran"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "set_id"], ["indicator_set.tenant_id", "indicator_set.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "set_id", "kode"),
        UniqueConstraint("tenant_id", "set_id", "id"),  # target of indikator's composite key
        UniqueConstraint("tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    set_id: Mapped[int] = mapped_column(index=True)
    kode: Mapped[str] = mapped_column(String(30))
    nama: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)


class Indikator(db.Model):
    """An Indikator Kinerja in its year (the indicator-year)."""

    __tablename__ = "indikator"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "set_id"], ["indicator_set.tenant_id", "indicator_set.id"]),
        # The sasaran must be of the same tenant *and* the same set.
        ForeignKeyConstraint(["tenant_id", "set_id", "sasaran_id"],
                             ["sasaran.tenant_id", "sasaran.set_id", "sasaran.id"]),
        ForeignKeyConstraint(["tenant_id", "unit_id"], ["unit.tenant_id", "unit.id"]),
        UniqueConstraint("tenant_id", "set_id", "kode"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint(one_of("polaritas", POLARITAS), name="polaritas"),
        CheckConstraint(one_of("sifat", SIFAT), name="sifat"),
        CheckConstraint(one_of("jenis_target", JENIS_TARGET), name="jenis_target"),
        CheckConstraint("skala_predikat IS NULL OR " + one_of("skala_predikat", SKALA_PREDIKAT), name="skala"),
        CheckConstraint("target_bawah IS NULL OR target_atas IS NULL OR target_bawah <= target_atas",
                        name="rentang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    set_id: Mapped[int] = mapped_column(index=True)
    sasaran_id: Mapped[int] = mapped_column(index=True)
    unit_id: Mapped[int | None] = mapped_column(index=True)  # unit penanggung jawab
    position: Mapped[int] = mapped_column(default=0)

    kode: Mapped[str] = mapped_column(String(30))
    nama: Mapped[str] = mapped_column(String(500))
    is_iku: Mapped[bool] = mapped_column(default=False)
    definisi: Mapped[str] = mapped_column(Text, default="")  # definisi operasional / formula
    satuan: Mapped[str] = mapped_column(String(60), default="")
    sumber_data: Mapped[str] = mapped_column(String(300), default="")
    polaritas: Mapped[str] = mapped_column(String(10), default="positif")
    sifat: Mapped[str] = mapped_column(String(12), default="kumulatif")
    jenis_target: Mapped[str] = mapped_column(String(10), default="angka")

    baseline: Mapped[Decimal | None] = mapped_column(Angka)
    target_pk: Mapped[Decimal | None] = mapped_column(Angka)       # annual, from the Perjanjian Kinerja
    target_tw1: Mapped[Decimal | None] = mapped_column(Angka)      # "s.d. TW I", from the Rencana Aksi
    target_tw2: Mapped[Decimal | None] = mapped_column(Angka)
    target_tw3: Mapped[Decimal | None] = mapped_column(Angka)
    target_tw4: Mapped[Decimal | None] = mapped_column(Angka)
    target_renstra: Mapped[Decimal | None] = mapped_column(Angka)  # end of the Renstra period
    # A range target (jenis_target "rentang") holds for the year and every triwulan.
    target_bawah: Mapped[Decimal | None] = mapped_column(Angka)
    target_atas: Mapped[Decimal | None] = mapped_column(Angka)
    # A predikat target (jenis_target "predikat"): its ordinal scale and the target level.
    skala_predikat: Mapped[str | None] = mapped_column(String(20))
    target_predikat: Mapped[str | None] = mapped_column(String(20))
    # Realisasi entered as pembilang / penyebut (× 100 when the satuan is %).
    pakai_rasio: Mapped[bool] = mapped_column(default=False)
    boleh_negatif: Mapped[bool] = mapped_column(default=False)

    # The capaian rules in force when the PK target was set, frozen for the year:
    # {"ruleset": RuleSet.to_dict(), "opsi": {...tenant options...}, "skala_predikat": ...}.
    rules: Mapped[dict | None] = mapped_column(JSON)
    rules_frozen_at: Mapped[datetime | None] = mapped_column()

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id], primaryjoin="Indikator.unit_id == Unit.id",
                                             viewonly=True)

    def target_sd(self, n: int) -> Decimal | None:
        return getattr(self, f"target_tw{n}")


class ReportingPeriod(db.Model):
    """A triwulan of an OPD open (or closed) for data entry."""

    __tablename__ = "reporting_period"
    __table_args__ = (
        UniqueConstraint("tenant_id", "tahun", "triwulan"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint("triwulan BETWEEN 1 AND 4", name="triwulan"),
        CheckConstraint(one_of("status", PeriodStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    tahun: Mapped[int] = mapped_column()
    triwulan: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default=PeriodStatus.TERBUKA)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()

    @property
    def is_open(self) -> bool:
        return self.status == PeriodStatus.TERBUKA


class QuarterValue:
    """The value columns of one indicator in one triwulan: entered (Realisasi) and, copied
    at sign-off, signed (signing.models.SignedValue) have the same shape by design."""

    triwulan: Mapped[int] = mapped_column()
    nilai: Mapped[Decimal | None] = mapped_column(Angka)
    predikat: Mapped[str | None] = mapped_column(String(20))
    pembilang: Mapped[Decimal | None] = mapped_column(Angka)
    penyebut: Mapped[Decimal | None] = mapped_column(Angka)
    tidak_berlaku: Mapped[bool] = mapped_column(default=False)

    @property
    def filled(self) -> bool:
        """Anything entered: a value, a predikat, or tidak berlaku (0 is a value)."""
        return self.tidak_berlaku or self.nilai is not None or self.predikat is not None


class Realisasi(QuarterValue, db.Model):
    """The value of an indicator in a triwulan. No row, or nilai NULL: belum diisi;
    tidak_berlaku is its own state; 0 is a value."""

    __tablename__ = "realisasi"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "indikator_id"], ["indikator.tenant_id", "indikator.id"]),
        UniqueConstraint("tenant_id", "indikator_id", "triwulan"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint("triwulan BETWEEN 1 AND 4", name="triwulan"),
        CheckConstraint("NOT (tidak_berlaku AND (nilai IS NOT NULL OR predikat IS NOT NULL))", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    indikator_id: Mapped[int] = mapped_column(index=True)
    faktor_pendorong: Mapped[str] = mapped_column(Text, default="")
    faktor_penghambat: Mapped[str] = mapped_column(Text, default="")
    tindak_lanjut: Mapped[str] = mapped_column(Text, default="")
    # The plausibility checks the enterer confirmed for this value (codes, comma-separated,
    # portal/realisasi/plausibility.py) and her note why the value is right: the reviewer
    # sees both. Empty: the value passed every check.
    plausibility_flags: Mapped[str] = mapped_column(String(200), default="", server_default="")
    plausibility_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Optimistic lock: bumped on every saved change; a save made against an older
    # revision is refused and told who saved what in between.
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id], viewonly=True)


class FileBlob(db.Model):
    """The bytes of an uploaded file (kept forever; rows are flagged, never deleted)."""

    __tablename__ = "file_blob"
    __table_args__ = (UniqueConstraint("tenant_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BuktiDukung(db.Model):
    """A bukti dukung file of an indicator in a triwulan, and what became of it."""

    __tablename__ = "bukti_dukung"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "indikator_id"], ["indikator.tenant_id", "indikator.id"]),
        ForeignKeyConstraint(["tenant_id", "blob_id"], ["file_blob.tenant_id", "file_blob.id"]),
        ForeignKeyConstraint(["tenant_id", "replaced_by_id"], ["bukti_dukung.tenant_id", "bukti_dukung.id"]),
        UniqueConstraint("tenant_id", "id"),
        Index("ix_bukti_dukung_indikator_triwulan", "tenant_id", "indikator_id", "triwulan"),
        CheckConstraint("triwulan BETWEEN 1 AND 4", name="triwulan"),
        CheckConstraint(one_of("status", BuktiStatus), name="status"),
        CheckConstraint(one_of("kind", BUKTI_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    indikator_id: Mapped[int] = mapped_column()
    triwulan: Mapped[int] = mapped_column()
    blob_id: Mapped[int] = mapped_column(index=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(10), default=BuktiStatus.AKTIF)
    # Replaced or removed: who and when; a replacement points at its successor.
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    replaced_by_id: Mapped[int | None] = mapped_column()

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id], viewonly=True)
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id], viewonly=True)


class ProgramKegiatan(db.Model):
    """A Program (outcome) or a Kegiatan under it (output), with pagu and realisasi Rp per TW;
    a program names the sasaran strategis it serves."""

    __tablename__ = "program_kegiatan"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "set_id"], ["indicator_set.tenant_id", "indicator_set.id"]),
        ForeignKeyConstraint(["tenant_id", "set_id", "parent_id"],
                             ["program_kegiatan.tenant_id", "program_kegiatan.set_id", "program_kegiatan.id"]),
        # The sasaran strategis a program serves: of the same tenant and the same set.
        ForeignKeyConstraint(["tenant_id", "set_id", "sasaran_id"],
                             ["sasaran.tenant_id", "sasaran.set_id", "sasaran.id"]),
        UniqueConstraint("tenant_id", "set_id", "kode"),
        UniqueConstraint("tenant_id", "set_id", "id"),
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint("(level = 'program' AND parent_id IS NULL) OR (level = 'kegiatan' AND parent_id IS NOT NULL)",
                        name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id"), index=True)
    set_id: Mapped[int] = mapped_column(index=True)
    parent_id: Mapped[int | None] = mapped_column(index=True)
    # A program's sasaran strategis (the forms print it beside the sasaran's indicators);
    # a kegiatan follows its program's, so it is NULL there. NULL on a program: not tied yet.
    sasaran_id: Mapped[int | None] = mapped_column(index=True)
    level: Mapped[str] = mapped_column(String(10))
    kode: Mapped[str] = mapped_column(String(40))
    nama: Mapped[str] = mapped_column(String(500))
    pagu: Mapped[Decimal | None] = mapped_column(Rupiah)
    realisasi_tw1: Mapped[Decimal | None] = mapped_column(Rupiah)  # Rp spent in the triwulan
    realisasi_tw2: Mapped[Decimal | None] = mapped_column(Rupiah)
    realisasi_tw3: Mapped[Decimal | None] = mapped_column(Rupiah)
    realisasi_tw4: Mapped[Decimal | None] = mapped_column(Rupiah)
    position: Mapped[int] = mapped_column(default=0)

    def realisasi_tw(self, n: int) -> Decimal | None:
        return getattr(self, f"realisasi_tw{n}")
