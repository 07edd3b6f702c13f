"""The one way to look up a tenant-owned row: by id *and* tenant, 404 otherwise."""
from flask import abort
from sqlalchemy import select

from portal.extensions import db


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
