"""pr_files: a live pull request touching docs credits its author, by the backfill's rule and key."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from bot import gh
from bot.models import Contribution, Job
from bot.store import parse_time
from tests.fake_github.rest import add_installation
from tests.github_app import app_settings

INSTALLATION = 1  # the corpus pull_request payloads' installation
FILES = r"/repos/Codertocat/Hello-World/pulls/2/files"


@pytest.fixture
def repo(github):
    return github.add_repo("Codertocat", "Hello-World", id=186853002, installation_id=INSTALLATION)


@pytest.fixture
def as_app(runtime, github, repo):
    gh.reset_caches()
    add_installation(github, INSTALLATION)
    runtime.settings = app_settings(runtime.settings, github)
    yield runtime
    gh.reset_caches()


def docs_changes(db):
    db.rollback()
    return db.execute(select(Contribution.key, Contribution.person_id, Contribution.occurred_at)
                      .where(Contribution.kind == "docs_change")).all()


def test_opened_pr_touching_docs_credits_its_author_at_creation(as_app, github, repo, deliver, corpus, db):
    repo.pull_files[2] = ["src/model.py", "docs/usage.md"]
    payload = corpus("pull_request", "opened")
    assert deliver("pull_request", payload).status_code == 202
    pr = payload["pull_request"]
    assert docs_changes(db) == [(f"docs_change:pr:{pr['id']}", pr["user"]["id"], parse_time(pr["created_at"]))]
    assert len(github.requests_to("GET", FILES)) == 1
    # Redelivered under a new id, or labelled: same head, no second read, no second credit.
    deliver("pull_request", payload)
    assert len(github.requests_to("GET", FILES)) == 1 and len(docs_changes(db)) == 1


def test_merged_pr_is_credited_at_its_merge(as_app, github, repo, deliver, corpus, db):
    repo.pull_files[2] = ["README.md"]
    payload = copy.deepcopy(corpus("pull_request", "closed"))
    pr = payload["pull_request"]
    pr.update(merged=True, merged_at="2019-05-15T16:00:00Z", state="closed")
    deliver("pull_request", payload)
    assert [at for _, _, at in docs_changes(db)] == [parse_time("2019-05-15T16:00:00Z")]


def test_pr_without_docs_credits_nothing_and_pages_through_files(as_app, github, repo, deliver, corpus, db):
    repo.pull_files[2] = [f"src/f{i}.py" for i in range(130)]  # two pages of 100
    deliver("pull_request", corpus("pull_request", "opened"))
    assert docs_changes(db) == [] and len(github.requests_to("GET", FILES)) == 2


def test_closed_unmerged_pr_credits_nothing(as_app, github, repo, deliver, corpus, db):
    repo.pull_files[2] = ["docs/usage.md"]
    deliver("pull_request", corpus("pull_request", "closed"))  # merged: false
    assert docs_changes(db) == []


def test_dry_run_reads_nothing(github, repo, deliver, corpus, db):
    repo.pull_files[2] = ["docs/usage.md"]
    deliver("pull_request", corpus("pull_request", "opened"))
    assert docs_changes(db) == [] and github.requests_to("GET", FILES) == []
    assert db.scalar(select(Job.status).where(Job.kind == "pr_files")) == "done"
    assert set(db.scalars(select(Job.status))) == {"done"}  # every job of the delivery skipped cleanly
