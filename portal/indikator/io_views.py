"""The XLSX template of a year's indicator set, and importing a filled one."""
from flask import current_app, flash, g, url_for
from flask_login import current_user

from portal import database, web
from portal.access import rule
from portal.extensions import db
from portal.indikator import forms, services, xlsx_import, xlsx_template
from portal.indikator.views import bp, opd_only, own_set
from portal.safe_files import size_text

XLSX = web.XLSX


@bp.route("/indikator/<int:set_id>/templat.xlsx")
@rule("tenant:manage_tenant")
def template(set_id):
    opd_only()
    tset = own_set(set_id)
    units = [(u.key, u.name) for u in services.units_of(g.tenant)]
    data = xlsx_template.template_bytes(g.tenant.name, tset.tahun, units)
    return web.download(data, f"templat-indikator-{g.tenant.slug}-{tset.tahun}.xlsx", XLSX)


def _page(tset, status=200, errors=None, reason=""):
    return web.render("indikator/import.html", status=status, tenant=g.tenant, tset=tset, errors=errors or [],
                      reason=reason)


@bp.route("/indikator/<int:set_id>/impor")
@rule("tenant:manage_tenant")
def import_form(set_id):
    opd_only()
    return _page(own_set(set_id))


@bp.route("/indikator/<int:set_id>/impor", methods=["POST"])
@rule("tenant:manage_tenant")
@database.parse_before_writing
def import_upload(set_id):
    opd_only()
    tset = own_set(set_id)
    form = forms.ImportForm()
    upload, reason = form.upload, form.alasan.data
    if upload is None:
        return _page(tset, 422, ["Pilih berkas XLSX yang sudah diisi."], reason)
    limit = int(current_app.config.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        return _page(tset, 422, [f"Berkas terlalu besar. Ukuran maksimal {size_text(limit)}."], reason)
    plan, errors = xlsx_import.read_workbook(data, services.units_of(g.tenant))
    database.start_writing(db.session)  # parsed without the write lock; now take it
    if not errors:
        errors = xlsx_import.existing_problems(g.tenant, tset, plan, reason)
    if errors:
        db.session.rollback()
        return _page(tset, 422, errors, reason)
    counts = xlsx_import.apply_plan(g.tenant, tset, plan, current_user, reason)
    db.session.commit()
    flash(f"Impor selesai: {counts['indikator']} indikator, {counts['sasaran']} sasaran, "
          f"{counts['program']} program/kegiatan disimpan.", "success")
    return web.see_other(url_for("indikator.set_page", set_id=tset.id))
