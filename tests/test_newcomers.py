"""The newcomer guard and exclusions end to end: ``newcomers.max_open_prs`` closes a first-time contributor's pull
request beyond the limit (templated comment with an appeal path), and excluded items count toward no metric."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import gh, repo_config
from bot.governance import permissions
from bot.governance.exclusions import counted
from bot.governance.newcomers import NewcomersConfig
from bot.metrics import activity
from bot.metrics.responsiveness import Window
from bot.models import Contribution, ExcludedItem, Job
from bot.repo_config import ConfigError
from tests.fake_github.rest import add_installation
from tests.github_app import app_settings
from tests.handlers.conftest import MAINTAINER, changed
from tests.test_governance_commands import AUTHOR, BASE, REPO, REPO_ID, add_pull

CONFIG = ".github/steward.yml"


@pytest.fixture
def repo(github, runtime):
    gh.reset_caches()
    permissions.clear_cache()
    repo_config.clear_cache()
    repo = github.add_repo("Codertocat", "Hello-World", id=REPO_ID, installation_id=1)
    add_installation(github, 1)
    runtime.settings = app_settings(runtime.settings, github)
    yield repo
    gh.reset_caches()
    repo_config.clear_cache()


@pytest.fixture
def open_pr(corpus, deliver, github, repo):
    def post(number: int, *, association="FIRST_TIME_CONTRIBUTOR", action="opened", sender=AUTHOR):
        if number not in repo.pulls:
            add_pull(github, repo, number)
        payload = changed(corpus("pull_request", "opened"), action=action, number=number,
                          pull_request__number=number, pull_request__id=80_000 + number, pull_request__user=AUTHOR,
                          pull_request__author_association=association, pull_request__base__sha=BASE,
                          pull_request__html_url=f"https://github.com/{REPO}/pull/{number}",
                          pull_request__state="open", pull_request__labels=[], sender=sender)
        assert deliver("pull_request", payload).status_code == 202

    return post


def closes(github, number: int) -> list:
    return [json.loads(r.body) for r in github.requests_to("PATCH", rf"/repos/{REPO}/issues/{number}")]


def guard_comments(repo, number: int) -> list[str]:
    return [c["body"] for c in repo.issue_comments.get(number, []) if c["body"].startswith("<!-- steward:newcomer")]


def test_a_pull_request_beyond_the_limit_is_closed_politely(repo, github, open_pr, db):
    repo.contents[(BASE, CONFIG)] = b"newcomers:\n  max_open_prs: 1\n"
    open_pr(3)
    assert closes(github, 3) == [] and guard_comments(repo, 3) == []
    open_pr(7)
    assert closes(github, 7) == [{"state": "closed"}] and repo.pulls[7]["state"] == "closed"
    assert guard_comments(repo, 7) == [
        "<!-- steward:newcomer-limit -->\nThanks for your interest in Codertocat/Hello-World, @newbie! First-time "
        "contributors may have at most 1 open pull request(s) at a time here, so Steward closed this one. Please "
        "finish the open one(s) first. If this is a mistake, reply here explaining why and a maintainer will take "
        "another look."]
    reads = github.requests_to("GET", rf"/repos/{REPO}/contents/\.github/steward\.yml")
    assert reads and all(f"ref={BASE}" in r.query for r in reads)  # the base's config, never the head's
    db.rollback()
    assert [(e.number, e.reason) for e in db.scalars(select(ExcludedItem))] == [(7, "newcomer_limit")]


def test_a_custom_template_and_the_redelivery_of_the_same_pr(repo, github, open_pr, deliver, corpus):
    repo.contents[(BASE, CONFIG)] = (b"newcomers:\n  max_open_prs: 2\n  limit_message: 'Sorry @{author}, {limit} max."
                                     b" {appeal}'\n  appeal: Write to maintainers@example.org.\n")
    for number in (3, 4, 7):
        open_pr(number)
    assert closes(github, 3) == closes(github, 4) == []
    assert guard_comments(repo, 7) == ["<!-- steward:newcomer-limit -->\nSorry @newbie, 2 max. "
                                       "Write to maintainers@example.org."]


def test_no_section_no_limit_and_established_authors_are_left_alone(repo, github, open_pr, db):
    repo.contents[(BASE, CONFIG)] = b"newcomers:\n"  # on, but no max_open_prs
    open_pr(3)
    open_pr(7)
    assert closes(github, 7) == []
    repo.contents[(BASE, CONFIG)] = b"newcomers:\n  max_open_prs: 1\n"
    repo_config.clear_cache()
    open_pr(8, association="CONTRIBUTOR")
    db.rollback()
    assert closes(github, 8) == []
    assert db.scalar(select(func.count()).select_from(Job).where(Job.kind == "newcomer_guard",
                                                                 Job.args["number"].as_integer() == 8)) == 0


def test_a_maintainer_reopening_lifts_the_exclusion_and_the_guard_stays_quiet(repo, github, open_pr, db):
    repo.contents[(BASE, CONFIG)] = b"newcomers:\n  max_open_prs: 1\n"
    open_pr(3)
    open_pr(7)
    assert len(closes(github, 7)) == 1
    open_pr(7, action="reopened", sender=MAINTAINER)
    db.rollback()
    assert db.scalars(select(ExcludedItem)).all() == [] and len(closes(github, 7)) == 1


@pytest.mark.parametrize(("text", "problem"), [
    ("newcomers:\n  max_open_prs: 0\n", "newcomers.max_open_prs"),
    ("newcomers:\n  max_open: 1\n", "newcomers.max_open: unknown key"),
    ("newcomers:\n  spam_message: 'bye {who}'\n", "newcomers.spam_message: unknown placeholder {who}"),
])
def test_invalid_newcomers_config_is_a_specific_error(text, problem):
    result = repo_config.parse(text)
    assert isinstance(result, ConfigError) and str(result).startswith(problem), str(result)
    assert repo_config.parse("newcomers:\n  max_open_prs: 3\n").get(NewcomersConfig).max_open_prs == 3


def test_excluded_items_count_toward_no_metric(repo, github, open_pr, db):
    repo.contents[(BASE, CONFIG)] = b"newcomers:\n  max_open_prs: 1\n"
    open_pr(3)
    open_pr(7)
    db.rollback()
    everything = db.scalars(select(Contribution.url).where(Contribution.kind == "pr_opened")).all()
    kept = db.scalars(select(Contribution.url).where(Contribution.kind == "pr_opened", counted())).all()
    assert sorted(everything) == [f"https://github.com/{REPO}/pull/{n}" for n in (3, 7)]
    assert kept == [f"https://github.com/{REPO}/pull/3"]
    db.add(Contribution(key="c:7", kind="issue_comment", person_id=AUTHOR["id"], repository_id=REPO_ID,
                        occurred_at=datetime.now(UTC), url=f"https://github.com/{REPO}/pull/7#issuecomment-1"))
    db.add(Contribution(key="c:70", kind="issue_comment", person_id=AUTHOR["id"], repository_id=REPO_ID,
                        occurred_at=datetime.now(UTC), url=f"https://github.com/{REPO}/pull/70#issuecomment-2"))
    db.flush()
    window = Window.ending(datetime.now(UTC) + timedelta(days=1), 3650)
    rows = {kind: count for kind, *_, count in activity.per_kind_person(db, REPO_ID, window)}
    assert rows.get("pr_opened") == 1 and rows.get("issue_comment") == 1  # /pull/70 is not /pull/7


def test_excluded_pull_requests_leave_the_pull_request_metrics(repo, github, open_pr, db):
    from bot.metrics.change_requests import change_request_closure_ratio

    repo.contents[(BASE, CONFIG)] = b"newcomers:\n  max_open_prs: 1\n"
    open_pr(3)
    open_pr(7)  # closed on GitHub by the guard; its closed delivery has not arrived yet
    db.rollback()
    now = datetime(2100, 1, 1, tzinfo=UTC)
    assert change_request_closure_ratio(db, REPO_ID, now=now, days=36500)["open_backlog"] == 1
    db.execute(ExcludedItem.__table__.delete())
    assert change_request_closure_ratio(db, REPO_ID, now=now, days=36500)["open_backlog"] == 2
