"""join_invitation: an invitation to join a tenant, addressed to an e-mail and accepted
by its owner (issue 25 / 17.3: adding an existing account changes nothing of it until
the person accepts); with the row-level security policy of every tenant table.

Revision ID: 0014
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "join_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("nama", sa.String(length=200), nullable=False),
        sa.Column("nip", sa.String(length=30), nullable=False),
        sa.Column("jabatan", sa.String(length=200), nullable=False),
        sa.Column("grants", sa.JSON(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_join_invitation_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], ondelete="SET NULL",
                                name=op.f("fk_join_invitation_created_by_id_user_account")),
        sa.ForeignKeyConstraint(["accepted_by_id"], ["user_account.id"], ondelete="SET NULL",
                                name=op.f("fk_join_invitation_accepted_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_join_invitation_token_hash")),
    )
    with op.batch_alter_table("join_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_join_invitation_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_join_invitation_email"), ["email"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # The policy of portal/rls.py (written out: this revision stays as it was).
        op.execute('ALTER TABLE "join_invitation" ENABLE ROW LEVEL SECURITY')
        op.execute('CREATE POLICY tenant_scope ON "join_invitation" USING (portal_tenant_visible(tenant_id)) '
                   "WITH CHECK (portal_tenant_visible(tenant_id))")


def downgrade():
    op.drop_table("join_invitation")
