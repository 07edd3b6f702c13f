"""Oversight pages: the completeness and timeliness matrix, late work across OPDs."""
from flask import Blueprint, g, request

from portal import web
from portal.access import rule
from portal.oversight import charts, queries, services
from portal.oversight.forms import MatrixFilter
from portal.tenancy.lanes import Level
from portal.tenancy.models import utcnow

bp = Blueprint("oversight", __name__, url_prefix="/t/<tenant_slug>/pemantauan")


@bp.app_template_filter("lama")
def lama(delta) -> str:
    return charts.duration(delta)


@bp.route("/")
@rule("tenant:oversee")
def matrix():
    form = MatrixFilter(request.args)
    now = utcnow()
    if request.args and not form.validate():
        return web.render("oversight/matrix.html", form=form, m=None, status=422)
    tahun = form.tahun.data or queries.tahun_default(g.tenant, (now).date())
    form.tahun.data = tahun
    full = queries.matrix(g.tenant, tahun, now)
    shown = services.filter_matrix(full, form.periode.data or "", form.status.data or "",
                                   bool(form.terlambat.data), form.urut.data or "pemda")
    rates = {r.pemda_id: r for r in full.by_pemda}
    grouped = g.tenant.level == Level.PROVINSI and (form.urut.data or "pemda") == "pemda"
    return web.render("oversight/matrix.html", form=form, m=shown, full=full, rates=rates, grouped=grouped,
                      period_short=queries.PERIOD_SHORT)


@bp.route("/terlambat")
@rule("tenant:oversee")
def late():
    return web.render("oversight/late.html", tasks=queries.late_tasks(g.tenant, utcnow()))
