"""Keeping local days off and reading a tenant's working calendar. Plain functions."""
from datetime import date

from sqlalchemy import select

from portal.audit import services as audit
from portal.calendar.days import WorkCalendar, national_holidays
from portal.calendar.models import JENIS_LABELS, HariLibur
from portal.extensions import db
from portal.formatting import tanggal as tanggal_text
from portal.problems import Conflict, Invalid
from portal.tenancy.models import Tenant
from portal.tenancy.services import chain


def days_off(tenant: Tenant) -> list[HariLibur]:
    """The tenant's own local days off and those of the tenants above it (its pemda, its
    province), by date. One query."""
    ids = [t.id for t in chain(tenant)]
    return list(db.session.scalars(select(HariLibur).where(HariLibur.tenant_id.in_(ids))
                                   .order_by(HariLibur.tanggal, HariLibur.id)))


def work_calendar(tenant: Tenant) -> WorkCalendar:
    """National holidays (always) plus the local days off that count for this tenant."""
    ids = [t.id for t in chain(tenant)]
    return WorkCalendar(frozenset(db.session.scalars(
        select(HariLibur.tanggal).where(HariLibur.tenant_id.in_(ids)))))


def work_calendar_of(cycle) -> WorkCalendar:
    """The working calendar of a cycle's OPD, read once for the loaded cycle: activating
    several tasks in one request (a return loop, steps that pass on by themselves) asks
    the database once."""
    found = getattr(cycle, "_work_calendar", None)
    if found is None:
        found = work_calendar(cycle.tenant)
        cycle._work_calendar = found
    return found


def national_of_year(tahun: int) -> list[tuple[date, str]]:
    return list(national_holidays(tahun).items())


def add(tenant: Tenant, user, tanggal: date, nama: str, jenis: str) -> HariLibur:
    nama = nama.strip()
    if jenis not in JENIS_LABELS:
        raise Invalid("Pilih jenis hari libur.")
    national = national_holidays(tanggal.year).get(tanggal)
    if national:
        raise Invalid(f"{tanggal_text(tanggal)} sudah hari libur nasional ({national}).")
    for row in days_off(tenant):
        if row.tanggal == tanggal:
            where = "di sini" if row.tenant_id == tenant.id else f"oleh {db.session.get(Tenant, row.tenant_id).name}"
            raise Conflict(f"{tanggal_text(tanggal)} sudah dicatat sebagai {row.nama} ({where}).")
    row = HariLibur(tenant_id=tenant.id, tanggal=tanggal, nama=nama, jenis=jenis,
                    created_by_id=user.id if user else None)
    db.session.add(row)
    db.session.flush()
    audit.record(tenant, user, "libur.tambah", "hari_libur", row.id, field=JENIS_LABELS[jenis],
                 new=f"{tanggal_text(tanggal)} · {nama}")
    return row


def remove(tenant: Tenant, user, row: HariLibur) -> None:
    audit.record(tenant, user, "libur.hapus", "hari_libur", row.id, field=JENIS_LABELS[row.jenis],
                 old=f"{tanggal_text(row.tanggal)} · {row.nama}")
    db.session.delete(row)
    db.session.flush()
