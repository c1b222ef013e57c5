"""initial ledger and activity store

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 19:03:16.392555
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('delivery_id', sa.String(length=64), nullable=False),
    sa.Column('event', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=True),
    sa.Column('installation_id', sa.BigInteger(), nullable=True),
    sa.Column('repository_id', sa.BigInteger(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('delivery_id', name=op.f('uq_deliveries_delivery_id'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_status_id', ['status', 'id'], unique=False)

    op.create_table('hooks',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('type', sa.String(length=32), nullable=True),
    sa.Column('app_id', sa.BigInteger(), nullable=True),
    sa.Column('repository_id', sa.BigInteger(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=True),
    sa.Column('events', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hooks'))
    )
    op.create_table('people',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=True),
    sa.Column('is_bot', sa.Boolean(), nullable=False),
    sa.Column('html_url', sa.Text(), nullable=True),
    sa.Column('login_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_login'), ['login'], unique=False)

    op.create_table('installations',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('app_id', sa.BigInteger(), nullable=True),
    sa.Column('account_id', sa.BigInteger(), nullable=True),
    sa.Column('target_type', sa.String(length=32), nullable=True),
    sa.Column('repository_selection', sa.String(length=16), nullable=True),
    sa.Column('permissions', sa.JSON(), nullable=True),
    sa.Column('events', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['people.id'], name=op.f('fk_installations_account_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_installations'))
    )
    op.create_table('person_logins',
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_logins_person_id_people')),
    sa.PrimaryKeyConstraint('person_id', 'login', name=op.f('pk_person_logins'))
    )
    op.create_table('repositories',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('installation_id', sa.BigInteger(), nullable=True),
    sa.Column('owner_id', sa.BigInteger(), nullable=True),
    sa.Column('parent_id', sa.BigInteger(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('private', sa.Boolean(), nullable=False),
    sa.Column('fork', sa.Boolean(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=True),
    sa.Column('default_branch', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('html_url', sa.Text(), nullable=True),
    sa.Column('stargazers_count', sa.Integer(), nullable=True),
    sa.Column('forks_count', sa.Integer(), nullable=True),
    sa.Column('open_issues_count', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pushed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['installation_id'], ['installations.id'], name=op.f('fk_repositories_installation_id_installations')),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_repositories_owner_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repositories'))
    )
    with op.batch_alter_table('repositories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repositories_full_name'), ['full_name'], unique=False)

    op.create_table('check_runs',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('check_suite_id', sa.BigInteger(), nullable=True),
    sa.Column('head_sha', sa.String(length=64), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('status_rank', sa.Integer(), nullable=False),
    sa.Column('conclusion', sa.String(length=32), nullable=True),
    sa.Column('app_id', sa.BigInteger(), nullable=True),
    sa.Column('external_id', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_check_runs_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_runs'))
    )
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_runs_head_sha'), ['head_sha'], unique=False)

    op.create_table('check_suites',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('head_sha', sa.String(length=64), nullable=True),
    sa.Column('head_branch', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('conclusion', sa.String(length=32), nullable=True),
    sa.Column('app_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_check_suites_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_suites'))
    )
    with op.batch_alter_table('check_suites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_suites_head_sha'), ['head_sha'], unique=False)

    op.create_table('comments',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('parent_id', sa.BigInteger(), nullable=True),
    sa.Column('parent_number', sa.Integer(), nullable=True),
    sa.Column('in_reply_to_id', sa.BigInteger(), nullable=True),
    sa.Column('author_id', sa.BigInteger(), nullable=True),
    sa.Column('author_association', sa.String(length=32), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('html_url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_comments_author_id_people')),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_comments_repository_id_repositories')),
    sa.PrimaryKeyConstraint('kind', 'id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_parent', ['kind', 'parent_id'], unique=False)

    op.create_table('contributions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('delivery_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_contributions_person_id_people')),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_contributions_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contributions')),
    sa.UniqueConstraint('key', name=op.f('uq_contributions_key'))
    )
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_index('ix_contributions_person_time', ['person_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_contributions_repo_time', ['repository_id', 'occurred_at'], unique=False)

    op.create_table('discussions',
    sa.Column('category', sa.String(length=100), nullable=True),
    sa.Column('answer_comment_id', sa.BigInteger(), nullable=True),
    sa.Column('answer_chosen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer_chosen_by_id', sa.BigInteger(), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=True),
    sa.Column('author_id', sa.BigInteger(), nullable=True),
    sa.Column('author_association', sa.String(length=32), nullable=True),
    sa.Column('labels', sa.JSON(), nullable=True),
    sa.Column('html_url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['answer_chosen_by_id'], ['people.id'], name=op.f('fk_discussions_answer_chosen_by_id_people')),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_discussions_author_id_people')),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_discussions_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discussions'))
    )
    with op.batch_alter_table('discussions', schema=None) as batch_op:
        batch_op.create_index('ix_discussions_repo_number', ['repository_id', 'number'], unique=False)

    op.create_table('git_refs',
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('ref_type', sa.String(length=16), nullable=False),
    sa.Column('ref', sa.String(length=255), nullable=False),
    sa.Column('created_by_id', sa.BigInteger(), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_git_refs_created_by_id_people')),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_git_refs_repository_id_repositories')),
    sa.PrimaryKeyConstraint('repository_id', 'ref_type', 'ref', name=op.f('pk_git_refs'))
    )
    op.create_table('issues',
    sa.Column('state_reason', sa.String(length=32), nullable=True),
    sa.Column('assignees', sa.JSON(), nullable=True),
    sa.Column('milestone', sa.Text(), nullable=True),
    sa.Column('comments', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=True),
    sa.Column('author_id', sa.BigInteger(), nullable=True),
    sa.Column('author_association', sa.String(length=32), nullable=True),
    sa.Column('labels', sa.JSON(), nullable=True),
    sa.Column('html_url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_issues_author_id_people')),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_issues_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issues'))
    )
    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.create_index('ix_issues_repo_number', ['repository_id', 'number'], unique=False)

    op.create_table('labels',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('color', sa.String(length=16), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_labels_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labels'))
    )
    op.create_table('memberships',
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('permission', sa.String(length=32), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_memberships_person_id_people')),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_memberships_repository_id_repositories')),
    sa.PrimaryKeyConstraint('repository_id', 'person_id', name=op.f('pk_memberships'))
    )
    op.create_table('pull_requests',
    sa.Column('draft', sa.Boolean(), nullable=True),
    sa.Column('merged', sa.Boolean(), nullable=True),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('merged_by_id', sa.BigInteger(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('head_sha', sa.String(length=64), nullable=True),
    sa.Column('head_ref', sa.Text(), nullable=True),
    sa.Column('head_repo_id', sa.BigInteger(), nullable=True),
    sa.Column('base_ref', sa.Text(), nullable=True),
    sa.Column('base_sha', sa.String(length=64), nullable=True),
    sa.Column('assignees', sa.JSON(), nullable=True),
    sa.Column('requested_reviewers', sa.JSON(), nullable=True),
    sa.Column('additions', sa.Integer(), nullable=True),
    sa.Column('deletions', sa.Integer(), nullable=True),
    sa.Column('changed_files', sa.Integer(), nullable=True),
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=True),
    sa.Column('author_id', sa.BigInteger(), nullable=True),
    sa.Column('author_association', sa.String(length=32), nullable=True),
    sa.Column('labels', sa.JSON(), nullable=True),
    sa.Column('html_url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_pull_requests_author_id_people')),
    sa.ForeignKeyConstraint(['merged_by_id'], ['people.id'], name=op.f('fk_pull_requests_merged_by_id_people')),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_pull_requests_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pull_requests'))
    )
    with op.batch_alter_table('pull_requests', schema=None) as batch_op:
        batch_op.create_index('ix_pull_requests_repo_number', ['repository_id', 'number'], unique=False)

    op.create_table('pushes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('ref', sa.String(length=255), nullable=False),
    sa.Column('before', sa.String(length=64), nullable=False),
    sa.Column('after', sa.String(length=64), nullable=False),
    sa.Column('pusher_id', sa.BigInteger(), nullable=True),
    sa.Column('forced', sa.Boolean(), nullable=True),
    sa.Column('commit_count', sa.Integer(), nullable=False),
    sa.Column('docs_paths', sa.JSON(), nullable=True),
    sa.Column('pushed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['pusher_id'], ['people.id'], name=op.f('fk_pushes_pusher_id_people')),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_pushes_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pushes')),
    sa.UniqueConstraint('key', name=op.f('uq_pushes_key'))
    )
    op.create_table('releases',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('tag_name', sa.String(length=255), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('author_id', sa.BigInteger(), nullable=True),
    sa.Column('draft', sa.Boolean(), nullable=True),
    sa.Column('prerelease', sa.Boolean(), nullable=True),
    sa.Column('html_url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_releases_author_id_people')),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_releases_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_releases'))
    )
    op.create_table('reviews',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('pull_request_id', sa.BigInteger(), nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=True),
    sa.Column('author_association', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=32), nullable=True),
    sa.Column('commit_id', sa.String(length=64), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('html_url', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_reviews_author_id_people')),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'], name=op.f('fk_reviews_repository_id_repositories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_pull_request_id'), ['pull_request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_pull_request_id'))

    op.drop_table('reviews')
    op.drop_table('releases')
    op.drop_table('pushes')
    with op.batch_alter_table('pull_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_pull_requests_repo_number')

    op.drop_table('pull_requests')
    op.drop_table('memberships')
    op.drop_table('labels')
    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.drop_index('ix_issues_repo_number')

    op.drop_table('issues')
    op.drop_table('git_refs')
    with op.batch_alter_table('discussions', schema=None) as batch_op:
        batch_op.drop_index('ix_discussions_repo_number')

    op.drop_table('discussions')
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_contributions_repo_time')
        batch_op.drop_index('ix_contributions_person_time')

    op.drop_table('contributions')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_parent')

    op.drop_table('comments')
    with op.batch_alter_table('check_suites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_suites_head_sha'))

    op.drop_table('check_suites')
    with op.batch_alter_table('check_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_runs_head_sha'))

    op.drop_table('check_runs')
    with op.batch_alter_table('repositories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repositories_full_name'))

    op.drop_table('repositories')
    op.drop_table('person_logins')
    op.drop_table('installations')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_login'))

    op.drop_table('people')
    op.drop_table('hooks')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_status_id')

    op.drop_table('deliveries')
