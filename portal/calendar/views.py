"""Hari libur: the national days off of a year (read from the holiday library) and the
local ones a tenant keeps; managers add and remove their tenant's own dates."""
from flask import Blueprint, g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.calendar import services
from portal.calendar.forms import HariLiburForm, YearQuery
from portal.calendar.models import HariLibur
from portal.extensions import db
from portal.tenancy.lanes import Capability
from portal.tenancy.scope import scoped_get
from portal.tenancy.services import chain

bp = Blueprint("calendar", __name__, url_prefix="/t/<tenant_slug>/hari-libur")


def _year() -> int:
    return YearQuery(request.args).tahun.data


def _page(form, tahun, status=200):
    tenant = g.tenant
    rows = [r for r in services.days_off(tenant) if r.tanggal.year == tahun]
    return web.render("calendar/index.html", status=status, tenant=tenant, form=form, tahun=tahun,
                      national=services.national_of_year(tahun),
                      own=[r for r in rows if r.tenant_id == tenant.id],
                      inherited=[r for r in rows if r.tenant_id != tenant.id],
                      names={t.id: t.name for t in chain(tenant)},
                      may_manage=Capability.MANAGE_TENANT in g.capabilities)


@bp.route("/")
@rule("tenant")
def index():
    return _page(HariLiburForm(formdata=None), _year())


@bp.route("/", methods=["POST"])
@rule("tenant:manage_tenant")
def add():
    form = HariLiburForm()
    if not form.validate_on_submit():
        return _page(form, _year(), status=422)
    row = services.add(g.tenant, current_user, form.tanggal.data, form.nama.data, form.jenis.data)
    db.session.commit()
    return web.see_other(url_for("calendar.index", tahun=row.tanggal.year))


@bp.route("/<int:libur_id>/hapus", methods=["POST"])
@rule("tenant:manage_tenant")
def remove(libur_id):
    row = scoped_get(HariLibur, g.tenant, libur_id)  # a date kept above this tenant is not removable here
    tahun = row.tanggal.year
    services.remove(g.tenant, current_user, row)
    db.session.commit()
    return web.see_other(url_for("calendar.index", tahun=tahun))
