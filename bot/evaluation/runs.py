"""The life of an ``EvalRun`` in the database, and the ``eval_check`` job that shows a run that is not evaluating.

Handlers and the ``/evaluate`` action call these in their own transaction (they never call GitHub):

- ``supersede``: a new head cancels every waiting, queued or running run of the PR for another head (their
  ``evaluate`` job is cancelled with ``jobs.cancel``; a running evaluation notices and stops) and asks
  ``eval_check`` to complete their check runs as ``cancelled``;
- ``start``: a ``queued`` run and its ``evaluate`` job (``bot/evaluation/pipeline.py``), deduplicated per
  (repository, PR, head SHA);
- ``wait``: an untrusted author's head: a ``waiting`` run, whose check run ``eval_check`` posts as queued with
  "waiting for a maintainer's /evaluate" until an approval for that exact SHA starts it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import gh, jobs, repo_config
from bot.db import now, transaction
from bot.evaluation.config import EvaluationConfig
from bot.models import Job
from bot.models.evaluation import ACTIVE, CANCELLED, FAILURE, QUEUED, SKIPPED, WAITING, EvalApproval, EvalRun

log = logging.getLogger(__name__)
KIND, CHECK_KIND = "evaluate", "eval_check"
CHECK_NAME = "steward/eval"
MARKER = "evaluation"
TRUSTED = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
WAITING_TITLE = "Waiting for a maintainer's /evaluate"
WAITING_SUMMARY = ("This pull request comes from an author who is not a member or collaborator of the repository,"
                   " so Steward does not run its model evaluation on its own. A maintainer can start it by"
                   " commenting `/evaluate`; the approval holds for this commit only, and a new push needs a new"
                   " one.")


@dataclass(frozen=True)
class PullIn:
    repository: str
    repository_id: int
    installation_id: int | None
    number: int
    base_sha: str
    head_sha: str


def job_key(run: EvalRun, *, rerun: bool = False) -> str:
    """One ``evaluate`` job per (repository, PR, head SHA); a maintainer's rerun of a head gets its own."""
    key = f"{run.repository_id}:{run.pr_number}:{run.head_sha}"
    return f"{key}:{run.id}" if rerun else key


def latest(uow: Session, repository_id: int, number: int, head_sha: str | None = None) -> EvalRun | None:
    query = select(EvalRun).where(EvalRun.repository_id == repository_id, EvalRun.pr_number == number)
    if head_sha is not None:
        query = query.where(EvalRun.head_sha == head_sha)
    return uow.scalar(query.order_by(EvalRun.id.desc()).limit(1))


def approval(uow: Session, repository_id: int, number: int, head_sha: str) -> EvalApproval | None:
    return uow.scalar(select(EvalApproval).where(EvalApproval.repository_id == repository_id,
                                                 EvalApproval.pr_number == number, EvalApproval.head_sha == head_sha))


def supersede(uow: Session, repository_id: int, number: int, head_sha: str | None) -> list[int]:
    """Cancel the PR's active runs for any head but ``head_sha`` (None: every one, e.g. on close)."""
    query = select(EvalRun).where(EvalRun.repository_id == repository_id, EvalRun.pr_number == number,
                                  EvalRun.status.in_(ACTIVE))
    if head_sha is not None:
        query = query.where(EvalRun.head_sha != head_sha)
    cancelled = []
    for run in uow.scalars(query):
        run.status, run.conclusion, run.finished_at = CANCELLED, CANCELLED, now()
        jobs.cancel(uow, KIND, job_key(run)) or jobs.cancel(uow, KIND, job_key(run, rerun=True))
        jobs.enqueue(uow, CHECK_KIND, {"run_id": run.id}, key=f"{run.id}:{CANCELLED}")
        cancelled.append(run.id)
    return cancelled


def _new(uow: Session, pr: PullIn, status: str, **values: Any) -> EvalRun:
    run = EvalRun(repository_id=pr.repository_id, repository=pr.repository, installation_id=pr.installation_id,
                  pr_number=pr.number, base_sha=pr.base_sha, head_sha=pr.head_sha, status=status,
                  created_at=now(), results=[], **values)
    uow.add(run)
    uow.flush()
    return run


def start(uow: Session, pr: PullIn, *, trusted: bool, approved_by: str | None = None) -> EvalRun:
    return queue(uow, _new(uow, pr, QUEUED, trusted=trusted, approved_by=approved_by))


