"""Every test that uses `app` runs twice: on SQLite and on PostgreSQL.

PostgreSQL is the one on this machine (127.0.0.1:5432, database `test`), in a schema of
its own. Where it is not reachable the PostgreSQL half is skipped, except under CI (or
REQUIRE_POSTGRES=1), where that is a failure.

PostgreSQL is tested as it ships (README "Database roles"): once per run the schema is
made by the migrations (`flask db upgrade`) as the owner (`postgres`), and the app
connects as APP_ROLE, a login role that is neither the owner nor able to bypass
row-level security, with the README's GRANTs on the run's schema. So every policy binds
the app in the tests as in production. What only the owner may do (truncating after a
test, the demo rows' capture and restore with triggers off) goes through owner_engine().

Test code itself (factories, assertions reading the database) is the operator, not a
request: it runs inside `rls.across_tenants()` (the `app` fixture). Requests made through
the test client get the scope their access rule gives them, exactly as in production.
"""
import os
import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app, rls
from portal.extensions import db
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
TENANTS = ROOT / "tenants"
DEMO_PASSWORD = "demo-sakip"
# A schema of this run's own: two test runs at once (two developers, a benchmark) never
# truncate each other's tables. Dropped again at the end of the run.
PG_SCHEMA = f"portal_test_{os.getpid()}"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_PG = bool(os.environ.get("CI")) or os.environ.get("REQUIRE_POSTGRES") == "1"
# The app's login role in the tests: not the owner, NOSUPERUSER NOBYPASSRLS (one for every
# run on the machine; each run grants it its own schema). .ci/run makes sure it may log in.
APP_ROLE = os.environ.get("TEST_POSTGRES_APP_ROLE", "portal_app_test")


