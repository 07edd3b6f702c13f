"""Indicator sets: sasaran, indikator and program/kegiatan rows of an OPD's year.

Plain functions on tenant, user and values (no request, no session); validation
messages are returned for the caller to show beside the fields.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from portal.capaian import settings as capaian_settings
from portal.capaian.rules import CapaianResult, compute_serapan
from portal.capaian.values import BELUM_DIISI
from portal.columns import utcnow
from portal.extensions import db
from portal.indikator import definitions
from portal.indikator.models import (
    BuktiDukung,
    IndicatorSet,
    Indikator,
    ProgramKegiatan,
    Realisasi,
    Sasaran,
)
from portal.tenancy.lanes import Level
from portal.tenancy.models import Tenant, Unit

INDIKATOR_FIELDS = ("sasaran_id", "unit_id", "kode", "nama", "is_iku", "definisi", "satuan", "sumber_data",
                    "polaritas", "sifat", "jenis_target", "baseline", "target_pk", "target_tw1", "target_tw2",
                    "target_tw3", "target_tw4", "target_renstra", "target_bawah", "target_atas",
                    "skala_predikat", "target_predikat", "pakai_rasio", "boleh_negatif")
PROGRAM_FIELDS = ("parent_id", "sasaran_id", "level", "kode", "nama", "pagu", "realisasi_tw1", "realisasi_tw2",
                  "realisasi_tw3", "realisasi_tw4")


# -- sets ---------------------------------------------------------------------------

def sets_of(tenant: Tenant) -> list[tuple[IndicatorSet, int]]:
    """The tenant's sets, newest year first, with their indicator counts."""
    counts = (select(Indikator.set_id, func.count(Indikator.id).label("n"))
              .where(Indikator.tenant_id == tenant.id).group_by(Indikator.set_id).subquery())
    return [(s, n or 0) for s, n in db.session.execute(
        select(IndicatorSet, counts.c.n).outerjoin(counts, counts.c.set_id == IndicatorSet.id)
        .where(IndicatorSet.tenant_id == tenant.id).order_by(IndicatorSet.tahun.desc()))]


def set_of_year(tenant: Tenant, tahun: int) -> IndicatorSet | None:
    return db.session.scalar(select(IndicatorSet).where(IndicatorSet.tenant_id == tenant.id,
                                                        IndicatorSet.tahun == tahun))


def create_set(tenant: Tenant, tahun: int, user) -> IndicatorSet | str:
    if tenant.level != Level.OPD:
        return "Set indikator dimiliki perangkat daerah; buka halaman indikator perangkat daerahnya."
    if set_of_year(tenant, tahun) is not None:
        return f"Set indikator tahun {tahun} sudah ada."
    tset = IndicatorSet(tenant_id=tenant.id, tahun=tahun, created_by_id=user.id if user else None)
    db.session.add(tset)
    db.session.flush()
    return tset


@dataclass
class SasaranBlock:
    sasaran: Sasaran
    indikator: list[Indikator] = field(default_factory=list)


@dataclass
class ProgramRow:
    row: ProgramKegiatan
    total: object            # Decimal | None: realisasi Rp of the year so far
    serapan: CapaianResult


@dataclass
class Overview:
    tset: IndicatorSet
    blocks: list[SasaranBlock]
    units: list[Unit]
    programs: list[ProgramRow]

    @property
    def units_by_id(self) -> dict:
        return {u.id: u for u in self.units}

    @property
    def indikator_count(self) -> int:
        return sum(len(b.indikator) for b in self.blocks)


def overview(tenant: Tenant, tset: IndicatorSet) -> Overview:
    sasaran = db.session.scalars(select(Sasaran).where(Sasaran.tenant_id == tenant.id, Sasaran.set_id == tset.id)
                                 .order_by(Sasaran.position, Sasaran.id)).all()
    blocks = {s.id: SasaranBlock(s) for s in sasaran}
    for ind in db.session.scalars(select(Indikator).where(Indikator.tenant_id == tenant.id,
                                                          Indikator.set_id == tset.id)
                                  .order_by(Indikator.position, Indikator.id)):
        blocks[ind.sasaran_id].indikator.append(ind)
    return Overview(tset, list(blocks.values()), units_of(tenant), program_rows(tenant, tset))


def units_of(tenant: Tenant) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.tenant_id == tenant.id).order_by(Unit.position)))


def sasaran_of(tenant: Tenant, tset: IndicatorSet) -> list[Sasaran]:
    return list(db.session.scalars(select(Sasaran).where(Sasaran.tenant_id == tenant.id, Sasaran.set_id == tset.id)
                                   .order_by(Sasaran.position, Sasaran.id)))


