"""What every routed delivery records first: its installation, repository, organisation and sender.

GitHub does not resend missed deliveries, so an installation, repository or person named by any
event is created on sight rather than dropped. ``SUBSCRIBED`` is the list of events Steward handles.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.models import Installation, Repository
from bot.routing import Event, Router
from bot.store import person, pick, upsert

SUBSCRIBED = (
    "installation", "installation_repositories", "repository", "issues", "issue_comment", "pull_request",
    "pull_request_review", "pull_request_review_comment", "discussion", "discussion_comment", "gollum",
    "push", "release", "fork", "star", "watch", "member", "label", "create", "delete", "check_run",
    "check_suite", "ping",
)
_PRIMARY = ("comment", "review", "pull_request", "issue", "discussion", "release", "check_run",
            "check_suite", "installation", "repository")

REPO_COLUMNS = {
    "id": "id", "name": "name", "full_name": "full_name", "private": "private", "fork": "fork",
    "archived": "archived", "default_branch": "default_branch", "description": "description",
    "html_url": "html_url", "stargazers_count": "stargazers_count", "forks_count": "forks_count",
    "open_issues_count": "open_issues_count", "created_at": "created_at", "pushed_at": "pushed_at",
    "updated_at": "updated_at",
}
REPO_TIMES = ("created_at", "pushed_at", "updated_at")

router = Router()


def seen_at(event: Event) -> datetime:
    """When the people in the event were current: the newest GitHub timestamp of its main objects.

    Every such timestamp is no later than the event itself, so the newest is the tightest bound (a
    push's repository keeps an old ``updated_at`` but a fresh ``pushed_at``). Receipt time if none.
    """
    p = event.payload
    stamps = [(p.get(name), "updated_at") for name in _PRIMARY]
    stamps += [(p.get("repository"), "pushed_at"), (p.get("head_commit"), "timestamp"), (p, "starred_at")]
    found = [pick(obj, {"t": key}, times=("t",)).get("t") for obj, key in stamps if isinstance(obj, Mapping)]
    return max((t for t in found if t is not None), default=event.received_at)


def installation_id(event: Event) -> int | None:
    inst = event.payload.get("installation")
    return int(inst["id"]) if isinstance(inst, Mapping) and inst.get("id") is not None else None


def upsert_repository(
    uow: Session, repo: Mapping[str, Any], at: datetime, installation: int | None = None, **extra: Any
) -> int:
    values = pick(repo, REPO_COLUMNS, times=REPO_TIMES)
    owner = repo.get("owner")
    if isinstance(owner, Mapping):
        values["owner_id"] = person(uow, owner, at)
    values.update(extra)
    upsert(uow, Repository, values, newer="updated_at")
    if installation is not None:  # a late delivery must not re-link a repository to a removed installation
        removed = select(Installation.id).where(Installation.id == installation, Installation.deleted_at.is_not(None))
        uow.execute(update(Repository).where(Repository.id == repo["id"], ~removed.exists())
                    .values(installation_id=installation))
    return int(repo["id"])


def record(uow: Session, event: Event) -> None:
    at = seen_at(event)
    inst = installation_id(event)
    if inst is not None:
        upsert(uow, Installation, {"id": inst})
    org = event.payload.get("organization")
    if isinstance(org, Mapping):
        person(uow, {"type": "Organization", **org}, at)
    person(uow, event.payload.get("sender"), at)
    repo = event.payload.get("repository")
    if isinstance(repo, Mapping) and repo.get("id") is not None:
        upsert_repository(uow, repo, at, inst)


def repo_id(event: Event) -> int | None:
    repo = event.payload.get("repository")
    return int(repo["id"]) if isinstance(repo, Mapping) and repo.get("id") is not None else None


def sender_id(event: Event) -> int | None:
    sender = event.payload.get("sender")
    return int(sender["id"]) if isinstance(sender, Mapping) and sender.get("id") is not None else None


for _name in SUBSCRIBED:
    router.register(_name)(record)
