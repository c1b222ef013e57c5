"""PR evaluation end to end: a signed ``pull_request`` delivery → the ``evaluate`` job (tarball checkouts, the
sandboxed evaluator, the result cache) → one comment edited in place and one check run per head on the fake
GitHub, and the ``EvalRun`` rows the dashboard reads."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.db import transaction
from bot.evaluation import pipeline, runs, sandbox
from bot.models import Job
from bot.models.evaluation import EvalResultCache, EvalRun
from tests.conftest import count
from tests.evaluation import github_repo
from tests.evaluation.github_repo import (
    NUMBER,
    REPO,
    REPO_ID,
    SHA_BASE,
    SHA_HEAD,
    SHA_NEXT,
    bot_comments,
    commit,
    pull_request,
)

as_app, model_files, repo = github_repo.as_app, github_repo.model_files, github_repo.repo  # fixtures

TARBALLS = rf"/repos/{REPO}/tarball/[0-9a-f]+"


@pytest.fixture
def evaluations(monkeypatch):
    """The model directories the sandboxed evaluator was started on (a spy around the real sandbox)."""
    started, real = [], sandbox.run_python

    def spy(args, **kw):
        started.append(args[args.index("--model") + 1] if "--model" in args else args)
        return real(args, **kw)

    monkeypatch.setattr(sandbox, "run_python", spy)
    return started


def runs_of(db) -> list[EvalRun]:
    db.rollback()
    return list(db.scalars(select(EvalRun).order_by(EvalRun.id)))


def conclusions(repo) -> list[tuple[str, str, str]]:
    return [(c["head_sha"], c["status"], c["conclusion"]) for c in repo.check_runs.values()]


def test_identical_model_succeeds_then_a_degraded_push_fails_in_the_same_comment(
        as_app, github, repo, deliver, corpus, db, model_files, evaluations):
    sha_again = "e" * 40
    commit(repo, SHA_BASE, model_files())
    commit(repo, SHA_HEAD, model_files(), **{"README.md": b"docs only"})
    commit(repo, SHA_NEXT, model_files(noise=1.0))
    commit(repo, sha_again, model_files(noise=1.0), **{"README.md": b"the same model again"})
    repo.pull_files[NUMBER] = ["models/tiny/config.json"]

    assert deliver("pull_request", pull_request(corpus)).status_code == 202
    [first] = runs_of(db)
    assert (first.status, first.conclusion, first.error) == ("completed", "success", None)
    assert len(evaluations) == 1  # the head's model is the base's: its results come from the cache
    assert first.results and all(r["delta"] == 0.0 and r["outcome"] == "unchanged" for r in first.results)
    assert {r["metric"] for r in first.results} == {"word_perplexity", "byte_perplexity", "bits_per_byte"}
    assert conclusions(repo) == [(SHA_HEAD, "completed", "success")]
    [comment] = bot_comments(repo)
    first_body = comment["body"]
    assert first_body.startswith("<!-- steward:evaluation -->") and SHA_HEAD[:7] in first_body
    check = next(iter(repo.check_runs.values()))
    assert check["output"]["summary"] in first_body
    [created] = github.requests_to("POST", rf"/repos/{REPO}/check-runs")
    [completed] = github.requests_to("PATCH", rf"/repos/{REPO}/check-runs/{check['id']}")
    assert json.loads(created.body)["status"] == "in_progress" and json.loads(completed.body)["status"] == "completed"

    deliver("pull_request", pull_request(corpus, "synchronize", head=SHA_NEXT))
    second = runs_of(db)[-1]
    assert (second.head_sha, second.status, second.conclusion) == (SHA_NEXT, "completed", "failure")
    assert len(evaluations) == 2  # only the new head: the base came from the cache
    regressed = [r for r in second.results if r["outcome"] == "regressed"]
    assert regressed and all(r["delta"] > 0 and r["ci_low"] > 0 for r in regressed)  # perplexities went up
    assert conclusions(repo) == [(SHA_HEAD, "completed", "success"), (SHA_NEXT, "completed", "failure")]
    [edited] = bot_comments(repo)  # never a second comment
    assert edited["id"] == comment["id"] and SHA_NEXT[:7] in edited["body"] and edited["body"] != first_body
    assert "regression" in edited["body"] and len(edited["body"]) < 65536
    assert len(github.requests_to("POST", rf"/repos/{REPO}/issues/{NUMBER}/comments")) == 1
    assert len(github.requests_to("PATCH", rf"/repos/{REPO}/issues/comments/{comment['id']}")) == 1

    # A push that leaves the model files and the evaluation inputs as they were: answered from the cache.
    deliver("pull_request", pull_request(corpus, "synchronize", head=sha_again))
    third = runs_of(db)[-1]
    assert len(evaluations) == 2 and third.runtime_s == 0.0
    assert (third.conclusion, third.results) == ("failure", second.results)
    assert count(db, EvalResultCache) == 2 and len(bot_comments(repo)) == 1
    assert len(github.requests_to("GET", TARBALLS)) == 6  # base and head of each run, deleted after use


def test_a_pr_touching_no_configured_path_is_skipped(as_app, github, repo, deliver, corpus, db, model_files,
                                                     evaluations):
    commit(repo, SHA_BASE, model_files())
    repo.pull_files[NUMBER] = ["README.md", "docs/index.md"]
    deliver("pull_request", pull_request(corpus))
    [run] = runs_of(db)
    assert (run.status, run.conclusion, run.results) == ("skipped", "skipped", [])
    assert conclusions(repo) == [(SHA_HEAD, "completed", "neutral")]
    [comment] = bot_comments(repo)
    assert "changes none of the paths the evaluation watches: models/\\*\\*" in comment["body"]
    assert evaluations == [] and github.requests_to("GET", TARBALLS) == []


def test_pickle_weights_are_refused_before_anything_runs(as_app, github, repo, deliver, corpus, db, model_files,
                                                         evaluations):
    commit(repo, SHA_BASE, model_files())
    commit(repo, SHA_HEAD, {**model_files(), "pytorch_model.bin": b"\x80\x04pickle"})
    repo.pull_files[NUMBER] = ["models/tiny/pytorch_model.bin"]
    deliver("pull_request", pull_request(corpus))
    [run] = runs_of(db)
    assert (run.status, run.conclusion) == ("completed", "failure")
    assert "pickle" in run.error and "models/tiny" in run.error and "/tmp" not in run.error
    assert evaluations == []
    assert conclusions(repo) == [(SHA_HEAD, "completed", "failure")]
    assert "pickle" in bot_comments(repo)[0]["body"]


def test_the_build_command_runs_in_each_checkout_and_a_failing_head_build_fails(
        as_app, github, repo, deliver, corpus, db, model_files, evaluations):
    config = github_repo.CONFIG + b'  build: "test -f built-ok || { echo cannot build here; exit 3; }"\n'
    commit(repo, SHA_BASE, model_files(), config=config, **{"built-ok": b""})
    commit(repo, SHA_HEAD, model_files(), config=config)
    repo.pull_files[NUMBER] = ["models/tiny/config.json"]
    deliver("pull_request", pull_request(corpus))
    [run] = runs_of(db)
    assert (run.status, run.conclusion) == ("completed", "failure")
    assert run.error == "the build command failed on the head: exited with status 3: cannot build here"
    assert evaluations == []  # nothing was evaluated
    assert conclusions(repo) == [(SHA_HEAD, "completed", "failure")]


def test_glob_paths():
    assert pipeline.matches("**", "a/b/c") and pipeline.matches("models/**", "models/tiny/x.json")
    assert pipeline.matches("models", "models/tiny/x.json") and pipeline.matches("**/*.yaml", "a.yaml")
    assert not pipeline.matches("models/**", "docs/x") and not pipeline.matches("*.py", "bot/x.py")
    assert not pipeline.matches("models/tiny", "models/tiny2/x")


def test_a_push_during_the_evaluation_kills_it_and_cancels_its_check_run(
        as_app, github, repo, deliver, corpus, db, model_files, monkeypatch):
    commit(repo, SHA_BASE, model_files())
    commit(repo, SHA_HEAD, model_files(noise=1.0))
    repo.pull_files[NUMBER] = ["models/tiny/model.safetensors"]
    real, finished = sandbox.run_python, []

    def push_meanwhile(args, **kw):  # what the synchronize handler does while the evaluator runs
        with transaction(as_app.factory) as uow:
            runs.supersede(uow, REPO_ID, NUMBER, SHA_NEXT)
        finished.append(real(args, **kw))
        return finished[-1]

    monkeypatch.setattr(sandbox, "run_python", push_meanwhile)
    deliver("pull_request", pull_request(corpus))
    assert [(done.stopped, done.returncode) for done in finished] == [(True, -9)]  # killed, not waited for
    [run] = runs_of(db)
    assert (run.status, run.conclusion) == ("cancelled", "cancelled")
    assert conclusions(repo) == [(SHA_HEAD, "completed", "cancelled")]
    assert bot_comments(repo) == [] and count(db, EvalResultCache) == 0
    assert db.scalar(select(Job.status).where(Job.kind == runs.KIND)) == "cancelled"
