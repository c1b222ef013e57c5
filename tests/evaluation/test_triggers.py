"""Who gets evaluated, and when: trusted authors at once, anyone else after a maintainer's ``/evaluate`` for that
exact head; a new push supersedes the old head's run (signed deliveries → jobs → the fake GitHub)."""

from __future__ import annotations

from sqlalchemy import select

from bot import jobs
from bot.db import now, transaction
from bot.evaluation import runs
from bot.models import Job
from bot.models.evaluation import EvalApproval, EvalRun
from tests.conftest import count
from tests.evaluation import github_repo
from tests.evaluation.github_repo import (
    OTHER,
    REPO,
    SHA_BASE,
    SHA_HEAD,
    SHA_NEXT,
    bot_comments,
    commit,
    drain,
    evaluate_comment,
    pull_request,
)

as_app, repo = github_repo.as_app, github_repo.repo  # fixtures

SKIP_ALL = b"evaluation:\n  model: models/tiny\n  suites: [steward_prose]\n  paths: [docs/**]\n"


def evaluate_jobs(db) -> list[str]:
    db.rollback()
    return list(db.scalars(select(Job.dedupe_key).where(Job.kind == runs.KIND).order_by(Job.id)))


def eval_runs(db) -> list[tuple[str, str, str | None]]:
    db.rollback()
    return [(r.head_sha, r.status, r.conclusion) for r in db.scalars(select(EvalRun).order_by(EvalRun.id))]


def checks(repo) -> list[tuple[str, str, str | None, str]]:
    return [(c["head_sha"], c["status"], c["conclusion"], c["output"]["title"]) for c in repo.check_runs.values()]


def test_an_outside_author_waits_for_a_maintainer(as_app, github, repo, deliver, corpus, db):
    commit(repo, SHA_BASE, {}, SKIP_ALL)
    assert deliver("pull_request", pull_request(corpus, association="CONTRIBUTOR")).status_code == 202
    assert evaluate_jobs(db) == []
    assert eval_runs(db) == [(SHA_HEAD, "waiting", None)]
    assert checks(repo) == [(SHA_HEAD, "queued", None, runs.WAITING_TITLE)]
    assert "/evaluate" in next(iter(repo.check_runs.values()))["output"]["summary"]
    assert bot_comments(repo) == []


def test_evaluate_from_a_non_maintainer_is_refused_with_a_reply(as_app, github, repo, deliver, corpus, db):
    commit(repo, SHA_BASE, {}, SKIP_ALL)
    deliver("pull_request", pull_request(corpus, association="CONTRIBUTOR"))
    deliver("issue_comment", evaluate_comment(corpus, github, repo, user=OTHER, association="CONTRIBUTOR"))
    [reply] = bot_comments(repo, marker=None)
    assert "@someone, Steward did not run this command" in reply["body"]
    assert "`/evaluate` (line 1): `/evaluate` needs write access" in reply["body"]
    assert evaluate_jobs(db) == [] and count(db, EvalApproval) == 0
    assert eval_runs(db) == [(SHA_HEAD, "waiting", None)]


def test_a_maintainers_approval_holds_for_that_head_only(as_app, github, repo, deliver, corpus, db):
    commit(repo, SHA_BASE, {}, SKIP_ALL)
    deliver("pull_request", pull_request(corpus, association="CONTRIBUTOR"))
    deliver("issue_comment", evaluate_comment(corpus, github, repo))
    drain(as_app)
    db.rollback()
    assert [(a.head_sha, a.approved_by) for a in db.scalars(select(EvalApproval))] == [(SHA_HEAD, "maint")]
    assert len(evaluate_jobs(db)) == 1
    # The waiting check run itself went on: evaluated (here skipped: the PR touches no watched path).
    assert eval_runs(db) == [(SHA_HEAD, "skipped", "skipped")]
    assert checks(repo) == [(SHA_HEAD, "completed", "neutral", "Skipped")]
    assert len(bot_comments(repo)) == 1 and "<!-- steward:evaluation -->" in bot_comments(repo)[0]["body"]

    deliver("pull_request", pull_request(corpus, "synchronize", head=SHA_NEXT, association="CONTRIBUTOR"))
    assert len(evaluate_jobs(db)) == 1  # no job for the new head: the approval does not carry over
    assert eval_runs(db) == [(SHA_HEAD, "skipped", "skipped"), (SHA_NEXT, "waiting", None)]
    assert checks(repo)[-1] == (SHA_NEXT, "queued", None, runs.WAITING_TITLE)

    deliver("issue_comment", evaluate_comment(corpus, github, repo))
    drain(as_app)
    assert len(evaluate_jobs(db)) == 2
    assert eval_runs(db)[-1] == (SHA_NEXT, "skipped", "skipped")
    assert len(bot_comments(repo)) == 1  # still the one comment, edited


