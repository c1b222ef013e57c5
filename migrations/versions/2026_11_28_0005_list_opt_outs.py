"""list opt-outs: contributors hidden from named lists

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 22:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('list_opt_outs',
    sa.Column('person_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_list_opt_outs_person_id_people')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_list_opt_outs'))
    )


def downgrade() -> None:
    op.drop_table('list_opt_outs')
