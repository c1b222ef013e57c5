"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, against a migrated schema.

``STEWARD_TEST_DATABASES`` picks the backends (default ``sqlite,postgresql``); the PostgreSQL server
is ``STEWARD_TEST_POSTGRES_URL`` (default the local one), where each run creates its own database.
Tests commit for real (the webhook path commits in its own thread), so every table is emptied
after each test instead of rolling back an outer transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import make_url

from bot import create_app, migrate
from bot.db import Base, make_engine
from bot.runtime import Runtime
from bot.settings import Settings
from tests.shared import SHARED

PAYLOADS = SHARED / "github-webhooks" / "payloads"
SECRET = "It's a Secret to Everybody"
BACKENDS = [b.strip() for b in os.environ.get("STEWARD_TEST_DATABASES", "sqlite,postgresql").split(",") if b]
POSTGRES_URL = os.environ.get("STEWARD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def payload_files() -> list[Path]:
    return sorted(PAYLOADS.glob("*/*.json"))


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'steward.db'}"
        return
    name = f"steward_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = create_database(name)
    yield url
    drop_database(name)


def create_database(name: str) -> str:
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url) -> Settings:
    # Figures computed on every request: tests change data and read it back at once. tests/metrics/test_figures.py
    # covers serving them while fresh.
    return Settings(database_url=database_url, webhook_secret=SECRET, metrics_fresh_s=0.0)


@pytest.fixture
def runtime(settings, engine) -> Iterator[Runtime]:
    runtime = Runtime.build(settings, engine=engine)
    yield runtime
    runtime.committer.close()
    empty_tables(engine)


def empty_tables(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


@pytest.fixture
def app(runtime):
    return create_app(runtime=runtime)


@pytest.fixture
def client(app):
    return app.test_client()


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def load(event: str, name: str) -> dict:
    """A corpus payload: ``load("issues", "opened")`` reads payloads/issues/opened.payload.json."""
    folder = PAYLOADS / event
    path = folder / f"{name}.payload.json"
    return json.loads((path if path.exists() else folder / f"{name}.json").read_bytes())


@pytest.fixture
def corpus():
    return load


@pytest.fixture
def deliver(client):
    """POST a payload (dict or raw bytes) through the real endpoint with a valid signature."""

    def post(event: str, payload: dict | bytes, delivery_id: str | None = None, **headers):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        all_headers = {
            "X-GitHub-Event": event, "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
            "X-GitHub-Hook-ID": "1", "User-Agent": "GitHub-Hookshot/test",
            "Content-Type": "application/json", "X-Hub-Signature-256": sign(body),
        }
        all_headers.update(headers)
        return client.post("/api/github/webhooks", data=body, headers=all_headers)

    return post


@pytest.fixture
def github(httpserver):
    """The fake GitHub (REST + GraphQL) on a local port; point Steward at ``github.base_url``."""
    from tests.fake_github import FakeGitHub

    return FakeGitHub(httpserver)


@pytest.fixture
def db(runtime):
    """A session for assertions. On SQLite a read transaction keeps its snapshot: call
    ``db.rollback()`` (``count`` does) before reading again what was committed since."""
    with runtime.factory() as session:
        yield session


def count(session, model, *where) -> int:
    session.rollback()  # end any read transaction: see everything committed so far
    return session.scalar(select(func.count()).select_from(model).where(*where))
