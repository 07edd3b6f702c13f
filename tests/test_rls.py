"""PostgreSQL row-level security: connected as a role that is not the tables' owner and
cannot bypass RLS (as the app is in production), a raw query without any tenant filter
returns nothing of another pemda once the request's scope is set, and the portal's
pages still work through that role. SQLite keeps the application-level scope alone."""
import os

import pytest
import sqlalchemy as sa

from portal import create_app, rls
from portal.access import rule
from portal.extensions import db
from portal.indikator.models import IndicatorSet
from portal.tenancy.models import Tenant
from tests import world as world_module
from tests.conftest import PG_SCHEMA, PG_URL, _config, sign_in
from tests.factories import PASSWORD

ROLE = f"portal_app_{os.getpid()}"


@pytest.fixture
def app_role(app):
    """A login role like production's: no BYPASSRLS, not the owner; the rights the app needs."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("row-level security is PostgreSQL's; SQLite keeps the application-level scope")
    with app.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {ROLE}")
            conn.exec_driver_sql(f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
            conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {PG_SCHEMA} TO {ROLE}")
            conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {PG_SCHEMA} TO {ROLE}")
            conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {PG_SCHEMA} TO {ROLE}")
    url = PG_URL.replace("://postgres@", f"://{ROLE}@") + f"?options=-csearch_path%3D{PG_SCHEMA}"
    yield url
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {ROLE}")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {ROLE}")


def _two_pemdas(app):
    """The world (own OPD with a 2026 indicator set) and a set in the foreign pemda's OPD."""
    w = world_module.build(app)
    with app.app_context():
        own = db.session.scalar(sa.select(Tenant).where(Tenant.slug == w.tenant_slug))
        foreign = db.session.scalar(sa.select(Tenant).where(Tenant.slug == w.foreign_slug))
        db.session.add(IndicatorSet(tenant_id=foreign.id, tahun=2026))
        db.session.commit()
        return w, own.id, foreign.id, rls.scope_ids(own)


def test_a_query_without_tenant_filter_returns_nothing_of_another_pemda(app, app_role):
    w, own_id, foreign_id, scope = _two_pemdas(app)
    engine = sa.create_engine(app_role)
    try:
        with engine.begin() as conn:
            who = conn.execute(sa.text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
            assert tuple(who) == (False, False)
            # No scope (sign-in, CLI): every row.
            assert set(conn.execute(sa.text("SELECT tenant_id FROM indicator_set")).scalars()) == {own_id, foreign_id}
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT set_config('portal.tenant_scope', :v, true)"),
                         {"v": ",".join(map(str, scope))})
            # The forgotten filter: no WHERE tenant_id at all.
            assert set(conn.execute(sa.text("SELECT tenant_id FROM indicator_set")).scalars()) == {own_id}
            assert conn.execute(sa.text("SELECT count(*) FROM indicator_set WHERE tenant_id = :t"),
                                {"t": foreign_id}).scalar() == 0
            # Nor can a write land in another pemda.
            with pytest.raises(sa.exc.ProgrammingError):
                with conn.begin_nested():
                    conn.execute(sa.text("INSERT INTO indicator_set (tenant_id, tahun, created_at) "
                                         "VALUES (:t, 2027, now())"), {"t": foreign_id})
    finally:
        engine.dispose()


def test_the_portal_works_through_the_restricted_role(app, app_role):
    w, own_id, foreign_id, scope = _two_pemdas(app)
    portal = create_app(_config(app_role))

    def forgetful_view():
        """A view that forgets its tenant filter, before and after a commit."""
        query = sa.text("SELECT tenant_id FROM indicator_set")
        first = sorted(db.session.execute(query).scalars())
        db.session.commit()  # the next transaction gets the scope again ("begin" event)
        second = sorted(db.session.execute(query).scalars())
        return {"first": first, "second": second}

    portal.add_url_rule("/t/<tenant_slug>/_lupa-filter", "forgetful", rule("tenant")(forgetful_view))
    try:
        client = portal.test_client()
        assert sign_in(client, w.emails["perencana"], PASSWORD).status_code == 303
        base = f"/t/{w.tenant_slug}"
        for path in (f"{base}/", f"{base}/indikator/", f"{base}/indikator/{w.params['set_id']}/",
                     f"{base}/realisasi/", f"{base}/sop/", f"{base}/siklus/", "/tugas-saya"):
            assert client.get(path).status_code == 200, path
        assert client.get(f"/t/{w.foreign_slug}/").status_code == 404
        assert client.get(f"{base}/_lupa-filter").get_json() == {"first": [own_id], "second": [own_id]}
    finally:
        with portal.app_context():
            db.session.remove()
            db.engine.dispose()
