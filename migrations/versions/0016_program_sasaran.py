"""program_kegiatan.sasaran_id: the sasaran strategis a program serves (printed beside
the sasaran's indicators in the Formulir and the Perjanjian Kinerja)

Revision ID: 0016
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("program_kegiatan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sasaran_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_program_kegiatan_sasaran_id"), ["sasaran_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_program_kegiatan_tenant_id_set_id_sasaran_id_sasaran"), "sasaran",
            ["tenant_id", "set_id", "sasaran_id"], ["tenant_id", "set_id", "id"])


def downgrade():
    with op.batch_alter_table("program_kegiatan", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_program_kegiatan_tenant_id_set_id_sasaran_id_sasaran"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_program_kegiatan_sasaran_id"))
        batch_op.drop_column("sasaran_id")