def queue(uow: Session, run: EvalRun) -> EvalRun:
    """Enqueue the run's ``evaluate`` job (a head evaluated before, e.g. pushed again, gets a fresh key)."""
    run.status = QUEUED
    taken = uow.scalar(select(Job.id).where(Job.dedupe_key == f"{KIND}:{job_key(run)}")) is not None
    jobs.enqueue(uow, KIND, {"run_id": run.id}, key=job_key(run, rerun=taken))
    return run


def wait(uow: Session, pr: PullIn) -> EvalRun:
    run = _new(uow, pr, WAITING, trusted=False)
    jobs.enqueue(uow, CHECK_KIND, {"run_id": run.id}, key=f"{run.id}:{WAITING}")
    return run


def read_config(runtime, run: EvalRun) -> EvaluationConfig | repo_config.ConfigError | None:
    """The ``evaluation:`` section at the run's BASE commit (never the head's); None when it has none."""
    found = repo_config.fetch(runtime, run.repository, run.base_sha, installation_id=run.installation_id,
                              repository_id=run.repository_id)
    if isinstance(found, repo_config.ConfigError):
        return found
    return found.get(EvaluationConfig)


def config_failure(api: gh.InstallationAPI, run: EvalRun, error: repo_config.ConfigError) -> dict[str, Any]:
    """Check-run fields for an invalid ``.github/steward.yml`` (the report names the wrong keys)."""
    return {"status": "completed", "conclusion": FAILURE, "completed_at": now(), "output": {
        "title": f"Invalid {repo_config.CONFIG_PATH}", "summary": error.markdown(sha=run.base_sha)}}


def publish_check(api: gh.InstallationAPI, run: EvalRun, fields: dict[str, Any]) -> int | None:
    """Create the run's check run, or update the one it has; returns its id."""
    if run.check_run_id is None:
        return api.create_check_run(run.repository, run.head_sha, CHECK_NAME, external_id=str(run.id), **fields)
    api.update_check_run(run.repository, run.check_run_id, **fields)
    return run.check_run_id


def save(runtime, run_id: int, **values: Any) -> None:
    with transaction(runtime.factory) as uow:
        row = uow.get_one(EvalRun, run_id)
        for name, value in values.items():
            setattr(row, name, value)


def drop(runtime, run_id: int) -> None:
    """Forget a run that can never be evaluated here (no App credentials, or no ``evaluation:`` section)."""
    with transaction(runtime.factory) as uow:
        run = uow.get(EvalRun, run_id)
        if run is not None:
            uow.delete(run)


@jobs.kind(CHECK_KIND)
def eval_check(runtime, args: dict[str, Any]) -> None:
    """Show a waiting run's check run (queued, waiting for approval) or complete a cancelled one's."""
    with runtime.factory() as uow:
        run = uow.get(EvalRun, args["run_id"])
        if run is None:
            return
        uow.expunge(run)
    api = gh.installation_api(runtime, run.installation_id, repository_id=run.repository_id)
    if run.status == CANCELLED:
        if run.check_run_id is None:
            return  # nothing was shown yet (an evaluate job that starts later sees the cancel and stops)
        summary = "A newer push (or closing the pull request) superseded this evaluation."
        check_id = publish_check(api, run, {"status": "completed", "conclusion": CANCELLED, "completed_at": now(),
                                            "output": {"title": "Superseded", "summary": summary}})
        save(runtime, run.id, check_run_id=check_id)
        return
    if run.status != WAITING:
        return  # approved (and evaluating) since: the evaluate job shows it
    if api.dry:  # without App credentials nothing can be read or shown: no run is kept
        log.info("eval_check %s#%s: no GitHub App credentials; nothing shown", run.repository, run.pr_number)
        drop(runtime, run.id)
        return
    config = read_config(runtime, run)
    if config is None:  # the repository does not use evaluation: no run, nothing shown
        drop(runtime, run.id)
        return
    if isinstance(config, repo_config.ConfigError):
        check_id = publish_check(api, run, config_failure(api, run, config))
        save(runtime, run.id, check_run_id=check_id, status=SKIPPED, conclusion=FAILURE, finished_at=now(),
             error=str(config))
        return
    check_id = publish_check(api, run, {"status": "queued", "output": {"title": WAITING_TITLE,
                                                                       "summary": WAITING_SUMMARY}})
    save(runtime, run.id, check_run_id=check_id)
