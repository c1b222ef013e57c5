"""The activity read API: newest first, filters, validation, and private repositories never shown."""

from __future__ import annotations

import copy

import pytest


@pytest.fixture
def seeded(deliver, corpus):
    """Three acts in Codertocat/Hello-World (public): an issue, a comment and a star."""
    assert deliver("issues", corpus("issues", "opened")).status_code == 202
    assert deliver("issue_comment", corpus("issue_comment", "created")).status_code == 202
    assert deliver("star", corpus("star", "created")).status_code == 202


def test_activity_newest_first(client, seeded):
    body = client.get("/api/v1/repos/Codertocat/Hello-World/activity").get_json()
    assert body["repository"] == "Codertocat/Hello-World"
    items = body["contributions"]
    assert [i["kind"] for i in items] == ["star", "issue_comment", "issue_opened"]
    assert items[-1] == {"kind": "issue_opened", "login": "Codertocat", "user_id": 21031067, "is_bot": False,
                         "occurred_at": "2019-05-15T15:20:18Z",
                         "url": "https://github.com/Codertocat/Hello-World/issues/1"}
    times = [i["occurred_at"] for i in items]
    assert times == sorted(times, reverse=True)


def test_activity_filters(client, seeded):
    url = "/api/v1/repos/codertocat/hello-world/activity"  # names are case-insensitive, as on GitHub
    assert [i["kind"] for i in client.get(f"{url}?kind=star").get_json()["contributions"]] == ["star"]
    assert len(client.get(f"{url}?limit=1").get_json()["contributions"]) == 1
    since = client.get(f"{url}?since=2019-05-15T15:20:20Z").get_json()["contributions"]
    assert {i["kind"] for i in since} == {"star", "issue_comment"}


@pytest.mark.parametrize("query, message", [
    ("kind=nope", "unknown kind"), ("limit=0", "limit"), ("limit=abc", "limit"), ("limit=100000", "limit"),
    ("since=yesterday", "since"),
])
def test_activity_rejects_bad_queries(client, seeded, query, message):
    response = client.get(f"/api/v1/repos/Codertocat/Hello-World/activity?{query}")
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_unknown_repository_is_404(client, seeded):
    assert client.get("/api/v1/repos/nobody/nothing/activity").status_code == 404


def test_private_repository_is_never_shown(client, deliver, corpus):
    payload = copy.deepcopy(corpus("issues", "opened"))
    payload["repository"]["private"] = True
    assert deliver("issues", payload).status_code == 202
    response = client.get("/api/v1/repos/Codertocat/Hello-World/activity")
    assert response.status_code == 404
    assert "public" in response.get_json()["error"]


def test_repository_made_private_disappears(client, deliver, corpus, seeded):
    assert client.get("/api/v1/repos/Codertocat/Hello-World/activity").status_code == 200
    assert deliver("repository", corpus("repository", "privatized")).status_code == 202
    assert client.get("/api/v1/repos/Codertocat/Hello-World/activity").status_code == 404


def test_impossible_repository_names_are_404_not_500(client):
    response = client.get("/api/v1/repos/a%00b/c/activity")
    assert response.status_code == 404
    assert "not a GitHub repository name" in response.get_json()["error"]
