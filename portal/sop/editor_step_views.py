"""The SOP editor's steps: add, edit in place, delete, reorder; publish and revise."""
from flask import g, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.extensions import db
from portal.problems import Conflict
from portal.sop import editing, forms, services
from portal.sop.editor_common import EDITOR_CONTEXT, change_row, draft, editor_url, form_again, move, row_of, saved
from portal.sop.models import SopStep
from portal.sop.queries import own_version
from portal.sop.views import bp

STEP_FORM = "sop/_editor_step_form.html"


def _row(version, step):
    return web.fragment_or_redirect("sop/_editor_step.html", editor_url(version) + f"#langkah-{step.id}",
                                    version=version, step=step, **EDITOR_CONTEXT)


@bp.route("/versi/<int:version_id>/langkah", methods=["POST"])
@rule("tenant:manage_sop")
def add_step(version_id):
    version = draft(version_id)
    form = forms.StepForm()
    try:
        editing.add_step(version, current_user, form.clean())
    except editing.FieldErrors as error:
        return form_again(version, error, new_step=form.posted())
    return saved(version)


@bp.route("/versi/<int:version_id>/langkah/<int:step_id>")
@rule("tenant:manage_sop")
def step_row(version_id, step_id):
    version = draft(version_id)
    if not web.is_fragment_request():  # a full load (bookmark, reload): the editor at the step
        return web.see_other(editor_url(version) + f"#langkah-{step_id}")
    return _row(version, row_of(version, SopStep, step_id))


@bp.route("/versi/<int:version_id>/langkah/<int:step_id>/ubah")
@rule("tenant:manage_sop")
def step_form(version_id, step_id):
    version = draft(version_id)
    if not web.is_fragment_request():
        return web.see_other(editor_url(version) + f"#langkah-{step_id}")
    return web.render_fragment(STEP_FORM, version=version, step=row_of(version, SopStep, step_id), form=None,
                               **EDITOR_CONTEXT)


@bp.route("/versi/<int:version_id>/langkah/<int:step_id>", methods=["POST"])
@rule("tenant:manage_sop")
def save_step(version_id, step_id):
    version = draft(version_id)
    step = row_of(version, SopStep, step_id)
    form = forms.StepForm()
    try:
        editing.update_step(step, current_user, form.expected_revision, form.clean())
    except (editing.FieldErrors, editing.StaleWrite) as error:
        return form_again(version, error, STEP_FORM, refresh=step, step=step, form=form.posted())
    db.session.commit()
    return _row(version, step)


@bp.route("/versi/<int:version_id>/langkah/<int:step_id>/hapus", methods=["POST"])
@rule("tenant:manage_sop")
def delete_step(version_id, step_id):
    return change_row(version_id, SopStep, step_id, editing.delete_step)


@bp.route("/versi/<int:version_id>/langkah/<int:step_id>/geser", methods=["POST"])
@rule("tenant:manage_sop")
def move_step(version_id, step_id):
    return change_row(version_id, SopStep, step_id, move)


@bp.route("/versi/<int:version_id>/terbitkan", methods=["POST"])
@rule("tenant:manage_sop")
def publish(version_id):
    version = draft(version_id)
    try:
        services.publish(version, current_user.id)
    except services.SopError as error:
        db.session.rollback()
        problems = error.problems
        return web.in_place(editor_url(version), lambda: web.render_fragment(
            "sop/_editor_problems.html", status=422, problems=problems),
            flash_message="SOP belum dapat diterbitkan: " + " ".join(problems))
    db.session.commit()
    return web.see_other(url_for("sop.document", version_id=version.id))


@bp.route("/versi/<int:version_id>/revisi", methods=["POST"])
@rule("tenant:manage_sop")
def revise(version_id):
    version = own_version(g.tenant, version_id)
    try:
        revision = services.revise(version, current_user.id)
    except services.SopError as error:
        existing = services.draft_of(version.sop)
        if existing is not None:
            return web.see_other(url_for("sop.editor", version_id=existing.id))
        raise Conflict(error.message) from error
    db.session.commit()
    return web.see_other(url_for("sop.editor", version_id=revision.id))
