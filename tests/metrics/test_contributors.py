"""The contributors list (bot/metrics/contributors.py) over deliveries through the real webhook endpoint, on
SQLite and PostgreSQL: per-type counts in the window, first contribution and last seen over all time, bots
flagged, the ghost left out, opted-out people anonymous but counted."""

from __future__ import annotations

from datetime import timedelta

from bot.db import now as clock
from bot.metrics.contributors import ANONYMOUS, contributors
from bot.models import ListOptOut
from tests.metrics.conftest import BOT, MAINT, NEWBIE, NOW, REGULAR, ago

GHOST = {"login": "ghost", "id": 10137, "type": "User"}
D = 24  # hours


def build(community):
    old = community.issue(1, REGULAR, ago(200 * D))  # before the window: first contribution only
    community.comment(old, MAINT, ago(199 * D), "MEMBER")
    issue = community.issue(2, NEWBIE, ago(10 * D))
    community.comment(issue, MAINT, ago(9 * D), "MEMBER")
    community.comment(issue, BOT, ago(9 * D))
    community.comment(issue, GHOST, ago(8 * D))
    pr = community.pull(3, REGULAR, ago(5 * D))
    community.review(pr, MAINT, ago(4 * D), "MEMBER")
    community.comment(pr, MAINT, ago(3 * D), "MEMBER")
    community.comment(issue, NEWBIE, NOW + timedelta(hours=1))  # after now: never counted
    return issue


def test_rows_per_person_and_type(db, repo_id, community):
    build(community)
    rows = contributors(db, repo_id, now=NOW, days=90)
    got = [(r.login, r.bot, r.total, r.by_type, r.first_contribution, r.last_seen) for r in rows]
    assert got == [
        ("maint", False, 3, {"review": 1, "discussion": 2}, ago(199 * D), ago(3 * D)),
        ("regular", False, 1, {"code": 1}, ago(200 * D), ago(5 * D)),
        ("dependabot[bot]", True, 1, {"discussion": 1}, ago(9 * D), ago(9 * D)),  # ties: latest activity first
        ("newbie", False, 1, {"issue": 1}, ago(10 * D), ago(10 * D)),
    ]
    assert [r.login for r in contributors(db, repo_id, now=NOW, days=7)] == ["maint", "regular"]


def test_empty_window_and_unknown_repository(db, repo_id, community):
    build(community)
    assert contributors(db, repo_id, now=NOW - timedelta(days=400), days=90) == []
    assert contributors(db, 1, now=NOW, days=90) == []


def test_opted_out_people_count_but_stay_unnamed(db, repo_id, community):
    build(community)
    db.add(ListOptOut(person_id=MAINT["id"], created_at=clock()))
    db.commit()
    rows = contributors(db, repo_id, now=NOW, days=90)
    assert [(r.login, r.hidden, r.total) for r in rows] == [
        (ANONYMOUS, True, 3), ("regular", False, 1), ("dependabot[bot]", False, 1), ("newbie", False, 1)]
    assert all("maint" not in r.login for r in rows)


def test_spam_items_count_for_nobody(db, repo_id, community):
    from bot.models.governance import ExcludedItem

    issue = build(community)
    db.add(ExcludedItem(repository_id=repo_id, number=issue["number"], html_url=issue["html_url"], reason="spam",
                        by_login="maint", created_at=clock()))
    db.commit()
    rows = contributors(db, repo_id, now=NOW, days=90)
    # The issue and every comment on it are gone: newbie and the bot drop out, maint keeps the review and PR comment.
    assert [(r.login, r.by_type) for r in rows] == [("maint", {"review": 1, "discussion": 1}),
                                                    ("regular", {"code": 1})]
