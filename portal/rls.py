"""Tenancy in the database too (PostgreSQL row-level security).

Every table of tenant data (a `tenant_id` column; not the tenancy and identity tables
the access check itself reads) has a policy: a row is visible and writable only when
its tenant is in the request's scope, the GUC `portal.tenant_scope` (comma-separated
tenant ids). The scope of a request in a tenant is its whole pemda family: the
province above, the pemda and its OPDs (a province request: everything below it).
So a query that forgets its tenant filter returns nothing from another pemda.

The scope is set with set_config(..., is_local => true) at the start of every
transaction of the request (the engine's "begin" event) and at once when the access
check learns the tenant. Without a scope (sign-in, the personal inbox, CLI commands)
the policy lets every row through: those paths are not tenant pages.

Policies bind only roles that are not the tables' owner and lack BYPASSRLS: the
application connects as such a role in production (README: "Database roles");
migrations run as the owner. SQLite keeps the application-level scope alone.
"""
import contextlib
import contextvars

from flask import Flask
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine

from portal.extensions import db
from portal.tenancy.lanes import Level
from portal.tenancy.models import Tenant

GUC = "portal.tenant_scope"
# Read by the access check before a scope exists, or across tenants by design.
EXEMPT_TABLES = {"tenant", "lane", "unit", "membership", "user_account", "login_session", "login_failure"}

FUNCTION = (
    "CREATE OR REPLACE FUNCTION portal_tenant_visible(tid integer) RETURNS boolean "
    "LANGUAGE sql STABLE AS $$ "
    f"SELECT coalesce(current_setting('{GUC}', true), '') = '' "
    f"OR tid = ANY (string_to_array(current_setting('{GUC}', true), ',')::integer[]) $$"
)


def policy_statements(table: str) -> list[str]:
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS tenant_scope ON "{table}"',
        f'CREATE POLICY tenant_scope ON "{table}" USING (portal_tenant_visible(tenant_id)) '
        "WITH CHECK (portal_tenant_visible(tenant_id))",
    ]


def scoped_tables(metadata) -> list[str]:
    return [t.name for t in metadata.sorted_tables if "tenant_id" in t.columns and t.name not in EXEMPT_TABLES]


@event.listens_for(db.metadata, "after_create")
def _after_create_all(metadata, connection, **kw):
    """db.create_all (tests) gets the same function and policies as migration 0011."""
    if connection.dialect.name != "postgresql":
        return
    connection.exec_driver_sql(FUNCTION)
    for table in scoped_tables(metadata):
        for statement in policy_statements(table):
            connection.exec_driver_sql(statement)


_scope = contextvars.ContextVar("portal_tenant_scope", default="")


@event.listens_for(Engine, "begin")
def _on_begin(conn):
    value = _scope.get()
    if value and conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT set_config(%(name)s, %(value)s, true)", {"name": GUC, "value": value})


def scope_ids(tenant) -> list[int]:
    """The tenant ids a request in `tenant` may touch: its pemda family."""
    top = tenant
    if tenant.level == Level.OPD and tenant.parent is not None:
        top = tenant.parent
    ids = {top.id}
    if top.parent is not None:
        ids.add(top.parent.id)  # the province: its SOP templates are shared downwards
    frontier = [top.id]
    while frontier:
        children = db.session.scalars(select(Tenant.id).where(Tenant.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return sorted(ids)


def enter_tenant(tenant) -> None:
    """Called by the access check once the request's tenant is known. Only PostgreSQL has
    row-level security, so only there is the scope worked out (a query per tree level)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    value = ",".join(str(i) for i in scope_ids(tenant))
    _scope.set(value)
    db.session.execute(text("SELECT set_config(:name, :value, true)"), {"name": GUC, "value": value})


@contextlib.contextmanager
def across_tenants():
    """Deliberately every tenant: sign-in, the personal inbox, CLI commands, job workers
    and periodic jobs say so with this block instead of relying on a missing scope."""
    token = _scope.set("")
    try:
        yield
    finally:
        _scope.reset(token)


def init_app(app: Flask) -> None:
    @app.before_request
    def no_scope_yet():
        _scope.set("")

    @app.teardown_request
    def scope_ends(error):
        _scope.set("")
