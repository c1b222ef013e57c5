"""Shared by the periodic-governance tests (lifecycle, ladder, votes): a controlled clock, a repository on
the fake GitHub with a ``.github/steward.yml`` at the head of its default branch, and payload builders."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot import gh, jobs, repo_config
from bot.governance import permissions
from bot.models import Job
from tests.fake_github.rest import add_installation, add_issue
from tests.github_app import app_settings
from tests.handlers.conftest import changed

INSTALLATION = 1
REPO = "Codertocat/Hello-World"
T0 = datetime(2019, 5, 15, 15, 20, 18, tzinfo=UTC)  # the corpus issue's created_at
INSTALLED = {"id": INSTALLATION, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch):
    """``bot.db.now`` (what the periodic modules read) and the job engine's clock, both at ``clock.at``."""
    c = Clock()
    monkeypatch.setattr("bot.db.now", c)
    monkeypatch.setattr("bot.jobs.now", c)
    return c


@pytest.fixture
def repo(github):
    repo = github.add_repo("Codertocat", "Hello-World", id=186853002, installation_id=INSTALLATION)
    for number in (1, 2, 3):
        add_issue(github, repo, number).pop("pull_request")  # issues, not pull requests
    return repo


@pytest.fixture
def as_app(runtime, github, repo):
    gh.reset_caches()
    repo_config.clear_cache()
    permissions.clear_cache()
    add_installation(github, INSTALLATION)
    runtime.settings = app_settings(runtime.settings, github)
    yield runtime
    gh.reset_caches()
    repo_config.clear_cache()
    permissions.clear_cache()


def configure(repo, text: str) -> str:
    """Put ``text`` at the head of ``main`` as ``.github/steward.yml`` (a new commit); its SHA."""
    sha = hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - a stand-in commit id
    repo.branches["main"] = repo.branches["master"] = sha  # the corpus repository says "master"
    repo.contents[(sha, ".github/steward.yml")] = text.encode()
    return sha


def tick(runtime, clock, name: str, at: datetime) -> None:
    """Move the clock to ``at``, let the clock enqueue ``name`` for that period, run every due job."""
    clock.at = at
    jobs.schedule_periodic(runtime, name, at=at)
    while jobs.run_due(runtime):
        pass
    with runtime.factory() as uow:
        failed = uow.execute(select(Job.kind, Job.error).where(Job.error.is_not(None))).all()
    assert failed == []


def item(corpus, event: str, number: int, **changes) -> dict:
    """A corpus ``issues``/``pull_request`` payload for item ``number``, under the installation."""
    name = "opened"
    payload = corpus(event, name)
    key = "issue" if event == "issues" else "pull_request"
    payload = changed(payload, installation=INSTALLED, **{f"{key}__number": number,
                                                           f"{key}__id": 5_000_000 + number})
    if key == "pull_request":
        payload["number"] = number
    return changed(payload, **changes)


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")
