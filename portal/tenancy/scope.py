"""The one way to look up a tenant-owned row: by id *and* tenant, 404 otherwise; and
which tenants a request in a tenant may touch at all (its row-level security scope)."""
from flask import abort
from sqlalchemy import select

from portal.extensions import db
from portal.tenancy.lanes import Level
from portal.tenancy.models import Tenant


def scoped_get(model, tenant, row_id):
    """Return model row `row_id` of `tenant`, or answer 404 (never 403: a foreign id
    does not even exist for this tenant)."""
    try:
        row_id = int(row_id)
    except (TypeError, ValueError):
        abort(404)
    row = db.session.scalar(select(model).where(model.id == row_id, model.tenant_id == tenant.id))
    if row is None:
        abort(404)
    return row


def family_ids(tenant: Tenant) -> list[int]:
    """The tenant ids a request in `tenant` may touch: its pemda family (the province
    above, whose SOP templates are shared downwards; the pemda; its OPDs). A province:
    itself and everything below it. A query per tree level."""
    top = tenant
    if tenant.level == Level.OPD and tenant.parent is not None:
        top = tenant.parent
    ids = {top.id}
    if top.parent is not None:
        ids.add(top.parent.id)
    frontier = [top.id]
    while frontier:
        children = db.session.scalars(select(Tenant.id).where(Tenant.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return sorted(ids)
