"""GET /api/v1/repos/<owner>/<repo>/contributors (JSON and CSV) and the health API's CSV: shapes, opt-out,
validation (400 with the reason), unknown and private repositories (404 JSON)."""

from __future__ import annotations

import copy
import csv
import io

import pytest

from bot.db import now as clock
from bot.metrics import figures
from bot.models import ListOptOut
from bot.web import contributors
from tests.metrics.conftest import BOT, MAINT, NEWBIE, NOW, Community, ago
from tests.metrics.test_contributors import D, build

URL = "/api/v1/repos/Codertocat/Hello-World/contributors"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(contributors, "now", lambda: NOW)
    monkeypatch.setattr(figures, "now", lambda: NOW)


@pytest.fixture
def community(deliver, corpus, db) -> Community:
    return Community(deliver, corpus, db)


def test_json_lists_people_by_type(client, community, frozen):
    build(community)
    response = client.get(URL)  # default: 90 days
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert (body["repo"], body["window_days"], body["as_of"]) == ("Codertocat/Hello-World", 90, "2026-05-01T00:00:00Z")
    assert body["contributors"][0] == {
        "login": "maint", "bot": False, "total": 3, "by_type": {"review": 1, "discussion": 2},
        "first_contribution": "2025-10-14T00:00:00Z", "last_seen": "2026-04-28T00:00:00Z"}
    assert [(c["login"], c["bot"], c["total"]) for c in body["contributors"]] == [
        ("maint", False, 3), ("regular", False, 1), ("dependabot[bot]", True, 1), ("newbie", False, 1)]
    assert [c["login"] for c in client.get(f"{URL}?days=7").get_json()["contributors"]] == ["maint", "regular"]


def test_a_processed_delivery_shows_at_once(client, community, frozen):
    community.issue(1, NEWBIE, ago(200 * D))  # the repository is known, its only contribution is too old
    assert client.get(URL).get_json()["contributors"] == []
    community.issue(2, MAINT, ago(1))
    assert [c["login"] for c in client.get(URL).get_json()["contributors"]] == ["maint"]


def test_csv(client, community, frozen):
    build(community)
    response = client.get(f"{URL}?format=csv&days=90")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="Codertocat_Hello-World_contributors_90d.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["login", "bot", "total", "code", "docs", "eval", "review", "triage", "issue", "discussion",
                       "qa_answer", "first_contribution", "last_seen"]
    assert rows[1] == ["maint", "false", "3", "0", "0", "0", "1", "0", "0", "2", "0", "2025-10-14T00:00:00Z",
                       "2026-04-28T00:00:00Z"]
    assert [r[:3] for r in rows[2:]] == [["regular", "false", "1"], ["dependabot[bot]", "true", "1"],
                                         ["newbie", "false", "1"]]


def test_opted_out_people_are_anonymous_in_json_and_csv(client, community, db, frozen):
    build(community)
    db.add(ListOptOut(person_id=MAINT["id"], created_at=clock()))
    db.commit()
    body = client.get(URL).get_json()
    assert body["contributors"][0]["login"] == "anonymous contributor" and body["contributors"][0]["total"] == 3
    text = client.get(f"{URL}?format=csv").get_data(as_text=True)
    assert "anonymous contributor" in text and "maint" not in text
    assert "maint" not in client.get(URL).get_data(as_text=True)


def test_hostile_login_is_data_not_markup_and_no_spreadsheet_formula(client, community, frozen):
    evil = {"login": "=HYPERLINK(\"x\")<script>", "id": 7400001, "type": "User"}
    community.issue(1, evil, ago(2 * D))
    assert client.get(URL).get_json()["contributors"][0]["login"] == evil["login"]
    rows = list(csv.reader(io.StringIO(client.get(f"{URL}?format=csv").get_data(as_text=True))))
    assert rows[1][0] == "'" + evil["login"]


def test_health_csv_is_flat(client, community, frozen):
    issue = community.issue(1, NEWBIE, ago(30))
    community.comment(issue, MAINT, ago(27), "MEMBER")
    community.comment(issue, BOT, ago(26))
    response = client.get("/api/v1/repos/Codertocat/Hello-World/health?days=30&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["metric", "key", "value"]
    table = {(m, k): v for m, k, v in rows[1:]}
    assert table[("time_to_first_response", "issues.n")] == "1"
    assert table[("time_to_first_response", "issues.median_hours")] == ""  # below min_n: no figure
    assert table[("contributions_by_type", "issue.count")] == "1"
    assert table[("contributions_by_type", "bots.n")] == "1"
    # NOW is Friday 2026-05-01 00:00 UTC: the issue is Wednesday 18:00, the reply Wednesday 21:00.
    assert (table[("activity_heatmap", "weekday_hour.2.18")], table[("activity_heatmap", "weekday_hour.2.21")]) == \
        ("1", "1")
    assert table[("activity_heatmap", "weekday_hour.2.19")] == "0"
    assert {m for m, _ in table} == set(client.get("/api/v1/repos/Codertocat/Hello-World/health").get_json()["metrics"])


@pytest.mark.parametrize("path", [URL, "/api/v1/repos/Codertocat/Hello-World/health"])
@pytest.mark.parametrize("query, reason", [
    ("days=0", "days must be a whole number from 1 to 3650 (default 90)"),
    ("days=abc", "days must be a whole number from 1 to 3650 (default 90)"),
    ("days=99999999999999999999", "days must be a whole number from 1 to 3650 (default 90)"),
    ("format=xml", "format must be json or csv (default json)"),
    ("format=", "format must be json or csv (default json)"),
])
def test_bad_parameters_are_400_with_the_reason(client, community, path, query, reason):
    community.issue(1, NEWBIE, ago(1))
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400 and response.get_json() == {"error": reason}


def test_unknown_impossible_and_private_repositories_are_404(client, deliver, corpus):
    secret = copy.deepcopy(corpus("issues", "opened"))
    secret["repository"].update(id=1234, name="secret", full_name="Codertocat/secret", private=True)
    assert deliver("issues", secret).status_code == 202
    for path in ("/api/v1/repos/nobody/nothing/contributors", "/api/v1/repos/Codertocat/secret/contributors",
                 "/api/v1/repos/Codertocat/secret/contributors?format=csv",
                 "/api/v1/repos/Codertocat/secret/health?format=csv", "/api/v1/repos/a%00b/c/contributors"):
        response = client.get(path)
        assert response.status_code == 404 and "error" in response.get_json(), path
        assert "secret" not in str(response.get_json().get("contributors", ""))
