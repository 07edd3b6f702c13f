"""Indicator references: the list (and the coordinator's new code), one reference's
comparison across kab/kota with its charts, linking and unlinking indicators."""
from flask import g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.extensions import db
from portal.oversight import charts
from portal.oversight import references as refs
from portal.oversight.figures import linked_figures
from portal.oversight.forms import CompareFilter, LinkForm, ReferenceForm, UnlinkForm
from portal.oversight.queries import tahun_default
from portal.oversight.views import bp
from portal.problems import Invalid
from portal.tenancy.models import utcnow

TW = ["TW I", "TW II", "TW III", "TW IV"]


@bp.route("/indikator/", methods=["GET", "POST"])
@rule("tenant:oversee")
def references():
    form = ReferenceForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _list(form, 422)
        ref = refs.create_reference(g.tenant, current_user, form.kode.data, form.nama.data,
                                          form.satuan.data or "", form.keterangan.data or "")
        db.session.commit()
        return web.see_other(url_for("oversight.compare", ref_id=ref.id))
    return _list(form)


def _list(form, status=200):
    return web.render("oversight/references.html", form=form, refs=refs.references_of(g.tenant),
                      status=status)


@bp.route("/indikator/<int:ref_id>/")
@rule("tenant:oversee")
def compare(ref_id):
    ref = refs.reference(g.tenant, ref_id)
    form = CompareFilter(request.args)
    status = 200
    if request.args and not form.validate():
        status = 422
        form.tahun.data, form.triwulan.data = None, 4
    tahun = form.tahun.data or tahun_default(g.tenant, utcnow().date())
    form.tahun.data = tahun
    triwulan = form.triwulan.data or 4
    rows = linked_figures(g.tenant, ref.id, tahun, triwulan)
    unit = "%"
    bar = charts.bar_chart([charts.Bar(r.label, r.capaian) for r in rows],
                           f"Capaian {ref.kode} s.d. {TW[triwulan - 1]} {tahun}", unit)
    line = charts.line_chart(TW, [charts.Series(r.label, r.trend) for r in rows],
                             f"Tren capaian {ref.kode} per triwulan {tahun}", unit)
    found = refs.candidates(g.tenant, ref, tahun, form.cari.data or "")
    return web.render("oversight/compare.html", ref=ref, form=form, rows=rows, bar=bar, line=line,
                      candidates=found, tahun=tahun, triwulan=triwulan, tw=TW, status=status)


@bp.route("/indikator/<int:ref_id>/tautkan", methods=["POST"])
@rule("tenant:oversee")
def link(ref_id):
    ref = refs.reference(g.tenant, ref_id)
    form = LinkForm()
    refs.link(g.tenant, ref, current_user, form.indikator.data)
    db.session.commit()
    return web.see_other(url_for("oversight.compare", ref_id=ref.id, tahun=form.tahun.data or None))


@bp.route("/indikator/<int:ref_id>/lepas", methods=["POST"])
@rule("tenant:oversee")
def unlink(ref_id):
    ref = refs.reference(g.tenant, ref_id)
    indikator = UnlinkForm().indikator.data
    if indikator is None:
        raise Invalid("Pilih indikator yang dilepas.")
    refs.unlink(g.tenant, ref, indikator)
    db.session.commit()
    return web.see_other(url_for("oversight.compare", ref_id=ref.id))
