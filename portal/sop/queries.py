"""Tenant-scoped lookups of SOP rows (the SOP area's use of the one scoped helper)."""
from flask import abort
from sqlalchemy import select

from portal.extensions import db
from portal.sop.models import Sop, SopVersion, VersionStatus
from portal.tenancy.lanes import Capability
from portal.tenancy.scope import scoped_get
from portal.tenancy.services import capabilities, chain


def awaiting_approval(tenant_ids) -> list[SopVersion]:
    """Published versions of these tenants' own SOPs (not templates) that their Kepala has
    not approved yet ("Disahkan oleh"): no cycle starts under them until then."""
    if not tenant_ids:
        return []
    return list(db.session.scalars(
        select(SopVersion).join(Sop, Sop.id == SopVersion.sop_id)
        .where(SopVersion.tenant_id.in_(list(tenant_ids)), SopVersion.status == VersionStatus.PUBLISHED,
               SopVersion.approved_at.is_(None), Sop.is_template.is_(False))
        .order_by(SopVersion.published_at, SopVersion.id)))


def own_sop(tenant, sop_id) -> Sop:
    return scoped_get(Sop, tenant, sop_id)


def own_version(tenant, version_id) -> SopVersion:
    """A version owned by this tenant (editing, publishing)."""
    return scoped_get(SopVersion, tenant, version_id)


def may_read_drafts(user, owner) -> bool:
    """Whether the user may read the unpublished SOP drafts of `owner` (the tenant
    holding them): those who may edit them, and its head, who approves ("disahkan
    oleh") a version before it is published."""
    return bool({Capability.MANAGE_SOP, Capability.SIGN} & capabilities(user, owner))


def visible_versions(sop: Sop, user) -> list[SopVersion]:
    """The versions of an SOP the user may see: drafts only for may_read_drafts."""
    if may_read_drafts(user, sop.tenant):
        return list(sop.versions)
    return [v for v in sop.versions if v.is_published]


def readable_version(tenant, version_id, user) -> SopVersion:
    """A version this tenant may read: its own, or one its pemda shares with it; an
    unpublished draft only for may_read_drafts (else 404, as if it did not exist)."""
    try:
        version_id = int(version_id)
    except (TypeError, ValueError):
        abort(404)
    ids = [t.id for t in chain(tenant)[:2]]
    version = db.session.scalar(select(SopVersion).where(SopVersion.id == version_id,
                                                         SopVersion.tenant_id.in_(ids)))
    if version is None or (not version.is_published and not may_read_drafts(user, version.sop.tenant)):
        abort(404)
    return version

