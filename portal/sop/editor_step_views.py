"""The SOP editor's steps: add, edit in place, delete, reorder; publish and revise."""
from flask import abort, g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.extensions import db
from portal.problems import Conflict
from portal.sop import editing, services
from portal.sop.editor_views import EDITOR_CONTEXT, _direction, _draft, _editor_url, _refused, _structure
from portal.sop.models import SopStep
from portal.sop.queries import own_version
from portal.sop.views import bp
from portal.tenancy.scope import scoped_get


def _step(version, step_id) -> SopStep:
    step = scoped_get(SopStep, g.tenant, step_id)
    if step.version_id != version.id:
        abort(404)
    return step


def _row(version, step, template="sop/_editor_step.html", status=200, **extra):
    return web.fragment_or_redirect(template, _editor_url(version) + f"#langkah-{step.id}", status=status,
                                    version=version, step=step, **EDITOR_CONTEXT, **extra)


@bp.route("/versi/<int:version_id>/langkah", methods=["POST"])
@rule("tenant:manage_sop")
def add_step(version_id):
    version = _draft(version_id)
    try:
        editing.add_step(version, current_user, request.form)
    except editing.Invalid as error:
        return _refused(version, error, new_step=request.form)
    db.session.commit()
    return _structure(version)


@bp.route("/versi/<int:version_id>/langkah/<int:step_id>")
@rule("tenant:manage_sop")
def step_row(version_id, step_id):
    version = _draft(version_id)
    return _row(version, _step(version, step_id))


@bp.route("/versi/<int:version_id>/langkah/<int:step_id>/ubah")
@rule("tenant:manage_sop")
def step_form(version_id, step_id):
    version = _draft(version_id)
    step = _step(version, step_id)
    return web.render_fragment("sop/_editor_step_form.html", version=version, step=step, form=None,
                               **EDITOR_CONTEXT)


@bp.route("/versi/<int:version_id>/langkah/<int:step_id>", methods=["POST"])
@rule("tenant:manage_sop")
def save_step(version_id, step_id):
    version = _draft(version_id)
    step = _step(version, step_id)
    try:
        editing.update_step(step, current_user, request.form.get("revision"), request.form)
    except (editing.Invalid, editing.Conflict) as error:
        return _refused(version, error, "sop/_editor_step_form.html", refresh=step, step=step, form=request.form)
    db.session.commit()
    return _row(version, step)


@bp.route("/versi/<int:version_id>/langkah/<int:step_id>/hapus", methods=["POST"])
@rule("tenant:manage_sop")
def delete_step(version_id, step_id):
    version = _draft(version_id)
    editing.delete_step(_step(version, step_id))
    db.session.commit()
    return _structure(version)


@bp.route("/versi/<int:version_id>/langkah/<int:step_id>/geser", methods=["POST"])
@rule("tenant:manage_sop")
def move_step(version_id, step_id):
    version = _draft(version_id)
    editing.move(version.steps, _step(version, step_id), _direction())
    db.session.commit()
    return _structure(version)


@bp.route("/versi/<int:version_id>/terbitkan", methods=["POST"])
@rule("tenant:manage_sop")
def publish(version_id):
    version = _draft(version_id)
    try:
        services.publish(version, current_user.id)
    except services.SopError as error:
        db.session.rollback()
        problems = error.problems
        return web.in_place(_editor_url(version), lambda: web.render_fragment(
            "sop/_editor_problems.html", status=422, problems=problems),
            flash_message="SOP belum dapat diterbitkan: " + " ".join(problems))
    db.session.commit()
    return web.see_other(url_for("sop.document", version_id=version.id))


@bp.route("/versi/<int:version_id>/revisi", methods=["POST"])
@rule("tenant:manage_sop")
def revise(version_id):
    version = own_version(g.tenant, version_id)
    try:
        draft = services.revise(version, current_user.id)
    except services.SopError as error:
        existing = services.draft_of(version.sop)
        if existing is not None:
            return web.see_other(url_for("sop.editor", version_id=existing.id))
        raise Conflict(error.message) from error
    db.session.commit()
    return web.see_other(url_for("sop.editor", version_id=draft.id))