def test_a_new_push_cancels_the_old_heads_run_and_its_check_run(as_app, github, repo, deliver, corpus, db):
    commit(repo, SHA_BASE, {}, SKIP_ALL)
    deliver("pull_request", pull_request(corpus, association="NONE"))
    deliver("pull_request", pull_request(corpus, "synchronize", head=SHA_NEXT, association="NONE"))
    assert eval_runs(db) == [(SHA_HEAD, "cancelled", "cancelled"), (SHA_NEXT, "waiting", None)]
    assert sorted(checks(repo)) == [(SHA_HEAD, "completed", "cancelled", "Superseded"),
                                    (SHA_NEXT, "queued", None, runs.WAITING_TITLE)]


def test_cancelling_a_queued_or_running_job(as_app, db):
    with transaction(as_app.factory) as uow:
        jobs.enqueue(uow, runs.CHECK_KIND, {"run_id": 0}, key="a")
        jobs.enqueue(uow, runs.CHECK_KIND, {"run_id": 0}, key="b")
    with transaction(as_app.factory) as uow:
        uow.execute(Job.__table__.update().where(Job.dedupe_key == f"{runs.CHECK_KIND}:b")
                    .values(status="running", started_at=now()))
    with transaction(as_app.factory) as uow:
        assert jobs.cancel(uow, runs.CHECK_KIND, "a") and jobs.cancel(uow, runs.CHECK_KIND, "b")
        assert not jobs.cancel(uow, runs.CHECK_KIND, "a") and not jobs.cancel(uow, runs.CHECK_KIND, "missing")
    db.rollback()
    assert sorted(db.scalars(select(Job.status))) == ["cancelled", "cancelled"]
    assert jobs.run_due(as_app) == 0


def test_drafts_are_not_evaluated_until_ready(as_app, github, repo, deliver, corpus, db):
    commit(repo, SHA_BASE, {}, SKIP_ALL)
    deliver("pull_request", pull_request(corpus, draft=True))
    assert eval_runs(db) == [] and evaluate_jobs(db) == []
    deliver("pull_request", pull_request(corpus, "ready_for_review"))
    assert eval_runs(db) == [(SHA_HEAD, "skipped", "skipped")]


def test_a_repository_without_an_evaluation_section_gets_nothing(as_app, github, repo, deliver, corpus, db):
    commit(repo, SHA_BASE, {}, None)  # no .github/steward.yml at all
    deliver("pull_request", pull_request(corpus, association="NONE"))
    deliver("pull_request", pull_request(corpus, "synchronize", head=SHA_NEXT))
    assert eval_runs(db) == [] and repo.check_runs == {} and bot_comments(repo) == []


def test_an_invalid_config_fails_the_check_naming_the_key(as_app, github, repo, deliver, corpus, db):
    commit(repo, SHA_BASE, {}, b"evaluation:\n  modle: models/tiny\n  suites: [steward_prose]\n")
    commit(repo, SHA_HEAD, {}, b"evaluation:\n  model: models/tiny\n  suites: [steward_prose]\n")  # never read
    deliver("pull_request", pull_request(corpus))
    [(sha, status, conclusion, title)] = checks(repo)
    assert (sha, status, conclusion, title) == (SHA_HEAD, "completed", "failure", "Invalid .github/steward.yml")
    summary = next(iter(repo.check_runs.values()))["output"]["summary"]
    assert "modle" in summary and "model" in summary
    assert eval_runs(db) == [(SHA_HEAD, "skipped", "failure")]
    assert not github.requests_to("GET", rf"/repos/{REPO}/contents/.*") or all(
        f"ref={SHA_BASE}" in r.query for r in github.requests_to("GET", rf"/repos/{REPO}/contents/.*"))


def test_without_app_credentials_no_run_is_kept(runtime, github, repo, deliver, corpus, db):
    deliver("pull_request", pull_request(corpus, association="CONTRIBUTOR"))  # would wait for /evaluate
    deliver("pull_request", pull_request(corpus, "synchronize", head=SHA_NEXT, association="OWNER"))
    db.rollback()
    assert count(db, EvalRun) == 0 and github.requests == []  # nothing shown, nothing pretending to wait
    assert {job.status for job in db.scalars(select(Job))} == {"done"}
