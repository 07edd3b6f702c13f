from flask import Blueprint, current_app, flash, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal import web
from portal.access import rule
from portal.auth import binding, services, throttle
from portal.auth.forms import LoginForm
from portal.extensions import db

bp = Blueprint("auth", __name__)


def _address_refused(limit):
    """A 429 from the per-address limit: the sign-in form again, with the reason."""
    form = LoginForm()
    return web.render("auth/login.html", form=form, status=429,
                      error="Terlalu banyak percobaan masuk yang gagal dari alamat ini. Coba lagi nanti.")


@bp.route("/masuk", methods=["GET", "POST"])
@rule("public", across_tenants=True)
@throttle.limiter.limit(throttle.address_limit, methods=["POST"], deduct_when=throttle.failed,
                        exempt_when=throttle.known_device, on_breach=_address_refused)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if current_user.is_authenticated:
            return web.see_other(web.safe_next(form.next.data, url_for("home.start")))
        return web.render("auth/login.html", form=form)
    if not form.validate_on_submit():
        return web.render("auth/login.html", form=form, status=422)
    cookie = request.cookies.get(throttle.DEVICE_COOKIE)
    known_accounts = throttle.device_accounts(cookie)
    email = services.normalise_email(form.email.data)
    try:
        login = services.sign_in(email, form.password.data, throttle.for_app(),
                                 remote_addr=request.remote_addr or "",
                                 user_agent=request.user_agent.string or "",
                                 trusted_device=throttle.digest(email) in known_accounts,
                                 hash_method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"),
                                 device=throttle.device_key(cookie))
    except services.SignInRefused as refused:
        db.session.commit()  # keep the recorded failure
        return web.render("auth/login.html", form=form, error=str(refused), status=422)
    db.session.commit()
    return begin_session(login, web.safe_next(form.next.data, url_for("home.start")))


def begin_session(login, url: str):
    """This browser is signed in with the (committed) sign-in session `login`: a fresh
    Flask session bound to the browser, the device cookie that remembers the account,
    and a 303 to `url`. Also after a password was set through a link."""
    user = login.user
    user.current_session_id = login.id
    known_accounts = throttle.device_accounts(request.cookies.get(throttle.DEVICE_COOKIE))
    session.clear()  # a fresh session (and CSRF token) for the signed-in user
    login_user(user)
    session.permanent = True
    binding.bind()
    response = web.see_other(url)
    response.set_cookie(throttle.DEVICE_COOKIE, throttle.device_cookie(known_accounts, user.email),
                        max_age=throttle.DEVICE_COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/keluar", methods=["POST"])
@rule("signed_in")
def logout():
    services.sign_out(current_user.get_id())
    db.session.commit()
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return web.see_other(url_for("auth.login"))
