"""Row-level security fails closed, and covers the tenant tree (portal/rls.py)

- portal_tenant_visible(tid): no scope ('' or unset) sees NO tenant rows (0011 let every
  row through); '*' (set only by rls.across_tenants()) sees every row; otherwise the
  listed tenants.
- Every table with a tenant_id column gets the tenant_scope policy, unit and lane
  included (0011 left them out for the access check, which now reads them inside
  across_tenants()); the tenant table by its own id.
- membership: in scope, or the signed-in person's own (portal.user_id).
- login_session and invitation (a person's, no tenant of their own): every tenant, the
  person's own, or a person holding a lane in a tenant in scope (an admin ends the
  sessions of a person she deactivates, lists and makes their invitation links).

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Written out here (not imported from portal.rls) so that this revision stays as it was.
SCOPE = "current_setting('portal.tenant_scope', true)"
FUNCTIONS = [
    "CREATE OR REPLACE FUNCTION portal_tenant_visible(tid integer) RETURNS boolean LANGUAGE sql STABLE AS $$ "
    f"SELECT CASE coalesce({SCOPE}, '') WHEN '' THEN false WHEN '*' THEN true "
    f"ELSE coalesce(tid = ANY (string_to_array({SCOPE}, ',')::integer[]), false) END $$",
    "CREATE OR REPLACE FUNCTION portal_every_tenant() RETURNS boolean LANGUAGE sql STABLE AS $$ "
    f"SELECT coalesce({SCOPE}, '') = '*' $$",
    "CREATE OR REPLACE FUNCTION portal_user_id() RETURNS integer LANGUAGE sql STABLE AS $$ "
    "SELECT nullif(current_setting('portal.user_id', true), '')::integer $$",
    # A person's own rows (sessions, links): theirs, or where they hold a lane in scope.
    "CREATE OR REPLACE FUNCTION portal_person_visible(uid integer) RETURNS boolean LANGUAGE sql STABLE AS $$ "
    "SELECT portal_every_tenant() OR uid = portal_user_id() OR EXISTS "
    "(SELECT 1 FROM membership m WHERE m.user_id = uid AND portal_tenant_visible(m.tenant_id)) $$",
]
OLD_FUNCTION = (
    "CREATE OR REPLACE FUNCTION portal_tenant_visible(tid integer) RETURNS boolean "
    "LANGUAGE sql STABLE AS $$ "
    "SELECT coalesce(current_setting('portal.tenant_scope', true), '') = '' "
    "OR tid = ANY (string_to_array(current_setting('portal.tenant_scope', true), ',')::integer[]) $$"
)
SPECIAL = {
    "tenant": ("portal_tenant_visible(id)", "portal_tenant_visible(id)"),
    "membership": ("portal_tenant_visible(tenant_id) OR user_id = portal_user_id()", "portal_tenant_visible(tenant_id)"),
    "login_session": ("portal_person_visible(user_id)", "portal_person_visible(user_id)"),
    "invitation": ("portal_person_visible(user_id)", "portal_person_visible(user_id)"),
}
NEWLY_COVERED = ("tenant", "unit", "lane", "membership", "login_session", "invitation")


def _tenant_tables(bind) -> list[str]:
    rows = bind.execute(sa.text(
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'tenant_id' "
        "AND table_schema = current_schema() ORDER BY table_name")).scalars()
    return [name for name in rows if name not in SPECIAL]


def _policy(table: str, using: str, check: str) -> None:
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'DROP POLICY IF EXISTS tenant_scope ON "{table}"')
    op.execute(f'CREATE POLICY tenant_scope ON "{table}" USING ({using}) WITH CHECK ({check})')


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for statement in FUNCTIONS:
        op.execute(statement)
    for table in _tenant_tables(bind):
        _policy(table, "portal_tenant_visible(tenant_id)", "portal_tenant_visible(tenant_id)")
    for table, (using, check) in SPECIAL.items():
        _policy(table, using, check)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in NEWLY_COVERED:
        op.execute(f'DROP POLICY IF EXISTS tenant_scope ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    op.execute(OLD_FUNCTION)
    for name in ("portal_person_visible(integer)", "portal_user_id()", "portal_every_tenant()"):
        op.execute(f"DROP FUNCTION IF EXISTS {name}")