def _added_last(model, tset: IndicatorSet):
    """A new row of `model` (Sasaran, Indikator, ProgramKegiatan) in the set, after its others."""
    last = db.session.scalar(select(func.max(model.position)).where(model.tenant_id == tset.tenant_id,
                                                                     model.set_id == tset.id))
    row = model(tenant_id=tset.tenant_id, set_id=tset.id, position=(last or 0) + 1)
    db.session.add(row)
    return row


# -- sasaran --------------------------------------------------------------------------

def _kode_taken(model, tset_id: int, tenant_id: int, kode: str, own_id: int | None) -> bool:
    query = select(model.id).where(model.tenant_id == tenant_id, model.set_id == tset_id, model.kode == kode)
    if own_id is not None:
        query = query.where(model.id != own_id)
    return db.session.scalar(query) is not None


def save_sasaran(tset: IndicatorSet, sasaran: Sasaran | None, values: dict) -> tuple[Sasaran | None, dict]:
    if _kode_taken(Sasaran, tset.id, tset.tenant_id, values["kode"], sasaran.id if sasaran else None):
        return None, {"kode": f"Kode {values['kode']} sudah dipakai sasaran lain tahun ini."}
    if sasaran is None:
        sasaran = _added_last(Sasaran, tset)
    sasaran.kode, sasaran.nama = values["kode"], values["nama"]
    db.session.flush()
    return sasaran, {}


def delete_sasaran(sasaran: Sasaran) -> str | None:
    used = db.session.scalar(select(func.count(Indikator.id)).where(Indikator.tenant_id == sasaran.tenant_id,
                                                                    Indikator.sasaran_id == sasaran.id))
    if used:
        return f"Sasaran ini masih memiliki {used} indikator; pindahkan atau hapus indikatornya dahulu."
    programs = db.session.scalar(select(func.count(ProgramKegiatan.id)).where(
        ProgramKegiatan.tenant_id == sasaran.tenant_id, ProgramKegiatan.sasaran_id == sasaran.id))
    if programs:
        return f"Sasaran ini masih dikaitkan dengan {programs} program; ubah sasaran programnya dahulu."
    db.session.delete(sasaran)
    db.session.flush()
    return None


# -- indikator --------------------------------------------------------------------------

def has_pk_target(ind: Indikator) -> bool:
    if ind.jenis_target == "rentang":
        return ind.target_bawah is not None and ind.target_atas is not None
    if ind.jenis_target == "predikat":
        return bool(ind.target_predikat)
    return ind.target_pk is not None


def freeze_rules(tenant: Tenant, ind: Indikator) -> bool:
    """Freeze the capaian rules in force on the indicator-year once its PK target is set.

    The first PK target freezes; later edits of targets keep the frozen rules, so a
    tenant's change of options never changes the capaian of a year already agreed."""
    if ind.rules is not None or not has_pk_target(ind):
        return False
    ind.rules = capaian_settings.snapshot(tenant, ind.skala_predikat if ind.jenis_target == "predikat" else None)
    ind.rules_frozen_at = utcnow()
    return True


def save_indikator(tenant: Tenant, tset: IndicatorSet, ind: Indikator | None, values: dict, user=None,
                   reason: str = "", action: str = "indikator.ubah") -> tuple[Indikator | None, dict]:
    """Create or update an indicator. Every changed field of an existing one is audited
    (old → new, with the reason); once its rules are frozen, changing what the capaian
    is computed from needs a reason. Signed figures keep their own record
    (portal.signing), so no edit here changes what was signed."""
    if _kode_taken(Indikator, tset.id, tenant.id, values["kode"], ind.id if ind else None):
        return None, {"kode": f"Kode {values['kode']} sudah dipakai indikator lain tahun ini."}
    if ind is not None and ind.jenis_target != values["jenis_target"] and _has_values(ind):
        return None, {"jenis_target": "Jenis target tidak dapat diubah setelah realisasi diisi."}
    changes = definition_changes(ind, values) if ind is not None else []
    problem = definitions.reason_problem(ind, changes, reason)
    if problem:
        return None, {"alasan": problem}
    created = ind is None
    if ind is None:
        ind = _added_last(Indikator, tset)
    for name in INDIKATOR_FIELDS:
        setattr(ind, name, values[name])
    freeze_rules(tenant, ind)
    db.session.flush()
    definitions.audit_changes(tenant, user, ind, changes, action, reason, created)
    return ind, {}


