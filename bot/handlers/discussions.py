"""discussion.* and discussion_comment.* → Discussion and Comment rows; contributions incl. answers."""

from __future__ import annotations

from sqlalchemy import update

from bot import contributions
from bot.handlers.comments import upsert_comment
from bot.handlers.context import repo_id, seen_at
from bot.handlers.items import item_values, record_triage
from bot.models import Discussion
from bot.routing import Event, Router
from bot.store import parse_time, person, upsert

router = Router()


def upsert_discussion(uow, event: Event, discussion: dict) -> None:
    at = seen_at(event)
    values = item_values(uow, event, discussion, at, answer_chosen_at="answer_chosen_at")
    if "category" in discussion:
        values["category"] = (discussion["category"] or {}).get("name")
    if "answer_chosen_by" in discussion:
        values["answer_chosen_by_id"] = person(uow, discussion["answer_chosen_by"], at)
    upsert(uow, Discussion, values, newer="updated_at")


@router.register("discussion")
def track_discussion(uow, event: Event) -> None:
    discussion = event.payload["discussion"]
    upsert_discussion(uow, event, discussion)
    common = {"repository_id": repo_id(event), "delivery_id": event.delivery_id}
    if event.action == "created":
        contributions.record(uow, kind="discussion_opened", key=str(discussion["id"]),
                             person_id=(discussion.get("user") or {}).get("id"),
                             occurred_at=parse_time(discussion.get("created_at")),
                             url=discussion.get("html_url"), **common)
    elif event.action == "answered":
        upsert_comment(uow, event, "discussion", event.payload["answer"], discussion)
        record_answer(uow, event, discussion, event.payload["answer"])
    elif event.action == "unanswered":
        uow.execute(update(Discussion).where(Discussion.id == discussion["id"],
                                             Discussion.answer_chosen_at.is_(None))
                    .values(answer_comment_id=None))
    elif event.action == "deleted":
        uow.execute(update(Discussion).where(Discussion.id == discussion["id"])
                    .values(deleted_at=event.received_at))
    record_triage(uow, event, discussion, "discussion")


def record_answer(uow, event: Event, discussion: dict, answer: dict) -> None:
    """Link the chosen answer and credit its author at the time it was chosen."""
    chosen_at = parse_time(discussion.get("answer_chosen_at"))
    # Only if the upsert took this delivery's answer (an older delivery leaves newer state alone).
    uow.execute(update(Discussion).where(Discussion.id == discussion["id"],
                                         Discussion.answer_chosen_at == chosen_at)
                .values(answer_comment_id=answer["id"]))
    contributions.record(uow, kind="discussion_answer", key=str(answer["id"]),
                         person_id=(answer.get("user") or {}).get("id"), occurred_at=chosen_at,
                         url=answer.get("html_url"), repository_id=repo_id(event), delivery_id=event.delivery_id)


@router.register("discussion_comment")
def track_discussion_comment(uow, event: Event) -> None:
    discussion = event.payload["discussion"]
    upsert_discussion(uow, event, discussion)
    upsert_comment(uow, event, "discussion", event.payload["comment"], discussion)
