from flask import Blueprint, g, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.tenancy import services

bp = Blueprint("tenancy", __name__)


@bp.route("/")
@rule("signed_in")
def home():
    """Start page: straight into the user's only tenant, else a list to choose from."""
    tenants = services.switchable_tenants(current_user)
    if len(tenants) == 1:
        return web.see_other(url_for("tenancy.tenant_home", tenant_slug=tenants[0].slug))
    return web.render("tenancy/choose.html", tenants=tenants)


@bp.route("/t/<tenant_slug>/")
@rule("tenant")
def tenant_home():
    tenant = g.tenant
    return web.render(
        "tenancy/tenant.html",
        tenant=tenant,
        ancestors=services.chain(tenant)[1:],
        my_memberships=services.memberships_in(current_user, tenant),
        people=services.people_of(tenant),
    )
