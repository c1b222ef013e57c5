"""M3 closure ratio, M5 acceptance ratio, M4 time to merge / first review and M6 issue age, over deliveries
through the real webhook endpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.metrics.change_requests import (
    Duration,
    acceptance,
    change_request_acceptance_ratio,
    change_request_closure_ratio,
    closure,
    issue_age,
    time_to_first_review,
    time_to_merge,
)
from tests.metrics.conftest import BOT, MAINT, NEWBIE, NEWBIE2, NOW, OUTSIDER, REGULAR, ago, iso

H = timedelta(hours=1)
D = timedelta(days=1)


def close_pull(community, pr: dict, at: datetime, *, merged: bool) -> None:
    pr.update(state="closed", closed_at=iso(at), updated_at=iso(at), merged=merged,
              merged_at=iso(at) if merged else None)
    community._send("pull_request", "opened", action="closed", pull_request=pr, sender=pr["user"])


def test_closure_ratio_vector():
    """METRICS.md §3: 40 opened and 34 closed → 0.85, backlog delta +6; 0 opened → n/a."""
    assert closure(34, 40, min_n=10) == {"value": 0.85, "closed": 34, "opened": 40, "n": 40, "backlog_delta": 6}
    assert closure(3, 0, min_n=10) == {"value": None, "closed": 3, "opened": 0, "n": 0, "backlog_delta": -3}
    assert closure(3, 0, min_n=0)["value"] is None  # n/a even with no min_n
    assert closure(5, 9, min_n=10)["value"] is None  # below min_n: insufficient data, counts kept


def test_acceptance_figure():
    assert acceptance(3, 1, min_n=1) == {"value": 0.75, "merged": 3, "closed_unmerged": 1, "n": 4}
    assert acceptance(0, 0, min_n=0)["value"] is None


@pytest.fixture
def pulls(community):
    c = community
    pr1 = c.pull(1, NEWBIE, ago(100))  # merged after 10 h, first reviewed after 2 h
    c.review(pr1, MAINT, ago(98), "MEMBER", state="approved")
    close_pull(c, pr1, ago(90), merged=True)
    pr2 = c.pull(2, REGULAR, ago(200))  # merged after 50 h; the author's and a bot's reviews do not count
    c.review(pr2, REGULAR, ago(199))
    c.review(pr2, BOT, ago(199))
    c.review(pr2, OUTSIDER, ago(190))  # first review after 10 h
    close_pull(c, pr2, ago(150), merged=True)
    unmerged = c.pull(3, OUTSIDER, ago(50))
    close_pull(c, unmerged, ago(40), merged=False)  # closed unmerged and unreviewed
    c.pull(4, NEWBIE2, ago(30))  # open, unreviewed: waiting
    old = c.pull(6, REGULAR, NOW - 120 * D)  # opened before the window, still open: backlog only
    c.review(old, MAINT, NOW - 119 * D, "MEMBER")
    pr5 = c.pull(5, REGULAR, NOW - 100 * D)  # opened before the window, merged in it; REGULAR's second PR
    close_pull(c, pr5, ago(10), merged=True)
    bot = c.pull(7, BOT, ago(20))  # a bot's PR: its own series
    close_pull(c, bot, ago(19), merged=True)
    late = c.pull(8, NEWBIE, ago(6))  # merged only after now: still open at now
    close_pull(c, late, NOW + H, merged=True)


def test_closure_ratio(db, repo_id, pulls):
    got = change_request_closure_ratio(db, repo_id, now=NOW, days=90, min_n=1)
    # opened in window: #1 #2 #3 #4 #8; closed in window: #1 #2 #3 #5 (#8 closes after now)
    assert got == {"value": 0.8, "closed": 4, "opened": 5, "n": 5, "backlog_delta": 1, "open_backlog": 3,
                   "bots": {"closed": 1, "opened": 1, "open_backlog": 0}}
    assert change_request_closure_ratio(db, repo_id, now=NOW, days=90)["value"] is None  # n = 5 < 10


def test_acceptance_ratio(db, repo_id, pulls):
    got = change_request_acceptance_ratio(db, repo_id, now=NOW, days=90, min_n=1)
    # closed in window: #1 merged, #2 merged, #3 unmerged, #5 merged
    assert got["value"] == 0.75 and (got["merged"], got["closed_unmerged"], got["n"]) == (3, 1, 4)
    # first PR in the repository: #1 (NEWBIE), #3 (OUTSIDER); returning: #2 and #5 (REGULAR opened #6 before)
    assert got["by_author"] == {"first_pr": {"value": 0.5, "merged": 1, "closed_unmerged": 1, "n": 2},
                                "returning": {"value": 1.0, "merged": 2, "closed_unmerged": 0, "n": 2}}
    assert (got["by_origin"]["branch"]["n"], got["by_origin"]["fork"]["n"]) == (4, 0)  # heads in the repository
    assert got["bots"] == {"merged": 1, "closed_unmerged": 0}


def test_acceptance_splits_fork_from_branch(db, repo_id, community):
    fork = community.pull(1, NEWBIE, ago(50))
    fork["head"] = {**fork["head"], "repo": {**fork["head"]["repo"], "id": 424242}}
    close_pull(community, fork, ago(40), merged=False)
    branch = community.pull(2, REGULAR, ago(50))
    close_pull(community, branch, ago(40), merged=True)
    got = change_request_acceptance_ratio(db, repo_id, now=NOW, min_n=1)["by_origin"]
    assert got == {"fork": {"value": 0.0, "merged": 0, "closed_unmerged": 1, "n": 1},
                   "branch": {"value": 1.0, "merged": 1, "closed_unmerged": 0, "n": 1}}


def test_time_to_merge(db, repo_id, pulls):
    got = time_to_merge(db, repo_id, now=NOW, days=90, min_n=1)
    # merged: #1 after 10 h, #2 after 50 h; open at now: #4 (30 h) and #8 (6 h); closed unmerged: #3
    assert got == Duration(median_hours=10.0, p85_hours=50.0, n=2, open=2, open_median_age_hours=6.0,
                           closed_without=1)
    assert time_to_merge(db, repo_id, now=NOW, days=90) == Duration(
        median_hours=None, p85_hours=None, n=2, open=2, open_median_age_hours=6.0, closed_without=1)


def test_time_to_first_review(db, repo_id, pulls):
    got = time_to_first_review(db, repo_id, now=NOW, days=90, min_n=1)
    # reviewed: #1 after 2 h, #2 after 10 h; unreviewed and open: #4, #8; closed unreviewed: #3
    assert got == Duration(median_hours=2.0, p85_hours=10.0, n=2, open=2, open_median_age_hours=6.0,
                           closed_without=1)


@pytest.fixture
def issues(community):
    c = community
    c.issue(1, NEWBIE, NOW - 3 * D)  # < 7 d, unanswered
    answered = c.issue(2, REGULAR, NOW - 7 * D)  # exactly 7 d: the 7–30 bucket; answered
    c.comment(answered, MAINT, NOW - 6 * D, "MEMBER")
    ignored = c.issue(3, OUTSIDER, NOW - 45 * D)  # only the author and a bot commented: unanswered
    c.comment(ignored, OUTSIDER, NOW - 44 * D)
    c.comment(ignored, BOT, NOW - 44 * D)
    c.issue(4, NEWBIE2, NOW - 100 * D)  # > 90 d, unanswered
    gone = c.issue(5, NEWBIE, NOW - 200 * D)  # closed before now: not open
    c.close(gone, ago(10))
    later = c.issue(7, REGULAR, NOW - 10 * D)  # closed only after now: open at now, unanswered
    c.close(later, NOW + H)
    c.issue(8, BOT, NOW - 5 * D)  # a bot's issue: not in the population
    c.issue(9, NEWBIE, NOW + H)  # created after now


def test_issue_age(db, repo_id, issues):
    # open ages 3, 7, 45, 100, 10 days → sorted [3, 7, 10, 45, 100]: median rank 3 = 10 d
    assert issue_age(db, repo_id, now=NOW, min_n=1) == {
        "lt_7d": 1, "d7_30": 2, "d30_90": 1, "gt_90d": 1, "median_days": 10.0, "n": 5,
        "unanswered": 4, "unanswered_gt_90d": 1}
    assert issue_age(db, repo_id, now=NOW)["median_days"] is None  # n = 5 < 10


def test_other_repositories_do_not_count(db, pulls, issues):
    assert change_request_closure_ratio(db, 1, now=NOW, min_n=1)["opened"] == 0
    assert issue_age(db, 1, now=NOW, min_n=1)["n"] == 0


def test_reopened_pull_request_counts_at_its_final_close(db, repo_id, community):
    pr = community.pull(1, NEWBIE, ago(100))
    close_pull(community, pr, ago(90), merged=False)
    pr.update(state="open", closed_at=None, updated_at=iso(ago(80)))
    community._send("pull_request", "opened", action="reopened", pull_request=pr, sender=NEWBIE)
    assert change_request_closure_ratio(db, repo_id, now=NOW, min_n=1)["closed"] == 0
    assert time_to_merge(db, repo_id, now=NOW, min_n=1).open == 1
    close_pull(community, pr, ago(70), merged=True)
    got = change_request_acceptance_ratio(db, repo_id, now=NOW, min_n=1)
    assert (got["merged"], got["closed_unmerged"]) == (1, 0)
    assert time_to_merge(db, repo_id, now=NOW, min_n=1).median_hours == 30.0


def test_reopened_issue_is_open_again(db, repo_id, community):
    issue = community.issue(1, NEWBIE, NOW - 10 * D)
    community.close(issue, NOW - 9 * D)
    assert issue_age(db, repo_id, now=NOW, min_n=1)["n"] == 0
    issue.update(state="open", closed_at=None, updated_at=iso(NOW - 8 * D))
    community._send("issues", "opened", action="reopened", issue=issue, sender=NEWBIE)
    assert issue_age(db, repo_id, now=NOW, min_n=1)["d7_30"] == 1
