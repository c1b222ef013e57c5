"""Alembic environment: metadata from bot.models, URL from the caller (bot/migrate.py) or Settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

import bot.models  # noqa: F401  (registers every table on Base.metadata)
from bot.db import Base, UTCDateTime, make_engine
from bot.settings import Settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("database_url") or Settings.from_env().database_url


def _drop_empty(context_, revision, directives) -> None:
    """Autogenerate (from the command line or from code) writes no revision when nothing changed."""
    if getattr(config.cmd_opts, "autogenerate", True) and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def _render_item(type_, obj, autogen_context):
    """Migrations spell our UTC column type as the plain SQLAlchemy type it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _migrate(connection)
    finally:
        engine.dispose()  # leave no pooled connection behind


def _migrate(connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    if not is_sqlite:
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.execute(text("SELECT pg_advisory_lock(7411001)"))  # one migrator at a time
    context.configure(
        connection=connection, target_metadata=target_metadata, compare_type=True,
        compare_server_default=True, render_as_batch=is_sqlite, transaction_per_migration=True,
        process_revision_directives=_drop_empty, render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
    if not is_sqlite:
        connection.execute(text("SELECT pg_advisory_unlock(7411001)"))
        connection.commit()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
