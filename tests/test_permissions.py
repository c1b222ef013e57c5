"""The App's permissions against what Steward's features need: on install, at start-up, and ``steward doctor``."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot import cli, gh, jobs
from bot.automation import permissions
from bot.models import Installation
from tests.fake_github.rest import add_installation
from tests.github_app import app_settings
from tests.handlers.conftest import changed

EVERYTHING = {"checks": "write", "contents": "read", "issues": "write", "pull_requests": "write",
              "discussions": "write", "metadata": "read", "members": "read"}


def test_missing_names_each_permission_level_and_feature():
    gaps = permissions.missing({**EVERYTHING, "discussions": "read", "checks": "read"} | {"members": "none"})
    assert [str(g) for g in gaps] == [
        "checks: write (granted: read) — needed by config check, dco, evaluation",
        "discussions: write (granted: read) — needed by welcome",
        "members: read (granted: none) — needed by maintainer rules"]
    assert permissions.missing(EVERYTHING) == []
    assert permissions.missing({**EVERYTHING, "issues": "admin"}) == []
    assert permissions.missing({**EVERYTHING, "members": "none"}, organisation=False) == []


def test_installation_created_logs_what_is_missing(deliver, corpus, caplog, db):
    caplog.set_level(logging.INFO, logger="bot.automation.permissions")
    deliver("installation", corpus("installation", "created"))
    [record] = [r for r in caplog.records if r.name == "bot.automation.permissions"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (  # a user account's installation: organisation permissions are not asked
        "installation 957387 (Codertocat): the App lacks 1 permission — "
        "discussions: write (granted: none) — needed by webhook ledger and metrics, welcome. Grant it in the "
        "App's settings (Permissions & events), then accept the change on the installation.")


def test_new_permissions_accepted_with_everything_says_so(deliver, corpus, caplog):
    caplog.set_level(logging.INFO, logger="bot.automation.permissions")
    payload = changed(corpus("installation", "new_permissions_accepted"), installation__permissions=EVERYTHING)
    deliver("installation", payload)
    assert [r.getMessage() for r in caplog.records if r.name == "bot.automation.permissions"] == [
        "installation 957387 (Codertocat): the App has every permission Steward's features need"]


@pytest.fixture
def as_app(runtime, github):
    gh.reset_caches()
    add_installation(github, 1)["permissions"] = {"checks": "write", "metadata": "read", "contents": "read"}
    add_installation(github, 2)["permissions"] = EVERYTHING
    runtime.settings = app_settings(runtime.settings, github)
    yield runtime
    gh.reset_caches()


def test_start_up_job_lists_installations_and_stores_permissions(as_app, github, caplog, db):
    caplog.set_level(logging.INFO, logger="bot.automation.permissions")
    permissions.schedule(as_app)
    assert jobs.run_due(as_app) >= 1
    assert len(github.requests_to("GET", r"/app/installations")) == 1
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.automation.permissions"]
    assert lines[0].startswith("installation 1 (octocat): the App lacks 4 permissions — discussions: write "
                               "(granted: none)")
    assert "issues: write (granted: none) — needed by webhook ledger and metrics, commands, welcome, labels" in lines[0]
    assert lines[1] == "installation 2 (octocat): the App has every permission Steward's features need"
    db.rollback()
    assert db.scalar(select(Installation.permissions).where(Installation.id == 2)) == EVERYTHING


def test_start_up_without_an_app_only_says_so(runtime, github, caplog):
    caplog.set_level(logging.INFO, logger="bot.automation.permissions")
    permissions.schedule(runtime)
    jobs.run_due(runtime)
    assert github.requests == []
    assert [r.getMessage() for r in caplog.records if r.name == "bot.automation.permissions"] == [
        "no GitHub App is configured (dry run): the App's permissions were not checked"]


def test_doctor_prints_missing_permissions_per_installation(as_app, monkeypatch):
    monkeypatch.setattr(cli.Settings, "from_env", classmethod(lambda cls, *a, **k: as_app.settings))
    result = CliRunner().invoke(cli.main, ["doctor"])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stdout.splitlines() if "werkzeug" not in line]  # the fake's access log
    assert lines[0] == f"GitHub App {as_app.settings.github_app_id}: installations read from GitHub"
    assert lines[1].startswith("installation 1: the App lacks 4 permissions — discussions: write")
    assert lines[2] == "installation 2: the App has every permission Steward's features need"
