"""What issues, pull requests and discussions share: columns, people on them, and triage credit."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import contributions
from bot.handlers.context import repo_id, sender_id
from bot.routing import Event
from bot.store import parse_time, person, pick

ITEM_COLUMNS = {
    "id": "id", "number": "number", "title": "title", "state": "state", "locked": "locked",
    "author_association": "author_association", "html_url": "html_url", "created_at": "created_at",
    "updated_at": "updated_at",
}
ITEM_TIMES = ("created_at", "updated_at", "closed_at", "merged_at", "answer_chosen_at")

# Acts on someone else's item that count as triage.
TRIAGE_ACTIONS = {"labeled", "unlabeled", "assigned", "unassigned", "milestoned", "demilestoned", "closed", "reopened",
                  "locked", "unlocked", "transferred", "pinned", "category_changed"}  # METRICS.md §1


def item_values(uow: Session, event: Event, obj: Mapping[str, Any], at: datetime, **columns: str) -> dict:
    values = pick(obj, {**ITEM_COLUMNS, **columns}, times=ITEM_TIMES)
    values["repository_id"] = repo_id(event)
    values["author_id"] = person(uow, obj.get("user"), at)
    if "labels" in obj:
        values["labels"] = sorted(label["name"] for label in obj["labels"] or [])
    if "assignees" in obj:
        values["assignees"] = sorted(person(uow, a, at) for a in obj["assignees"] or [] if a)
    return values


def record_triage(uow: Session, event: Event, obj: Mapping[str, Any], kind: str) -> None:
    """Credit the sender with triage when they label, assign, milestone or close another's item."""
    actor = sender_id(event)
    author = (obj.get("user") or {}).get("id")
    if event.action not in TRIAGE_ACTIONS or actor is None or actor == author:
        return
    target = (event.payload.get("label") or event.payload.get("assignee")
              or event.payload.get("milestone") or {})
    detail = target.get("name") or target.get("id") or target.get("title") or ""
    when = parse_time(obj.get("closed_at") if event.action == "closed" else obj.get("updated_at"))
    contributions.record(
        uow, kind="triage", key=f"{kind}:{obj['id']}:{event.action}:{detail}:{when.isoformat() if when else ''}",
        person_id=actor, repository_id=repo_id(event), occurred_at=when, url=obj.get("html_url"),
        delivery_id=event.delivery_id,
    )
