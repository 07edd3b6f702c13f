"""plausibility checks of data entry: the enterer's confirmation on a realisasi, the
thresholds per tenant in the capaian settings

Revision ID: 0018
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("realisasi") as batch:
        batch.add_column(sa.Column("plausibility_flags", sa.String(length=200), server_default="", nullable=False))
        batch.add_column(sa.Column("plausibility_note", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("indicator_settings") as batch:
        batch.add_column(sa.Column("plausibility", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("indicator_settings") as batch:
        batch.drop_column("plausibility")
    with op.batch_alter_table("realisasi") as batch:
        batch.drop_column("plausibility_note")
        batch.drop_column("plausibility_flags")
