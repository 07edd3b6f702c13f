"""login_session.ended_reason: why a sign-in session ended (stolen cookie, idle);
PostgreSQL row-level security on every table of tenant data (portal/rls.py)

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


# Written out here (not imported from portal.rls) so that this revision stays as it was.
EXEMPT_TABLES = {"tenant", "lane", "unit", "membership", "user_account", "login_session", "login_failure"}
FUNCTION = (
    "CREATE OR REPLACE FUNCTION portal_tenant_visible(tid integer) RETURNS boolean "
    "LANGUAGE sql STABLE AS $$ "
    "SELECT coalesce(current_setting('portal.tenant_scope', true), '') = '' "
    "OR tid = ANY (string_to_array(current_setting('portal.tenant_scope', true), ',')::integer[]) $$"
)


def _tenant_tables(bind) -> list[str]:
    """Every table with a tenant_id column at this point of the chain (so tables of
    revisions merged before this one are covered too)."""
    rows = bind.execute(sa.text(
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'tenant_id' "
        "AND table_schema = current_schema() ORDER BY table_name")).scalars()
    return [name for name in rows if name not in EXEMPT_TABLES]


def upgrade():
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_reason", sa.String(length=20), server_default="", nullable=False))
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for table in _tenant_tables(bind):
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'DROP POLICY IF EXISTS tenant_scope ON "{table}"')
        op.execute(f'CREATE POLICY tenant_scope ON "{table}" USING (portal_tenant_visible(tenant_id)) '
                   "WITH CHECK (portal_tenant_visible(tenant_id))")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in _tenant_tables(bind):
            op.execute(f'DROP POLICY IF EXISTS tenant_scope ON "{table}"')
            op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
        op.execute("DROP FUNCTION IF EXISTS portal_tenant_visible(integer)")
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_column("ended_reason")
