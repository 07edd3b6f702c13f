"""Pages of one's own account (accepting an invitation, forgotten and changed
passwords) and the platform admin's list of provinces."""
from flask import Blueprint, flash, request, url_for
from flask_login import current_user

from portal import rls, web
from portal.access import rule
from portal.auth import invitations, throttle
from portal.auth import services as auth_services
from portal.auth.views import begin_session
from portal.extensions import db
from portal.jobs import queue
from portal.onboarding import joining
from portal.onboarding.forms import AcceptForm, ChangePasswordForm, ForgotForm, SetPasswordForm, TenantForm
from portal.onboarding.views import saved_and_back
from portal.problems import Invalid
from portal.tenancy import admin
from portal.tenancy.lanes import Level

account_bp = Blueprint("account", __name__)
LINK_PAGES = {"account.accept", "account.join"}


@account_bp.after_request
def link_pages_are_not_stored(response):
    """A page reached by a one-time link is kept by no cache (browser, proxy)."""
    if request.endpoint in LINK_PAGES:
        response.headers["Cache-Control"] = "no-store"
    return response


def _form_shown(template: str, form, **context):
    """A page with one form: GET shows it; a POST it does not pass shows it again with 422.
    None when the form passed and the route goes on to save."""
    if request.method == "GET":
        return web.render(template, form=form, **context)
    if not form.validate_on_submit():
        return web.render(template, status=422, form=form, **context)
    return None


@account_bp.route("/undangan/<token>", methods=["GET", "POST"])
@rule("public", across_tenants=True)
def accept(token):
    """Set a password through a one-time link (invitation or reset)."""
    form = SetPasswordForm()
    try:
        invitation = invitations.valid_invitation(token)
    except Invalid as error:
        return web.render("onboarding/accept.html", status=410, form=None, error=error.message)
    if (shown := _form_shown("onboarding/accept.html", form, user=invitation.user,
                             purpose=invitation.purpose)) is not None:
        return shown
    try:
        user = invitations.accept(token, form.password.data, form.repeat.data)
    except Invalid as error:
        db.session.rollback()
        return web.render("onboarding/accept.html", status=422, form=form, user=invitation.user,
                          purpose=invitation.purpose, error=error.message)
    # The link proved the mailbox and the password was just chosen: signed in at once.
    login = auth_services.open_session(user, request.user_agent.string or "")
    db.session.commit()
    flash(f"Kata sandi {user.email} tersimpan; Anda sudah masuk.", "info")
    return begin_session(login, url_for("home.start"))


@account_bp.route("/gabung/<token>", methods=["GET", "POST"])
@rule("public")
def join(token):
    """An invitation to join a tenant: a new account chooses its password here; an
    existing one accepts while signed in as the invited address. No tenant scope: the
    page reads the invitation, its tenant and lanes across tenants, deliberately."""
    with rls.across_tenants():
        return _join_page(token)


def _join_page(token):
    try:
        invitation = joining.open_invitation(token)
    except Invalid as error:
        return web.render("onboarding/join.html", status=410, error=error.message, invitation=None)
    account = joining.account_of(invitation)
    signed_in = current_user.is_authenticated
    form = AcceptForm() if signed_in else SetPasswordForm()
    context = dict(invitation=invitation, what=joining.what(invitation), has_account=account is not None,
                   signed_in=signed_in, token=token)
    if request.method == "GET":
        return web.render("onboarding/join.html", form=form, **context)
    if not form.validate_on_submit():
        return web.render("onboarding/join.html", status=422, form=form, **context)
    try:
        if signed_in:
            joining.accept_signed_in(token, current_user)
        else:
            user = joining.accept_new(token, form.password.data, form.repeat.data)
    except Invalid as error:
        db.session.rollback()
        return web.render("onboarding/join.html", status=422, form=form, error=error.message, **context)
    slug = invitation.tenant.slug
    if signed_in:
        return saved_and_back(f"Anda bergabung sebagai {context['what']}.", url_for("home.tenant_home",
                                                                                    tenant_slug=slug))
    login = auth_services.open_session(user, request.user_agent.string or "")
    db.session.commit()
    flash(f"Akun {user.email} dibuat; Anda bergabung sebagai {context['what']}.", "info")
    return begin_session(login, url_for("home.tenant_home", tenant_slug=slug))


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
    return "lupa-sandi:" + throttle.digest(ForgotForm().address)


@account_bp.route("/lupa-sandi", methods=["GET", "POST"])
@rule("public", across_tenants=True)
@throttle.limiter.limit("10 per hour", methods=["POST"], deduct_when=_link_requested, on_breach=_forgot_refused)
@throttle.limiter.limit("3 per hour", key_func=_forgot_email_key, methods=["POST"], deduct_when=_link_requested,
                        on_breach=_forgot_refused)
def forgot():
    form = ForgotForm()
    configured = invitations.mail_configured()
    if not configured:
        return web.render("onboarding/forgot.html", form=form, configured=configured)
    if (shown := _form_shown("onboarding/forgot.html", form, configured=configured)) is not None:
        return shown
    # The same work whether or not the address has an account: the worker looks it up.
    queue.enqueue_task("lupa_sandi", email=form.address, base_url=request.url_root)
    flash("Bila alamat itu terdaftar, tautan untuk membuat kata sandi baru telah dikirim ke email tersebut.", "info")
    return web.see_other(url_for("auth.login"))


@account_bp.route("/akun/sandi", methods=["GET", "POST"])
@rule("signed_in")
def change_password():
    form = ChangePasswordForm()
    if (shown := _form_shown("onboarding/password.html", form)) is not None:
        return shown
    try:
        invitations.change_password(current_user, form.current.data, form.password.data, form.repeat.data,
                                    keep_session=current_user.get_id())
    except Invalid as error:
        db.session.rollback()
        return web.render("onboarding/password.html", status=422, form=form, error=error.message)
    return saved_and_back("Kata sandi diubah. Sesi di perangkat lain telah diakhiri.", url_for("home.start"))


@account_bp.route("/admin/provinsi", methods=["GET", "POST"])
@rule("platform")
def provinces():
    form = TenantForm()
    if (shown := _form_shown("onboarding/provinces.html", form, provinces=admin.provinces())) is not None:
        return shown
    try:
        province = admin.create_tenant(None, current_user, Level.PROVINSI, form.name.data, form.slug.data or "",
                                       short_name=form.short_name.data or "")
    except Invalid as error:
        db.session.rollback()
        return web.render("onboarding/provinces.html", status=422, form=form, error=error.message,
                          provinces=admin.provinces())
    return saved_and_back(f"{province.name} dibuat.", url_for("account.provinces"))
