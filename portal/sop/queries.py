"""Tenant-scoped lookups of SOP rows (the SOP area's use of the one scoped helper)."""
from flask import abort
from sqlalchemy import select

from portal.extensions import db
from portal.sop.models import Sop, SopVersion
from portal.tenancy.scope import scoped_get
from portal.tenancy.services import chain


def own_sop(tenant, sop_id) -> Sop:
    return scoped_get(Sop, tenant, sop_id)


def own_version(tenant, version_id) -> SopVersion:
    """A version owned by this tenant (editing, publishing)."""
    return scoped_get(SopVersion, tenant, version_id)


def readable_version(tenant, version_id) -> SopVersion:
    """A version this tenant may read: its own, or one its pemda shares with it."""
    try:
        version_id = int(version_id)
    except (TypeError, ValueError):
        abort(404)
    ids = [t.id for t in chain(tenant)[:2]]
    version = db.session.scalar(select(SopVersion).where(SopVersion.id == version_id,
                                                         SopVersion.tenant_id.in_(ids)))
    if version is None:
        abort(404)
    return version

