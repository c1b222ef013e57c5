"""The steward command, through click's runner, on the real database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.conftest import PAYLOADS, count


@pytest.fixture
def steward(settings, runtime, monkeypatch):
    monkeypatch.setenv("STEWARD_DATABASE_URL", settings.database_url)

    def run(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run


def test_replay_files_then_duplicates(steward, db):
    from bot.models import Contribution, Delivery

    files = [str(PAYLOADS / "issues" / "opened.payload.json"), str(PAYLOADS / "star" / "created.payload.json")]
    result = steward("replay", *files)
    assert result.exit_code == 0, result.output
    assert result.output.count(" processed") == 2
    assert count(db, Delivery) == 2 and count(db, Contribution) == 2
    again = steward("replay", *files)
    assert again.output.count("duplicate") == 2
    assert count(db, Delivery) == 2


def test_replay_with_event_override(steward, tmp_path):
    payload = tmp_path / "anything.json"
    payload.write_bytes((PAYLOADS / "star" / "created.payload.json").read_bytes())
    result = steward("replay", str(payload), "--event", "star")
    assert "star.created processed" in result.output


def test_replay_bad_file_and_unknown_id(steward, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    result = steward("replay", str(bad), "no-such-delivery")
    assert result.exit_code == 1
    assert "not valid JSON" in result.output and "neither a file nor a stored delivery id" in result.output


def test_replay_stored_delivery_by_id(steward, deliver, corpus):
    deliver("issues", corpus("issues", "opened"), "known-id")
    result = steward("replay", "known-id")
    assert result.exit_code == 0 and "known-id issues.opened processed" in result.output


def test_deliveries_operator_view(steward, deliver, corpus):
    deliver("issues", corpus("issues", "opened"), "d-1")
    deliver("sponsorship", {"action": "created"}, "d-2")
    lines = [json.loads(line) for line in steward("deliveries", "--json").output.splitlines()]
    assert [(r["delivery_id"], r["event"], r["action"], r["status"]) for r in lines] == [
        ("d-2", "sponsorship", "created", "ignored"), ("d-1", "issues", "opened", "processed")]
    assert set(lines[0]) == {"delivery_id", "event", "action", "status", "error", "received_at"}
    assert "d-1" not in steward("deliveries", "--status", "ignored").output
    assert "no deliveries with status failed" in steward("deliveries", "--status", "failed").output
    table = steward("deliveries").output
    assert "issues.opened" in table and "processed" in table


def test_db_current(steward):
    result = steward("db", "current")
    current, head = result.output.splitlines()
    assert current.split(":")[1].strip() == head.split(":")[1].strip() != ""


def test_writes_operator_view_shows_dry_runs(steward, runtime):
    from bot import gh

    api = gh.installation_api(runtime, 42)  # no App credentials: dry
    assert api.dry
    api.upsert_comment("octo/model", 7, "eval", "Hello from a dry run")
    table = steward("writes").output
    assert "dry_run" in table and "comment" in table and "octo/model#" in table
    rows = [json.loads(line) for line in steward("writes", "--json").output.splitlines()]
    assert rows[0]["status"] == "dry_run" and "Hello from a dry run" in json.dumps(rows[0]["payload"])


def test_writes_empty(steward):
    assert steward("writes").output.strip() == "no writes yet"
