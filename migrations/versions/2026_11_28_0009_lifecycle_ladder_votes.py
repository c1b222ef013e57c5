"""lifecycle marks and runs, ladder reports, votes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 22:10:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lifecycle_marks',
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'],
                            name=op.f('fk_lifecycle_marks_repository_id_repositories')),
    sa.PrimaryKeyConstraint('repository_id', 'number', name=op.f('pk_lifecycle_marks'))
    )
    op.create_table('lifecycle_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('slot', sa.String(length=40), nullable=False),
    sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('writes', sa.Integer(), nullable=False),
    sa.Column('done', sa.JSON(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'],
                            name=op.f('fk_lifecycle_runs_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lifecycle_runs'))
    )
    with op.batch_alter_table('lifecycle_runs', schema=None) as batch_op:
        batch_op.create_index('ix_lifecycle_runs_repo_slot', ['repository_id', 'slot'], unique=False)
    op.create_table('ladder_reports',
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('issue_number', sa.Integer(), nullable=False),
    sa.Column('body_sha', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'],
                            name=op.f('fk_ladder_reports_repository_id_repositories')),
    sa.PrimaryKeyConstraint('repository_id', 'month', name=op.f('pk_ladder_reports'))
    )
    op.create_table('votes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_by', sa.String(length=100), nullable=False),
    sa.Column('command_comment_id', sa.BigInteger(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('comment_id', sa.BigInteger(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_votes_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index('ix_votes_repo_number', ['repository_id', 'number'], unique=False)
        batch_op.create_index(batch_op.f('ix_votes_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_votes_status'))
        batch_op.drop_index('ix_votes_repo_number')
    op.drop_table('votes')
    op.drop_table('ladder_reports')
    with op.batch_alter_table('lifecycle_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_lifecycle_runs_repo_slot')
    op.drop_table('lifecycle_runs')
    op.drop_table('lifecycle_marks')
