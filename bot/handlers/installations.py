"""installation, installation_repositories and ping → Installation, Repository and Hook rows.

A new installation, or repositories added to one, enqueue one ``backfill`` job per repository in the
delivery's own transaction (the job runs later, never inline in the webhook request).
"""

from __future__ import annotations

from sqlalchemy import update

from bot import backfill
from bot.handlers.context import seen_at, upsert_repository
from bot.models import Hook, Installation, Repository
from bot.routing import Event, Router
from bot.store import person, pick, upsert

router = Router()

INSTALLATION_COLUMNS = {
    "id": "id", "app_id": "app_id", "target_type": "target_type",
    "repository_selection": "repository_selection", "permissions": "permissions", "events": "events",
    "created_at": "created_at", "updated_at": "updated_at", "suspended_at": "suspended_at",
}


@router.register("installation")
def track_installation(uow, event: Event) -> None:
    inst = event.payload["installation"]
    at = seen_at(event)
    values = pick(inst, INSTALLATION_COLUMNS, times=("created_at", "updated_at", "suspended_at"))
    values["account_id"] = person(uow, inst.get("account"), at)
    if event.action == "deleted":
        values["deleted_at"] = event.received_at
    elif event.action == "created":
        values["deleted_at"] = None
    upsert(uow, Installation, values, newer="updated_at")
    deleted = event.action == "deleted"
    if deleted:
        uow.execute(update(Repository).where(Repository.installation_id == inst["id"])
                    .values(installation_id=None))
    for repo in event.payload.get("repositories") or []:  # recorded even when deleted, never dropped
        upsert_repository(uow, repo, at, None if deleted else inst["id"])
        if event.action == "created":
            backfill.enqueue(uow, repo["id"], repo.get("full_name"), inst["id"])


@router.register("installation_repositories")
def track_installation_repositories(uow, event: Event) -> None:
    inst = event.payload["installation"]
    at = seen_at(event)
    upsert(uow, Installation, pick(inst, {"id": "id", "repository_selection": "repository_selection"}))
    for repo in event.payload.get("repositories_added") or []:
        upsert_repository(uow, repo, at, inst["id"])
        backfill.enqueue(uow, repo["id"], repo.get("full_name"), inst["id"])
    for repo in event.payload.get("repositories_removed") or []:
        upsert_repository(uow, repo, at)
        uow.execute(update(Repository).where(Repository.id == repo["id"], Repository.installation_id == inst["id"])
                    .values(installation_id=None))


@router.register("ping")
def track_ping(uow, event: Event) -> None:
    hook = event.payload.get("hook") or {}
    values = pick(hook, {"id": "id", "type": "type", "app_id": "app_id", "active": "active",
                         "events": "events", "created_at": "created_at", "updated_at": "updated_at"},
                  times=("created_at", "updated_at"))
    values.setdefault("id", event.payload.get("hook_id"))
    if values["id"] is None:
        return
    values["repository_id"] = (event.payload.get("repository") or {}).get("id")
    upsert(uow, Hook, values, newer="updated_at")
