"""Pasting (or uploading as XLSX) an SOP's step table: preview with every problem,
then a draft; and choosing the SOP in force."""
from flask import flash, g, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.extensions import db
from portal.sop import drafts, editing, forms, paste, queries, services
from portal.sop.document import MEANING_LABELS, SYMBOL_LABELS, UNIT_LABELS
from portal.sop.views import bp
from portal.tenancy.lanes import KIND_LABELS, LaneKind


def _form_page(form, status=200, **context):
    sops = [s for s in services.sops_of(g.tenant) if not s.is_template]
    return web.render("sop/paste.html", status=status, tenant=g.tenant, sops=sops, form=form,
                      lane_kinds=[(k, KIND_LABELS[LaneKind(k)]) for k in editing.OPD_LANE_KINDS],
                      SYMBOL_LABELS=SYMBOL_LABELS, MEANING_LABELS=MEANING_LABELS, UNIT_LABELS=UNIT_LABELS, **context)


@bp.route("/tempel", methods=["GET"], endpoint="paste")
@rule("tenant:manage_sop")
def paste_form():
    return _form_page(forms.PasteForm())


@bp.route("/tempel", methods=["POST"])
@rule("tenant:manage_sop")
def paste_():
    """'pratinjau' shows what would be made; 'simpan' makes the draft (never with problems)."""
    form = forms.PasteForm()
    upload = form.upload
    text = form.tabel.data or ""
    if upload is not None:
        rows = paste.rows_from_xlsx(upload.read())
        # The preview carries the sheet on as tab-separated text: one path from here on.
        text = "\n".join("\t".join(c.replace("\t", " ").replace("\n", " ") for c in row) for row in rows)
    pasted = paste.parse_rows(paste.rows_from_text(text), form.nama.data or "", fixes=form.corrections(text))
    target = None
    if form.sop_id.data:
        target = queries.own_sop(g.tenant, form.sop_id.data)
    if not form.save or pasted.problems:
        return _form_page(form, 422 if pasted.problems else 200, pasted=pasted, tabel=text, target=target)
    try:
        version = drafts.draft_from_document(g.tenant, current_user, pasted.doc, target,
                                             create_lanes=form.create_lanes)
    except services.SopError as error:
        db.session.rollback()
        pasted.problems.append(str(error))
        return _form_page(form, 422, pasted=pasted, tabel=text, target=target)
    if form.publish:
        # One submission from the table to a published version, when nothing is missing;
        # otherwise the draft stays and the editor lists what stops it.
        db.session.flush()
        try:
            services.publish(version, current_user.id)
        except services.SopError as error:
            db.session.commit()
            flash(f"Draf SOP {version.nama} versi {version.number} dibuat dari tabel, tetapi belum dapat "
                  "diterbitkan: " + " ".join(error.problems or [error.message]), "error")
            return web.see_other(url_for("sop.editor", version_id=version.id))
        db.session.commit()
        flash(f"SOP {version.nama} versi {version.number} diterbitkan dari tabel.", "info")
        return web.see_other(url_for("sop.document", version_id=version.id))
    db.session.commit()
    missing = (f" Pelaksana belum ditandai pada langkah {', '.join(map(str, pasted.unmarked))}: lengkapi di editor "
               "sebelum diterbitkan." if pasted.unmarked else "")
    flash(f"Draf SOP {version.nama} versi {version.number} dibuat dari tabel.{missing}", "info")
    return web.see_other(url_for("sop.editor", version_id=version.id))


@bp.route("/<int:sop_id>/berlakukan", methods=["POST"])
@rule("tenant:manage_sop")
def choose(sop_id):
    sop = queries.own_sop(g.tenant, sop_id)
    try:
        services.choose_in_force(g.tenant, sop, current_user.id)
    except services.SopError as error:
        db.session.rollback()
        flash(str(error), "error")
        return web.see_other(url_for("sop.index"))
    db.session.commit()
    flash("SOP yang berlaku diganti. Siklus yang baru dimulai memakai SOP ini.", "info")
    return web.see_other(url_for("sop.index"))
