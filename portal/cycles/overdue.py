"""Late means late: a period that has ended and whose cycle never started is due at the
period's end (00.00 WIB the day after) plus the SOP's total Mutu Baku, as if its cycle had
started then and every step had taken its standard time (hari kerja counted in the OPD's
calendar). The matrix, the late list and the reminders read it from here.

Bulk: four statements for any number of OPDs (the SOP in force per OPD or its pemda, the
steps of those versions, the pemda's province, the local days off).
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from portal import clock
from portal.calendar.days import WorkCalendar
from portal.calendar.models import HariLibur
from portal.cycles.deadlines import due_at
from portal.extensions import db
from portal.sop.models import SopChoice, SopStep, SopVersion, VersionStatus
from portal.tenancy.models import Tenant

# How many occurrences a periodic step has in a cycle of each kind (engine.OCCURRENCES):
# a periodic step is not in the line of tasks, so it adds nothing to the total.
_PERIODIC = {("triwulan", "tahunan"), ("triwulan", "semester"), ("semester", "tahunan")}


def period_end(tahun: int, kind: str, no: int) -> datetime:
    """The first instant (UTC) after a cycle's period: 00.00 WIB the day after it ends."""
    last_month = {"triwulan": 3 * no, "semester": 6 * no, "tahunan": 12}[kind]
    year, month = (tahun + 1, 1) if last_month == 12 else (tahun, last_month + 1)
    return clock.wib_midnight_utc(date(year, month, 1))


@dataclass(frozen=True)
class NotStarted:
    """A period whose cycle never started: due when, under which SOP version."""

    opd_id: int
    kind: str
    no: int
    due: datetime
    version_id: int


def deadlines(opds: list[tuple[int, int | None]], tahun: int, periods: list[tuple[str, int]],
              now: datetime) -> dict[tuple[int, str, int], NotStarted]:
    """For each (OPD id, its pemda id) and each period that has ended by `now` (callers
    pass only periods without a cycle): when its measurement was due. OPDs without an SOP
    in force have none (the readiness checklist names that)."""
    ended = [(k, n) for k, n in periods if period_end(tahun, k, n) <= now]
    if not opds or not ended:
        return {}
    opd_ids = [o for o, _ in opds]
    pemda_ids = sorted({p for _, p in opds if p is not None})
    # 1. The SOP chosen per OPD and pemda, with its published versions.
    in_force: dict[int, tuple[int, int]] = {}  # tenant -> (number, version id) of the latest published
    for tenant_id, version_id, number in db.session.execute(
            select(SopChoice.tenant_id, SopVersion.id, SopVersion.number)
            .join(SopVersion, SopVersion.sop_id == SopChoice.sop_id)
            .where(SopChoice.tenant_id.in_(opd_ids + pemda_ids), SopVersion.status == VersionStatus.PUBLISHED)):
        if tenant_id not in in_force or number > in_force[tenant_id][0]:
            in_force[tenant_id] = (number, version_id)
    version_of = {}
    for opd_id, pemda_id in opds:
        chosen = in_force.get(opd_id) or in_force.get(pemda_id)
        if chosen:
            version_of[opd_id] = chosen[1]
    if not version_of:
        return {}
    # 2. Their steps, in order.
    steps: dict[int, list] = {}
    for version_id, amount, unit, repeat in db.session.execute(
            select(SopStep.version_id, SopStep.waktu_amount, SopStep.waktu_unit, SopStep.repeat)
            .where(SopStep.version_id.in_(set(version_of.values()))).order_by(SopStep.version_id, SopStep.position)):
        steps.setdefault(version_id, []).append((amount, unit, repeat))
    # 3. and 4. The local days off of each OPD, its pemda and its province.
    province_of = dict(db.session.execute(select(Tenant.id, Tenant.parent_id).where(Tenant.id.in_(pemda_ids))).all())
    days: dict[int, set] = {}
    for tenant_id, tanggal in db.session.execute(select(HariLibur.tenant_id, HariLibur.tanggal).where(
            HariLibur.tenant_id.in_(opd_ids + pemda_ids + [p for p in province_of.values() if p is not None]))):
        days.setdefault(tenant_id, set()).add(tanggal)
    out = {}
    memo: dict[tuple, datetime] = {}
    for opd_id, pemda_id in opds:
        version_id = version_of.get(opd_id)
        if version_id is None:
            continue
        chain = (opd_id, pemda_id, province_of.get(pemda_id))
        local = frozenset().union(*(days.get(t, set()) for t in chain if t is not None))
        for kind, no in ended:
            key = (version_id, local, tahun, kind, no)
            if key not in memo:
                memo[key] = _chain(period_end(tahun, kind, no), steps.get(version_id, []), kind, WorkCalendar(local))
            out[(opd_id, kind, no)] = NotStarted(opd_id, kind, no, memo[key], version_id)
    return out


def _chain(start: datetime, steps, kind: str, calendar: WorkCalendar) -> datetime:
    at = start
    for amount, unit, repeat in steps:
        if repeat and (repeat, kind) in _PERIODIC:
            continue
        if amount:
            at = due_at(at, amount, unit, calendar=calendar)
    return at
