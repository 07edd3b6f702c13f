"""login_session.ended_reason: why a sign-in session ended (stolen cookie, idle)

Revision ID: 0011
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_reason", sa.String(length=20), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_column("ended_reason")
