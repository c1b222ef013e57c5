"""affiliations: a person's organisation periods, for the Elephant Factor (METRICS.md M13)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 06:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('affiliations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('organisation', sa.String(length=255), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_affiliations_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_affiliations'))
    )
    op.create_index('ix_affiliations_person_since', 'affiliations', ['person_id', 'since'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_affiliations_person_since', table_name='affiliations')
    op.drop_table('affiliations')
