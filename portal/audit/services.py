"""Writing and reading the audit log. Plain functions."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.audit.models import AuditEvent
from portal.extensions import db


def record(tenant, user, action: str, subject_type: str, subject_id=None, *, lane: str = "",
           cycle_id=None, indikator_id=None, field: str = "", old="", new="", reason: str = "",
           at=None) -> AuditEvent:
    entry = AuditEvent(tenant_id=tenant.id, user_id=user.id if user else None, lane=lane, action=action,
                       subject_type=subject_type, subject_id=subject_id, cycle_id=cycle_id,
                       indikator_id=indikator_id, field=field, old_value="" if old is None else str(old),
                       new_value="" if new is None else str(new), reason=reason or "")
    if at is not None:
        entry.at = at
    db.session.add(entry)
    return entry


def for_cycle(tenant, cycle_id) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).options(selectinload(AuditEvent.user)).where(
        AuditEvent.tenant_id == tenant.id, AuditEvent.cycle_id == cycle_id).order_by(AuditEvent.id)))


def for_indikator(tenant, indikator_id) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).options(selectinload(AuditEvent.user)).where(
        AuditEvent.tenant_id == tenant.id, AuditEvent.indikator_id == indikator_id).order_by(AuditEvent.id)))
