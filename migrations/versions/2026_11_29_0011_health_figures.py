"""health figures: every health metric of a repository and window, served while fresh

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 02:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('health_figures',
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('days', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('viewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('compute_ms', sa.Float(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'],
                            name=op.f('fk_health_figures_repository_id_repositories')),
    sa.PrimaryKeyConstraint('repository_id', 'days', name=op.f('pk_health_figures'))
    )


def downgrade() -> None:
    op.drop_table('health_figures')