def _with_schema(url: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{PG_SCHEMA}"


def _owner_url() -> str:
    return _with_schema(PG_URL)


def _pg_url_with_schema() -> str:
    """The URL the app connects with: the app role, in this run's schema."""
    url = sa.make_url(PG_URL).set(username=APP_ROLE, password=None)
    return _with_schema(url.render_as_string(hide_password=False))


def owner_engine() -> sa.Engine:
    """The tables' owner, in this run's schema (dispose it after use)."""
    return sa.create_engine(_owner_url())


_pg_state: dict = {}

_ROLE_SQL = f"""
DO $$ BEGIN
  CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- another run made it first
END $$;
ALTER ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS;
"""


def _grant_app_role(conn) -> None:
    """The README's GRANTs, on this run's schema."""
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {PG_SCHEMA} TO {APP_ROLE}")
    conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {PG_SCHEMA} TO {APP_ROLE}")
    conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {PG_SCHEMA} TO {APP_ROLE}")


def _prepare_postgres():
    """Once per run: a fresh schema made by the migrations as the owner, and the app role
    with the README's rights on it."""
    if "error" in _pg_state or "ready" in _pg_state:
        return _pg_state.get("error")
    try:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {PG_SCHEMA}")
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any connection failure means "not reachable"
        _pg_state["error"] = f"PostgreSQL tidak dapat dihubungi ({PG_URL}): {error}"
        return _pg_state["error"]
    owner = create_app(_config(_owner_url()))
    with owner.app_context():
        upgrade()  # flask db upgrade, as the README's production setup
        db.session.remove()
        db.engine.dispose()
    engine = owner_engine()
    with engine.begin() as conn:
        conn.exec_driver_sql(_ROLE_SQL)
        _grant_app_role(conn)
    engine.dispose()
    try:
        probe = sa.create_engine(_pg_url_with_schema())
        with probe.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        probe.dispose()
    except Exception as error:  # noqa: BLE001
        _pg_state["error"] = (f"Peran aplikasi {APP_ROLE} tidak dapat masuk ke PostgreSQL (pg_hba.conf: "
                              f"trust untuk 127.0.0.1, lihat .ci/run): {error}")
        return _pg_state["error"]
    _pg_state["ready"] = True
    return None


def pytest_sessionfinish(session, exitstatus):
    if _pg_state.get("ready"):
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        engine.dispose()


def _config(url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; scrypt in production
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        **extra,
    }


def truncate_postgres(app) -> None:
    """Empty every table (as the owner: TRUNCATE is not granted to the app)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    engine = owner_engine()
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    error = _prepare_postgres()
    if error:
        if REQUIRE_PG:
            pytest.fail(error)
        pytest.skip(error)
    return _pg_url_with_schema()


@pytest.fixture(scope="module")
def smtp():
    """A real SMTP server (aiosmtpd) for a test module that sends mail: its app_config
    returns smtp.config()."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def app_config():
    """Override in a test module to add configuration."""
    return {}


@pytest.fixture
def app(db_url, app_config):
    app = create_app(_config(db_url, **app_config))
    with app.app_context():
        if db_url.startswith("sqlite"):
            db.create_all()
    # The test's own database work is the operator's (see the module text); requests
    # through the test client set their own scope and restore this one afterwards.
    with rls.across_tenants():
        yield app
    if db_url.startswith("postgresql"):
        truncate_postgres(app)
    else:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# The demo as loaded, kept for the whole run, per database and password hash method (the
# only setting the loading reads): on SQLite a copy of the database file, on PostgreSQL
# every row and sequence value.
_demo_templates: dict = {}


def sqlite_copy(source: str, target: str) -> None:
    """Page for page, with SQLite's backup API (safe while the target file is open)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


_PG_SEQUENCES = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"


def _pg_capture() -> dict:
    """As the owner (row-level security does not bind it): every row of every tenant."""
    engine = owner_engine()
    try:
        with engine.connect() as conn:
            rows = {t.name: [dict(r._mapping) for r in conn.execute(sa.select(t))] for t in db.metadata.sorted_tables}
            sequences = [tuple(r) for r in conn.exec_driver_sql(_PG_SEQUENCES)]
    finally:
        engine.dispose()
    return {"rows": rows, "sequences": sequences}


def _pg_restore(template: dict) -> None:
    """Into the empty tables (every test truncates at its end): the rows as they were,
    triggers (the audit log's, foreign keys) off as for a replica, sequences where they
    were. As the owner: session_replication_role is a superuser's setting."""
    engine = owner_engine()
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in db.metadata.sorted_tables:
                if template["rows"][table.name]:
                    conn.execute(table.insert(), template["rows"][table.name])
            for name, value in template["sequences"]:
                if value is not None:
                    conn.execute(sa.text("SELECT setval(:name, :value, true)"), {"name": name, "value": value})
    finally:
        engine.dispose()


@pytest.fixture
def demo(app, tmp_path_factory):
    """The demo tenants of tenants/, loaded as the README's setup loads them.

    The first test of a run on each database loads them and keeps what they made; every
    later test gets those rows again (SQLite: a copy of the file; PostgreSQL: the rows
    and sequences), which is much cheaper than reading and applying the folder again.
    """
    from portal.tenantfiles.cli import load_folder

    with app.app_context():
        dialect = db.engine.dialect.name
        key = (dialect, app.config.get("PASSWORD_HASH_METHOD"))
        template = _demo_templates.get(key)
        db.session.remove()
        if template is not None and dialect == "sqlite":
            db.engine.dispose()
            sqlite_copy(template, db.engine.url.database)
            return app
        if template is not None:
            _pg_restore(template)
            return app
        report, problems = load_folder(str(TENANTS))
        assert problems == [], problems
        db.session.remove()
        if dialect == "sqlite":
            db.engine.dispose()
            template = str(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
            sqlite_copy(db.engine.url.database, template)
        else:
            template = _pg_capture()
        _demo_templates[key] = template
    return app


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path: str = "/masuk") -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = CSRF_META.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, email: str, password: str = DEMO_PASSWORD, follow: bool = False):
    token = csrf_token(client, "/masuk")
    return client.post("/masuk", data={"email": email, "password": password, "csrf_token": token},
                       follow_redirects=follow)


def post(client, path: str, data: dict | None = None, htmx: bool = False, **kwargs):
    """POST with the CSRF token the page carries, as a browser (or htmx) would."""
    token = csrf_token(client, "/")
    headers = {"X-CSRFToken": token}
    if htmx:
        headers["HX-Request"] = "true"
    headers.update(kwargs.pop("headers", {}))
    return client.post(path, data=data or {}, headers=headers, **kwargs)
