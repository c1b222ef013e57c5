"""governance: pull approvals, excluded items, discussion replies

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-28 22:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pull_approvals',
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=40), nullable=False),
    sa.Column('head_sha', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('repository_id', 'number', 'login', name=op.f('pk_pull_approvals'))
    )
    op.create_table('excluded_items',
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('html_url', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('by_login', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('repository_id', 'number', name=op.f('pk_excluded_items'))
    )
    op.create_table('discussion_replies',
    sa.Column('repository', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('marker', sa.String(length=200), nullable=False),
    sa.Column('node_id', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('repository', 'number', 'marker', name=op.f('pk_discussion_replies'))
    )


def downgrade() -> None:
    op.drop_table('discussion_replies')
    op.drop_table('excluded_items')
    op.drop_table('pull_approvals')
