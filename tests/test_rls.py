"""PostgreSQL row-level security as it ships: the suite connects as a role that is not
the tables' owner and cannot bypass RLS (tests/conftest.py), on the schema the migrations
made. A transaction without a scope sees no tenant rows (fails closed), a request sees
its pemda family, `rls.across_tenants()` every tenant; every table of tenant data has
its policy and every append-only table its triggers. SQLite keeps the application-level
scope alone."""
import pytest
import sqlalchemy as sa

from portal import create_app, rls
from portal.access import rule
from portal.audit.models import AuditEvent
from portal.auth.models import Membership
from portal.extensions import db
from portal.indikator.models import IndicatorSet
from portal.tenancy import scope
from portal.tenancy.models import Lane, Tenant
from tests import world as world_module
from tests.conftest import APP_ROLE, _config, post, sign_in
from tests.factories import PASSWORD, gen_tenant, gen_tree, gen_user, grant

# Tables of the tenant tree that hold no tenant_id of their own but belong to a person
# or are the tree itself; each has a policy (migration 0012).
TREE_TABLES = {"tenant", "membership", "login_session", "invitation"}
# Append-only: the audit log and the signed record. A new one is marked in its model
# (`__table__.info["append_only"] = True`) and gets its triggers in its migration.
APPEND_ONLY = {"audit_event", "signed_figure", "signed_value"}


@pytest.fixture
def pg(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("row-level security is PostgreSQL's; SQLite keeps the application-level scope")
    return app


def _two_pemdas(app):
    """The world (own OPD with a 2026 indicator set) and a set in the foreign pemda's OPD."""
    w = world_module.build(app)
    with app.app_context():
        own = db.session.scalar(sa.select(Tenant).where(Tenant.slug == w.tenant_slug))
        foreign = db.session.scalar(sa.select(Tenant).where(Tenant.slug == w.foreign_slug))
        db.session.add(IndicatorSet(tenant_id=foreign.id, tahun=2026))
        db.session.commit()
        return w, own.id, foreign.id, scope.family_ids(own)


def _raw(app, *statements):
    """Statements in one transaction straight through the driver (no "begin" event sets
    a scope): what a query sees when nobody said which tenants it may see."""
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            results = []
            for statement in statements:
                cursor.execute(statement)
                results.append(sorted(r[0] for r in cursor.fetchall()) if cursor.description else None)
            connection.rollback()
            return results
        finally:
            connection.close()


def test_the_suite_connects_as_the_restricted_app_role(pg):
    with pg.app_context():
        who = db.session.execute(sa.text(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
        assert tuple(who) == (APP_ROLE, False, False)
        owner = db.session.scalar(sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'indikator' "
                                          "AND schemaname = current_schema()"))
        assert owner != APP_ROLE
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")), "made by flask db upgrade"


def test_no_scope_sees_no_tenant_rows_and_every_tenant_only_when_asked(pg):
    w, own_id, foreign_id, family = _two_pemdas(pg)
    nothing, tenants, lanes = _raw(pg, "SELECT tenant_id FROM indicator_set", "SELECT id FROM tenant",
                                   "SELECT tenant_id FROM lane")
    assert nothing == [] and tenants == [] and lanes == []
    cleared = _raw(pg, f"SELECT set_config('portal.tenant_scope', '{own_id}', true)",
                   "SELECT set_config('portal.tenant_scope', '', true)", "SELECT tenant_id FROM indicator_set")
    assert cleared[-1] == [], "clearing the scope inside a transaction shows nothing, not everything"
    scoped = _raw(pg, f"SELECT set_config('portal.tenant_scope', '{','.join(map(str, family))}', true)",
                  "SELECT tenant_id FROM indicator_set", "SELECT id FROM tenant")
    assert scoped[1] == [own_id] and foreign_id not in scoped[2] and own_id in scoped[2]
    every = _raw(pg, "SELECT set_config('portal.tenant_scope', '*', true)", "SELECT tenant_id FROM indicator_set")
    assert every[1] == sorted([own_id, foreign_id])
    with pg.app_context():
        with rls.across_tenants():
            assert set(db.session.scalars(sa.select(IndicatorSet.tenant_id))) == {own_id, foreign_id}
        db.session.rollback()


def test_a_write_into_another_pemda_is_refused(pg):
    w, own_id, foreign_id, family = _two_pemdas(pg)
    with pg.app_context():
        db.session.remove()
        rls.enter_scope(family)
        try:
            db.session.add(IndicatorSet(tenant_id=foreign_id, tahun=2027))
            with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
                db.session.flush()
            db.session.rollback()
        finally:
            rls.enter_every_tenant()  # the test's own scope again (conftest)


def test_the_portal_works_through_the_restricted_role(pg):
    w, own_id, foreign_id, family = _two_pemdas(pg)
    portal = create_app(_config(pg.config["SQLALCHEMY_DATABASE_URI"]))

    def forgetful_view():
        """A view that forgets its tenant filter, before and after a commit."""
        query = sa.text("SELECT tenant_id FROM indicator_set")
        first = sorted(db.session.execute(query).scalars())
        db.session.commit()  # the next transaction gets the scope again ("begin" event)
        second = sorted(db.session.execute(query).scalars())
        tenants = sorted(db.session.execute(sa.text("SELECT id FROM tenant")).scalars())
        return {"first": first, "second": second, "tenants": tenants}

    portal.add_url_rule("/t/<tenant_slug>/_lupa-filter", "forgetful", rule("tenant")(forgetful_view))
    try:
        client = portal.test_client()
        assert sign_in(client, w.emails["perencana"], PASSWORD).status_code == 303
        base = f"/t/{w.tenant_slug}"
        for path in (f"{base}/", f"{base}/indikator/", f"{base}/indikator/{w.params['set_id']}/",
                     f"{base}/realisasi/", f"{base}/sop/", f"{base}/siklus/", "/tugas-saya", "/"):
            assert client.get(path, follow_redirects=True).status_code == 200, path
        assert client.get(f"/t/{w.foreign_slug}/").status_code == 404
        seen = client.get(f"{base}/_lupa-filter").get_json()
        assert seen["first"] == seen["second"] == [own_id]
        assert seen["tenants"] == family and foreign_id not in seen["tenants"]
    finally:
        with portal.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_pemda_admin_creates_an_opd_with_its_audit_row_as_the_app_role(demo, client):
    """The new OPD lies outside the request's scope until it exists: it joins the scope
    (rls.new_tenant_id) so that its row and its audit entry can be written."""
    sign_in(client, "admin@pasuruan.test")
    response = post(client, "/t/kota-pasuruan/kelola/instansi",
                    {"name": "Dinas Komunikasi dan Informatika", "short_name": "Diskominfo",
                     "slug": "kota-pasuruan-diskominfo"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    with demo.app_context():
        opd = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "kota-pasuruan-diskominfo"))
        assert opd is not None and opd.parent.slug == "kota-pasuruan"
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.tenant_id == opd.id)).all()
        assert "instansi.buat" in actions
    assert client.get("/t/kota-pasuruan-diskominfo/").status_code == 200


