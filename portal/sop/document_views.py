"""The official SOP AP document (PermenPANRB 35/2012) of a version."""
from flask import g, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.extensions import db
from portal.sop import flowchart, queries, services
from portal.sop.document import HEADER_LISTS, REPEAT_LABELS, UNIT_LABELS
from portal.sop.views import bp


@bp.route("/versi/<int:version_id>/")
@rule("tenant")
def document(version_id):
    version = queries.readable_version(g.tenant, version_id, current_user)
    return web.render("sop/document.html", version=version, chart=flowchart.for_version(version),
                      header_lists=HEADER_LISTS, unit_labels=UNIT_LABELS, repeat_labels=REPEAT_LABELS)


@bp.route("/versi/<int:version_id>/sahkan", methods=["POST"])
@rule("tenant:sign")
def approve(version_id):
    """The Kepala approves ("Disahkan oleh") a published version of the OPD's SOP."""
    version = queries.own_version(g.tenant, version_id)
    services.approve(version, current_user)
    db.session.commit()
    return web.see_other(url_for("sop.document", version_id=version.id))
