"""Migrations: round trip on both databases, and the models match the migrations exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot import migrate
from bot.db import Base, make_engine


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_downgrade_upgrade_round_trip(database_url, engine):
    assert migrate.at_head(engine)
    migrate.downgrade(database_url, "base")
    assert migrate.current(engine) == set()
    assert not migrate.at_head(engine)
    migrate.upgrade(database_url)
    assert migrate.at_head(engine)
    assert migrate.current(engine) == migrate.heads(database_url)


def test_every_revision_has_a_downgrade():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.config("sqlite://"))
    for revision in script.walk_revisions():
        assert callable(getattr(revision.module, "downgrade", None)), revision.revision


def test_fresh_engine_is_not_at_head(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert not migrate.at_head(engine)
    finally:
        engine.dispose()
