"""SOP pages: the list of SOPs and versions of a tenant."""
from flask import Blueprint, abort, g
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.sop import library, queries, services
from portal.tenancy.lanes import Capability, Level

bp = Blueprint("sop", __name__, url_prefix="/t/<tenant_slug>/sop")


@bp.route("/")
@rule("tenant")
def index():
    tenant = g.tenant
    in_force = services.sop_in_force(tenant) if tenant.level == Level.OPD else None
    sops = [sop for sop in services.sops_of(tenant) if not sop.is_template]
    return web.render("sop/index.html", tenant=tenant, sops=sops, in_force=in_force,
                      choice=services.choice_of(tenant), **library_context(tenant))


@bp.route("/<int:sop_id>/")
@rule("tenant")
def detail(sop_id):
    sop = queries.own_sop(g.tenant, sop_id)
    versions = queries.visible_versions(sop, current_user)
    if not versions:
        abort(404)  # only a draft, and the user may not edit it
    return web.render("sop/detail.html", sop=sop, versions=versions, draft=services.draft_of(sop))


def library_context(tenant) -> dict:
    """What the SOP index shows of the library: templates and where they may be cloned to."""
    if tenant.level != Level.PROVINSI:
        return {}
    caps = g.capabilities
    return {"templates": library.templates_of(tenant),
            "clone_targets": library.clone_targets(current_user, tenant) if Capability.MANAGE_SOP in caps else []}
