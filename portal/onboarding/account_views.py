"""Pages of one's own account (accepting an invitation, forgotten and changed
passwords) and the platform admin's list of provinces."""
from flask import Blueprint, flash, request, url_for
from flask_login import current_user

from portal import web
from portal.access import rule
from portal.auth import invitations, throttle
from portal.extensions import db
from portal.onboarding.forms import ChangePasswordForm, ForgotForm, SetPasswordForm, TenantForm
from portal.problems import Invalid
from portal.tenancy import admin
from portal.tenancy.lanes import Level

account_bp = Blueprint("account", __name__)


@account_bp.route("/undangan/<token>", methods=["GET", "POST"])
@rule("public")
def accept(token):
    """Set a password through a one-time link (invitation or reset)."""
    form = SetPasswordForm()
    try:
        invitation = invitations.valid_invitation(token)
    except Invalid as error:
        return web.render("onboarding/accept.html", status=410, form=None, error=error.message)
    if request.method == "GET":
        return web.render("onboarding/accept.html", form=form, user=invitation.user, purpose=invitation.purpose)
    if not form.validate_on_submit():
        return web.render("onboarding/accept.html", status=422, form=form, user=invitation.user,
                          purpose=invitation.purpose)
    try:
        user = invitations.accept(token, form.password.data, form.repeat.data)
    except Invalid as error:
        db.session.rollback()
        return web.render("onboarding/accept.html", status=422, form=form, user=invitation.user,
                          purpose=invitation.purpose, error=error.message)
    db.session.commit()
    flash(f"Kata sandi {user.email} tersimpan. Silakan masuk.", "info")
    return web.see_other(url_for("auth.login"))


def _forgot_refused(limit):
    """A 429 when an address or an email asked for too many links: a reset mail cannot
    be used to flood someone's inbox."""
    return web.render("onboarding/forgot.html", status=429, form=ForgotForm(),
                      configured=invitations.mail_configured(),
                      error="Terlalu banyak permintaan tautan. Coba lagi satu jam lagi, atau minta admin Anda.")


def _link_requested(response) -> bool:
    """Only an accepted request (a link may have gone out) counts; a form sent back with
    a message does not."""
    return response.status_code == 303


def _forgot_email_key() -> str:
    return "lupa-sandi:" + throttle.digest((request.form.get("email") or "").strip().lower())


@account_bp.route("/lupa-sandi", methods=["GET", "POST"])
@rule("public")
@throttle.limiter.limit("10 per hour", methods=["POST"], deduct_when=_link_requested, on_breach=_forgot_refused)
@throttle.limiter.limit("3 per hour", key_func=_forgot_email_key, methods=["POST"], deduct_when=_link_requested,
                        on_breach=_forgot_refused)
def forgot():
    form = ForgotForm()
    configured = invitations.mail_configured()
    if request.method == "GET" or not configured:
        return web.render("onboarding/forgot.html", form=form, configured=configured)
    if not form.validate_on_submit():
        return web.render("onboarding/forgot.html", status=422, form=form, configured=configured)
    found = invitations.request_reset(form.email.data)
    db.session.commit()
    if found is not None:
        user, token = found
        invitations.send_link(user, url_for("account.accept", token=token, _external=True), "reset")
    # The same answer whether or not the address has an account.
    flash("Bila alamat itu terdaftar, tautan untuk membuat kata sandi baru telah dikirim ke email tersebut.", "info")
    return web.see_other(url_for("auth.login"))


@account_bp.route("/akun/sandi", methods=["GET", "POST"])
@rule("signed_in")
def change_password():
    form = ChangePasswordForm()
    if request.method == "GET":
        return web.render("onboarding/password.html", form=form)
    if not form.validate_on_submit():
        return web.render("onboarding/password.html", status=422, form=form)
    try:
        invitations.change_password(current_user, form.current.data, form.password.data, form.repeat.data,
                                    keep_session=current_user.get_id())
    except Invalid as error:
        db.session.rollback()
        return web.render("onboarding/password.html", status=422, form=form, error=error.message)
    db.session.commit()
    flash("Kata sandi diubah. Sesi di perangkat lain telah diakhiri.", "info")
    return web.see_other(url_for("home.start"))


@account_bp.route("/admin/provinsi", methods=["GET", "POST"])
@rule("platform")
def provinces():
    form = TenantForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                province = admin.create_tenant(None, current_user, Level.PROVINSI, form.name.data, form.slug.data or "",
                                               short_name=form.short_name.data or "")
            except Invalid as error:
                db.session.rollback()
                return web.render("onboarding/provinces.html", status=422, form=form, error=error.message,
                                  provinces=admin.provinces())
            db.session.commit()
            flash(f"{province.name} dibuat.", "info")
            return web.see_other(url_for("account.provinces"))
        return web.render("onboarding/provinces.html", status=422, form=form, provinces=admin.provinces())
    return web.render("onboarding/provinces.html", form=TenantForm(formdata=None), provinces=admin.provinces())
