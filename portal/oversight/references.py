"""The coordinator's indicator references: a province-wide code (IKK, SPM ...) kept as
data, and links from the indicators of the OPDs below to it. Plain functions: tenant,
user and values in; Invalid / Conflict / NotFound with a message when refused."""
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.indikator.models import IndicatorSet, Indikator
from portal.oversight.models import IndicatorLink, IndicatorReference
from portal.oversight.queries import opds_below
from portal.problems import Conflict, Invalid, NotFound
from portal.tenancy.lanes import Level
from portal.tenancy.models import Tenant


def province_of(tenant: Tenant) -> Tenant | None:
    top = tenant
    while top.parent is not None:
        top = top.parent
    return top if top.level == Level.PROVINSI else None


def references_of(tenant: Tenant) -> list[tuple[IndicatorReference, int]]:
    """The province's references, each with how many of its links lie below the tenant."""
    province = province_of(tenant)
    if province is None:
        return []
    counts = dict(db.session.execute(
        select(IndicatorLink.reference_id, func.count())
        .where(IndicatorLink.province_id == province.id, IndicatorLink.tenant_id.in_(opds_below(tenant)))
        .group_by(IndicatorLink.reference_id)).all())
    refs = db.session.scalars(select(IndicatorReference).where(IndicatorReference.tenant_id == province.id)
                              .order_by(IndicatorReference.kode))
    return [(r, counts.get(r.id, 0)) for r in refs]


def reference(tenant: Tenant, ref_id: int) -> IndicatorReference:
    province = province_of(tenant)
    ref = db.session.get(IndicatorReference, ref_id)
    if ref is None or province is None or ref.tenant_id != province.id:
        raise NotFound("Indikator rujukan tidak ditemukan.")
    return ref


def create_reference(tenant: Tenant, user, kode: str, nama: str, satuan: str = "",
                     keterangan: str = "") -> IndicatorReference:
    if tenant.level != Level.PROVINSI:
        raise Invalid("Indikator rujukan (kode IKK/SPM) dibuat oleh koordinator di tingkat provinsi.")
    kode = kode.strip()
    taken = db.session.scalar(select(IndicatorReference.id).where(
        IndicatorReference.tenant_id == tenant.id, func.lower(IndicatorReference.kode) == kode.lower()))
    if taken is not None:
        raise Conflict(f"Kode rujukan {kode} sudah ada.")
    ref = IndicatorReference(tenant_id=tenant.id, kode=kode, nama=nama.strip(), satuan=satuan.strip(),
                             keterangan=keterangan.strip(), created_by_id=user.id if user else None)
    db.session.add(ref)
    db.session.flush()
    return ref


@dataclass
class Candidate:
    ind: Indikator
    opd: Tenant
    tahun: int
    linked: bool


def candidates(tenant: Tenant, ref: IndicatorReference, tahun: int, cari: str, limit: int = 40) -> list[Candidate]:
    """Indicators of the OPDs below the tenant matching the search (code or name)."""
    cari = cari.strip()
    if not cari:
        return []
    like = f"%{cari.lower()}%"
    linked = set(db.session.scalars(select(IndicatorLink.indikator_id).where(IndicatorLink.reference_id == ref.id)))
    rows = db.session.execute(
        select(Indikator, Tenant, IndicatorSet.tahun)
        .join(IndicatorSet, IndicatorSet.id == Indikator.set_id).join(Tenant, Tenant.id == Indikator.tenant_id)
        .where(Indikator.tenant_id.in_(opds_below(tenant)), IndicatorSet.tahun == tahun,
               or_(func.lower(Indikator.nama).like(like), func.lower(Indikator.kode).like(like)))
        .order_by(Tenant.name, Indikator.position).limit(limit)).all()
    return [Candidate(ind, opd, year, ind.id in linked) for ind, opd, year in rows]


def link(tenant: Tenant, ref: IndicatorReference, user, indikator_ids: list[int]) -> int:
    """Link the chosen indicators (of OPDs below the tenant) to the reference."""
    if not indikator_ids:
        raise Invalid("Pilih indikator yang ditautkan.")
    found = db.session.execute(select(Indikator.id, Indikator.tenant_id).where(
        Indikator.id.in_(indikator_ids), Indikator.tenant_id.in_(opds_below(tenant)))).all()
    if len(found) != len(set(indikator_ids)):
        raise NotFound("Indikator tidak ditemukan di perangkat daerah yang Anda awasi.")
    existing = set(db.session.scalars(select(IndicatorLink.indikator_id).where(IndicatorLink.reference_id == ref.id)))
    added = 0
    for indikator_id, opd_id in found:
        if indikator_id in existing:
            continue
        db.session.add(IndicatorLink(province_id=ref.tenant_id, reference_id=ref.id, tenant_id=opd_id,
                                     indikator_id=indikator_id, created_by_id=user.id if user else None))
        added += 1
    db.session.flush()
    return added


def unlink(tenant: Tenant, ref: IndicatorReference, indikator_id: int) -> None:
    row = db.session.scalar(select(IndicatorLink).where(
        IndicatorLink.reference_id == ref.id, IndicatorLink.indikator_id == indikator_id,
        IndicatorLink.tenant_id.in_(opds_below(tenant))))
    if row is None:
        raise NotFound("Tautan indikator tidak ditemukan.")
    db.session.delete(row)
    db.session.flush()
