from flask import Blueprint, current_app, g, send_from_directory, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.cycles import queries as cycle_queries
from portal.home import queries
from portal.oversight import charts
from portal.reminders import queries as reminder_queries
from portal.tenancy import services as tenancy

bp = Blueprint("home", __name__)


@bp.route("/favicon.ico")
@rule("public")
def favicon():
    """Browsers ask /favicon.ico whatever the page links; without it every first visit logs a 404."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


@bp.route("/")
@rule("signed_in")
def start():
    """Start page: straight into the user's only tenant, else a list to choose from."""
    tenants = tenancy.switchable_tenants(current_user)
    if len(tenants) == 1:
        return web.see_other(url_for("home.tenant_home", tenant_slug=tenants[0].slug))
    # Several tenants: the choice, with the tasks waiting in any of them.
    return web.render("home/choose.html", tenants=tenants, entries=cycle_queries.inbox(current_user))


@bp.route("/t/<tenant_slug>/")
@rule("tenant")
def tenant_home():
    """What the signed-in person must do now here (portal/home/queries.py)."""
    tenant = g.tenant
    home = queries.home_for(current_user, tenant, g.capabilities)
    return web.render(
        "home/tenant_home.html",
        tenant=tenant,
        ancestors=tenancy.chain(tenant)[1:],
        my_memberships=tenancy.memberships_in(current_user, tenant),
        home=home,
        sasaran_chart=charts.sasaran_chart(home.sasaran, home.sasaran_triwulan) if home.sasaran else None,
        reminder_label=reminder_queries.label,
    )


@bp.route("/t/<tenant_slug>/organisasi")
@rule("tenant")
def organisation():
    """The tenants below, units, lanes and the people holding them."""
    tenant = g.tenant
    return web.render(
        "home/organisation.html",
        tenant=tenant,
        ancestors=tenancy.chain(tenant)[1:],
        my_memberships=tenancy.memberships_in(current_user, tenant),
        people=tenancy.people_of(tenant),
    )
