"""Administering a tenant in the browser: its children, units, lanes, people, and the
readiness checklist. Thin: parse, call one service, commit once, 303 (or the page
again with 422 and the message)."""
from datetime import date

from flask import Blueprint, flash, g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.extensions import db
from portal.onboarding import readiness as readiness_services
from portal.onboarding.forms import LaneForm, StatusForm, TenantForm, UnitForm
from portal.problems import Invalid, Refused
from portal.sop import services as sop_services
from portal.tenancy import admin
from portal.tenancy.lanes import PARENT_LEVEL, LaneKind, Level
from portal.tenancy.models import Lane, Unit
from portal.tenancy.scope import scoped_get

bp = Blueprint("onboarding", __name__, url_prefix="/t/<tenant_slug>")
CHILD_LEVEL = {parent: child for child, parent in PARENT_LEVEL.items()}


def _manage_page(status=200, error=None, **forms):
    tenant = g.tenant
    lane_form = forms.get("lane_form") or LaneForm()
    lane_form.kind.choices = admin.lane_kinds_for(tenant)
    edit = forms.get("tenant_form") or TenantForm(obj=tenant)
    return web.render("onboarding/manage.html", status=status, tenant=tenant, error=error,
                      child_level=CHILD_LEVEL.get(Level(tenant.level)), tenant_form=edit,
                      child_form=forms.get("child_form") or TenantForm(formdata=None),
                      unit_form=forms.get("unit_form") or UnitForm(formdata=None), lane_form=lane_form,
                      status_form=StatusForm(), pemda_kinds=admin.PEMDA_KINDS,
                      in_force=sop_services.sop_in_force(tenant) if tenant.level == Level.OPD else None)


def saved_and_back(message: str, url: str | None = None):
    db.session.commit()
    flash(message, "info")
    return web.see_other(url or url_for("onboarding.manage"))


@bp.route("/kelola/")
@rule("tenant:manage_tenant")
def manage():
    return _manage_page()


@bp.route("/kelola/ubah", methods=["POST"])
@rule("tenant:manage_tenant")
def update():
    form = TenantForm()
    if not form.validate_on_submit():
        return _manage_page(422, tenant_form=form)
    try:
        admin.update_tenant(g.tenant, current_user, name=form.name.data, short_name=form.short_name.data or "",
                            slug=form.slug.data or g.tenant.slug, kind=form.kind.data or "")
    except Invalid as error:
        db.session.rollback()
        return _manage_page(422, error=error.message, tenant_form=form)
    return saved_and_back("Data instansi disimpan.", url_for("onboarding.manage", tenant_slug=g.tenant.slug))


@bp.route("/kelola/instansi", methods=["POST"])
@rule("tenant:manage_tenant")
def create_child():
    form = TenantForm()
    level = CHILD_LEVEL.get(Level(g.tenant.level))
    if not form.validate_on_submit() or level is None:
        return _manage_page(422, error=None if level else "Perangkat daerah tidak memiliki instansi di bawahnya.",
                            child_form=form)
    try:
        child = admin.create_tenant(g.tenant, current_user, level, form.name.data, form.slug.data or "",
                                    form.kind.data or "", form.short_name.data or "")
    except Invalid as error:
        db.session.rollback()
        return _manage_page(422, error=error.message, child_form=form)
    return saved_and_back(f"{child.name} dibuat.", url_for("onboarding.manage", tenant_slug=child.slug))


@bp.route("/kelola/status", methods=["POST"])
@rule("tenant:manage_tenant")
def set_status():
    active = request.form.get("aktif") == "1"
    if g.tenant.level == Level.PROVINSI and not current_user.is_platform_admin:
        raise Refused("Hanya admin platform yang dapat menonaktifkan provinsi.")
    admin.set_tenant_active(g.tenant, current_user, active)
    return saved_and_back(f"{g.tenant.name} {'diaktifkan' if active else 'dinonaktifkan'}.")


@bp.route("/kelola/unit", methods=["POST"])
@rule("tenant:manage_tenant")
def create_unit():
    form = UnitForm()
    if not form.validate_on_submit():
        return _manage_page(422, unit_form=form)
    try:
        unit = admin.create_unit(g.tenant, current_user, form.name.data)
    except Invalid as error:
        db.session.rollback()
        return _manage_page(422, error=error.message, unit_form=form)
    return saved_and_back(f"Unit {unit.name} ditambahkan.")


@bp.route("/kelola/unit/<int:unit_id>", methods=["POST"])
@rule("tenant:manage_tenant")
def update_unit(unit_id):
    unit = scoped_get(Unit, g.tenant, unit_id)
    if "aktif" in request.form:
        admin.set_unit_active(unit, current_user, request.form["aktif"] == "1")
    else:
        admin.update_unit(unit, current_user, request.form.get("name", ""))
    return saved_and_back(f"Unit {unit.name} disimpan.")


@bp.route("/kelola/peran", methods=["POST"])
@rule("tenant:manage_tenant")
def create_lane():
    form = LaneForm()
    form.kind.choices = admin.lane_kinds_for(g.tenant)
    if not form.validate_on_submit():
        return _manage_page(422, lane_form=form)
    try:
        lane = admin.create_lane(g.tenant, current_user, form.name.data, form.kind.data)
    except Invalid as error:
        db.session.rollback()
        return _manage_page(422, error=error.message, lane_form=form)
    return saved_and_back(f"Peran {lane.name} ditambahkan.")


@bp.route("/kelola/peran/<int:peran_id>", methods=["POST"])
@rule("tenant:manage_tenant")
def update_lane(peran_id):
    lane = scoped_get(Lane, g.tenant, peran_id)
    admin.update_lane(lane, current_user, request.form.get("name", ""), request.form.get("kind", lane.kind))
    return saved_and_back(f"Peran {lane.name} disimpan.")


@bp.route("/kelola/peran/dari-sop", methods=["POST"])
@rule("tenant:manage_tenant")
def lanes_from_sop():
    """The lanes the SOP in force (or its newest draft) names and the tenant lacks."""
    version = sop_services.sop_in_force(g.tenant) or next(
        (s.versions[-1] for s in sop_services.sops_of(g.tenant) if not s.is_template and s.versions), None)
    if version is None:
        raise Invalid("Belum ada SOP; tempel atau buat SOP lebih dulu.")
    made = admin.lanes_from_sop(g.tenant, current_user, version)
    names = ", ".join(lane.name for lane in made) or "tidak ada yang kurang"
    return saved_and_back(f"Peran dari SOP {version.nama}: {names}.")


# ---------------------------------------------------------------- readiness

@bp.route("/kesiapan")
@rule("tenant:manage_tenant")
def readiness():
    try:
        tahun = int(request.args.get("tahun") or date.today().year)
    except ValueError:
        tahun = date.today().year
    return web.render("onboarding/readiness.html", tenant=g.tenant, tahun=tahun,
                      rows=readiness_services.overview(g.tenant, tahun), LaneKind=LaneKind)
