"""Portal Pengukuran Kinerja: application factory."""
import os

from flask import Flask, flash, request, session

from portal import (  # noqa: F401
    access,
    backup,
    config,
    database,
    errors,
    formatting,
    layout,
    log_redaction,
    models,
    production,
    rls,
    security,
    static_files,
)
from portal.auth import binding, invitations, throttle
from portal.auth import services as auth
from portal.auth.views import bp as auth_bp
from portal.calendar.views import bp as calendar_bp
from portal.capaian.views import bp as capaian_bp
from portal.cycles import audit_view
from portal.cycles.views import bp as cycles_bp
from portal.cycles.views import inbox_bp
from portal.demo_cli import demo_command
from portal.exports import print_views  # noqa: F401 (routes on the exports blueprint)
from portal.exports.views import bp as exports_bp
from portal.extensions import csrf, db, htmx, login_manager, migrate
from portal.health import bp as health_bp
from portal.home.views import bp as home_bp
from portal.indikator import indikator_views, io_views  # noqa: F401 (routes on the indikator blueprint)
from portal.indikator.views import bp as indikator_bp
from portal.jobs import queue as jobs_queue
from portal.onboarding import people_views  # noqa: F401 (routes on the onboarding blueprint)
from portal.onboarding.account_views import account_bp
from portal.onboarding.views import bp as onboarding_bp
from portal.oversight import reference_views  # noqa: F401 (routes on the oversight blueprint)
from portal.oversight.views import bp as oversight_bp
from portal.realisasi import bukti_views  # noqa: F401 (routes on the realisasi blueprint)
from portal.realisasi.views import bp as realisasi_bp
from portal.reminders import schedule as reminder_schedule
from portal.reminders.views import bp as reminders_bp
from portal.signing.views import bp as signing_bp
from portal.sop import document_views, editor_step_views, editor_views, library_views, paste_views  # noqa: F401
from portal.sop.views import bp as sop_bp
from portal.tenantfiles.cli import tenants_cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        # PORTAL_INSTANCE_PATH: another folder for this server's own files (several servers
        # from one checkout, as the multi-server test runs them).
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH") or os.path.join(ROOT, "instance"),
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    security.install_converters(app)
    log_redaction.install()  # link tokens never reach an access log
    static_files.install(app)  # URLs and ETags from the content: the same on every server

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True,
                     compare_type=True)
    htmx.init_app(app)
    _init_login(app)
    invitations.init_app(app)
    throttle.init_app(app)
    _init_request_hooks(app)
    csrf.init_app(app)  # after the access guard: an expired session goes to sign-in first
    errors.register(app)
    formatting.register(app)
    audit_view.register(app)
    _register_blueprints(app)
    _register_commands(app)
    jobs_queue.init_app(app)
    production.enforce(app)  # PORTAL_ENV=production: refuse a half-configured start
    reminder_schedule.init_app(app)  # the periodic reminder sweep, on the queue made above
    return app


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    # Flask-Login's "strong" only marks permanent sessions not fresh; portal/auth/binding.py
    # makes it real: a cookie from another browser or network, or idle too long, ends.
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        # Who is asking comes before any tenant: the session row and its person are read
        # (and an ended session written) across tenants (portal/rls.py).
        with rls.across_tenants():
            return _user_of_session(session_id)

    def _user_of_session(session_id: str):
        user = auth.user_for_session(session_id, app.config["PERMANENT_SESSION_LIFETIME"])
        if user is None:
            reason = auth.end_reason(session_id)
            owner = session.get(binding.BIND_KEY) == binding.fingerprint()
            session.clear()  # the cookie names a session that ended: forget it
            if reason in binding.ENDED_MESSAGES and owner:
                flash(binding.ENDED_MESSAGES[reason], "error")
            return None
        problem = binding.problem()
        if problem:
            database.start_writing(db.session)
            auth.end_session(session_id, problem)
            db.session.commit()
            session.clear()
            if problem == "idle":
                flash(binding.ENDED_MESSAGES["idle"], "error")
            return None
        binding.touch()
        return user


def _init_request_hooks(app: Flask) -> None:
    @app.before_request
    def sqlite_write_mode():
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        request.environ["portal.write_token"] = database.mark_request_kind(
            request.method not in ("GET", "HEAD", "OPTIONS") and not database.defers_write_lock(view))

    rls.init_app(app)  # no tenant scope until the access check sets one
    security.init_app(app)  # refuses NUL characters before anything reads the request
    app.before_request(access.enforce)
    app.url_value_preprocessor(access.load_tenant)
    app.url_defaults(access.add_tenant_slug)

    @app.context_processor
    def layout_context():
        return layout.context()


def _register_blueprints(app: Flask) -> None:
    for bp in (auth_bp, home_bp, health_bp, sop_bp, indikator_bp, capaian_bp, realisasi_bp, cycles_bp, signing_bp,
               inbox_bp, calendar_bp, oversight_bp, onboarding_bp, account_bp, exports_bp, reminders_bp):
        app.register_blueprint(bp)


def _register_commands(app: Flask) -> None:
    app.cli.add_command(tenants_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(production.check_command)
    app.cli.add_command(backup.backup_command)
