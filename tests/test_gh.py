"""bot/gh.py through real HTTP to the fake GitHub: tokens, rate limits, retries, ETags, recorded writes."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import delete, select

from bot import gh, gh_http
from bot.db import now
from bot.models import MarkedComment, OutboundWrite
from tests.conftest import count
from tests.fake_github.rest import (
    add_comment,
    add_installation,
    add_issue,
    primary_limit,
    secondary_limit,
)
from tests.github_app import INSTALLATION, app_settings, private_key_pem, public_key

COMMENTS = r"/repos/octo/model/issues/5/comments"


@pytest.fixture(autouse=True)
def waits(monkeypatch):
    """No real sleeping: every wait the client decides on is recorded instead."""
    gh.reset_caches()
    recorded: list[float] = []
    monkeypatch.setattr(gh_http, "sleep", recorded.append)
    yield recorded
    gh.reset_caches()


@pytest.fixture
def repo(github):
    add_installation(github, INSTALLATION)
    repo = github.add_repo("octo", "model", installation_id=INSTALLATION)
    add_issue(github, repo, 5)
    return repo


@pytest.fixture
def api(runtime, github, repo):
    runtime.settings = app_settings(runtime.settings, github)
    return gh.installation_api(runtime, INSTALLATION)


def statuses(github) -> list[int]:
    return [response.status_code for _, response in github.server.log]


def writes(db) -> list[OutboundWrite]:
    db.rollback()
    return list(db.scalars(select(OutboundWrite).order_by(OutboundWrite.id)))


def test_token_is_cached_per_installation_and_sent_as_token(api, github, runtime):
    assert api.dry is False and api.get(COMMENTS) == [] and api.get(COMMENTS + "?x=1") == []
    assert gh.installation_api(runtime, INSTALLATION).get(COMMENTS) == []  # a new object, the same token
    [token_request] = github.requests_to("POST", r"/app/installations/1/access_tokens")
    scheme, _, signed = token_request.headers["Authorization"].partition(" ")
    claims = jwt.decode(signed, public_key(), algorithms=["RS256"])
    assert scheme == "Bearer" and claims["iss"] == "1" and 0 < claims["exp"] - claims["iat"] <= 600
    [issued] = github.state.tokens
    assert {r.headers["Authorization"] for r in github.requests_to("GET", COMMENTS)} == {f"token {issued}"}
    assert api.requests == 3  # one token, two GETs


def test_threads_share_one_token(api, github, runtime):
    results = []
    threads = [threading.Thread(target=lambda: results.append(gh.installation_api(runtime, INSTALLATION).get(COMMENTS)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [[]] * 4 and len(github.requests_to("POST", r"/app/installations/1/access_tokens")) == 1


def test_token_is_refreshed_minutes_before_it_expires(api, github):
    github.state.token_ttl_s = 240  # inside the five-minute refresh margin: never reused
    api.get(COMMENTS)
    api.get(COMMENTS)
    assert len(github.requests_to("POST", r"/app/installations/1/access_tokens")) == 2
    github.state.token_ttl_s = 3600
    api.get(COMMENTS)
    api.get(COMMENTS)
    assert len(github.requests_to("POST", r"/app/installations/1/access_tokens")) == 3


def test_a_revoked_token_is_replaced_once(api, github):
    api.get(COMMENTS)
    github.state.tokens.clear()  # GitHub forgot it: 401 Bad credentials
    assert api.get(COMMENTS) == []
    assert statuses(github)[-3:] == [401, 201, 304]


def test_secondary_limit_with_retry_after_sleeps_then_retries(api, github, waits):
    secondary_limit(github, "GET", COMMENTS, retry_after=3)
    assert api.get(COMMENTS) == []
    assert waits == [pytest.approx(3, abs=0.5)] and statuses(github) == [201, 403, 200]


def test_secondary_limit_longer_than_the_sleep_cap_raises_rate_limited(api, github, waits):
    secondary_limit(github, "GET", COMMENTS, retry_after=120)
    with pytest.raises(gh.RateLimited) as caught:
        api.get(COMMENTS)
    assert waits == [] and abs((caught.value.reset_at - datetime.now(UTC)).total_seconds() - 120) < 5
    secondary_limit(github, "GET", COMMENTS)  # no Retry-After: at least a minute
    with pytest.raises(gh.RateLimited) as caught:
        api.get(COMMENTS)
    assert caught.value.reset_at >= datetime.now(UTC) + timedelta(seconds=55)


def test_429_is_a_rate_limit_too(api, github, waits):
    secondary_limit(github, "GET", COMMENTS, status=429, retry_after=2)
    assert api.get(COMMENTS) == [] and waits == [pytest.approx(2, abs=0.5)]
    github.fail_next("GET", COMMENTS, 429, body={"message": "Too many requests"})
    with pytest.raises(gh.RateLimited):
        api.get(COMMENTS)


def test_primary_limit_raises_with_the_reset_time_and_the_write_is_recorded_failed(api, github, waits, db):
    reset = int(time.time()) + 1800
    primary_limit(github, "GET", COMMENTS, reset=reset)
    with pytest.raises(gh.RateLimited) as caught:
        api.get(COMMENTS)
    assert caught.value.reset_at == datetime.fromtimestamp(reset + 1, UTC) and waits == []
    primary_limit(github, "POST", r"/repos/octo/model/issues/5/labels", reset=reset, status=429)
    with pytest.raises(gh.RateLimited):
        api.add_labels("octo/model", 5, ["triage"])
    [row] = writes(db)
    assert row.status == "failed" and "rate limited" in row.error and row.kind == "labels"


def test_a_short_primary_reset_is_slept_through(api, github, waits):
    primary_limit(github, "GET", COMMENTS, reset=int(time.time()) + 2)
    assert api.get(COMMENTS) == [] and len(waits) == 1 and 0 < waits[0] <= 3


def test_5xx_is_retried_with_backoff_then_succeeds(api, github, waits, runtime):
    runtime.settings = app_settings(runtime.settings, github, github_backoff_s=0.5)
    api = gh.installation_api(runtime, INSTALLATION)
    github.fail_next("GET", COMMENTS, 502, times=2)
    assert api.get(COMMENTS) == [] and waits == [0.5, 1.0]
    github.fail_next("GET", COMMENTS, 503, times=10)
    with pytest.raises(gh.GitHubError) as caught:
        api.get(COMMENTS)
    assert caught.value.status == 503 and len(github.requests_to("GET", COMMENTS)) == 3 + 4  # 1 + 3 retries


def test_other_errors_are_not_retried(api, github):
    github.fail_next("GET", COMMENTS, 403, body={"message": "Resource not accessible by integration"})
    with pytest.raises(gh.GitHubError, match="HTTP 403: Resource not accessible by integration"):
        api.get(COMMENTS)
    assert len(github.requests_to("GET", COMMENTS)) == 1


def test_a_repeated_get_is_answered_304_from_the_etag_cache(api, github, repo):
    add_comment(github, repo, 5, "hello")
    first = api.get(COMMENTS)
    second = api.get(COMMENTS)
    assert second == first and second[0]["body"] == "hello"
    plain, conditional = github.requests_to("GET", COMMENTS)
    assert "If-None-Match" not in plain.headers and conditional.headers["If-None-Match"].startswith('W/"')
    assert statuses(github) == [201, 200, 304]
    add_comment(github, repo, 5, "again")  # changed on GitHub: a fresh 200
    assert [c["body"] for c in api.get(COMMENTS)] == ["hello", "again"] and statuses(github)[-1] == 200


def test_paginate_follows_links_100_a_page(api, github, repo):
    for n in range(250):
        add_comment(github, repo, 5, f"c{n}")
    assert [c["body"] for c in api.paginate(COMMENTS)] == [f"c{n}" for n in range(250)]
    assert [r.query for r in github.requests_to("GET", COMMENTS)] == [
        "per_page=100", "page=2&per_page=100", "page=3&per_page=100"]


def test_upsert_comment_edits_the_one_marked_comment(api, github, repo, db):
    first = api.upsert_comment("octo/model", 5, "eval", "one")
    second = api.upsert_comment("octo/model", 5, "eval", "two")
    [comment] = repo.issue_comments[5]
    assert first == second == comment["id"] and comment["body"] == "<!-- steward:eval -->\ntwo"
    assert len(github.requests_to("POST", COMMENTS)) == 1
    assert len(github.requests_to("GET", COMMENTS)) == 1  # the first upsert searched; the second had the row
    assert [(w.kind, w.status, w.github_id) for w in writes(db)] == [("comment", "sent", first)] * 2
    assert db.get(MarkedComment, ("octo/model", 5, "eval")).comment_id == first


def test_upsert_finds_the_marker_newest_first_when_the_row_is_lost(api, github, repo, runtime, db):
    ours = add_comment(github, repo, 5, "<!-- steward:eval -->\nold", bot=True)
    for n in range(230):
        add_comment(github, repo, 5, f"chatter {n}")
    add_comment(github, repo, 5, "quoting <!-- steward:eval --> by hand")  # a person's comment: not ours
    assert api.upsert_comment("octo/model", 5, "eval", "new") == ours["id"]
    assert ours["body"].endswith("new") and not github.requests_to("POST", COMMENTS)
    assert [r.query for r in github.requests_to("GET", COMMENTS)] == [
        "per_page=100", "page=3&per_page=100", "page=2&per_page=100"]  # page 1 is searched last, not refetched
    with runtime.factory.begin() as uow:
        uow.execute(delete(MarkedComment))
    assert api.upsert_comment("octo/model", 5, "eval", "newer") == ours["id"]
    assert len(repo.issue_comments[5]) == 232


def test_upsert_creates_again_when_the_comment_was_deleted(api, github, repo):
    first = api.upsert_comment("octo/model", 5, "eval", "one")
    repo.issue_comments[5].clear()
    second = api.upsert_comment("octo/model", 5, "eval", "two")
    assert second != first and [c["id"] for c in repo.issue_comments[5]] == [second]


def test_a_comment_over_the_limit_is_cut_with_a_note(api, repo):
    api.upsert_comment("octo/model", 5, "eval", "x" * 70_000)
    body = repo.issue_comments[5][0]["body"]
    assert len(body) < 65_536 and body.startswith("<!-- steward:eval -->")
    assert body.endswith("characters omitted.*") and "5,0" in body.rsplit("\n", 1)[-1]


def test_check_runs_send_annotations_50_a_request(api, github, repo):
    notes = [{"path": "a.py", "start_line": n, "end_line": n, "annotation_level": "notice", "message": "m"}
             for n in range(1, 121)]
    started = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    run_id = api.create_check_run("octo/model", "a" * 40, "eval", status="in_progress", started_at=started,
                                  output={"title": "Eval", "summary": "s" * 70_000, "annotations": notes})
    run = repo.check_runs[run_id]
    assert run["started_at"] == "2024-05-01T12:00:00Z" and len(repo.annotations[run_id]) == 120
    assert len(run["output"]["summary"]) <= 65_535 and len(github.requests_to("PATCH", r".*/check-runs/\d+")) == 2
    api.update_check_run("octo/model", run_id, conclusion="success")
    assert run["status"] == "completed" and run["conclusion"] == "success"


def test_labels_and_reactions(api, repo, db):
    api.add_labels("octo/model", 5, ["triage", "bug"])
    api.remove_label("octo/model", 5, "bug")
    api.remove_label("octo/model", 5, "bug")  # already gone: fine
    assert [label["name"] for label in repo.issues[5]["labels"]] == ["triage"]
    comment_id = api.upsert_comment("octo/model", 5, "reply", "hi")
    api.add_reaction("octo/model", comment_id, "rocket")
    assert [r["content"] for r in repo.reactions[comment_id]] == ["rocket"]
    assert [(w.kind, w.status) for w in writes(db)] == [
        ("labels", "sent"), ("labels", "sent"), ("labels", "sent"), ("comment", "sent"), ("reaction", "sent")]
    with pytest.raises(gh.GitHubError, match="HTTP 404"):
        api.add_labels("octo/model", 99, ["nope"])
    assert writes(db)[-1].status == "failed" and "404" in writes(db)[-1].error


def test_graphql_returns_data_and_raises_on_errors(api, github):
    github.fail_next("POST", r"/graphql", 200, body={"data": {"viewer": {"login": "octoapp[bot]"}}})
    assert api.graphql("{ viewer { login } }") == {"viewer": {"login": "octoapp[bot]"}}
    github.fail_next("POST", r"/graphql", 200, body={"errors": [{"message": "Field 'x' doesn't exist"}]})
    with pytest.raises(gh.GitHubError, match="Field 'x' doesn't exist"):
        api.graphql("{ x }")
    github.fail_next("POST", r"/graphql", 200, body={"errors": [{"type": "RATE_LIMITED", "message": "limited"}]},
                     headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"})
    with pytest.raises(gh.RateLimited) as caught:
        api.graphql("{ viewer { login } }")
    assert caught.value.reset_at == datetime.fromtimestamp(4102444801, UTC)


def test_dry_run_records_every_write_and_sends_nothing(runtime, github, db):
    api, app = gh.installation_api(runtime, INSTALLATION), gh.app_api(runtime)
    assert api.dry and app.dry
    assert api.upsert_comment("octo/model", 5, "eval", "body") is None
    assert api.create_check_run("octo/model", "a" * 40, "eval", status="queued") is None
    api.update_check_run("octo/model", 7, conclusion="neutral")
    api.add_labels("octo/model", 5, ["x"])
    api.remove_label("octo/model", 5, "x")
    api.add_reaction("octo/model", 9, "eyes")
    app.redeliver(12345)
    assert github.requests == [] and api.requests == 0
    assert [(w.kind, w.status) for w in writes(db)] == [
        ("comment", "dry_run"), ("check_run", "dry_run"), ("check_run", "dry_run"), ("labels", "dry_run"),
        ("labels", "dry_run"), ("reaction", "dry_run"), ("redelivery", "dry_run")]
    assert writes(db)[0].payload["body"] == "<!-- steward:eval -->\nbody"
    assert [w.kind for w in gh.recent_writes(runtime.factory, limit=2)] == ["redelivery", "reaction"]
    with pytest.raises(gh.GitHubError, match="no GitHub App credentials"):
        api.get(COMMENTS)
    with pytest.raises(gh.GitHubError, match="no GitHub App credentials"):
        app.hook_deliveries(datetime.now(UTC))
    assert count(db, OutboundWrite) == 7


def test_no_secret_in_logs_errors_or_reprs(api, github, runtime, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="github")  # PyGithub keeps its logger at INFO unless asked
    api.upsert_comment("octo/model", 5, "eval", "hello")
    github.fail_next("GET", COMMENTS, 401, body={"message": "Bad credentials"}, times=2)
    errors = []
    for call in (lambda: api.get(COMMENTS), lambda: api.add_labels("octo/model", 404, ["x"])):
        with pytest.raises(gh.GitHubError) as caught:
            call()
        errors.append(str(caught.value))
    runtime.settings = app_settings(runtime.settings, github, github_private_key="-----BEGIN RSA PRIVATE KEY-----\n"
                                    "bm90IGEga2V5IGF0IGFsbA==\n-----END RSA PRIVATE KEY-----\n")
    gh.reset_caches()
    with pytest.raises(gh.GitHubError) as caught:
        gh.installation_api(runtime, INSTALLATION).get(COMMENTS)
    errors.append(str(caught.value))
    jwts = {r.headers["Authorization"].split()[1] for r in github.requests_to("POST", r"/app/.*")}
    secrets = [*github.state.tokens, *jwts, private_key_pem().splitlines()[5], "bm90IGEga2V5IGF0IGFsbA"]
    assert github.state.tokens and jwts and '"token": "[redacted]"' in caplog.text  # PyGithub logged the exchange
    seen = caplog.text + "\n".join(errors) + repr(api) + repr(runtime.settings) + repr(gh.app_api(runtime))
    assert [s for s in secrets if s in seen] == []


def test_credentials_without_an_installation_cannot_call(runtime, github, db):
    runtime.settings = app_settings(runtime.settings, github)
    api = gh.installation_api(runtime, None)
    with pytest.raises(gh.GitHubError, match="no installation"):
        api.add_labels("octo/model", 5, ["x"])
    assert writes(db)[-1].status == "failed"


def test_the_key_may_come_from_a_file(runtime, github, repo, tmp_path):
    path = tmp_path / "app.pem"
    path.write_text(private_key_pem())
    runtime.settings = app_settings(runtime.settings, github, github_private_key=None,
                                    github_private_key_path=str(path))
    assert gh.installation_api(runtime, INSTALLATION).get(COMMENTS) == []


def test_edges_lost_connections_bad_names_foreign_links_and_wrapped_lists(api, github, runtime, waits):
    github.fail_next("GET", r"/repos/octo/model/check-runs", 200, body={"total_count": 1, "check_runs": [{"id": 1}]},
                     headers={"Link": '<https://elsewhere.example/x?page=2>; rel="next"'})
    pages = api.paginate("/repos/octo/model/check-runs")
    assert next(pages) == {"id": 1}  # a {"total_count", "check_runs": [...]} page
    with pytest.raises(gh.GitHubError, match="pagination left the API URL"):
        next(pages)
    github.fail_next("GET", COMMENTS, 404, body=None, headers={"Content-Type": "text/html"})
    with pytest.raises(gh.GitHubError, match="HTTP 404"):
        api.get(COMMENTS)
    with pytest.raises(gh.GitHubError, match="not an owner/name"):
        api.add_labels("octo/model/../../x", 5, ["x"])
    runtime.settings = app_settings(runtime.settings, github, github_api_url="http://127.0.0.1:9")
    with pytest.raises(gh.GitHubError, match="no response"):
        gh.installation_api(runtime, INSTALLATION).get(COMMENTS)
    assert waits == [0.0, 0.0, 0.0]


def test_content_creation_stays_under_80_a_minute_and_500_an_hour(api, waits, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(gh_http.time, "monotonic", lambda: clock[0])
    budget, scope = gh_http.content_budget, (api._transport.base, INSTALLATION)
    for _ in range(80):
        budget.take(scope, max_sleep_s=5.0)
    assert waits == []  # 80 in a minute: no wait
    with pytest.raises(gh.RateLimited) as limited:
        budget.take(scope, max_sleep_s=5.0)  # the 81st would wait a minute: reschedule instead
    assert 55 < (limited.value.reset_at - now()).total_seconds() <= 61
    budget.take(scope, max_sleep_s=120.0)  # allowed to sleep that long: it waits for the slot
    assert waits == [60.0]
    budget.take((api._transport.base, INSTALLATION + 1), max_sleep_s=0.0)  # another installation: its own
    hourly = (api._transport.base, INSTALLATION + 2)
    for _ in range(500):  # one a second: never 80 in a minute, but 500 in 500 seconds
        clock[0] += 1
        budget.take(hourly, max_sleep_s=0.0)
    with pytest.raises(gh.RateLimited) as limited:
        budget.take(hourly, max_sleep_s=0.0)
    assert 3000 < (limited.value.reset_at - now()).total_seconds() <= 3101  # when the first of the 500 ages out


def test_repository_posts_draw_on_the_budget(api, github, repo, monkeypatch):
    taken = []
    monkeypatch.setattr(gh_http.content_budget, "take", lambda scope, max_sleep_s: taken.append(scope))
    api.upsert_comment("octo/model", 5, "budget", "hello")  # POST a comment: counts
    api.upsert_comment("octo/model", 5, "budget", "hello again")  # PATCH: an edit creates nothing
    api.get("/repos/octo/model/issues/5/comments")
    assert taken == [(api._transport.base, INSTALLATION)]
