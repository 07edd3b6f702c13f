"""A new year's indicator set started as a copy: the OPD's own set of another year, or
a sibling OPD's set (same pemda). What is copied is the structure and definitions;
the targets of the Perjanjian Kinerja are the new year's own and start empty (the
readiness checklist asks for them), except the Renstra target, which spans years."""
from sqlalchemy import func, select

from portal.audit import services as audit
from portal.extensions import db
from portal.indikator.models import IndicatorSet, Indikator, ProgramKegiatan, Sasaran
from portal.problems import Invalid, NotFound
from portal.tenancy.lanes import Level
from portal.tenancy.models import Tenant, Unit

COPIED = ("kode", "nama", "is_iku", "definisi", "satuan", "sumber_data", "polaritas", "sifat", "jenis_target",
          "target_renstra", "skala_predikat", "pakai_rasio", "boleh_negatif", "position")


def sources(tenant: Tenant) -> list[tuple[IndicatorSet, Tenant, int]]:
    """Sets this OPD may start from: its own and its siblings', with their sizes."""
    if tenant.level != Level.OPD or tenant.parent is None:
        return []
    ids = [t.id for t in tenant.parent.children if t.is_active or t.id == tenant.id]
    rows = db.session.execute(
        select(IndicatorSet, Tenant, func.count(Indikator.id))
        .join(Tenant, Tenant.id == IndicatorSet.tenant_id)
        .outerjoin(Indikator, Indikator.set_id == IndicatorSet.id)
        .where(IndicatorSet.tenant_id.in_(ids)).group_by(IndicatorSet.id, Tenant.id)
        .order_by(Tenant.name, IndicatorSet.tahun.desc()))
    return [(s, t, n) for s, t, n in rows if n]


def copy_set(tenant: Tenant, source_id, tahun: int, user) -> IndicatorSet:
    source = next((s for s, _, _ in sources(tenant) if str(s.id) == str(source_id)), None)
    if source is None:
        raise NotFound("Set indikator sumber tidak ditemukan.")
    if not 2000 <= tahun <= 2100:
        raise Invalid("Tahun tidak valid.")
    if source.tenant_id == tenant.id and source.tahun == tahun:
        raise Invalid("Pilih tahun lain dari tahun set sumbernya.")
    target = db.session.scalar(select(IndicatorSet).where(IndicatorSet.tenant_id == tenant.id,
                                                          IndicatorSet.tahun == tahun))
    if target is not None and db.session.scalar(select(func.count(Indikator.id)).where(Indikator.set_id == target.id)):
        raise Invalid(f"Set indikator tahun {tahun} sudah berisi indikator; salinan hanya untuk set yang masih kosong.")
    if target is None:
        target = IndicatorSet(tenant_id=tenant.id, tahun=tahun, created_by_id=user.id if user else None)
        db.session.add(target)
        db.session.flush()
    # Units map by name: a sibling's "Sekretariat" is this OPD's "Sekretariat".
    source_units = {u.id: u.name.lower()
                    for u in db.session.scalars(select(Unit).where(Unit.tenant_id == source.tenant_id))}
    own_units = {u.name.lower(): u.id for u in tenant.units if u.is_active}
    sasaran_map = {}
    for sasaran in db.session.scalars(select(Sasaran).where(Sasaran.set_id == source.id).order_by(Sasaran.position)):
        copy = Sasaran(tenant_id=tenant.id, set_id=target.id, kode=sasaran.kode, nama=sasaran.nama,
                       position=sasaran.position)
        db.session.add(copy)
        db.session.flush()
        sasaran_map[sasaran.id] = copy.id
    count = 0
    for ind in db.session.scalars(select(Indikator).where(Indikator.set_id == source.id).order_by(Indikator.position)):
        unit_id = own_units.get(source_units.get(ind.unit_id, "")) if ind.unit_id else None
        db.session.add(Indikator(tenant_id=tenant.id, set_id=target.id, sasaran_id=sasaran_map[ind.sasaran_id],
                                 unit_id=unit_id, **{f: getattr(ind, f) for f in COPIED}))
        count += 1
    program_map = {}
    programs = db.session.scalars(select(ProgramKegiatan).where(ProgramKegiatan.set_id == source.id)
                                  .order_by(ProgramKegiatan.parent_id.is_not(None), ProgramKegiatan.id))
    for program in programs:
        copy = ProgramKegiatan(tenant_id=tenant.id, set_id=target.id, level=program.level, kode=program.kode,
                               nama=program.nama, parent_id=program_map.get(program.parent_id),
                               sasaran_id=sasaran_map.get(program.sasaran_id))
        db.session.add(copy)
        db.session.flush()
        program_map[program.id] = copy.id
    source_tenant = db.session.get(Tenant, source.tenant_id)
    audit.record(tenant, user, "indikator.salin_set", "indicator_set", target.id,
                 new=f"{count} indikator dari {source_tenant.name} tahun {source.tahun} ke tahun {tahun}")
    return target
