"""History backfill against the fake GitHub's GraphQL: rows, contributions, resume, webhooks, jobs, CLI."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from bot import backfill, gh, jobs
from bot.backfill import queries
from bot.cli import main
from bot.db import now, transaction
from bot.models import (
    BackfillState,
    Comment,
    Contribution,
    Discussion,
    Issue,
    Job,
    Person,
    PullRequest,
    Release,
    Repository,
    Review,
)
from tests.conftest import count
from tests.fake_github.graphql import run_query
from tests.fake_github.history import expected, populate
from tests.fake_github.rest import add_installation
from tests.github_app import app_settings

INSTALLATION = 957387  # the corpus installation; its repository is Codertocat/Hello-World
REPO_ID = 186853002


@pytest.fixture
def repo(github):
    return github.add_repo("Codertocat", "Hello-World", id=REPO_ID, installation_id=INSTALLATION)


@pytest.fixture
def big(github, repo):
    populate(github, repo, issues=600, prs=450)  # 1,050 issues and pull requests
    return repo


@pytest.fixture
def small(github, repo):
    populate(github, repo, issues=30, prs=20, discussions=4, releases=3, heavy=False)
    return repo


class Crash(Exception):
    """The process dying between two pages."""


@pytest.fixture
def as_app(runtime, github):
    """Steward configured as an App of the fake GitHub: ``gh.installation_api`` reads from the fake."""
    gh.reset_caches()
    add_installation(github, INSTALLATION)
    runtime.settings = app_settings(runtime.settings, github)
    yield runtime
    gh.reset_caches()


def run(runtime, github, repo, **kw):
    api = gh.installation_api(runtime, INSTALLATION)
    backfill.backfill_repository(runtime, api, repo.id, repo.full_name, installation_id=INSTALLATION, **kw)
    return api


def snapshot(db) -> dict:
    db.rollback()
    kinds = Counter(dict(db.execute(select(Contribution.kind, func.count()).group_by(Contribution.kind)).all()))
    comments = dict(db.execute(select(Comment.kind, func.count()).group_by(Comment.kind)).all())
    rows = {name: count(db, model) for name, model in (("issues", Issue), ("pull_requests", PullRequest),
                                                         ("reviews", Review), ("discussions", Discussion),
                                                         ("releases", Release))}
    return {"rows": {**rows, "comments": comments}, "contributions": kinds}


def test_imports_1050_items_into_the_webhook_tables_with_the_webhook_keys(as_app, runtime, github, big, db):
    api = run(runtime, github, big)
    want = expected(big)
    assert snapshot(db) == want
    assert sum(want["contributions"].values()) > 6500
    # ≤ 2 requests per 100 issues/PRs, their comments, reviews and the rare follow-ups included
    assert api.requests <= 2 * (1050 / 100)
    states = {s.resource: s for s in db.scalars(select(BackfillState))}
    assert {r: (s.done, s.items) for r, s in states.items()} == {
        "issues": (True, 600), "pull_requests": (True, 450), "discussions": (True, 30), "releases": (True, 12)}
    assert sum(s.requests for s in states.values()) == api.requests
    assert all(s.error is None and s.finished_at is not None for s in states.values())

    merged = next(p for p in big.pulls.values() if p["merged"])
    row = db.get(PullRequest, merged["id"])
    assert row.merged and row.merged_at is not None and row.merged_by_id == merged["merged_by"]["id"]
    assert row.head_sha == merged["head"]["sha"] and row.state == "closed" and row.repository_id == REPO_ID
    bot_pr = next(p for p in big.pulls.values() if p["user"]["type"] == "Bot")
    person = db.get(Person, bot_pr["user"]["id"])
    assert person.login == "dependabot[bot]" and person.is_bot
    conversation = big.issue_comments[merged["number"]][0]
    comment = db.get(Comment, ("issue", conversation["id"]))
    assert comment.parent_number == merged["number"] and comment.parent_id is None  # the PR's issue id is unknown
    issue = next(i for i in big.issues.values() if "pull_request" not in i)
    assert db.get(Comment, ("issue", big.issue_comments[issue["number"]][0]["id"])).parent_id == issue["id"]
    answered = next(d for d in big.discussions.values() if d["answerChosenAt"])
    answer = next(c for c in big.discussion_comments[answered["number"]] if c["isAnswer"])
    assert db.get(Discussion, answered["databaseId"]).answer_comment_id == answer["databaseId"]
    late_docs = next(p for p in big.pulls.values() if len(big.pull_files[p["number"]]) == 130)
    docs = db.scalar(select(Contribution).where(Contribution.key == f"docs_change:pr:{late_docs['id']}"))
    assert (docs is not None) == (late_docs["merged"] or late_docs["state"] == "open")


def test_a_crash_half_way_resumes_from_the_last_committed_page(as_app, runtime, github, big, db):
    def crash(resource, items, total, done):
        if resource == "pull_requests" and items == 200:  # the process dies after two committed PR pages
            raise Crash("simulated crash")

    with pytest.raises(Crash):
        run(runtime, github, big, progress=crash)
    db.rollback()
    states = {s.resource: s for s in db.scalars(select(BackfillState))}
    assert states["issues"].done and not states["pull_requests"].done
    assert states["pull_requests"].cursor is not None and states["pull_requests"].items == 200
    github.requests.clear()
    resumed = run(runtime, github, big)
    bodies = [json.loads(r.body)["query"] for r in github.requests]
    assert not any("issues(first" in q for q in bodies)  # finished resources are not fetched again
    first_pr_page = next(json.loads(r.body) for r in github.requests if b"pullRequests(first" in r.body)
    assert first_pr_page["variables"]["after"] == states["pull_requests"].cursor
    assert snapshot(db) == expected(big)
    assert resumed.requests <= 7  # repository, 3 PR pages, 2 discussion pages, 1 release page: none repeated


def test_a_failed_request_half_way_resumes_without_duplicates(as_app, runtime, github, small, db):
    for attempt in range(3, 3 + runtime.settings.github_retries + 1):
        github.graphql_failures[attempt] = 502  # the pull requests page, and every retry of it
    with pytest.raises(gh.GitHubError):
        run(runtime, github, small)
    assert count(db, BackfillState, BackfillState.done.is_(True)) == 1  # issues (one page) committed
    run(runtime, github, small)
    assert snapshot(db) == expected(small)
    first = count(db, BackfillState, BackfillState.requests > 0)
    again = run(runtime, github, small)  # everything done: a fresh pass converges on the same rows
    assert snapshot(db) == expected(small) and again.requests >= 4 and first == 4


def _repository(corpus):
    return corpus("issues", "opened")["repository"]  # Codertocat/Hello-World, the fake repository's id


def test_webhooks_before_during_and_after_converge_newest_wins(as_app, runtime, github, small, db, deliver, corpus):
    issues = [i for i in small.issues.values() if "pull_request" not in i]
    newer = copy.deepcopy(issues[0])
    newer.update(title="edited by webhook", updated_at="2030-01-01T00:00:00Z")
    payload = {**corpus("issues", "opened"), "issue": newer, "sender": newer["user"]}
    assert deliver("issues", payload).status_code == 202  # before: newer than what the backfill will read
    merged = next(p for p in small.pulls.values() if p["merged"])
    comment = small.issue_comments[issues[1]["number"]][0]
    sent = []

    def during(resource, items, total, done):
        if resource == "pull_requests" and not sent:
            sent.append(deliver("pull_request", {**corpus("pull_request", "closed"), "pull_request": merged,
                                                 "sender": merged["user"], "repository": _repository(corpus)}))
            sent.append(deliver("issue_comment", {**corpus("issue_comment", "created"), "issue": issues[1],
                                                  "comment": comment, "sender": comment["user"],
                                                  "repository": _repository(corpus)}))

    run(runtime, github, small, progress=during)
    assert [r.status_code for r in sent] == [202, 202]
    older = {**copy.deepcopy(issues[1]), "title": "stale", "updated_at": "2000-01-01T00:00:00Z"}
    deliver("issues", {**corpus("issues", "edited"), "issue": older, "sender": older["user"]})  # after, older
    assert snapshot(db) == expected(small)  # no duplicate contributions, no extra rows
    assert db.get(Issue, issues[0]["id"]).title == "edited by webhook"
    assert db.get(Issue, issues[1]["id"]).title == issues[1]["title"]
    pr_merged = db.scalar(select(Contribution).where(Contribution.key == f"pr_merged:{merged['id']}"))
    assert pr_merged.delivery_id is not None  # the webhook's row, which the backfill did not duplicate


def test_installation_created_enqueues_one_job_per_repository_once(runtime, deliver, corpus, db):
    payload = corpus("installation", "created")
    deliver("installation", payload, "install-1")
    deliver("installation", payload, "install-1")  # GitHub's redelivery: same delivery id
    deliver("installation", payload, "install-2")  # the same installation reported again
    db.rollback()
    rows = db.scalars(select(Job).where(Job.kind == "backfill")).all()
    assert [(j.dedupe_key, j.args) for j in rows] == [(f"backfill:{REPO_ID}:{INSTALLATION}", {
        "repository_id": REPO_ID, "full_name": "Codertocat/Hello-World", "installation_id": INSTALLATION})]
    deliver("installation_repositories", corpus("installation_repositories", "added"))
    assert count(db, Job, Job.kind == "backfill") == 2
    deliver("installation", corpus("installation", "deleted"))
    assert count(db, Job, Job.kind == "backfill") == 2


def test_the_job_imports_and_a_rate_limit_reschedules_it_at_the_reset(as_app, runtime, github, small, db):
    reset = datetime(2030, 1, 1, tzinfo=UTC)
    github.fail_next("POST", "/graphql", 403, body={"message": "API rate limit exceeded"},
                     headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(reset.timestamp()))})
    with transaction(runtime.factory) as uow:
        backfill.enqueue(uow, REPO_ID, "Codertocat/Hello-World", INSTALLATION)
    job_id = db.scalar(select(Job.id).where(Job.kind == "backfill"))
    assert jobs.run(runtime, job_id) == "pending"
    db.rollback()
    job = db.get(Job, job_id)
    assert reset <= job.run_after <= reset + timedelta(seconds=1) and "rate limited" in job.error
    with transaction(runtime.factory) as uow:
        uow.execute(update(Job).where(Job.id == job_id).values(run_after=now()))
    assert jobs.run(runtime, job_id) == "done"
    assert snapshot(db) == expected(small)


def test_without_credentials_the_job_waits(runtime, db):  # no App configured: the client is dry
    with transaction(runtime.factory) as uow:
        backfill.enqueue(uow, REPO_ID, "Codertocat/Hello-World", INSTALLATION)
    assert jobs.run_due(runtime) == 1
    job = db.scalar(select(Job))
    assert job.status == "pending" and job.run_after > now() + timedelta(minutes=50) and "dry run" in job.error


def test_cli_backfill_with_progress_then_status(as_app, settings, github, small, monkeypatch, db):
    monkeypatch.setattr("bot.settings.Settings.from_env", classmethod(lambda cls, *a, **kw: as_app.settings))
    cli = CliRunner()
    unknown = cli.invoke(main, ["backfill", "Codertocat/Hello-World"])
    assert unknown.exit_code != 0 and "--installation" in unknown.output
    result = cli.invoke(main, ["backfill", "Codertocat/Hello-World", "--installation", str(INSTALLATION)])
    assert result.exit_code == 0, result.output
    assert "issues" in result.output and "pull_requests" in result.output and "done" in result.output
    assert snapshot(db) == expected(small)
    assert db.get(Repository, REPO_ID).installation_id == INSTALLATION
    again = cli.invoke(main, ["backfill", "codertocat/hello-world"])  # now known: resolved from the database
    assert again.exit_code == 0, again.output
    table = cli.invoke(main, ["backfill", "--status"]).output.splitlines()
    assert len(table) == 5 and table[0].split()[:3] == ["repository", "resource", "items"]
    assert any(line.split()[:4] == ["Codertocat/Hello-World", "issues", "30", "yes"] for line in table)


def test_fake_graphql_validates_against_githubs_schema(github, repo):
    repo_query = '{ repository(owner: "Codertocat", name: "Hello-World") { %s { totalCount } } }'
    bad = run_query(github, repo_query % "issuez(first: 1)")
    assert "data" not in bad and "issuez" in bad["errors"][0]["message"]
    too_many = run_query(github, repo_query % "issues(first: 101)")
    assert "exceeds the `first` limit of 100" in too_many["errors"][0]["message"]
    missing = run_query(github, '{ repository(owner: "nobody", name: "x") { id } }')
    assert missing["data"] == {"repository": None} and missing["errors"][0]["type"] == "NOT_FOUND"
    for doc in [queries.REPOSITORY, *queries.PAGE_QUERY.values(), *queries.FOLLOW_UP.values()]:
        answer = run_query(github, doc, {"owner": "Codertocat", "name": "Hello-World", "id": "eA==", "after": None})
        assert "errors" not in answer, answer
