"""sop_step.output_wajib (an Output is uploaded only where the SOP says "wajib");
user_account contact details and reminder opt-out; reminder_sent (one row per reminder,
unique per kind and key: sent once) and reminder_setting (escalation after n hari kerja),
both under the tenant_scope RLS policy

Revision ID: 0017
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ("reminder_sent", "reminder_setting")


def upgrade():
    with op.batch_alter_table("sop_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("output_wajib", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telepon", sa.String(length=30), server_default="", nullable=False))
        batch_op.add_column(sa.Column("whatsapp", sa.String(length=30), server_default="", nullable=False))
        batch_op.add_column(sa.Column("reminders_opt_out", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('segera', 'terlambat', 'eskalasi', 'ringkasan', 'manual', 'belum_mulai')",
                           name=op.f("ck_reminder_sent_kind")),
        sa.ForeignKeyConstraint(["sent_by_id"], ["user_account.id"],
                                name=op.f("fk_reminder_sent_sent_by_id_user_account")),
        sa.ForeignKeyConstraint(["task_id"], ["cycle_task.id"], name=op.f("fk_reminder_sent_task_id_cycle_task")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_reminder_sent_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sent")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_reminder_sent_kind_key")),
    )
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_sent_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_sent_task_id"), ["task_id"], unique=False)
    op.create_table(
        "reminder_setting",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("escalate_after_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_reminder_setting_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_reminder_setting_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_reminder_setting")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:  # portal_tenant_visible comes from revision 0011
            op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            op.execute(f'DROP POLICY IF EXISTS tenant_scope ON "{table}"')
            op.execute(f'CREATE POLICY tenant_scope ON "{table}" USING (portal_tenant_visible(tenant_id)) '
                       "WITH CHECK (portal_tenant_visible(tenant_id))")


def downgrade():
    op.drop_table("reminder_setting")
    op.drop_table("reminder_sent")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("reminders_opt_out")
        batch_op.drop_column("whatsapp")
        batch_op.drop_column("telepon")
    with op.batch_alter_table("sop_step", schema=None) as batch_op:
        batch_op.drop_column("output_wajib")
