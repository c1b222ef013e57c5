"""issue_comment.* → Comment rows; ``upsert_comment`` serves review and discussion comments too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update

from bot import contributions
from bot.handlers.context import repo_id, seen_at
from bot.handlers.issues import upsert_issue
from bot.models import Comment
from bot.routing import Event, Router
from bot.store import parse_time, person, pick, upsert

router = Router()

COMMENT_COLUMNS = {
    "id": "id", "body": "body", "html_url": "html_url", "author_association": "author_association",
    "created_at": "created_at", "updated_at": "updated_at", "in_reply_to_id": "in_reply_to_id",
}
CONTRIBUTION_KIND = {"issue": "issue_comment", "review": "review_comment", "discussion": "discussion_comment"}


def upsert_comment(uow, event: Event, kind: str, comment: Mapping[str, Any], parent: Mapping[str, Any]) -> None:
    """Upsert one comment; credit its author when it is created; mark it when deleted."""
    values = pick(comment, COMMENT_COLUMNS, times=("created_at", "updated_at"))
    values.update(kind=kind, repository_id=repo_id(event), parent_number=parent.get("number"),
                  author_id=person(uow, comment.get("user"), seen_at(event)))
    if "id" in parent:  # a backfilled PR conversation comment knows the PR, not its issue id: leave it be
        values["parent_id"] = parent["id"]
    upsert(uow, Comment, values, key=("kind", "id"), newer="updated_at")
    if event.action == "deleted":
        uow.execute(update(Comment).where(Comment.kind == kind, Comment.id == comment["id"])
                    .values(deleted_at=event.received_at))
    else:  # a comment that exists was written: record it even if its "created" delivery was missed
        contributions.record(
            uow, kind=CONTRIBUTION_KIND[kind], key=f"{comment['id']}", person_id=values["author_id"],
            repository_id=values["repository_id"], occurred_at=parse_time(comment.get("created_at")),
            url=comment.get("html_url"), delivery_id=event.delivery_id,
        )


@router.register("issue_comment")
def track_issue_comment(uow, event: Event) -> None:
    issue = event.payload["issue"]
    if "pull_request" not in issue:  # a PR's issue object carries the issue id, not the PR's
        upsert_issue(uow, event, issue)
    upsert_comment(uow, event, "issue", event.payload["comment"], issue)