def definition_changes(ind: Indikator, values: dict) -> list[tuple[str, object, object]]:
    """The fields a save would change: (name, old, new)."""
    return definitions.changes(ind, values, INDIKATOR_FIELDS)


def _has_values(ind: Indikator) -> bool:
    return db.session.scalar(select(Realisasi.id).where(
        Realisasi.tenant_id == ind.tenant_id, Realisasi.indikator_id == ind.id,
        (Realisasi.nilai.is_not(None)) | (Realisasi.predikat.is_not(None)) | Realisasi.tidak_berlaku)
        .limit(1)) is not None


def delete_indikator(ind: Indikator) -> str | None:
    values = db.session.scalar(select(func.count(Realisasi.id)).where(
        Realisasi.tenant_id == ind.tenant_id, Realisasi.indikator_id == ind.id))
    files = db.session.scalar(select(func.count(BuktiDukung.id)).where(
        BuktiDukung.tenant_id == ind.tenant_id, BuktiDukung.indikator_id == ind.id))
    if values or files:
        return "Indikator ini sudah memiliki realisasi atau bukti dukung, sehingga tidak dapat dihapus."
    db.session.delete(ind)
    db.session.flush()
    return None


# -- program / kegiatan -------------------------------------------------------------------

def program_rows(tenant: Tenant, tset: IndicatorSet) -> list[ProgramRow]:
    """Programs, each followed by its kegiatan, with realisasi Rp so far and serapan."""
    rows = db.session.scalars(select(ProgramKegiatan).where(ProgramKegiatan.tenant_id == tenant.id,
                                                            ProgramKegiatan.set_id == tset.id)
                              .order_by(ProgramKegiatan.position, ProgramKegiatan.id)).all()
    children: dict[int, list] = {}
    for row in rows:
        if row.parent_id:
            children.setdefault(row.parent_id, []).append(row)
    ordered = []
    for row in rows:
        if row.parent_id is None:
            ordered.append(row)
            ordered.extend(children.get(row.id, []))
    return [_program_row(row) for row in ordered]


def _program_row(row: ProgramKegiatan) -> ProgramRow:
    spent = [row.realisasi_tw(n) for n in range(1, 5) if row.realisasi_tw(n) is not None]
    total = sum(spent) if spent else None
    pagu = row.pagu if row.pagu is not None else BELUM_DIISI
    return ProgramRow(row, total, compute_serapan(total if total is not None else BELUM_DIISI, pagu))


def programs_only(tenant: Tenant, tset: IndicatorSet) -> list[ProgramKegiatan]:
    return list(db.session.scalars(select(ProgramKegiatan).where(
        ProgramKegiatan.tenant_id == tenant.id, ProgramKegiatan.set_id == tset.id,
        ProgramKegiatan.level == "program").order_by(ProgramKegiatan.position, ProgramKegiatan.id)))


def save_program(tset: IndicatorSet, row: ProgramKegiatan | None, values: dict
                 ) -> tuple[ProgramKegiatan | None, dict]:
    if _kode_taken(ProgramKegiatan, tset.id, tset.tenant_id, values["kode"], row.id if row else None):
        return None, {"kode": f"Kode {values['kode']} sudah dipakai baris lain tahun ini."}
    if row is not None and values["parent_id"] == row.id:
        return None, {"parent_id": "Sebuah program tidak dapat menjadi induknya sendiri."}
    if row is not None and row.level == "program" and values["level"] == "kegiatan" and _has_children(row):
        return None, {"parent_id": "Program ini memiliki kegiatan, sehingga tidak dapat menjadi kegiatan."}
    if values["level"] == "kegiatan":  # a kegiatan serves its program's sasaran
        values = dict(values, sasaran_id=None)
    if row is None:
        row = _added_last(ProgramKegiatan, tset)
    for name in PROGRAM_FIELDS:
        setattr(row, name, values[name])
    db.session.flush()
    return row, {}


def _has_children(row: ProgramKegiatan) -> bool:
    return db.session.scalar(select(ProgramKegiatan.id).where(
        ProgramKegiatan.tenant_id == row.tenant_id, ProgramKegiatan.parent_id == row.id).limit(1)) is not None


def delete_program(row: ProgramKegiatan) -> str | None:
    if _has_children(row):
        return "Program ini masih memiliki kegiatan; hapus kegiatannya dahulu."
    db.session.delete(row)
    db.session.flush()
    return None


def program_row(row: ProgramKegiatan) -> ProgramRow:
    return _program_row(row)
