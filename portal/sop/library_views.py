"""SOP files (export, import) and the coordinator's template library (clone)."""
from flask import g, url_for
from flask_login import current_user

from portal import database, web
from portal.access import rule
from portal.extensions import db
from portal.sop import forms, library, queries, services
from portal.sop.views import bp
from portal.tenancy import services as tenancy


@bp.route("/versi/<int:version_id>/berkas.yaml")
@rule("tenant")
def export(version_id):
    version = queries.readable_version(g.tenant, version_id, current_user)
    name = f"sop-{version.sop.key}-versi-{version.number}.yaml"
    return web.download(library.export_yaml(version), name, "application/yaml")


@bp.route("/impor", methods=["POST"])
@rule("tenant:manage_sop")
@database.parse_before_writing
def import_():
    upload = forms.ImportForm().upload
    if upload is None:
        return _import_refused(["Pilih berkas SOP (.yaml) yang akan diimpor."])
    try:
        doc = library.read_file(upload.filename, upload.read(library.MAX_IMPORT_BYTES + 1))
        database.start_writing(db.session)
        version = library.import_document(g.tenant, doc, current_user)
    except library.ImportRefused as refused:
        db.session.rollback()
        return _import_refused(refused.problems)
    db.session.commit()
    return web.see_other(url_for("sop.editor", version_id=version.id))


def _import_refused(problems):
    return web.render("sop/import_refused.html", status=422, problems=problems)


@bp.route("/<int:sop_id>/salin", methods=["POST"])
@rule("tenant:manage_sop")
def clone(sop_id):
    template = queries.own_sop(g.tenant, sop_id)
    if not template.is_template:
        return _import_refused(["Hanya templat dari pustaka SOP yang dapat disalin."])
    target = tenancy.tenant_by_slug(forms.CloneForm().tujuan.data or "")
    if target is None or target not in library.clone_targets(current_user, g.tenant):
        return _import_refused(["Pilih pemerintah daerah atau perangkat daerah tujuan yang Anda kelola."])
    try:
        version = library.clone(template, target, current_user)
    except services.SopError as error:
        return _import_refused([str(error)])
    db.session.commit()
    return web.see_other(url_for("sop.editor", tenant_slug=target.slug, version_id=version.id))


