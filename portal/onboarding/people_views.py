"""People of a tenant (one by one, from a sheet, links, deactivation) and starting a
year's indicators from a copy. Routes of the onboarding blueprint."""
from flask import flash, g, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.auth import invitations
from portal.extensions import db
from portal.indikator import copying
from portal.onboarding import people as people_services
from portal.onboarding.forms import COPY_YEAR, CopySetForm, PersonForm, SheetForm, StatusForm
from portal.onboarding.views import bp, saved_and_back
from portal.problems import Invalid
from portal.tenancy.lanes import UNIT_KINDS


def _person_form(form=None) -> PersonForm:
    form = form or PersonForm(formdata=None)
    form.lanes.choices = [(lane.key, lane.name) for lane in g.tenant.lanes]
    form.unit.choices = [("", "—")] + [(u.key, u.name) for u in g.tenant.units if u.is_active]
    return form


def _people_page(status=200, error=None, problems=None, form=None):
    return web.render("onboarding/people.html", status=status, tenant=g.tenant, error=error, problems=problems or [],
                      person_form=_person_form(form), sheet_form=SheetForm(formdata=None), status_form=StatusForm(),
                      people=people_services.people_of(g.tenant), unit_kinds={k.value for k in UNIT_KINDS},
                      mail_configured=invitations.mail_configured())


def _link(token: str) -> str:
    return url_for("account.accept", token=token, _external=True)


def _deliver(added: list) -> None:
    """After the commit: e-mail each new link and show it to the inviter to copy."""
    for item in added:
        if item.token is None:
            flash(f"{item.user.name} sudah memiliki akun; perannya ditambahkan.", "info")
            continue
        link = _link(item.token)
        sent = invitations.send_link(item.user, link, "undangan")
        flash(f"Tautan undangan {item.user.name} ({item.user.email})"
              + (" telah dikirim lewat email" if sent else "") + f": {link}", "link")


@bp.route("/orang/")
@rule("tenant:manage_tenant")
def people():
    return _people_page()


@bp.route("/orang/", methods=["POST"])
@rule("tenant:manage_tenant")
def add_person():
    form = _person_form(PersonForm())
    if not form.validate_on_submit():
        return _people_page(422, form=form)
    try:
        added = people_services.add_person(g.tenant, current_user, form.nama.data, form.email.data,
                                           form.nip.data or "", form.jabatan.data or "", form.lanes.data,
                                           form.unit.data or "")
    except people_services.SheetRefused as error:
        db.session.rollback()
        return _people_page(422, problems=error.problems, form=form)
    db.session.commit()
    _deliver([added])
    return web.see_other(url_for("onboarding.people"))


@bp.route("/orang/impor", methods=["POST"])
@rule("tenant:manage_tenant")
def import_people():
    upload = SheetForm().upload
    if upload is None:
        return _people_page(422, problems=["Pilih berkas XLSX atau CSV."])
    try:
        rows = people_services.read_sheet(upload.read(), upload.filename)
        added = people_services.add_people(g.tenant, current_user, rows)
    except people_services.SheetRefused as error:
        db.session.rollback()
        return _people_page(422, problems=error.problems)
    db.session.commit()
    _deliver(added)
    return web.see_other(url_for("onboarding.people"))


@bp.route("/orang/<int:user_id>/tautan", methods=["POST"])
@rule("tenant:manage_tenant")
def new_link(user_id):
    user = people_services.manageable_member(g.tenant, current_user, user_id)
    purpose = "reset" if user.password_hash else "undangan"
    token = invitations.issue(user, current_user, purpose)
    db.session.commit()
    link = _link(token)
    sent = invitations.send_link(user, link, purpose)
    flash(f"Tautan baru untuk {user.name}" + (" telah dikirim lewat email" if sent else "") + f": {link}", "link")
    return web.see_other(url_for("onboarding.people"))


@bp.route("/orang/<int:user_id>/status", methods=["POST"])
@rule("tenant:manage_tenant")
def person_status(user_id):
    user = people_services.manageable_member(g.tenant, current_user, user_id)
    active = StatusForm().active
    invitations.set_active(user, current_user, active)
    return saved_and_back(f"{user.name} {'diaktifkan' if active else 'dinonaktifkan; sesi masuknya diakhiri'}.",
                  url_for("onboarding.people"))


@bp.route("/indikator/salin", methods=["POST"])
@rule("tenant:manage_tenant")
def copy_indicators():
    form = CopySetForm()
    if not form.validate():
        raise Invalid(COPY_YEAR)
    tahun = form.tahun.data
    tset = copying.copy_set(g.tenant, form.sumber.data, tahun, current_user)
    return saved_and_back(f"Set indikator tahun {tahun} dibuat dari salinan. Target PK dan target per triwulan "
                          "tidak disalin: isi di halaman ini sebelum siklus dimulai.",
                  url_for("indikator.set_page", set_id=tset.id))


