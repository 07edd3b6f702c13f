"""SOP versions approved by the OPD's Kepala ("Disahkan oleh"): approved_at, approved_by_id

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 13:55:00

Versions published before this revision were in force already: they count as approved
when they were published.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sop_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sop_version_approved_by_id_user_account'), 'user_account',
                                    ['approved_by_id'], ['id'])
    op.execute("UPDATE sop_version SET approved_at = published_at, approved_by_id = published_by_id "
               "WHERE status = 'published'")


def downgrade():
    with op.batch_alter_table('sop_version', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sop_version_approved_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('approved_at')
