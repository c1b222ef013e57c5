"""M1 Time to First Response and M2 by opener cohort, over deliveries through the real webhook endpoint.

Each test runs on SQLite and PostgreSQL (the ``database_url`` fixture), so equal figures mean both agree.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.metrics.responsiveness import (
    CohortTime,
    Responsiveness,
    issue_response_time_by_cohort,
    time_to_first_response,
)
from bot.models import Contribution
from tests.conftest import count
from tests.metrics.conftest import ACTIONS_BOT, BOT, MAINT, NEWBIE, NEWBIE2, NOW, OUTSIDER, REGULAR, ago

H = timedelta(hours=1)
M = timedelta(minutes=1)
NOBODY = Responsiveness(median_hours=None, p85_hours=None, n=0, answered_within_48h_pct=None, waiting=0,
                        eligible_48h=0, oldest_waiting_hours=None, closed_unanswered=0)


@pytest.fixture
def scenario(community):
    """Issues, pull requests and discussions answered (or not) in the 90 days before NOW, and some outside."""
    c = community
    old = c.issue(90, REGULAR, NOW - timedelta(days=150))  # outside the window; makes REGULAR returning
    c.comment(old, MAINT, NOW - timedelta(days=150) + H, "MEMBER")

    first = c.issue(101, NEWBIE, ago(100))  # first-time opener, answered after 30 h
    c.comment(first, BOT, ago(100) + M)  # a bot: never a response
    c.comment(first, NEWBIE, ago(100) + 5 * M)  # the author: never a response
    c.comment(first, MAINT, ago(70), "MEMBER")
    c.comment(first, OUTSIDER, ago(60))  # later responses do not matter
    again = c.issue(102, REGULAR, ago(200))  # returning opener, answered after 60 h
    c.comment(again, MAINT, ago(140), "MEMBER")
    c.issue(103, NEWBIE2, ago(72))  # unanswered, old enough for the SLA: waiting
    c.issue(104, REGULAR, ago(5))  # unanswered, too young for the SLA: waiting
    closed = c.issue(106, OUTSIDER, ago(80))  # closed without an answer: not waiting
    c.close(closed, ago(70))
    late = c.issue(107, OUTSIDER, ago(10))  # answered only after NOW: still waiting at NOW
    c.comment(late, MAINT, NOW + H, "MEMBER")
    second = c.issue(108, NEWBIE, ago(20))  # NEWBIE has opened #101 before: returning, answered after 2 h
    c.comment(second, OUTSIDER, ago(18))
    by_bot = c.issue(105, BOT, ago(50))  # a bot's issue is not in the population
    c.comment(by_bot, MAINT, ago(48), "MEMBER")

    pr = c.pull(201, NEWBIE, ago(100))  # answered by a review after 30 h
    c.comment(pr, ACTIONS_BOT, ago(100) + M)
    c.review_comment(pr, NEWBIE, ago(99))
    c.review(pr, MAINT, ago(70), "MEMBER", state="approved")
    pr2 = c.pull(202, REGULAR, ago(80))  # answered by a review comment after 60 h
    c.review_comment(pr2, MAINT, ago(20), "MEMBER")
    pr3 = c.pull(203, REGULAR, ago(75))  # answered in the conversation after 10 h
    c.comment(pr3, OUTSIDER, ago(65))

    d = c.discussion(301, NEWBIE, ago(100))  # answered after exactly 48 h: within the SLA
    c.comment(d, NEWBIE, ago(99))
    c.comment(d, MAINT, ago(52), "MEMBER")
    old_d = c.discussion(302, NEWBIE2, NOW - timedelta(days=91))  # outside the window
    c.comment(old_d, MAINT, NOW - timedelta(days=90), "MEMBER")


def test_time_to_first_response(db, repo_id, scenario):
    got = time_to_first_response(db, repo_id, now=NOW, days=90, min_n=1)
    # issues answered after 30, 60 and 2 h → sorted [2, 30, 60]: median rank 2, p85 rank ceil(2.55) = 3;
    # created >= 48 h before NOW: #101, #102, #103, #106 → 1 answered within 48 h (#101).
    assert got["issues"] == Responsiveness(median_hours=30.0, p85_hours=60.0, n=3, answered_within_48h_pct=25.0,
                                           waiting=3, eligible_48h=4, oldest_waiting_hours=72.0,
                                           closed_unanswered=1)
    # PRs answered after 30 (review), 60 (review comment) and 10 h (conversation comment); all >= 48 h old.
    assert got["pull_requests"] == Responsiveness(median_hours=30.0, p85_hours=60.0, n=3,
                                                  answered_within_48h_pct=66.7, waiting=0, eligible_48h=3,
                                                  oldest_waiting_hours=None, closed_unanswered=0)
    assert got["discussions"] == Responsiveness(median_hours=48.0, p85_hours=48.0, n=1,
                                                answered_within_48h_pct=100.0, waiting=0, eligible_48h=1,
                                                oldest_waiting_hours=None, closed_unanswered=0)


def test_issue_response_time_by_cohort(db, repo_id, scenario):
    got = issue_response_time_by_cohort(db, repo_id, now=NOW, days=90, min_n=1)
    # first-time: #101 (30 h); returning: #102 (60 h, REGULAR opened #90 before) and #108 (2 h, NEWBIE's second).
    assert got == {"first_time": CohortTime(median_hours=30.0, n=1), "returning": CohortTime(median_hours=2.0, n=2)}


def test_below_min_n_figures_are_null_but_n_is_kept(db, repo_id, scenario):
    got = time_to_first_response(db, repo_id, now=NOW, days=90)  # min_n = 10 from the spec
    assert got["issues"].n == 3 and got["issues"].median_hours is None and got["issues"].p85_hours is None
    assert got["issues"].answered_within_48h_pct is None and got["issues"].waiting == 3
    cohorts = issue_response_time_by_cohort(db, repo_id, now=NOW, days=90)
    assert cohorts["returning"] == CohortTime(median_hours=None, n=2)


def test_window_is_half_open_and_placed_by_created_at(db, repo_id, community):
    community.issue(1, NEWBIE, NOW - timedelta(days=7))  # exactly at the start: in
    community.issue(2, NEWBIE, NOW)  # exactly at the end: out
    got = time_to_first_response(db, repo_id, now=NOW, days=7, min_n=1)["issues"]
    assert (got.waiting, got.oldest_waiting_hours) == (1, 168.0)
    assert time_to_first_response(db, repo_id, now=NOW, days=6, min_n=1)["issues"] == NOBODY


def test_ttfr_vector_bots_and_author_do_not_respond(db, repo_id, community):
    """METRICS.md §3: opens 10:00; 10:01 dependabot[bot]; 10:05 the author; 13:30 another human → 3.5 h."""
    opened = NOW - timedelta(days=1)
    issue = community.issue(1, NEWBIE, opened)
    community.comment(issue, BOT, opened + M)
    community.comment(issue, NEWBIE, opened + 5 * M)
    community.comment(issue, OUTSIDER, opened + timedelta(hours=3, minutes=30), "NONE")
    assert time_to_first_response(db, repo_id, now=NOW, min_n=1)["issues"].median_hours == 3.5
    # The maintainer variant: a NONE association is no maintainer, so the issue is still waiting.
    maintainers = time_to_first_response(db, repo_id, now=NOW, maintainers=True, min_n=1)["issues"]
    assert (maintainers.n, maintainers.waiting, maintainers.median_hours) == (0, 1, None)


def test_sla_vector(db, repo_id, community):
    """METRICS.md §3: A, B, C created 72 h before t, D 5 h before; A answered after 10 h, B after 60 h."""
    a, b = community.issue(1, NEWBIE, ago(72)), community.issue(2, NEWBIE2, ago(72))
    community.issue(3, REGULAR, ago(72))
    community.issue(4, OUTSIDER, ago(5))
    community.comment(a, MAINT, ago(62), "MEMBER")
    community.comment(b, MAINT, ago(12), "MEMBER")
    got = time_to_first_response(db, repo_id, now=NOW, min_n=1)["issues"]
    assert (got.answered_within_48h_pct, got.eligible_48h, got.waiting) == (33.3, 3, 2)
    assert (got.median_hours, got.p85_hours, got.n) == (10.0, 60.0, 2)


def test_other_repositories_do_not_count(db, community):
    community.issue(1, NEWBIE, ago(10))
    assert time_to_first_response(db, 1, now=NOW, min_n=1)["issues"] == NOBODY


def test_a_star_or_fork_does_not_make_an_opener_returning(db, repo_id, community, corpus, deliver):
    """Stars and forks are M11's D0 events, not contributions: a stargazer's first issue is first-time."""
    star = dict(corpus("star", "created"), sender=NEWBIE, starred_at="2026-01-01T00:00:00Z")
    assert deliver("star", star).status_code == 202
    assert count(db, Contribution, Contribution.kind == "star", Contribution.person_id == NEWBIE["id"]) == 1
    issue = community.issue(1, NEWBIE, ago(10))
    community.comment(issue, MAINT, ago(9), "MEMBER")
    got = issue_response_time_by_cohort(db, repo_id, now=NOW, min_n=1)
    assert got == {"first_time": CohortTime(median_hours=1.0, n=1), "returning": CohortTime(median_hours=None, n=0)}


def test_pending_review_is_no_response_but_a_dismissed_one_was(db, repo_id, community):
    pr = community.pull(1, NEWBIE, ago(50))
    community.review(pr, MAINT, ago(49), "MEMBER", state="pending")
    got = time_to_first_response(db, repo_id, now=NOW, min_n=1)["pull_requests"]
    assert (got.n, got.waiting) == (0, 1)
    community.review(pr, OUTSIDER, ago(40), state="dismissed")  # it was submitted: the response happened
    assert time_to_first_response(db, repo_id, now=NOW, min_n=1)["pull_requests"].median_hours == 10.0
