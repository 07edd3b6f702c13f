"""local days off (cuti bersama, hari libur daerah) per tenant

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hari_libur',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('tanggal', sa.Date(), nullable=False),
    sa.Column('nama', sa.String(length=200), nullable=False),
    sa.Column('jenis', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("jenis IN ('cuti_bersama', 'libur_daerah')", name=op.f('ck_hari_libur_jenis')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_hari_libur_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_hari_libur_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hari_libur')),
    sa.UniqueConstraint('tenant_id', 'tanggal', name=op.f('uq_hari_libur_tenant_id_tanggal'))
    )
    with op.batch_alter_table('hari_libur', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hari_libur_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('hari_libur', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hari_libur_tenant_id'))
    op.drop_table('hari_libur')
