"""check_suite and check_run → CheckSuite and CheckRun rows (state never moves backwards)."""

from __future__ import annotations

from bot.handlers.context import repo_id
from bot.models import CheckRun, CheckSuite
from bot.routing import Event, Router
from bot.store import pick, upsert

router = Router()

STATUS_RANK = {"queued": 1, "requested": 1, "waiting": 1, "pending": 1, "in_progress": 2, "completed": 3}


@router.register("check_suite")
def track_check_suite(uow, event: Event) -> None:
    suite = event.payload["check_suite"]
    values = pick(suite, {"id": "id", "head_sha": "head_sha", "head_branch": "head_branch",
                          "status": "status", "conclusion": "conclusion", "app_id": ("app", "id"),
                          "created_at": "created_at", "updated_at": "updated_at"},
                  times=("created_at", "updated_at"))
    values["repository_id"] = repo_id(event)
    upsert(uow, CheckSuite, values, newer="updated_at")


@router.register("check_run")
def track_check_run(uow, event: Event) -> None:
    run = event.payload["check_run"]
    values = pick(run, {"id": "id", "head_sha": "head_sha", "name": "name", "status": "status",
                        "conclusion": "conclusion", "external_id": "external_id",
                        "check_suite_id": ("check_suite", "id"), "app_id": ("app", "id"),
                        "started_at": "started_at", "completed_at": "completed_at"},
                  times=("started_at", "completed_at"))
    values.update(repository_id=repo_id(event), status_rank=STATUS_RANK.get(run.get("status"), 0))
    upsert(uow, CheckRun, values, newer="status_rank")
