"""contributor totals: per (repository, person) all-time figures of the counted ledger, kept on write;
an index for one kind's window of the ledger

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 01:20:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The rows the application keeps on write (bot/metrics/totals.py), computed once from the ledger as it stands.
# Kinds: star/fork are not contributions (M11's D0); D1 = issue, discussion and review types; D2 = pr_merged.
# A contribution on an excluded item (its URL is the item's html_url or an anchor under it) counts for nothing.
BACKFILL = """
INSERT INTO contributor_totals (repository_id, person_id, contributions, first_at, last_at, prs, first_d0_at,
                                first_d1_at, last_d1_at, last_merged_at)
SELECT c.repository_id, c.person_id,
       sum(CASE WHEN c.kind NOT IN ('star', 'fork') THEN 1 ELSE 0 END),
       min(CASE WHEN c.kind NOT IN ('star', 'fork') THEN c.occurred_at END),
       max(CASE WHEN c.kind NOT IN ('star', 'fork') THEN c.occurred_at END),
       sum(CASE WHEN c.kind = 'pr_opened' THEN 1 ELSE 0 END),
       min(CASE WHEN c.kind IN ('star', 'fork') THEN c.occurred_at END),
       min(CASE WHEN c.kind IN {d1} THEN c.occurred_at END),
       max(CASE WHEN c.kind IN {d1} THEN c.occurred_at END),
       max(CASE WHEN c.kind = 'pr_merged' THEN c.occurred_at END)
FROM contributions c
WHERE NOT EXISTS (SELECT 1 FROM excluded_items e
                  WHERE e.repository_id = c.repository_id
                    AND (c.url = e.html_url OR substr(c.url, 1, length(e.html_url) + 1) = e.html_url || '#'))
GROUP BY c.repository_id, c.person_id
""".format(d1="('review', 'issue_opened', 'issue_comment', 'discussion_opened', 'discussion_comment')")


def upgrade() -> None:
    op.create_table('contributor_totals',
    sa.Column('repository_id', sa.BigInteger(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('contributions', sa.Integer(), nullable=False),
    sa.Column('first_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('prs', sa.Integer(), nullable=False),
    sa.Column('first_d0_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_d1_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_d1_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_merged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_contributor_totals_person_id_people')),
    sa.ForeignKeyConstraint(['repository_id'], ['repositories.id'],
                            name=op.f('fk_contributor_totals_repository_id_repositories')),
    sa.PrimaryKeyConstraint('repository_id', 'person_id', name=op.f('pk_contributor_totals'))
    )
    op.execute(BACKFILL)
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_index('ix_contributions_repo_kind_time', ['repository_id', 'kind', 'occurred_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_contributions_repo_kind_time')
    op.drop_table('contributor_totals')
