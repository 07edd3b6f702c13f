"""Administering a tenant in the browser: its children, units, lanes, people, and the
readiness checklist. Thin: parse, call one service, commit once, 303 (or the page
again with 422 and the message)."""
from flask import Blueprint, flash, g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.extensions import db
from portal.onboarding import readiness as readiness_services
from portal.onboarding.forms import LaneEditForm, LaneForm, StatusForm, TenantForm, UnitEditForm, UnitForm, YearQuery
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


def _submitted(form, name: str, save, message, url=None):
    """A form of the manage page: checked, then `save()` (one service call) and back with
    `message(saved)` (to `url(saved)`, else the manage page); otherwise the page again with
    the form as `name`, 422 and the service's message, nothing saved."""
    if not form.validate_on_submit():
        return _manage_page(422, **{name: form})
    try:
        saved = save()
    except Invalid as error:
        db.session.rollback()
        return _manage_page(422, error=error.message, **{name: form})
    return saved_and_back(message(saved), url(saved) if url else None)


@bp.route("/kelola/")
@rule("tenant:manage_tenant")
def manage():
    return _manage_page()


@bp.route("/kelola/ubah", methods=["POST"])
@rule("tenant:manage_tenant")
def update():
    form = TenantForm()
    return _submitted(
        form, "tenant_form",
        lambda: admin.update_tenant(g.tenant, current_user, name=form.name.data, short_name=form.short_name.data or "",
                                    slug=form.slug.data or g.tenant.slug, kind=form.kind.data or ""),
        lambda _: "Data instansi disimpan.", lambda _: url_for("onboarding.manage", tenant_slug=g.tenant.slug))


@bp.route("/kelola/instansi", methods=["POST"])
@rule("tenant:manage_tenant")
def create_child():
    form = TenantForm()
    level = CHILD_LEVEL.get(Level(g.tenant.level))
    if level is None:
        form.validate_on_submit()  # the form's own messages show as well
        return _manage_page(422, error="Perangkat daerah tidak memiliki instansi di bawahnya.", child_form=form)
    return _submitted(
        form, "child_form",
        lambda: admin.create_tenant(g.tenant, current_user, level, form.name.data, form.slug.data or "",
                                    form.kind.data or "", form.short_name.data or ""),
        lambda child: f"{child.name} dibuat.", lambda child: url_for("onboarding.manage", tenant_slug=child.slug))


@bp.route("/kelola/status", methods=["POST"])
@rule("tenant:manage_tenant")
def set_status():
    active = StatusForm().active
    if g.tenant.level == Level.PROVINSI and not current_user.is_platform_admin:
        raise Refused("Hanya admin platform yang dapat menonaktifkan provinsi.")
    admin.set_tenant_active(g.tenant, current_user, active)
    return saved_and_back(f"{g.tenant.name} {'diaktifkan' if active else 'dinonaktifkan'}.")


@bp.route("/kelola/unit", methods=["POST"])
@rule("tenant:manage_tenant")
def create_unit():
    form = UnitForm()
    return _submitted(form, "unit_form", lambda: admin.create_unit(g.tenant, current_user, form.name.data),
                      lambda unit: f"Unit {unit.name} ditambahkan.")


@bp.route("/kelola/unit/<int:unit_id>", methods=["POST"])
@rule("tenant:manage_tenant")
def update_unit(unit_id):
    unit = scoped_get(Unit, g.tenant, unit_id)
    form = UnitEditForm()
    if form.switching:
        admin.set_unit_active(unit, current_user, form.active)
    else:
        admin.update_unit(unit, current_user, form.name.data)
    return saved_and_back(f"Unit {unit.name} disimpan.")


@bp.route("/kelola/peran", methods=["POST"])
@rule("tenant:manage_tenant")
def create_lane():
    form = LaneForm()
    form.kind.choices = admin.lane_kinds_for(g.tenant)
    return _submitted(form, "lane_form",
                      lambda: admin.create_lane(g.tenant, current_user, form.name.data, form.kind.data),
                      lambda lane: f"Peran {lane.name} ditambahkan.")


@bp.route("/kelola/peran/<int:peran_id>", methods=["POST"])
@rule("tenant:manage_tenant")
def update_lane(peran_id):
    lane = scoped_get(Lane, g.tenant, peran_id)
    form = LaneEditForm(kind=lane.kind)
    admin.update_lane(lane, current_user, form.name.data, form.kind.data)
    return saved_and_back(f"Peran {lane.name} disimpan.")


@bp.route("/kelola/peran/dari-sop", methods=["POST"])
@rule("tenant:manage_tenant")
def lanes_from_sop():
    """The lanes the SOP in force (or its newest draft) names and the tenant lacks."""
    version = sop_services.sop_in_force(g.tenant) or next(
        (s.versions[-1] for s in sop_services.sops_of(g.tenant) if not s.is_template and s.versions), None)
    if version is None:
        raise Invalid("Belum ada SOP; tempel atau buat SOP lebih dulu.")
    made, left = admin.lanes_from_sop(g.tenant, current_user, version)
    names = ", ".join(lane.name for lane in made) or "tidak ada yang kurang"
    above = (f" {', '.join(left)} hanya dapat dibuat oleh admin pemda atau koordinator provinsi." if left else "")
    return saved_and_back(f"Peran dari SOP {version.nama}: {names}.{above}")


# ---------------------------------------------------------------- readiness

@bp.route("/kesiapan")
@rule("tenant:manage_tenant")
def readiness():
    tahun = YearQuery(request.args).tahun.data
    return web.render("onboarding/readiness.html", tenant=g.tenant, tahun=tahun,
                      rows=readiness_services.overview(g.tenant, tahun), LaneKind=LaneKind)
