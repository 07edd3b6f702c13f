"""The SOP editor: a draft version edited in place with htmx, one change at a time."""
from flask import abort, flash, g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.extensions import db
from portal.sop import editing, forms, queries, services
from portal.sop.document import HEADER_LISTS, MEANING_LABELS, REPEAT_LABELS, SYMBOL_LABELS, UNIT_LABELS
from portal.sop.models import Sop, SopLane
from portal.sop.views import bp
from portal.tenancy.lanes import KIND_LABELS, LaneKind
from portal.tenancy.scope import scoped_get

EDITOR_CONTEXT = {
    "HEADER_LISTS": HEADER_LISTS, "SYMBOL_LABELS": SYMBOL_LABELS, "MEANING_LABELS": MEANING_LABELS,
    "UNIT_LABELS": UNIT_LABELS, "REPEAT_LABELS": REPEAT_LABELS,
    "LANE_KINDS": [(k, KIND_LABELS[LaneKind(k)]) for k in editing.OPD_LANE_KINDS],
}


def _draft(version_id):
    version = queries.own_version(g.tenant, version_id)
    if version.is_published:
        raise editing.NotEditable("Versi ini sudah diterbitkan dan tidak dapat diubah. Buat revisi untuk mengubahnya.")
    return version


def _editor_url(version) -> str:
    return url_for("sop.editor", version_id=version.id)


def _structure(version, status=200, **extra):
    return web.fragment_or_redirect("sop/_editor_structure.html", _editor_url(version), status=status,
                                    version=version, **EDITOR_CONTEXT, **extra)


def _refused(version, error, fragment="sop/_editor_structure.html", refresh=None, **extra):
    """Answer a refused write (invalid input, or a stale one: `editing.Conflict`) with the
    form again and its message, 422 (what the editor has always answered, also for a stale
    save); a plain post gets the message as a flash on the editor."""
    db.session.rollback()

    def form_again():
        db.session.refresh(refresh if refresh is not None else version)
        return web.render_fragment(fragment, status=422, version=version, error=error, **EDITOR_CONTEXT, **extra)
    return web.in_place(_editor_url(version), form_again, flash_message=str(error))


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
    return web.see_other(_editor_url(version))


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
    version = _draft(version_id)
    try:
        editing.update_header(version, current_user, request.form.get("revision"), request.form)
    except (editing.Invalid, editing.Conflict) as error:
        return _refused(version, error, "sop/_editor_header.html", form=request.form)
    db.session.commit()
    return web.fragment_or_redirect("sop/_editor_header.html", _editor_url(version), version=version,
                                    saved=True, **EDITOR_CONTEXT)


@bp.route("/versi/<int:version_id>/pelaksana", methods=["POST"])
@rule("tenant:manage_sop")
def add_lane(version_id):
    version = _draft(version_id)
    try:
        editing.add_lane(version, current_user, request.form)
    except editing.Invalid as error:
        return _refused(version, error, new_lane=request.form)
    db.session.commit()
    return _structure(version)


@bp.route("/versi/<int:version_id>/pelaksana/<int:lane_id>", methods=["POST"])
@rule("tenant:manage_sop")
def save_lane(version_id, lane_id):
    version = _draft(version_id)
    lane = _lane(version, lane_id)
    try:
        editing.update_lane(lane, current_user, request.form.get("revision"), request.form)
    except (editing.Invalid, editing.Conflict) as error:
        return _refused(version, error, error_lane_id=lane_id, lane_form=request.form)
    db.session.commit()
    return _structure(version)


@bp.route("/versi/<int:version_id>/pelaksana/<int:lane_id>/hapus", methods=["POST"])
@rule("tenant:manage_sop")
def delete_lane(version_id, lane_id):
    version = _draft(version_id)
    editing.delete_lane(_lane(version, lane_id))
    db.session.commit()
    return _structure(version)


@bp.route("/versi/<int:version_id>/pelaksana/<int:lane_id>/geser", methods=["POST"])
@rule("tenant:manage_sop")
def move_lane(version_id, lane_id):
    version = _draft(version_id)
    editing.move(version.lanes, _lane(version, lane_id), _direction())
    db.session.commit()
    return _structure(version)


def _lane(version, lane_id) -> SopLane:
    lane = scoped_get(SopLane, g.tenant, lane_id)
    if lane.version_id != version.id:
        abort(404)
    return lane


def _direction() -> int:
    return forms.MoveForm().direction
