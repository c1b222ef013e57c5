"""The demo through the real pipeline: signed deliveries → webhook endpoint → handlers → health API."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from bot import create_app
from bot.cli import main
from bot.db import now
from bot.demo import DEMO_HEADER, run
from bot.demo.feed import database_url, feed, has_data, statuses
from bot.demo.generate import generate
from bot.demo.payloads import FULL_NAME
from bot.models import Contribution, Delivery, EvalRun
from bot.models.metrics import MetricValue
from bot.settings import Settings

SMALL = {"people": 14, "months": 2}
QUICK = {**SMALL, "evaluate": False}  # the demo PR's evaluation is tested once, by the CLI test


def test_every_delivery_is_processed_and_the_health_api_has_figures(runtime, client, db):
    deliveries = generate(5, end=now(), **SMALL)
    answers = feed(runtime, deliveries)
    assert answers == Counter({202: len(deliveries)})
    assert statuses(runtime) == {"processed": len(deliveries)}
    assert db.scalar(select(func.count()).select_from(Contribution)) > len(deliveries) / 2
    body = client.get(f"/api/v1/repos/{FULL_NAME}/health").get_json()
    metrics = body["metrics"]
    assert metrics["contributions_by_type"]["n"] > 0
    assert metrics["active_contributors"]["value"] > 0
    assert metrics["time_to_first_response"]["issues"]["n"] > 0
    assert metrics["change_request_closure_ratio"]["opened"] > 0
    assert metrics["contributions_by_type"]["bots"]["n"] > 0  # the bots are there, as their own series
    again = feed(runtime, deliveries)  # a second feed is all duplicates: nothing is counted twice
    assert again == Counter({200: len(deliveries)})


def test_demo_apps_label_every_response(runtime):
    app = create_app(runtime=replace(runtime, settings=replace(runtime.settings, demo=True)))
    assert app.jinja_env.globals["is_demo"] is True
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and "demo" in response.headers[DEMO_HEADER]
    plain = create_app(runtime=runtime)
    assert plain.jinja_env.globals["is_demo"] is False
    assert DEMO_HEADER not in plain.test_client().get("/api/v1/openapi.json").headers


def test_steward_demo_builds_a_database_with_snapshots(tmp_path):
    """``steward demo --no-serve`` on its own SQLite file (the embedded database the command uses)."""
    path = tmp_path / "demo.db"
    result = CliRunner().invoke(main, ["demo", "--db", str(path), "--no-serve", "--people", "14", "--months", "2",
                                       "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "processed" in result.output and "failed" not in result.output
    assert has_data(database_url(path))
    from sqlalchemy import create_engine

    engine = create_engine(database_url(path))
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Delivery).where(Delivery.status != "processed")) == 0
        assert conn.scalar(select(func.count(func.distinct(MetricValue.day)))) > 0
        [(number, conclusion, results)] = conn.execute(select(EvalRun.pr_number, EvalRun.conclusion, EvalRun.results)
                                                       .where(EvalRun.status == "completed"))
    engine.dispose()
    # the demo PR: a noised head against its base, a significant regression, shown with its comment
    assert "one evaluated pull request" in result.output and conclusion == "failure"
    assert any(row["outcome"] == "regressed" for row in results)
    app = create_app(Settings(database_url=database_url(path), demo=True))
    page = app.test_client().get(f"/{FULL_NAME}/evaluations").get_data(as_text=True)
    assert "The latest evaluation comment" in page and f"#{number}" in page and "steward:evaluation" in page


def test_first_run_of_serve_shows_the_demo_only_when_nothing_is_set_up(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run.first_run(Settings())  # README's `steward serve`: no App, no secret, no data
    assert not run.first_run(Settings(webhook_secret="s"))
    assert not run.first_run(Settings(database_url=f"sqlite:///{tmp_path / 'other.db'}"))
    assert not run.first_run(Settings(github_app_id="1", github_private_key="k"))
    assert not Path("steward.db").exists()  # asking did not create the database


def test_serve_first_run_builds_and_serves_the_demo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STEWARD_DEMO", "0")  # restored after the test: serve_demo hands these to the workers
    monkeypatch.setenv("STEWARD_DATABASE_URL", "sqlite:///unused.db")
    served = []
    monkeypatch.setattr("bot.server.serve", lambda settings, *args: served.append(settings) or 0)
    assert run.serve_first_run(Settings(), "127.0.0.1", 8000, 1, 1, **QUICK) == 0
    (settings,) = served
    assert settings.demo and settings.database_url == database_url(tmp_path / "steward-demo.db")
    assert has_data(settings.database_url)
    import os

    assert (os.environ["STEWARD_DEMO"], os.environ["STEWARD_DATABASE_URL"]) == ("1", settings.database_url)
