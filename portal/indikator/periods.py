"""Reporting periods of an OPD: the triwulans opened for entering realisasi (opened by
the measurement cycle's collect step, portal/cycles/engine.py)."""
from sqlalchemy import select

from portal.columns import utcnow
from portal.extensions import db
from portal.indikator.models import PeriodStatus, ReportingPeriod
from portal.tenancy.models import Tenant


def periods_of(tenant: Tenant) -> list[ReportingPeriod]:
    return list(db.session.scalars(select(ReportingPeriod).where(ReportingPeriod.tenant_id == tenant.id)
                                   .order_by(ReportingPeriod.tahun.desc(), ReportingPeriod.triwulan.desc())))


def default_period(periods: list[ReportingPeriod]) -> ReportingPeriod | None:
    return next((p for p in periods if p.is_open), periods[0] if periods else None)


def open_period(tenant: Tenant, tahun: int, triwulan: int) -> ReportingPeriod:
    """Open (or reopen) a triwulan for data entry (the measurement cycle will call this)."""
    period = db.session.scalar(select(ReportingPeriod).where(
        ReportingPeriod.tenant_id == tenant.id, ReportingPeriod.tahun == tahun, ReportingPeriod.triwulan == triwulan))
    if period is None:
        period = ReportingPeriod(tenant_id=tenant.id, tahun=tahun, triwulan=triwulan)
        db.session.add(period)
    period.status, period.closed_at = PeriodStatus.TERBUKA, None
    db.session.flush()
    return period


def close_period(period: ReportingPeriod) -> None:
    period.status, period.closed_at = PeriodStatus.DITUTUP, utcnow()
    db.session.flush()
