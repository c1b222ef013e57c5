"""Lifecycle end to end, with a controlled clock: deliveries create the items, the periodic job acts on GitHub."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.models import LifecycleMark, LifecycleRun
from bot.periodic import lifecycle
from tests import periodic_clock
from tests.fake_github.rest import add_comment
from tests.handlers.conftest import MAINTAINER, OTHER, changed
from tests.periodic_clock import INSTALLED, REPO, T0, configure, iso, item, tick

as_app, clock, repo = periodic_clock.as_app, periodic_clock.clock, periodic_clock.repo  # the shared fixtures

CONFIG = "lifecycle:\n  days_until_stale: 30\n  days_until_rotten: 10\n  days_until_close: 5\n"
LABELS = rf"/repos/{REPO}/issues/(\d+)/labels"
COMMENTS = rf"/repos/{REPO}/issues/(\d+)/comments"
WRITES = ("POST", "PATCH", "DELETE")


def writes(github) -> list[tuple[str, str, dict | None]]:
    return [(r.method, r.path.removeprefix(f"/repos/{REPO}"), json.loads(r.body) if r.body else None)
            for r in github.requests if r.method in WRITES and not r.path.startswith("/app/")]


def comment(corpus, number: int, body: str, at, *, user=OTHER, comment_id: int = 81):
    return changed(corpus("issue_comment", "created.with-installation"), comment__body=body, comment__user=user,
                   comment__author_association="NONE", comment__id=comment_id, comment__created_at=iso(at),
                   comment__updated_at=iso(at), issue__number=number, issue__id=5_000_000 + number,
                   issue__updated_at=iso(at), sender=user)


@pytest.fixture
def opened(as_app, repo, deliver, corpus):
    configure(repo, CONFIG)
    assert deliver("issues", item(corpus, "issues", 1, issue__labels=[])).status_code == 202


def test_stale_then_rotten_then_closed_with_one_comment_per_stage(as_app, clock, github, repo, opened, deliver,
                                                                  corpus):
    tick(as_app, clock, "lifecycle", T0 + timedelta(days=29))
    assert writes(github) == []  # read the config, nothing due yet
    stale_at = T0 + timedelta(days=30, hours=1)
    tick(as_app, clock, "lifecycle", stale_at)
    [label, note] = writes(github)
    assert label == ("POST", "/issues/1/labels", {"labels": ["lifecycle/stale"]})
    assert note[:2] == ("POST", "/issues/1/comments")
    assert note[2]["body"] == (
        "<!-- steward:lifecycle:stale:2019-06-14 -->\nThis issue has had no activity for 30 days, so Steward marked"
        " it `lifecycle/stale`.\n\nIf nothing happens in the next 10 days it becomes `lifecycle/rotten`, and 5 days"
        " after that it is closed. To keep it open, comment here or comment `/remove-lifecycle stale`; any new"
        " activity removes the label. Maintainers can exempt it for good with `lifecycle/frozen`.")
    # GitHub echoes Steward's own label as a delivery: its updated_at is not activity
    echo = item(corpus, "issues", 1, action="labeled", issue__labels=[{"name": "lifecycle/stale"}],
                issue__updated_at=iso(stale_at + timedelta(minutes=1)))
    deliver("issues", echo)
    before = len(writes(github))
    tick(as_app, clock, "lifecycle", stale_at)  # the same hour again: deduplicated
    tick(as_app, clock, "lifecycle", stale_at + timedelta(hours=1))  # the next hour: nothing new to do
    assert len(writes(github)) == before
    rotten_at = stale_at + timedelta(days=10, hours=1)
    tick(as_app, clock, "lifecycle", rotten_at)
    assert [w[:2] for w in writes(github)[before:]] == [
        ("POST", "/issues/1/labels"), ("DELETE", "/issues/1/labels/lifecycle/stale"), ("POST", "/issues/1/comments")]
    assert "it is now `lifecycle/rotten`.\n\nIt will be closed in 5 days." in writes(github)[-1][2]["body"]
    before = len(writes(github))
    tick(as_app, clock, "lifecycle", rotten_at + timedelta(days=5, hours=1))
    closing, close = writes(github)[before:]
    assert closing[2]["body"].startswith("<!-- steward:lifecycle:closed:2019-06-29 -->\nSteward is closing this issue")
    assert close == ("PATCH", "/issues/1", {"state": "closed", "state_reason": "not_planned"})
    assert repo.issues[1]["state"] == "closed"
    assert len([c for c in repo.issue_comments[1]]) == 3  # one per stage, never twice


def test_activity_after_the_mark_removes_it_and_the_item_is_never_closed(as_app, clock, github, repo, opened,
                                                                         deliver, corpus, db):
    stale_at = T0 + timedelta(days=31)
    tick(as_app, clock, "lifecycle", stale_at)
    add_comment(github, repo, 1, "still relevant")
    deliver("issue_comment", comment(corpus, 1, "Still happening on 2.0.", stale_at + timedelta(days=2)))
    before = len(writes(github))
    tick(as_app, clock, "lifecycle", stale_at + timedelta(days=11))  # would be rotten without the comment
    assert writes(github)[before:] == [("DELETE", "/issues/1/labels/lifecycle/stale", None)]
    assert db.scalars(select(LifecycleMark)).all() == []
    before = len(writes(github))
    tick(as_app, clock, "lifecycle", stale_at + timedelta(days=20))  # 18 days after the comment: not stale yet
    assert writes(github)[before:] == []


def test_exempt_labels_are_respected(as_app, clock, github, repo, deliver, corpus):
    configure(repo, CONFIG + "  exempt_labels: [pinned, security]\n")
    deliver("issues", item(corpus, "issues", 2, issue__labels=[{"name": "security"}]))
    deliver("issues", item(corpus, "issues", 3, issue__labels=[]))
    tick(as_app, clock, "lifecycle", T0 + timedelta(days=400))
    assert [w[:2] for w in writes(github)] == [("POST", "/issues/3/labels"), ("POST", "/issues/3/comments")]
    assert "exempt it for good with `pinned`, `security`." in writes(github)[1][2]["body"]


def test_budget_exhaustion_is_reported_and_the_rest_waits_for_the_next_run(as_app, clock, github, repo, deliver,
                                                                           corpus, db, caplog, monkeypatch):
    configure(repo, CONFIG + "  max_operations: 3\n")
    for number in (1, 2, 3):
        deliver("issues", item(corpus, "issues", number, issue__labels=[]))
    caplog.set_level(logging.WARNING, logger="bot.periodic.lifecycle")
    tick(as_app, clock, "lifecycle", T0 + timedelta(days=31))
    assert [w[:2] for w in writes(github)] == [("POST", "/issues/1/labels"), ("POST", "/issues/1/comments")]
    assert "lifecycle Codertocat/Hello-World: budget of 3 writes spent; 2 step(s) left for the next run: " \
           "#2 stale, #3 stale" in caplog.text
    tick(as_app, clock, "lifecycle", T0 + timedelta(days=31, hours=1))
    assert [w[1] for w in writes(github)[2:]] == ["/issues/2/labels", "/issues/2/comments"]
    runs = [(r.writes, r.done["stale"], r.skipped) for r in lifecycle.report(as_app)]
    assert runs == [(2, [2], [{"number": 3, "action": "stale"}]),
                    (2, [1], [{"number": 2, "action": "stale"}, {"number": 3, "action": "stale"}])]
    monkeypatch.setenv("STEWARD_DATABASE_URL", as_app.settings.database_url)
    output = CliRunner().invoke(main, ["governance", "lifecycle"]).output
    assert output.splitlines() == [
        "2019-06-15 16:20  Codertocat/Hello-World  2 writes: stale #2; SKIPPED (budget): #3 stale",
        "2019-06-15 15:20  Codertocat/Hello-World  2 writes: stale #1; SKIPPED (budget): #2 stale #3 stale"]


def test_remove_lifecycle_by_anyone_removes_the_label_and_the_mark(as_app, clock, github, repo, opened, deliver,
                                                                   corpus, db):
    stale_at = T0 + timedelta(days=31)
    tick(as_app, clock, "lifecycle", stale_at)
    repo.issues[1]["labels"] = [{"name": "lifecycle/stale"}]
    target = add_comment(github, repo, 1, "/remove-lifecycle stale")
    deliver("issue_comment", comment(corpus, 1, "/remove-lifecycle stale", stale_at + timedelta(hours=2),
                                     comment_id=target["id"]))
    assert repo.issues[1]["labels"] == [] and [r["content"] for r in repo.reactions[target["id"]]] == ["+1"]
    db.rollback()
    assert db.scalars(select(LifecycleMark)).all() == []
    before = len(writes(github))
    tick(as_app, clock, "lifecycle", stale_at + timedelta(days=12))
    assert writes(github)[before:] == []


def test_remove_lifecycle_with_a_wrong_stage_is_refused(as_app, clock, github, repo, opened, deliver, corpus):
    target = add_comment(github, repo, 1, "/remove-lifecycle old")
    deliver("issue_comment", comment(corpus, 1, "/remove-lifecycle old", T0 + timedelta(days=1),
                                     user=MAINTAINER, comment_id=target["id"]))
    [reply] = [c["body"] for c in repo.issue_comments[1] if c["user"]["type"] == "Bot"]
    assert "- `/remove-lifecycle old` (line 1): `/remove-lifecycle` takes `stale` or `rotten`." in reply


def test_pull_request_review_counts_as_activity_and_a_pull_request_closes_without_a_reason(
        as_app, clock, github, repo, deliver, corpus):
    configure(repo, CONFIG)
    deliver("pull_request", item(corpus, "pull_request", 2, pull_request__labels=[]))
    review = changed(corpus("pull_request_review", "submitted"), installation=INSTALLED, pull_request__number=2,
                     pull_request__id=5_000_002, review__submitted_at=iso(T0 + timedelta(days=20)),
                     review__user=MAINTAINER, sender=MAINTAINER)
    deliver("pull_request_review", review)
    tick(as_app, clock, "lifecycle", T0 + timedelta(days=40))
    assert writes(github) == []
    tick(as_app, clock, "lifecycle", T0 + timedelta(days=51))
    assert [w[:2] for w in writes(github)] == [("POST", "/issues/2/labels"), ("POST", "/issues/2/comments")]
    assert writes(github)[1][2]["body"].split("\n")[1].startswith("This pull request has had no activity")
    tick(as_app, clock, "lifecycle", T0 + timedelta(days=62))
    tick(as_app, clock, "lifecycle", T0 + timedelta(days=68))
    assert writes(github)[-1] == ("PATCH", "/issues/2", {"state": "closed"})  # no state_reason on a PR


def test_plan_orders_revivals_first_and_skips_exempt_items():
    config = lifecycle.LifecycleConfig(days_until_stale=1, days_until_rotten=1, days_until_close=1)
    old = T0 - timedelta(days=10)
    items = [lifecycle.Item(5, "issue", frozenset(), old, old),
             lifecycle.Item(4, "issue", frozenset({"lifecycle/frozen"}), old, old),
             lifecycle.Item(3, "pull request", frozenset(), old, old, "rotten", T0 - timedelta(days=2)),
             lifecycle.Item(2, "issue", frozenset(), T0, T0, "stale", T0 - timedelta(days=2)),
             lifecycle.Item(7, "discussion", frozenset(), old, old, "stale", T0 - timedelta(days=2), off=True)]
    assert [(s.number, s.action) for s in lifecycle.plan(items, config, T0)] == [
        (2, "revive"), (7, "revive"), (3, "close"), (5, "stale")]  # 7: answered since it was marked


def test_no_section_means_no_requests_beyond_the_config(as_app, clock, github, repo, deliver, corpus, db):
    configure(repo, "welcome:\n")
    deliver("issues", item(corpus, "issues", 1, issue__labels=[]))
    tick(as_app, clock, "lifecycle", T0 + timedelta(days=400))
    assert writes(github) == [] and db.scalars(select(LifecycleRun)).all() == []


def test_unanswered_q_and_a_discussions_go_stale_rotten_and_closed_through_graphql(as_app, clock, github, repo,
                                                                                    deliver, corpus):
    configure(repo, CONFIG)
    created = T0 + timedelta(days=1)
    for number, category, answered in ((4, "Q&A", None), (5, "General", None), (6, "Q&A", iso(created))):
        repo.discussions[number] = {"number": number, "title": "How do I…?", "labels": []}
        deliver("discussion", changed(corpus("discussion", "created"), discussion__number=number,
                                      discussion__id=6_000_000 + number, discussion__state="open",
                                      discussion__category__name=category, discussion__created_at=iso(created),
                                      discussion__updated_at=iso(created), discussion__answer_chosen_at=answered))
    repo.labels["lifecycle/stale"] = {"id": 1, "name": "lifecycle/stale", "color": "ededed", "description": None}
    stale_at = created + timedelta(days=31)
    tick(as_app, clock, "lifecycle", stale_at)
    assert [label["name"] for label in repo.discussions[4]["labels"]] == ["lifecycle/stale"]
    [note] = repo.discussion_comments[4]
    assert note["body"].startswith("<!-- steward:lifecycle:stale:2019-06-16 -->\nThis discussion has had no activity")
    assert "To keep it open, comment here; any new activity removes the label." in note["body"]
    tick(as_app, clock, "lifecycle", stale_at + timedelta(days=10, hours=1))  # no lifecycle/rotten label exists
    assert repo.discussions[4]["labels"] == [] and len(repo.discussion_comments[4]) == 2
    tick(as_app, clock, "lifecycle", stale_at + timedelta(days=15, hours=2))
    assert repo.discussions[4].get("closed") is True and repo.discussions[4]["stateReason"] == "OUTDATED"
    assert repo.discussion_comments[4][-1]["body"].split("\n")[1].startswith("Steward is closing this discussion")
    assert 5 not in repo.discussion_comments and 6 not in repo.discussion_comments  # General; answered
    assert [w for w in writes(github) if w[1] != "/graphql"] == []  # discussions are GraphQL only
