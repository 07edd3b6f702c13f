"""People of a tenant (one by one, from a sheet, links, deactivation) and starting a
year's indicators from a copy. Routes of the onboarding blueprint."""
from flask import flash, g, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.audit import services as audit
from portal.auth import invitations
from portal.extensions import db
from portal.indikator import copying
from portal.jobs import queue
from portal.onboarding import joining, personal_data
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
                      pending=people_services.pending_invitations(g.tenant),
                      invitation_lanes=lambda inv: people_services.grants_text(joining.grants_of(inv)),
                      mail_configured=invitations.mail_configured())


def _link(token: str) -> str:
    return url_for("account.accept", token=token, _external=True)


def _deliver(invited: list) -> None:
    """After the commit: each invitation goes by e-mail from the job queue (the worker
    makes its link), or, with no SMTP, its link is shown to copy. The same answer whether
    or not an address has an account: nothing about it is read here."""
    rows = [(item.invitation.id, item.invitation.nama, item.invitation.email, item.token) for item in invited]
    db.session.commit()  # no transaction of the request stays open while a task runs
    for invitation_id, nama, email, token in rows:
        if invitations.mail_configured():
            if queue.enqueue_task("undangan", invitation_id=invitation_id, base_url=request.url_root):
                flash(f"Undangan untuk {nama} ({email}) dikirim lewat email.", "info")
            else:
                flash(f"Undangan untuk {nama} ({email}) tersimpan, tetapi antrean email sedang tidak dapat "
                      "dihubungi: belum ada email yang dikirim. Kirim ulang undangan itu setelah layanan pulih.",
                      "error")
        else:
            link = url_for("account.join", token=token, _external=True)
            flash(f"Tautan undangan {nama} ({email}): {link}", "link")


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
        invited = people_services.invite_person(g.tenant, current_user, form.nama.data, form.email.data,
                                                form.nip.data or "", form.jabatan.data or "", form.lanes.data,
                                                form.unit.data or "")
    except people_services.SheetRefused as error:
        db.session.rollback()
        return _people_page(422, problems=error.problems, form=form)
    db.session.commit()
    _deliver([invited])
    return web.see_other(url_for("onboarding.people"))


@bp.route("/orang/impor", methods=["POST"])
@rule("tenant:manage_tenant")
def import_people():
    upload = SheetForm().upload
    if upload is None:
        return _people_page(422, problems=["Pilih berkas XLSX atau CSV."])
    try:
        rows = people_services.read_sheet(upload.read(), upload.filename)
        invited = people_services.invite_people(g.tenant, current_user, rows)
    except people_services.SheetRefused as error:
        db.session.rollback()
        return _people_page(422, problems=error.problems)
    audit.record(g.tenant, current_user, "orang.impor", "tenant", g.tenant.id,
                 new=f"{upload.filename}: {len(rows)} baris, {len(invited)} undangan")
    db.session.commit()
    _deliver(invited)
    return web.see_other(url_for("onboarding.people"))


@bp.route("/orang/undangan/<int:invitation_id>/kirim", methods=["POST"])
@rule("tenant:manage_tenant")
def resend_invitation(invitation_id):
    invitation = people_services.invitation_of(g.tenant, invitation_id)
    token = people_services.renew_invitation(invitation, current_user)
    db.session.commit()
    _deliver([people_services.Invited(invitation, token)])
    return web.see_other(url_for("onboarding.people"))


@bp.route("/orang/undangan/<int:invitation_id>/batal", methods=["POST"])
@rule("tenant:manage_tenant")
def cancel_invitation(invitation_id):
    invitation = people_services.invitation_of(g.tenant, invitation_id)
    people_services.cancel_invitation(invitation, current_user)
    return saved_and_back(f"Undangan untuk {invitation.nama} dibatalkan.", url_for("onboarding.people"))


@bp.route("/orang/<int:user_id>/tautan", methods=["POST"])
@rule("tenant:manage_tenant")
def new_link(user_id):
    """A new password link for a member whose account the actor administers: mailed by
    the job queue (the worker makes the link), or shown to copy where no mail goes."""
    user = people_services.manageable_member(g.tenant, current_user, user_id)
    purpose = "reset" if user.password_hash else "undangan"
    name, actor_id = user.name, current_user.id
    if invitations.mail_configured():
        invitations.check_may_issue(user)
        db.session.commit()  # read before: no transaction of the request stays open while a task runs
        if queue.enqueue_task("tautan_akun", user_id=user_id, actor_id=actor_id, purpose=purpose,
                              base_url=request.url_root):
            flash(f"Tautan baru untuk {name} dikirim lewat email.", "info")
        else:
            flash(f"Antrean email sedang tidak dapat dihubungi: tautan untuk {name} belum dikirim. "
                  "Coba lagi setelah layanan pulih.", "error")
        return web.see_other(url_for("onboarding.people"))
    token = invitations.issue(user, current_user, purpose)
    db.session.commit()
    flash(f"Tautan baru untuk {name}: {_link(token)}", "link")
    return web.see_other(url_for("onboarding.people"))


@bp.route("/orang/<int:user_id>/status", methods=["POST"])
@rule("tenant:manage_tenant")
def person_status(user_id):
    user = people_services.manageable_member(g.tenant, current_user, user_id)
    active = StatusForm().active
    invitations.set_active(user, current_user, active)
    return saved_and_back(f"{user.name} {'diaktifkan' if active else 'dinonaktifkan; sesi masuknya diakhiri'}.",
                  url_for("onboarding.people"))


@bp.route("/orang/<int:user_id>/data-pribadi", methods=["POST"])
@rule("tenant:manage_tenant")
def export_personal_data(user_id):
    data, name = personal_data.export(g.tenant, current_user, user_id)
    db.session.commit()
    return web.download(data, name, "application/json")


@bp.route("/orang/<int:user_id>/anonimkan", methods=["POST"])
@rule("tenant:manage_tenant")
def anonymise_person(user_id):
    user = personal_data.anonymise(g.tenant, current_user, user_id)
    return saved_and_back(f"Data pribadi dianonimkan ({user.name}); catatan yang ia tandatangani tetap.",
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


