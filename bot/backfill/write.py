"""Writing one fetched page through the webhook handlers' own upsert helpers and contribution keys.

The synthetic event carries only the repository id, so ``seen_at`` is the fetch time: GraphQL returns
each person's login as of now. Its ``delivery_id`` is None: no delivery reported these acts, and a
webhook that did keeps its id on the contribution row (``contributions.record`` writes it only on insert).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import contributions
from bot.backfill import convert
from bot.handlers.comments import upsert_comment
from bot.handlers.content import upsert_release
from bot.handlers.discussions import record_answer, upsert_discussion
from bot.handlers.issues import upsert_issue
from bot.handlers.pull_requests import upsert_pull_request
from bot.handlers.reviews import upsert_review
from bot.routing import Event
from bot.store import parse_time


def backfill_event(repository_id: int, fetched_at: datetime) -> Event:
    return Event(name="backfill", action=None, payload={"repository": {"id": repository_id}},
                 delivery_id=None, received_at=fetched_at)  # type: ignore[arg-type]


def _credit(uow: Session, event: Event, kind: str, key: str, obj: dict, at: str | None) -> None:
    contributions.record(uow, kind=kind, key=key, person_id=(obj.get("user") or {}).get("id"),
                         repository_id=event.payload["repository"]["id"], occurred_at=parse_time(at),
                         url=obj.get("html_url"), delivery_id=None)


def write_issues(uow: Session, event: Event, nodes: list[dict]) -> None:
    for node in nodes:
        issue = convert.issue(node)
        upsert_issue(uow, event, issue)
        _credit(uow, event, "issue_opened", str(issue["id"]), issue, issue["created_at"])
        for c in node["comments"]["nodes"]:
            upsert_comment(uow, event, "issue", convert.comment(c), issue)


def write_pull_requests(uow: Session, event: Event, nodes: list[dict]) -> None:
    for node in nodes:
        pr = convert.pull_request(node)
        upsert_pull_request(uow, event, pr)
        _credit(uow, event, "pr_opened", str(pr["id"]), pr, pr["created_at"])
        if pr["merged"]:
            _credit(uow, event, "pr_merged", str(pr["id"]), pr, pr["merged_at"])
        paths = [f["path"] for f in (node.get("files") or {}).get("nodes") or []]
        docs_at = contributions.pr_docs_credit_time(pr, paths)
        if docs_at:
            _credit(uow, event, "docs_change", f"pr:{pr['id']}", pr, docs_at)
        # A conversation comment's webhook names the PR's issue id, which GraphQL does not expose.
        for c in node["comments"]["nodes"]:
            upsert_comment(uow, event, "issue", convert.comment(c), {"number": pr["number"]})
        for r in node["reviews"]["nodes"]:
            upsert_review(uow, event, convert.review(r), pr["id"])
            for c in r["comments"]["nodes"]:
                upsert_comment(uow, event, "review", convert.comment(c), pr)


def write_discussions(uow: Session, event: Event, nodes: list[dict]) -> None:
    for node in nodes:
        discussion = convert.discussion(node)
        upsert_discussion(uow, event, discussion)
        _credit(uow, event, "discussion_opened", str(discussion["id"]), discussion, discussion["created_at"])
        for c in node["comments"]["nodes"]:
            upsert_comment(uow, event, "discussion", convert.comment(c), discussion)
            for reply in c["replies"]["nodes"]:
                upsert_comment(uow, event, "discussion", convert.comment(reply), discussion)
        if node.get("answer"):
            answer = convert.comment(node["answer"])
            upsert_comment(uow, event, "discussion", answer, discussion)
            record_answer(uow, event, discussion, answer)


def write_releases(uow: Session, event: Event, nodes: list[dict]) -> None:
    for node in nodes:
        upsert_release(uow, event, convert.release(node))


WRITERS = {"issues": write_issues, "pull_requests": write_pull_requests, "discussions": write_discussions,
           "releases": write_releases}
