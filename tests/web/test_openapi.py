"""The OpenAPI document against the running app: schemathesis calls every operation through the WSGI app
with a repository that has activity (so responses carry real figures), expects no 5xx and every response to
match the document (status codes, content types, schemas)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection

from bot.db import now
from bot.web.openapi import document
from tests.metrics.conftest import BOT, MAINT, NEWBIE, REGULAR, Community


@pytest.fixture
def api_schema(app, deliver, corpus, db):
    community = Community(deliver, corpus, db)
    start = now() - timedelta(days=30)
    for i in range(12):
        issue = community.issue(i + 1, NEWBIE if i % 2 else REGULAR, start + timedelta(days=i))
        community.comment(issue, MAINT, start + timedelta(days=i, hours=i + 1), "MEMBER")
        pr = community.pull(100 + i, REGULAR if i % 3 else BOT, start + timedelta(days=i, hours=2))
        community.review(pr, MAINT, start + timedelta(days=i, hours=5), "MEMBER", "approved")
    discussion = community.discussion(200, NEWBIE, start)
    community.comment(discussion, REGULAR, start + timedelta(hours=3))
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case):
    # Every response check (no 5xx, status codes, content types, schemas, headers); not the check that every
    # request outside the document is refused: the API is lenient where it is harmless (" 90" for days).
    case.call_and_validate(excluded_checks=[negative_data_rejection])


def test_document_lists_the_public_operations(client):
    served = client.get("/api/v1/openapi.json").get_json()
    assert served == document()
    assert served["openapi"] == "3.1.0"
    assert set(served["paths"]) == {
        "/api/v1/repos/{owner}/{repo}/health", "/api/v1/repos/{owner}/{repo}/contributors",
        "/api/v1/repos/{owner}/{repo}/activity", "/badge/{owner}/{repo}/{metric}.json",
        "/badge/{owner}/{repo}/{metric}.svg"}


def test_the_examples_hit_real_figures(client, api_schema):
    """The document's example repository is the one with activity: its health figures are not empty."""
    body = client.get("/api/v1/repos/Codertocat/Hello-World/health").get_json()
    assert body["metrics"]["time_to_first_response"]["issues"]["n"] == 12
    assert body["metrics"]["change_request_closure_ratio"]["bots"]["opened"] == 4
    people = client.get("/api/v1/repos/Codertocat/Hello-World/contributors").get_json()["contributors"]
    assert {p["login"] for p in people} >= {"maint", "newbie", "regular"}
    assert client.get("/badge/Codertocat/Hello-World/time_to_first_response.json").get_json()["message"] != (
        "insufficient data")
