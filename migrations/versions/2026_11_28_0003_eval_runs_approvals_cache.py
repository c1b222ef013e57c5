"""eval runs, eval approvals, eval result cache

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 22:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('eval_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('repository', sa.String(length=200), nullable=False),
    sa.Column('installation_id', sa.BigInteger(), nullable=True),
    sa.Column('pr_number', sa.Integer(), nullable=False),
    sa.Column('base_sha', sa.String(length=64), nullable=False),
    sa.Column('head_sha', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('conclusion', sa.String(length=16), nullable=True),
    sa.Column('trusted', sa.Boolean(), nullable=False),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('check_run_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('runtime_s', sa.Float(), nullable=True),
    sa.Column('results', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eval_runs'))
    )
    with op.batch_alter_table('eval_runs', schema=None) as batch_op:
        batch_op.create_index('ix_eval_runs_repository_id_pr_number', ['repository_id', 'pr_number'], unique=False)

    op.create_table('eval_approvals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('pr_number', sa.Integer(), nullable=False),
    sa.Column('head_sha', sa.String(length=64), nullable=False),
    sa.Column('approved_by', sa.String(length=100), nullable=False),
    sa.Column('comment_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eval_approvals')),
    sa.UniqueConstraint('repository_id', 'pr_number', 'head_sha',
                        name=op.f('uq_eval_approvals_repository_id_pr_number_head_sha'))
    )
    op.create_table('eval_result_cache',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('model_hash', sa.String(length=64), nullable=False),
    sa.Column('inputs_hash', sa.String(length=64), nullable=False),
    sa.Column('engine_version', sa.String(length=64), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('runtime_s', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_eval_result_cache'))
    )


def downgrade() -> None:
    op.drop_table('eval_result_cache')
    op.drop_table('eval_approvals')
    with op.batch_alter_table('eval_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_eval_runs_repository_id_pr_number')
    op.drop_table('eval_runs')
