"""pull_request_review and pull_request_review_comment → Review and Comment rows; contributions."""

from __future__ import annotations

from sqlalchemy import update

from bot import contributions
from bot.handlers.comments import upsert_comment
from bot.handlers.context import repo_id, seen_at
from bot.handlers.pull_requests import upsert_pull_request
from bot.models import Review
from bot.routing import Event, Router
from bot.store import parse_time, person, pick, upsert

router = Router()

REVIEW_COLUMNS = {"id": "id", "commit_id": "commit_id", "submitted_at": "submitted_at",
                  "html_url": "html_url", "author_association": "author_association"}


@router.register("pull_request_review")
def track_review(uow, event: Event) -> None:
    pr = event.payload["pull_request"]
    upsert_pull_request(uow, event, pr)
    upsert_review(uow, event, event.payload["review"], pr["id"])


def upsert_review(uow, event: Event, review: dict, pull_request_id: int) -> None:
    """Upsert one review (state only moves forward) and credit its author unless it is pending."""
    values = pick(review, REVIEW_COLUMNS, times=("submitted_at",))
    values.update(repository_id=repo_id(event), pull_request_id=pull_request_id,
                  author_id=person(uow, review.get("user"), seen_at(event)))
    upsert(uow, Review, values)
    # A review's state only moves forward: once dismissed, a late "submitted" cannot revive it.
    state = str(review.get("state") or "").lower() or None
    guard = Review.id == review["id"]
    if state != "dismissed":
        guard &= Review.state.is_distinct_from("dismissed")
    uow.execute(update(Review).where(guard).values(state=state))
    if state != "pending":
        contributions.record(
            uow, kind="review", key=str(review["id"]), person_id=values["author_id"],
            repository_id=values["repository_id"], occurred_at=parse_time(review.get("submitted_at")),
            url=review.get("html_url"), delivery_id=event.delivery_id,
        )


@router.register("pull_request_review_comment")
def track_review_comment(uow, event: Event) -> None:
    pr = event.payload["pull_request"]
    upsert_pull_request(uow, event, pr)
    upsert_comment(uow, event, "review", event.payload["comment"], pr)
