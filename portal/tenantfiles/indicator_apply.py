"""Applying the indicator files read by indicator_reader.py: apply_indicator_files() creates
what is missing and updates what differs, like the rest of apply_bundle (nothing is deleted;
realisasi and open periods are only created, never overwritten). See indicator_reader.py for
the rules and tenants/README.md for the format.
"""
from sqlalchemy import select

from portal.auth.models import User
from portal.capaian.kategori import KATEGORI_PERMENDAGRI_86_2017
from portal.capaian.models import IndicatorSettings
from portal.extensions import db
from portal.indikator import services
from portal.indikator.models import IndicatorSet, Indikator, ProgramKegiatan, Realisasi, ReportingPeriod, Sasaran
from portal.tenancy.models import Tenant, Unit
from portal.tenantfiles.indicator_reader import IndicatorFileSpec, IndikatorSpec, SetSpec


def apply_indicator_files(bundle, tenants: dict[str, Tenant], report) -> None:
    for spec in getattr(bundle, "indicator_files", []):
        tenant = tenants[spec.opd_slug]
        db.session.flush()
        if spec.negative_rule is not None:
            _settings(spec, tenant, report)
        units = {u.key: u for u in db.session.scalars(select(Unit).where(Unit.tenant_id == tenant.id))}
        for sset in spec.sets:
            _apply_set(sset, tenant, units, report)


def _set(obj, what: str, report, **values) -> None:
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            setattr(obj, name, new)
            report.change(what, name, old, new)


def _settings(spec: IndicatorFileSpec, tenant: Tenant, report) -> None:
    row = db.session.scalar(select(IndicatorSettings).where(IndicatorSettings.tenant_id == tenant.id))
    kategori = None if spec.kategori in (None, KATEGORI_PERMENDAGRI_86_2017) else spec.kategori.to_dict()
    if row is None:
        db.session.add(IndicatorSettings(tenant_id=tenant.id, negative_rule=spec.negative_rule, kategori=kategori))
        report.create(f"pengaturan capaian {tenant.slug} (rumus negatif {spec.negative_rule})")
    else:
        _set(row, f"pengaturan capaian {tenant.slug}", report, negative_rule=spec.negative_rule, kategori=kategori)
    db.session.flush()


def _apply_set(sset: SetSpec, tenant: Tenant, units: dict, report) -> None:
    tset = db.session.scalar(select(IndicatorSet).where(IndicatorSet.tenant_id == tenant.id,
                                                        IndicatorSet.tahun == sset.tahun))
    where = f"{tenant.slug}/{sset.tahun}"
    if tset is None:
        tset = IndicatorSet(tenant_id=tenant.id, tahun=sset.tahun)
        db.session.add(tset)
        db.session.flush()
        report.create(f"set indikator {where}")
    sasaran = {s.kode: s for s in services.sasaran_of(tenant, tset)}
    existing = {i.kode: i for i in db.session.scalars(select(Indikator).where(
        Indikator.tenant_id == tenant.id, Indikator.set_id == tset.id))}
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(
        {e.oleh for s in sset.sasaran for i in s.indikator for e in i.realisasi if e.oleh})))}
    position = 0
    for s_pos, s_spec in enumerate(sset.sasaran, start=1):
        row = sasaran.get(s_spec.kode)
        if row is None:
            row = Sasaran(tenant_id=tenant.id, set_id=tset.id, kode=s_spec.kode, nama=s_spec.nama, position=s_pos)
            db.session.add(row)
            db.session.flush()
            report.create(f"sasaran {where}/{s_spec.kode} ({s_spec.nama})")
        else:
            _set(row, f"sasaran {where}/{row.kode}", report, nama=s_spec.nama, position=s_pos)
        for i_spec in s_spec.indikator:
            position += 1
            ind = _apply_indikator(i_spec, tenant, tset, row, units, existing.get(i_spec.kode), position, where,
                                   report)
            _apply_values(i_spec, ind, users, where, report)
    if sset.periode_terbuka:
        exists = db.session.scalar(select(ReportingPeriod.id).where(
            ReportingPeriod.tenant_id == tenant.id, ReportingPeriod.tahun == sset.tahun,
            ReportingPeriod.triwulan == sset.periode_terbuka))
        if exists is None:
            db.session.add(ReportingPeriod(tenant_id=tenant.id, tahun=sset.tahun, triwulan=sset.periode_terbuka))
            report.create(f"periode pengisian {where} TW {sset.periode_terbuka} (terbuka)")
    _apply_programs(sset, tenant, tset, where, report)
    db.session.flush()


def _apply_indikator(spec: IndikatorSpec, tenant, tset, sasaran, units, ind, position, where, report) -> Indikator:
    values = dict(spec.values, sasaran_id=sasaran.id, unit_id=units[spec.unit].id if spec.unit else None,
                  position=position)
    if ind is None:
        ind = Indikator(tenant_id=tenant.id, set_id=tset.id, **values)
        db.session.add(ind)
        report.create(f"indikator {where}/{spec.kode} ({values['nama']})")
    else:
        _set(ind, f"indikator {where}/{ind.kode}", report, **values)
    services.freeze_rules(tenant, ind)
    db.session.flush()
    return ind


def _apply_values(spec: IndikatorSpec, ind: Indikator, users, where, report) -> None:
    have = set(db.session.scalars(select(Realisasi.triwulan).where(Realisasi.tenant_id == ind.tenant_id,
                                                                   Realisasi.indikator_id == ind.id)))
    for e in spec.realisasi:
        if e.tw in have:
            continue  # entered (or loaded) before: never overwritten from the file
        user = users.get(e.oleh) if e.oleh else None
        db.session.add(Realisasi(
            tenant_id=ind.tenant_id, indikator_id=ind.id, triwulan=e.tw, nilai=e.nilai, predikat=e.predikat,
            pembilang=e.pembilang, penyebut=e.penyebut, tidak_berlaku=e.tidak_berlaku,
            faktor_pendorong=e.faktor_pendorong, faktor_penghambat=e.faktor_penghambat,
            tindak_lanjut=e.tindak_lanjut, updated_by_id=user.id if user else None))
        report.create(f"realisasi {where}/{ind.kode} TW {e.tw}")


def _apply_programs(sset: SetSpec, tenant, tset, where, report) -> None:
    rows = {p.kode: p for p in db.session.scalars(select(ProgramKegiatan).where(
        ProgramKegiatan.tenant_id == tenant.id, ProgramKegiatan.set_id == tset.id))}
    sasaran_ids = dict(db.session.execute(select(Sasaran.kode, Sasaran.id).where(
        Sasaran.tenant_id == tenant.id, Sasaran.set_id == tset.id)).all())
    for position, spec in enumerate(sset.programs, start=1):
        parent = rows[spec.parent] if spec.parent else None
        values = dict(spec.values, nama=spec.nama, position=position, parent_id=parent.id if parent else None,
                      level="kegiatan" if parent else "program",
                      sasaran_id=sasaran_ids.get(spec.sasaran) if spec.sasaran else None)
        row = rows.get(spec.kode)
        if row is None:
            row = ProgramKegiatan(tenant_id=tenant.id, set_id=tset.id, kode=spec.kode, **values)
            db.session.add(row)
            report.create(f"{values['level']} {where}/{spec.kode} ({spec.nama})")
        else:
            _set(row, f"{row.level} {where}/{row.kode}", report, **values)
        db.session.flush()
        rows[spec.kode] = row
