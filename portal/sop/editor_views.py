"""The SOP editor: a draft version edited in place with htmx, one change at a time.
Here: the editor page, the header and the lanes (steps: `editor_step_views.py`)."""
from flask import flash, g, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.extensions import db
from portal.sop import editing, forms, queries, services
from portal.sop.editor_common import EDITOR_CONTEXT, change_row, draft, editor_url, form_again, move, row_of, saved
from portal.sop.models import Sop, SopLane
from portal.sop.views import bp


@bp.route("/baru", methods=["POST"])
@rule("tenant:manage_sop")
def create():
    """A new SOP of this tenant, starting as an empty draft."""
    nama = forms.NewSopForm().name
    sop = Sop(tenant_id=g.tenant.id, key=services.unique_key(g.tenant, nama))
    db.session.add(sop)
    db.session.flush()
    version = services.new_version(sop, services.blank_document(nama), current_user.id)
    db.session.commit()
    return web.see_other(editor_url(version))


@bp.route("/versi/<int:version_id>/ubah")
@rule("tenant:manage_sop")
def editor(version_id):
    version = queries.own_version(g.tenant, version_id)
    if version.is_published:
        flash("Versi ini sudah terbit dan tidak dapat diubah. Buat revisi untuk mengubahnya.", "info")
        return web.see_other(url_for("sop.document", version_id=version.id))
    return web.render("sop/editor.html", version=version, **EDITOR_CONTEXT)


@bp.route("/versi/<int:version_id>/kepala", methods=["POST"])
@rule("tenant:manage_sop")
def save_header(version_id):
    version = draft(version_id)
    form = forms.HeaderForm()
    try:
        editing.update_header(version, current_user, form.expected_revision, form.clean())
    except (editing.FieldErrors, editing.StaleWrite) as error:
        return form_again(version, error, "sop/_editor_header.html", form=form.posted())
    db.session.commit()
    return web.fragment_or_redirect("sop/_editor_header.html", editor_url(version), version=version,
                                    saved=True, **EDITOR_CONTEXT)


@bp.route("/versi/<int:version_id>/pelaksana", methods=["POST"])
@rule("tenant:manage_sop")
def add_lane(version_id):
    version = draft(version_id)
    form = forms.LaneForm()
    try:
        editing.add_lane(version, current_user, *form.clean())
    except editing.FieldErrors as error:
        return form_again(version, error, new_lane=form.posted())
    return saved(version)


@bp.route("/versi/<int:version_id>/pelaksana/<int:lane_id>", methods=["POST"])
@rule("tenant:manage_sop")
def save_lane(version_id, lane_id):
    version = draft(version_id)
    form = forms.LaneForm()
    try:
        editing.update_lane(row_of(version, SopLane, lane_id), current_user, form.expected_revision, *form.clean())
    except (editing.FieldErrors, editing.StaleWrite) as error:
        return form_again(version, error, error_lane_id=lane_id, lane_form=form.posted())
    return saved(version)


@bp.route("/versi/<int:version_id>/pelaksana/<int:lane_id>/hapus", methods=["POST"])
@rule("tenant:manage_sop")
def delete_lane(version_id, lane_id):
    return change_row(version_id, SopLane, lane_id, editing.delete_lane)


@bp.route("/versi/<int:version_id>/pelaksana/<int:lane_id>/geser", methods=["POST"])
@rule("tenant:manage_sop")
def move_lane(version_id, lane_id):
    return change_row(version_id, SopLane, lane_id, move)
