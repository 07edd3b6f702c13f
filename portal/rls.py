"""Tenancy in the database too (PostgreSQL row-level security), failing closed.

Every table of tenant data (a `tenant_id` column, and the tenant tree itself) has a
policy: a row is visible and writable only when its tenant is in the transaction's
scope, the GUC `portal.tenant_scope`:

- unset or ''     no tenant rows at all (a path that forgot to say what it may see);
- '12,13,14'      those tenants: a request in a tenant gets its pemda family (the
                  province above, the pemda and its OPDs; a province request everything
                  below it), set by the access check (portal/access.py);
- '*'             every tenant: only inside `with rls.across_tenants():`, the explicit
                  mark of a path that works across tenants by design.

A second GUC, `portal.user_id`, names the signed-in person: their own memberships,
sign-in sessions and invitations are visible to them outside the scope (membership,
login_session, invitation policies, migration 0012).

Both are set with set_config(..., is_local => true) at the start of every transaction
(the engine's "begin" event) from this request's context, and at once when they change
inside a transaction. Policies bind only roles that are neither the tables' owner nor
BYPASSRLS: the application connects as such a role (README "Database roles"); migrations
run as the owner. SQLite has no row-level security: there the application-level scope
(`tenancy/scope.py`) is all there is, and this module only keeps its context.

How a path says it works across tenants:
- sign-in, invitation and reset links, "Lupa kata sandi", the user loader, CLI commands,
  job workers, the tenants/ loader: `with rls.across_tenants():` around their database work;
- routes: the access rule decides (portal/access.py): "platform" routes see every tenant,
  "signed_in" routes (the personal inbox, the start page, the own account) the families of
  the person's own tenants, "tenant..." routes the family of the tenant in the URL, and
  "public" routes nothing until their view says `across_tenants()`.

A shared top-level module: it imports no feature package.
"""
import contextlib
import contextvars

from flask import Flask, g, has_app_context
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from portal.extensions import db

GUC = "portal.tenant_scope"
USER_GUC = "portal.user_id"
EVERY_TENANT = "*"
NO_TENANT = ""

# (scope, user id) of this request or command; both empty: no tenant rows, nobody.
_state: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar("portal_rls", default=(NO_TENANT, ""))

_SET = "SELECT set_config(:scope_name, :scope, true), set_config(:user_name, :user, true)"


def policy_statements(table: str) -> list[str]:
    """The statements a migration runs for a new table with a tenant_id column (copy them
    into the revision, or call this). tests/test_rls.py fails for a table without them."""
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS tenant_scope ON "{table}"',
        f'CREATE POLICY tenant_scope ON "{table}" USING (portal_tenant_visible(tenant_id)) '
        "WITH CHECK (portal_tenant_visible(tenant_id))",
    ]


def _params(state: tuple[str, str]) -> dict:
    return {"scope_name": GUC, "scope": state[0], "user_name": USER_GUC, "user": state[1]}


@event.listens_for(Engine, "begin")
def _on_begin(conn):
    state = _state.get()
    if conn.dialect.name == "postgresql" and state != (NO_TENANT, ""):
        conn.execute(text(_SET), _params(state))


def enforced() -> bool:
    """Row-level security applies here (PostgreSQL)."""
    return db.session.get_bind().dialect.name == "postgresql"


def _set(state: tuple[str, str]) -> None:
    """The new state for this context, and for the transaction already open (if any)."""
    _state.set(state)
    if not has_app_context():
        return  # no session to tell: the next transaction's "begin" reads the new state
    session = db.session()
    if session.in_transaction() and enforced():
        session.execute(text(_SET), _params(state))


def scope() -> str:
    return _state.get()[0]


def enter_scope(tenant_ids) -> None:
    """The request may touch these tenants (the access check, once it knows them)."""
    _set((",".join(str(i) for i in sorted(set(tenant_ids))), _state.get()[1]))


def enter_every_tenant() -> None:
    """The rest of this request works across every tenant (platform admin routes)."""
    _set((EVERY_TENANT, _state.get()[1]))


def enter_user(user_id: int | None) -> None:
    """The signed-in person: their own memberships, sessions and invitations are visible."""
    _set((_state.get()[0], "" if user_id is None else str(user_id)))


def extend_scope(tenant_id: int) -> None:
    """A tenant made in this request (a new OPD under an in-scope pemda) joins its scope."""
    current, user = _state.get()
    if current == EVERY_TENANT:
        return
    ids = {int(i) for i in current.split(",") if i}
    ids.add(int(tenant_id))
    _set((",".join(str(i) for i in sorted(ids)), user))


def new_tenant_id() -> int | None:
    """PostgreSQL: the id the next tenant row gets, taken from its sequence and added to
    the scope before the row is written (the row, and its audit entry, must be inside the
    scope to be written at all). None on SQLite (the insert assigns it)."""
    if not enforced():
        return None
    tenant_id = db.session.scalar(text("SELECT nextval(pg_get_serial_sequence('tenant', 'id'))"))
    extend_scope(tenant_id)
    return tenant_id


@contextlib.contextmanager
def across_tenants():
    """Deliberately every tenant, for the block: sign-in, the user loader, CLI commands,
    job workers and the like say so with this block (an unscoped path sees nothing)."""
    previous = _state.get()
    _set((EVERY_TENANT, previous[1]))
    try:
        yield
    finally:
        _restore(previous)


def _restore(state: tuple[str, str]) -> None:
    try:
        _set(state)
    except Exception:  # noqa: BLE001 - a failed transaction: it is rolled back, and its scope with it
        _state.set(state)
        db.session.rollback()


def init_app(app: Flask) -> None:
    @app.before_request
    def no_scope_yet():
        g.rls_outer_state = _state.get()
        _set((NO_TENANT, ""))

    @app.teardown_request
    def scope_ends(error):
        if "rls_outer_state" in g:  # (a request context without before_request, e.g. a test's, has none)
            _restore(g.pop("rls_outer_state"))
