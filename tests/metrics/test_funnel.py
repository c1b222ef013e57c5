"""M11 Conversion Rate as a funnel, over deliveries through the real webhook endpoint on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from bot.metrics.funnel import conversion_funnel
from tests.metrics.conftest import BOT, MAINT, NOW, iso
from tests.metrics.test_change_requests import close_pull

pytestmark = pytest.mark.usefixtures("both_paths")


def person(name: str, n: int) -> dict:
    return {"login": name, "id": 7400000 + n, "type": "User"}


def april(day: int) -> datetime:
    return datetime(2026, 4, day, 12, tzinfo=UTC)


def test_conversion_funnel(db, repo_id, community, corpus, deliver):
    def star(who: dict, at: datetime) -> None:
        payload = dict(copy.deepcopy(corpus("star", "created")), sender=who, starred_at=iso(at))
        assert deliver("star", payload).status_code == 202

    def fork(who: dict, at: datetime, forkee_id: int) -> None:
        payload = copy.deepcopy(corpus("fork", "payload"))
        payload["forkee"].update(id=forkee_id, created_at=iso(at))
        payload["sender"] = who
        assert deliver("fork", payload).status_code == 202

    a, b, c, d, e, f, h = (person(x, i) for i, x in enumerate("abcdefh"))
    star(a, april(5))  # A: D0 → issue (D1) → merged PR (D2)
    community.issue(1, a, april(10))
    pr = community.pull(2, a, april(11))
    close_pull(community, pr, april(12), merged=True)
    fork(b, april(6), 8800001)  # B: D0 only
    star(c, april(7))  # C: a merged PR without any D1 contribution: the funnel stops at D0
    merged = community.pull(3, c, april(8))
    close_pull(community, merged, april(20), merged=True)
    community.issue(4, d, april(2))  # D: D1 before D0 → in the cohort, not converted; and direct
    star(d, april(8))
    star(e, datetime(2026, 3, 1, tzinfo=UTC))  # E: first D0 before the window → no cohort, not direct
    community.issue(5, e, april(10))
    community.issue(6, f, april(15))  # F: no D0 at all → direct
    star(h, april(20))  # H: D0 → a comment on someone's issue (D1)
    issue = community.issue(7, MAINT, datetime(2026, 1, 5, tzinfo=UTC), "MEMBER")
    community.comment(issue, h, april(25))
    star(BOT, april(5))  # bots never count
    community.issue(8, BOT, april(6))
    star(person("late", 9), NOW)  # at now: outside the window
    got = conversion_funnel(db, repo_id, now=NOW, days=30)
    assert got == {"d0": 5, "d1": 2, "d2": 1, "d1_rate": None, "d2_rate": None, "n": 5, "direct": 2}
    assert conversion_funnel(db, repo_id, now=NOW, days=30, min_n=0) == {
        "d0": 5, "d1": 2, "d2": 1, "d1_rate": 0.4, "d2_rate": 0.5, "n": 5, "direct": 2}
    # 120 days: E joins the cohort and converts (D1); MAINT's issue of 5 January is direct
    assert conversion_funnel(db, repo_id, now=NOW, days=120, min_n=0) == {
        "d0": 6, "d1": 3, "d2": 1, "d1_rate": 0.5, "d2_rate": 0.333, "n": 6, "direct": 3}
