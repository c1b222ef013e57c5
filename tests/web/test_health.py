"""GET /api/v1/repos/<owner>/<repo>/health: figures, window, definitions, validation, public repositories only."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from bot.metrics import figures
from tests.metrics.conftest import MAINT, NEWBIE, NOW, Community, ago
from tests.metrics.test_change_requests import close_pull

URL = "/api/v1/repos/Codertocat/Hello-World/health"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(figures, "now", lambda: NOW)  # where the health figures take their window


@pytest.fixture
def community(deliver, corpus, db) -> Community:
    return Community(deliver, corpus, db)


def test_health_reports_both_metrics_with_definitions(client, community, frozen):
    for i in range(1, 11):  # ten first-time openers, answered after 1..10 h
        issue = community.issue(i, {"login": f"opener{i}", "id": 7200000 + i, "type": "User"}, ago(100))
        community.comment(issue, MAINT, ago(100) + timedelta(hours=i), "MEMBER")
    community.issue(11, NEWBIE, ago(3))  # unanswered
    response = client.get(f"{URL}?days=30")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["repo"], body["window_days"], body["as_of"]) == ("Codertocat/Hello-World", 30, "2026-05-01T00:00:00Z")
    assert body["window"] == {"start": "2026-04-01T00:00:00Z", "end": "2026-05-01T00:00:00Z"}
    ttfr = body["metrics"]["time_to_first_response"]
    # n = 10 reaches min_n: nearest-rank median = rank 5, p85 = rank ceil(8.5) = 9.
    assert ttfr["issues"] == {"median_hours": 5.0, "p85_hours": 9.0, "n": 10, "answered_within_48h_pct": 100.0,
                              "waiting": 1, "eligible_48h": 10, "oldest_waiting_hours": 3.0, "closed_unanswered": 0}
    assert ttfr["pull_requests"]["n"] == 0 and ttfr["pull_requests"]["median_hours"] is None
    assert body["metrics"]["issue_response_time_by_cohort"] == {
        "first_time": {"median_hours": 5.0, "n": 10}, "returning": {"median_hours": None, "n": 0}}
    assert set(body["definitions"]) == set(body["metrics"])  # every figure names its definition
    assert {k: body["definitions"][k] for k in ("time_to_first_response", "issue_response_time_by_cohort")} == {
        "time_to_first_response": {"version": 1,
                                   "chaoss": "https://chaoss.community/kb/metric-time-to-first-response/"},
        "issue_response_time_by_cohort": {"version": 1,
                                          "chaoss": "https://chaoss.community/kb/metric-issue-response-time/"},
    }


def test_small_samples_keep_n_and_null_figures(client, community, frozen):
    issue = community.issue(1, NEWBIE, ago(100))
    community.comment(issue, MAINT, ago(99), "MEMBER")
    body = client.get(URL).get_json()  # default: 90 days
    assert body["window_days"] == 90 and body["window"]["start"] == "2026-01-31T00:00:00Z"
    issues = body["metrics"]["time_to_first_response"]["issues"]
    assert (issues["n"], issues["median_hours"], issues["p85_hours"], issues["answered_within_48h_pct"]) == \
        (1, None, None, None)


@pytest.mark.parametrize("days", ["0", "3651", "abc", "-1", "1.5", "", "٣"])
def test_bad_days_is_400_with_the_reason(client, community, days):
    community.issue(1, NEWBIE, ago(1))
    response = client.get(f"{URL}?days={days}")
    assert response.status_code == 400
    assert response.get_json() == {"error": "days must be a whole number from 1 to 3650 (default 90)"}


@pytest.mark.parametrize("days", ["1", "3650"])
def test_days_bounds_are_accepted(client, community, days):
    community.issue(1, NEWBIE, ago(1))
    assert client.get(f"{URL}?days={days}").get_json()["window_days"] == int(days)


def test_unknown_and_impossible_repositories_are_404(client):
    assert client.get("/api/v1/repos/nobody/nothing/health").status_code == 404
    response = client.get("/api/v1/repos/a%00b/c/health")
    assert response.status_code == 404 and "not a GitHub repository name" in response.get_json()["error"]


def test_private_repository_is_never_shown(client, deliver, corpus):
    payload = copy.deepcopy(corpus("issues", "opened"))
    payload["repository"]["private"] = True
    assert deliver("issues", payload).status_code == 202
    response = client.get(URL)
    assert response.status_code == 404
    assert "public" in response.get_json()["error"]


def test_health_reports_change_request_and_contributor_metrics(client, community, frozen):
    merged = community.pull(1, NEWBIE, ago(100))
    community.review(merged, MAINT, ago(99), "MEMBER", state="approved")
    close_pull(community, merged, ago(90), merged=True)
    community.pull(2, MAINT, ago(10), "MEMBER")  # open, unreviewed
    community.issue(3, NEWBIE, ago(24 * 40))  # open for 40 days, unanswered
    body = client.get(URL).get_json()
    metrics = body["metrics"]
    assert metrics["change_request_closure_ratio"] == {
        "value": None, "closed": 1, "opened": 2, "n": 2, "backlog_delta": 1, "open_backlog": 1,
        "bots": {"closed": 0, "opened": 0, "open_backlog": 0}}
    acceptance = metrics["change_request_acceptance_ratio"]
    assert (acceptance["value"], acceptance["merged"], acceptance["closed_unmerged"], acceptance["n"]) == \
        (None, 1, 0, 1)
    assert metrics["time_to_merge"] == {"median_hours": None, "p85_hours": None, "n": 1, "open": 1,
                                        "open_median_age_hours": 10.0, "closed_without": 0}
    assert metrics["time_to_first_review"]["n"] == 1 and metrics["time_to_first_review"]["open"] == 1
    assert metrics["issue_age"] == {"lt_7d": 0, "d7_30": 0, "d30_90": 1, "gt_90d": 0, "median_days": None, "n": 1,
                                    "unanswered": 1, "unanswered_gt_90d": 0}
    assert metrics["active_contributors"] == {"value": 2, "last_28d": 2, "bots": 0}
    assert metrics["new_contributors"] == {"value": 2, "bots": 0}
    assert metrics["occasional_contributors"] == {"value": 2, "new": 2, "returning": 0, "prs": 2}
    assert metrics["inactive_contributors"] == {"active": 2, "drifting": 0, "away": 0}
    by_type = metrics["contributions_by_type"]
    assert {t: v for t, v in by_type.items() if t not in ("n", "bots", "automation_share") and v["count"]} == {
        "code": {"count": 2, "people": 2}, "review": {"count": 1, "people": 1}, "issue": {"count": 1, "people": 1}}
    assert (by_type["n"], by_type["bots"], by_type["automation_share"]) == (4, {"n": 0}, 0.0)
    absence = metrics["contributor_absence_factor"]
    assert absence["all"] == {"value": 2, "n": 4, "people": 2}  # NEWBIE 2, MAINT 2: one is exactly half
    assert absence["by_type"]["code"] == {"value": 2, "n": 2, "people": 2}
    assert absence["by_type"]["docs"] == {"value": None, "n": 0, "people": 0}
    assert metrics["elephant_factor"] == {"value": None, "affiliated_share": 0.0, "n": 4, "organisations": 0,
                                          "unaffiliated": 4, "by_organisation": []}
    heatmap = metrics["activity_heatmap"]
    assert (heatmap["n"], heatmap["bots"], len(heatmap["weekday_hour"])) == (4, 0, 7)
    # ago(100) = Sun 26 April 20:00 (PR), ago(99) = 21:00 (review); ago(10) = Thu 14:00; 40 d ago = Sun 22 March
    assert {(d, h) for d, row in enumerate(heatmap["weekday_hour"]) for h, v in enumerate(row) if v == 1} == {
        (6, 20), (6, 21), (3, 14), (6, 0)}
    weeks = metrics["burstiness"]["weeks"]
    assert weeks[0]["week"] == "2026-01-26" and weeks[-1]["week"] == "2026-04-27" and weeks[-1]["partial"]
    assert [w["count"] for w in weeks[-2:]] == [2, 1] and metrics["burstiness"]["n"] == 4
    assert all(w["flagged"] is None for w in weeks)  # the first contribution is 40 days old: no 8-week history
    assert metrics["conversion_funnel"] == {"d0": 0, "d1": 0, "d2": 0, "d1_rate": None, "d2_rate": None, "n": 0,
                                            "direct": 2}  # NEWBIE's issue and MAINT's review, with no star or fork
    assert body["definitions"]["burstiness"] == {"version": 1, "chaoss": "https://chaoss.community/kb/metric-burstiness/"}
    assert body["definitions"]["change_request_closure_ratio"] == {
        "version": 1, "chaoss": "https://chaoss.community/kb/metric-change-request-closure-ratio/"}
