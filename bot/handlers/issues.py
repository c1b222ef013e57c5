"""issues.* → Issue rows; issue_opened and triage contributions."""

from __future__ import annotations

from sqlalchemy import update

from bot import contributions
from bot.handlers.context import repo_id, seen_at
from bot.handlers.items import item_values, record_triage
from bot.models import Issue
from bot.routing import Event, Router
from bot.store import parse_time, upsert

router = Router()


def upsert_issue(uow, event: Event, issue: dict) -> int:
    at = seen_at(event)
    values = item_values(uow, event, issue, at, state_reason="state_reason", comments="comments",
                         closed_at="closed_at")
    if "milestone" in issue:
        values["milestone"] = (issue["milestone"] or {}).get("title")
    upsert(uow, Issue, values, newer="updated_at")
    return int(issue["id"])


@router.register("issues")
def track_issue(uow, event: Event) -> None:
    issue = event.payload["issue"]
    upsert_issue(uow, event, issue)
    if event.action == "deleted":
        uow.execute(update(Issue).where(Issue.id == issue["id"]).values(deleted_at=event.received_at))
    if event.action == "opened":
        contributions.record(
            uow, kind="issue_opened", key=str(issue["id"]), person_id=(issue.get("user") or {}).get("id"),
            repository_id=repo_id(event), occurred_at=parse_time(issue.get("created_at")),
            url=issue.get("html_url"), delivery_id=event.delivery_id,
        )
    record_triage(uow, event, issue, "issue")