def test_every_tenant_table_has_its_policy_and_every_append_only_table_its_triggers(pg):
    """Read from pg_catalog of the migrated schema: a table a later migration adds with a
    tenant_id (or to the tenant tree) and no policy, or an append-only table without its
    UPDATE/DELETE triggers, fails here."""
    with pg.app_context():
        marked = {t.name for t in db.metadata.sorted_tables if t.info.get("append_only")}
        assert APPEND_ONLY <= marked, "the append-only tables say so in their models"
        tenant_tables = set(db.session.scalars(sa.text(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'tenant_id' "
            "AND table_schema = current_schema()")))
        assert {"indikator", "audit_event", "unit", "lane", "membership"} <= tenant_tables
        rows = db.session.execute(sa.text(
            "SELECT c.relname, c.relrowsecurity, count(p.polname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "LEFT JOIN pg_policy p ON p.polrelid = c.oid WHERE c.relkind = 'r' GROUP BY c.relname, c.relrowsecurity"))
        policies = {name: (enabled, count) for name, enabled, count in rows}
        missing = sorted(t for t in tenant_tables | TREE_TABLES if policies.get(t, (False, 0)) != (True, 1))
        assert missing == [], f"tables of tenant data without their row-level security policy: {missing}"
        triggers = db.session.execute(sa.text(
            "SELECT c.relname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() "
            "WHERE NOT t.tgisinternal")).all()
        # tgtype bits: 2 BEFORE, 8 DELETE, 16 UPDATE.
        guarded = {kind: {name for name, tgtype in triggers if tgtype & 2 and tgtype & bit}
                   for kind, bit in (("update", 16), ("delete", 8))}
        unguarded = sorted(t for t in marked if t not in guarded["update"] or t not in guarded["delete"])
        assert unguarded == [], f"append-only tables without their UPDATE/DELETE triggers: {unguarded}"


def test_a_decision_on_a_whole_account_sees_its_lanes_in_other_pemdas(app, client):
    """Row-level security hides another pemda's rows from a request, but a password link
    for an account is only for someone who administers every tenant of it: the check
    reads the account's lanes across tenants, so a lane in another pemda still refuses."""
    with app.app_context():
        prov, pemda, opd, _ = gen_tree()
        foreign_opd = gen_tenant("opd", parent=gen_tenant("pemda", parent=prov, name="Kabupaten Lain", kind="kabupaten"),
                                 name="Dinas Lain")
        db.session.add(Lane(tenant=foreign_opd, key="kepala", name="Kepala Dinas", kind="kepala"))
        db.session.flush()
        gen_user("perencana@a.test", tenant=opd, lane_kind="perencana")
        both = gen_user("dua-pemda@uji.test", tenant=opd, lane_kind="staf")
        grant(both, foreign_opd, "kepala")
        db.session.commit()
        slug, person = opd.slug, both.id
        assert db.session.query(Membership).filter_by(user_id=person).count() == 2
    sign_in(client, "perencana@a.test", PASSWORD)
    refused = post(client, f"/t/{slug}/orang/{person}/tautan")
    assert refused.status_code == 403
    body = refused.get_data(as_text=True)
    assert "instansi lain yang tidak Anda kelola" in body
    assert "Dinas Lain" not in body   # the other pemda's tenant is not named (issue 25)
