from flask import Blueprint, current_app, flash, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal import web
from portal.access import rule
from portal.auth import services
from portal.auth.forms import LoginForm
from portal.extensions import db

bp = Blueprint("auth", __name__)


def _throttle() -> services.Throttle:
    return services.Throttle(current_app.config["LOGIN_MAX_FAILURES"],
                             current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])


@bp.route("/masuk", methods=["GET", "POST"])
@rule("public")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if current_user.is_authenticated:
            return web.see_other(web.safe_next(form.next.data, url_for("tenancy.home")))
        return web.render("auth/login.html", form=form)
    if not form.validate_on_submit():
        return web.render("auth/login.html", form=form, status=422)
    try:
        login = services.sign_in(form.email.data, form.password.data, _throttle(),
                                 remote_addr=request.remote_addr or "",
                                 user_agent=request.user_agent.string or "")
    except services.SignInRefused as refused:
        db.session.commit()  # keep the recorded failure
        return web.render("auth/login.html", form=form, error=str(refused), status=422)
    db.session.commit()
    user = login.user
    user.current_session_id = login.id
    session.clear()  # a fresh session (and CSRF token) for the signed-in user
    login_user(user)
    session.permanent = True
    return web.see_other(web.safe_next(form.next.data, url_for("tenancy.home")))


@bp.route("/keluar", methods=["POST"])
@rule("signed_in")
def logout():
    services.sign_out(current_user.get_id())
    db.session.commit()
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return web.see_other(url_for("auth.login"))
