"""M14 Types of Contributions and M15 Activity Dates and Times with Burstiness: METRICS.md §3's vector, and
deliveries through the real webhook endpoint on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.metrics.activity import activity_heatmap, band, burstiness, contributions_by_type, flagged, iso_week_start
from tests.metrics.conftest import BOT, MAINT, NEWBIE, NOW, OUTSIDER, REGULAR

D = timedelta(days=1)
MONDAY = datetime(2026, 4, 27, tzinfo=UTC)  # NOW (2026-05-01 00:00) is the Friday of this ISO week
GHOST = {"login": "ghost", "id": 10137, "type": "User"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY + day * D + timedelta(hours=hour, minutes=minute)


@pytest.fixture
def scenario(community):
    """Human: 10 typed contributions in the last 30 days (plus the ghost's 1) and 1 on 1 March; bots: 2."""
    c = community
    issue = c.issue(1, NEWBIE, at(0, 9, 30))  # Mon 09h: issue
    pr = c.pull(2, NEWBIE, at(0, 9, 45))  # Mon 09h: code
    for minute in (0, 10, 20):  # Tue 14h: 3 × discussion
        c.comment(issue, MAINT, at(1, 14, minute), "MEMBER")
    c.review(pr, MAINT, at(2, 8), "MEMBER")  # Wed 08h: review
    own = c.issue(3, REGULAR, at(-1, 23))  # Sun 26 April 23h: issue (the ISO week before)
    c.comment(own, REGULAR, at(3, 23, 59))  # Thu 23h: discussion
    talk = c.discussion(5, OUTSIDER, at(3, 12))  # Thu 12h: discussion
    c.comment(talk, REGULAR, at(3, 13))  # Thu 13h: discussion
    c.issue(4, BOT, at(2, 10))  # bots: counted apart
    c.comment(issue, BOT, at(2, 10, 5))
    c.issue(7, GHOST, at(2, 11))  # the deleted-account placeholder: an item count, never a person
    c.issue(6, OUTSIDER, datetime(2026, 3, 1, tzinfo=UTC))  # Sunday 1 March: outside 30 days, inside 90
    c.issue(8, NEWBIE, NOW)  # at now: outside the window


def test_contributions_by_type(db, repo_id, scenario):
    got = contributions_by_type(db, repo_id, now=NOW, days=30)
    assert got == {
        "code": {"count": 1, "people": 1}, "docs": {"count": 0, "people": 0}, "eval": {"count": 0, "people": 0},
        "review": {"count": 1, "people": 1}, "triage": {"count": 0, "people": 0},
        "issue": {"count": 3, "people": 2},  # the ghost's issue counts, the ghost is no person
        "discussion": {"count": 6, "people": 3}, "qa_answer": {"count": 0, "people": 0},
        "n": 11, "bots": {"n": 2, "issue": 1, "discussion": 1}, "automation_share": 0.154,  # 2 / 13
    }
    assert contributions_by_type(db, repo_id, now=NOW, days=90)["issue"] == {"count": 4, "people": 3}
    empty = contributions_by_type(db, 1, now=NOW, days=30)
    assert empty["n"] == 0 and empty["automation_share"] is None


def test_activity_heatmap(db, repo_id, scenario):
    got = activity_heatmap(db, repo_id, now=NOW, days=30)
    cells = got["weekday_hour"]
    assert len(cells) == 7 and all(len(row) == 24 for row in cells)
    nonzero = {(d, h): v for d, row in enumerate(cells) for h, v in enumerate(row) if v}
    assert nonzero == {(0, 9): 2, (1, 14): 3, (2, 8): 1, (2, 11): 1, (3, 12): 1, (3, 13): 1, (3, 23): 1, (6, 23): 1}
    assert (got["n"], got["bots"]) == (11, 2)


def test_burstiness_vector():
    """METRICS.md §3: 8, 12, 8, 12, 8, 12, 8, 12 → mean 10, σ 2, band [6, 14]; 15 is flagged, 14 is not."""
    history = [8, 12, 8, 12, 8, 12, 8, 12]
    assert band(history) == (6.0, 14.0)
    assert flagged(15, band(history)) is True
    assert flagged(14, band(history)) is False
    assert flagged(6, band(history)) is False and flagged(5, band(history)) is True
    assert band(history[:7]) is None and flagged(100, None) is None  # needs 8 weeks of history
    assert flagged(5, band(history), partial=True) is False  # a partial week can only grow: never flagged low
    assert flagged(15, band(history), partial=True) is True


def test_iso_week_start():
    assert iso_week_start(NOW) == MONDAY
    assert iso_week_start(at(-1, 23, 59)) == MONDAY - 7 * D
    assert iso_week_start(MONDAY) == MONDAY


def test_burstiness(db, repo_id, scenario):
    got = burstiness(db, repo_id, now=NOW, days=30)
    weeks = got["weeks"]
    # The window [04-01, 05-01) overlaps the ISO weeks from Monday 30 March; the first contribution (1 March)
    # is in the week of 23 February, so weeks need 8 history weeks from then on.
    assert [w["week"] for w in weeks] == ["2026-03-30", "2026-04-06", "2026-04-13", "2026-04-20", "2026-04-27"]
    assert [w["count"] for w in weeks] == [0, 0, 0, 1, 10]
    assert [w["partial"] for w in weeks] == [False, False, False, False, True]
    assert all(w["mean"] is None and w["flagged"] is None for w in weeks[:3])  # fewer than 8 weeks of history
    # 20 April: history 1, 0 × 7 → mean 0.125, σ 0.331, band [-0.54, 0.79]; 1 is above it
    assert weeks[3] == {"week": "2026-04-20", "count": 1, "partial": False, "mean": 0.12, "lower": -0.54,
                        "upper": 0.79, "flagged": True}
    # 27 April (partial): history 0 × 7, 1 → the same band; 10 (the ghost's issue among them) is above it
    assert weeks[4] == {"week": "2026-04-27", "count": 10, "partial": True, "mean": 0.12, "lower": -0.54,
                        "upper": 0.79, "flagged": True}
    assert (got["n"], got["bots"]) == (11, 2)
    assert got["by_type"]["issue"] == {"counts": [0, 0, 0, 1, 2], "flagged": ["2026-04-20", "2026-04-27"]}
    assert got["by_type"]["docs"] == {"counts": [0, 0, 0, 0, 0], "flagged": []}
