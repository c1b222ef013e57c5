"""Welcomes end to end: a first issue, pull request or discussion (and a first merge) → one marked comment."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot import jobs
from bot.automation.welcome import render
from bot.models import Job
from bot.welcome import WelcomeConfig
from tests.fake_github.graphql_views import node_id
from tests.fake_github.rest import add_issue
from tests.handlers.conftest import MAINTAINER, OTHER, changed
from tests.test_pr_automation import BASE, CONFIG, HEAD, REPO, as_app, pull, repo  # noqa: F401 - fixtures

MASTER = "1" * 40  # the default branch's head commit
WELCOME = b"""welcome:
  contributing: docs/CONTRIBUTING.md
  ai_policy: https://example.org/ai-policy
"""
COMMENTS = rf"/repos/{REPO}/issues/(\d+)/comments"


@pytest.fixture
def configured(as_app, github, repo):  # noqa: F811 - the imported fixture
    repo.branches["master"] = MASTER
    repo.contents[(MASTER, CONFIG)] = WELCOME
    repo.contents[(BASE, CONFIG)] = WELCOME
    add_issue(github, repo, 1)
    return repo


@pytest.fixture
def issue(corpus):
    def make(user=OTHER, association="NONE", issue_id=444500041, number=1, created="2019-05-15T15:20:18Z"):
        return changed(corpus("issues", "opened"), issue__user=user, issue__author_association=association,
                       issue__id=issue_id, issue__number=number, issue__created_at=created, sender=user,
                       installation={"id": 1})

    return make


def bodies(github, number: int) -> list[str]:
    return [json.loads(r.body)["body"] for r in github.requests_to("POST", rf"/repos/{REPO}/issues/{number}/comments")]


def test_a_first_issue_is_welcomed_once(configured, github, deliver, issue):
    payload = issue()
    assert deliver("issues", payload).status_code == 202
    deliver("issues", payload)  # a redelivery
    deliver("issues", changed(payload, action="edited"))
    assert bodies(github, 1) == [
        "<!-- steward:welcome:issue -->\nThanks for opening your first issue here, @someone! A maintainer will take "
        "a look soon.\n\nPlease also read our policy on AI-generated contributions: "
        "[AI contribution policy](https://example.org/ai-policy)."]
    assert github.requests_to("PATCH", rf"/repos/{REPO}/issues/comments/\d+") == []


def test_a_second_issue_and_a_maintainers_issue_are_not_welcomed(configured, github, deliver, issue, db):
    deliver("issues", issue())
    add_issue(github, configured, 5)
    deliver("issues", issue(issue_id=5, number=5, created="2019-06-01T00:00:00Z"))
    deliver("issues", issue(user=MAINTAINER, association="MEMBER", issue_id=6, number=6))
    assert len(bodies(github, 1)) == 1 and bodies(github, 5) == [] and bodies(github, 6) == []
    db.rollback()
    assert db.scalars(select(Job.kind).where(Job.kind == "welcome")).all() == ["welcome"]


def test_bots_are_never_welcomed(configured, github, deliver, issue):
    deliver("issues", issue(user={"login": "renovate[bot]", "id": 29139614, "type": "Bot"}))
    assert bodies(github, 1) == []


def test_first_pull_request_and_first_merge(configured, github, deliver, pull, corpus):  # noqa: F811
    deliver("pull_request", pull(association="FIRST_TIME_CONTRIBUTOR"))
    merged = pull("closed", association="CONTRIBUTOR", pull_request__merged=True,  # the merge made them one
                  pull_request__state="closed", pull_request__merged_at="2019-05-15T16:00:00Z")
    deliver("pull_request", merged)
    deliver("pull_request", merged)
    assert bodies(github, 2) == [
        "<!-- steward:welcome:pull_request -->\nThanks for your first pull request to Codertocat/Hello-World, "
        "@someone! Please read [CONTRIBUTING.md](https://github.com/Codertocat/Hello-World/blob/master/docs/"
        "CONTRIBUTING.md) while you wait for a review.\n\nPlease also read our policy on AI-generated contributions: "
        "[AI contribution policy](https://example.org/ai-policy).",
        "<!-- steward:welcome:merged -->\nCongratulations on your first merged pull request, @someone! 🎉"]


def test_a_contributor_with_commits_is_not_welcomed_on_a_pull_request(configured, github, deliver, pull):  # noqa: F811
    deliver("pull_request", pull(association="CONTRIBUTOR"))
    assert bodies(github, 2) == []


def test_a_second_merge_is_not_congratulated(configured, github, deliver, pull):  # noqa: F811
    def merged(number: int, at: str) -> dict:
        add_issue(github, configured, number)
        return pull("closed", association="CONTRIBUTOR", pull_request__merged=True, pull_request__state="closed",
                    pull_request__merged_at=at, pull_request__id=1000 + number, pull_request__number=number)

    deliver("pull_request", merged(3, "2019-05-01T00:00:00Z"))
    deliver("pull_request", merged(4, "2019-06-01T00:00:00Z"))
    assert [b.splitlines()[0] for b in bodies(github, 3)] == ["<!-- steward:welcome:merged -->"]
    assert bodies(github, 4) == []


def test_first_discussion_is_answered_through_graphql(configured, github, deliver, corpus):
    configured.discussions[4] = {"databaseId": 3299614, "number": 4, "title": "t", "closed": False,
                                 "locked": False, "url": "https://github.com/Codertocat/Hello-World/discussions/4",
                                 "createdAt": "2021-03-30T20:09:52Z", "updatedAt": "2021-03-30T20:09:52Z",
                                 "authorAssociation": "NONE", "author": None, "category": {"name": "General"},
                                 "labels": []}
    payload = changed(corpus("discussion", "created"), discussion__user=OTHER, sender=OTHER,
                      discussion__author_association="NONE", discussion__node_id=node_id("Discussion", 186853002, 4))
    deliver("discussion", payload)
    deliver("discussion", payload)
    [comment] = configured.discussion_comments[4]
    assert comment["body"] == (
        "<!-- steward:welcome:discussion -->\nWelcome to the Codertocat/Hello-World discussions, @someone! Thanks "
        "for starting your first one.\n\nPlease also read our policy on AI-generated contributions: "
        "[AI contribution policy](https://example.org/ai-policy).")
    assert github.graphql_count == 1


def test_no_welcome_section_no_comment(as_app, repo, github, deliver, issue):  # noqa: F811
    repo.branches["master"] = MASTER
    repo.contents[(MASTER, CONFIG)] = b"dco:\n"
    deliver("issues", issue())
    assert bodies(github, 1) == []


def test_an_invalid_default_branch_config_is_shown_on_its_head_commit(as_app, repo, github, deliver, issue,  # noqa: F811
                                                                      runtime):
    repo.branches["master"] = MASTER
    repo.contents[(MASTER, CONFIG)] = b"welcome:\n  issue: 'Hi {name}'\n"
    deliver("issues", issue())
    jobs.run_due(runtime)
    [run] = [json.loads(r.body) for r in github.requests_to("POST", rf"/repos/{REPO}/check-runs")]
    assert (run["name"], run["head_sha"], run["conclusion"]) == ("Steward config (base)", MASTER, "failure")
    assert "`welcome.issue`: unknown placeholder \\{name\\}" in run["output"]["summary"]
    assert bodies(github, 1) == []


def test_templates_fill_every_placeholder():
    config = WelcomeConfig(issue="{author} {repository} {contributing} {ai_policy}", ai_policy="AI.md")
    args = {"author": "a", "repository": "o/r", "default_branch": "main", "repository_url": "https://github.com/o/r"}
    assert render(config, "issue", args) == ("a o/r [CONTRIBUTING.md](https://github.com/o/r/blob/main/CONTRIBUTING.md)"
                                             " [AI contribution policy](https://github.com/o/r/blob/main/AI.md)")
