"""clock lease, job heartbeat, GitHub API usage

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 22:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clock_leases',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.String(length=255), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_clock_leases'))
    )
    op.create_table('github_api_usage',
    sa.Column('process', sa.String(length=255), nullable=False),
    sa.Column('calls', sa.JSON(), nullable=False),
    sa.Column('rate_limits', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('process', name=op.f('pk_github_api_usage'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
    op.drop_table('github_api_usage')
    op.drop_table('clock_leases')
