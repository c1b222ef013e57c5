"""metric values: daily snapshots of the slow-moving metric series

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 22:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('metric_values',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'],
                            name=op.f('fk_metric_values_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metric_values')),
    sa.UniqueConstraint('repository_id', 'metric', 'key', 'day', 'version',
                        name=op.f('uq_metric_values_repository_id_metric_key_day_version'))
    )
    # Indexes for the health API's queries at scale (see bot/models/metrics.py).
    with op.batch_alter_table('pull_requests', schema=None) as batch_op:
        batch_op.create_index('ix_pull_requests_repo_author_created', ['repository_id', 'author_id', 'created_at'],
                              unique=False)
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_repo_kind_number', ['repository_id', 'kind', 'parent_number'],
                              unique=False)
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_index('ix_contributions_repo_person_time_kind',
                              ['repository_id', 'person_id', 'occurred_at', 'kind'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_contributions_repo_person_time_kind')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_repo_kind_number')
    with op.batch_alter_table('pull_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_pull_requests_repo_author_created')
    op.drop_table('metric_values')
