from __future__ import annotations

from bot import create_app, migrate
from bot.db import make_engine
from bot.runtime import Runtime
from bot.settings import Settings


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_when_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "ok", "webhook_secret": "ok",
                                             "github_app": "not configured (dry run): register one at /setup"}


def test_readyz_reports_missing_migrations(tmp_path):
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    runtime = Runtime.build(Settings(database_url=url))
    try:
        response = create_app(runtime=runtime).test_client().get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["checks"]["migrations"].startswith("not at head")
        assert body["checks"]["webhook_secret"].startswith("missing")
        migrate.upgrade(url)
        assert create_app(runtime=runtime).test_client().get("/readyz").status_code == 200
    finally:
        runtime.close()


def test_readyz_reports_unreachable_database():
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    runtime = Runtime.build(Settings(database_url="postgresql://nobody@127.0.0.1:1/none", insecure_dev=True),
                            engine=engine)
    try:
        response = create_app(runtime=runtime).test_client().get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["database"].startswith("unreachable")
        assert response.get_json()["checks"]["webhook_secret"] == "insecure dev mode"
    finally:
        runtime.close()
