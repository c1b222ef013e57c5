"""M7 active, M8 new, M9 occasional and M10 inactive contributors, over deliveries through the real webhook
endpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.metrics.people import (
    active_contributors,
    inactive_contributors,
    months_before,
    new_contributors,
    occasional_contributors,
)
from tests.metrics.conftest import BOT, MAINT, NEWBIE, NEWBIE2, NOW, OUTSIDER, REGULAR

pytestmark = pytest.mark.usefixtures("both_paths")

D = timedelta(days=1)
RETURNER = {"login": "returner", "id": 7100010, "type": "User"}
GHOST = {"login": "ghost", "id": 10137, "type": "User"}
LATER = {"login": "later", "id": 7100011, "type": "User"}
STARGAZER = {"login": "stargazer", "id": 7100012, "type": "User"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("t, expected", [
    ("2026-04-01", "2026-01-01"),  # METRICS.md §3's boundary
    ("2026-05-31", "2026-02-28"),  # the day is clamped to the month's length
    ("2026-02-15T10:30:00", "2025-11-15T10:30:00"),  # across a year, time of day kept
    ("2024-05-30", "2024-02-29"),
])
def test_three_calendar_months_before(t, expected):
    assert months_before(at(t), 3) == at(expected)


def test_occasional_vector(db, repo_id, community):
    """METRICS.md §3: P = [2026-04-01, 2026-05-01), boundary 2026-01-01."""
    ann = {"login": "ann", "id": 7300001, "type": "User"}
    bob = {"login": "bob", "id": 7300002, "type": "User"}
    cy = {"login": "cy", "id": 7300003, "type": "User"}
    dee = {"login": "dee", "id": 7300004, "type": "User"}
    number = iter(range(1, 100))
    for i in range(6):  # Ann: 7 earlier PRs, the last on 2025-12-15 → occasional
        community.pull(next(number), ann, at(f"2025-0{i + 1}-10"))
    community.pull(next(number), ann, at("2025-12-15"))
    community.pull(next(number), bob, at("2026-02-20"))  # Bob: a PR within the 3 months → not occasional
    for i in range(13):  # Cy: 13 earlier PRs, the last in 2025 → not occasional
        community.pull(next(number), cy, at("2025-03-01") + i * D)
    for who in (ann, bob, cy, dee, BOT):  # Dee's first PR ever → occasional and new; a bot never counts
        community.pull(next(number), who, at("2026-04-10"))
    community.pull(next(number), ann, at("2026-04-20"))  # Ann's second PR in P
    got = occasional_contributors(db, repo_id, now=NOW, days=30)
    assert got == {"value": 2, "new": 1, "returning": 1, "prs": 3}


def test_occasional_edges(db, repo_id, community):
    """Exactly 12 earlier PRs is still occasional; a PR exactly at the boundary is inside the 3 months."""
    ed = {"login": "ed", "id": 7300005, "type": "User"}
    flo = {"login": "flo", "id": 7300006, "type": "User"}
    for i in range(12):
        community.pull(100 + i, ed, at("2025-06-01") + i * D)
    community.pull(200, flo, at("2026-01-01"))
    community.pull(300, ed, at("2026-04-02"))
    community.pull(301, flo, at("2026-04-02"))
    assert occasional_contributors(db, repo_id, now=NOW, days=30) == {"value": 1, "new": 0, "returning": 1,
                                                                       "prs": 1}


@pytest.fixture
def people(community, corpus, deliver):
    c = community
    drifting = c.issue(1, MAINT, NOW - 100 * D)  # 5 contributions, the last 100 d ago → drifting
    for _ in range(4):
        c.comment(drifting, MAINT, NOW - 100 * D, "MEMBER")
    away = c.issue(2, REGULAR, NOW - 100 * D)  # 2 contributions 100 d ago → away (fewer than 5)
    c.comment(away, REGULAR, NOW - 100 * D)
    c.issue(3, OUTSIDER, NOW - 300 * D)  # away
    c.issue(4, NEWBIE, NOW - 10 * D)  # new, active in 28 d
    c.issue(5, NEWBIE2, NOW - 50 * D)  # new, active in 90 d only
    first = c.issue(6, RETURNER, NOW - 200 * D)  # active, not new
    c.comment(first, RETURNER, NOW - 5 * D)
    c.issue(7, BOT, NOW - 5 * D)  # a bot: counted apart
    c.issue(8, GHOST, NOW - 3 * D)  # the deleted-account placeholder: never a person
    c.issue(9, LATER, NOW + D)  # after now
    star = dict(corpus("star", "created"), sender=STARGAZER, starred_at="2026-04-28T00:00:00Z")
    assert deliver("star", star).status_code == 202  # a star is no contribution


def test_active_contributors(db, repo_id, people):
    assert active_contributors(db, repo_id, now=NOW, days=90) == {"value": 3, "last_28d": 2, "bots": 1}
    assert active_contributors(db, repo_id, now=NOW, days=365) == {"value": 6, "last_28d": 2, "bots": 1}


def test_new_contributors(db, repo_id, people):
    assert new_contributors(db, repo_id, now=NOW, days=90) == {"value": 2, "bots": 1}
    assert new_contributors(db, repo_id, now=NOW, days=30) == {"value": 1, "bots": 1}


def test_inactive_contributors(db, repo_id, people):
    assert inactive_contributors(db, repo_id, now=NOW) == {"active": 3, "drifting": 1, "away": 2}
    # 81 days later MAINT's last contribution is 181 d old: away; NEWBIE2's is 131 d old with 1 in all: away
    assert inactive_contributors(db, repo_id, now=NOW + 81 * D) == {"active": 2, "drifting": 0, "away": 5}


def test_other_repositories_do_not_count(db, people):
    assert inactive_contributors(db, 1, now=NOW) == {"active": 0, "drifting": 0, "away": 0}
