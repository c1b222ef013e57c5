"""pull_request.* → PullRequest rows; pr_opened, pr_merged and triage contributions."""

from __future__ import annotations

from bot import contributions, sync
from bot.handlers.context import installation_id, repo_id, seen_at
from bot.handlers.items import item_values, record_triage
from bot.models import PullRequest
from bot.routing import Event, Router
from bot.store import parse_time, person, upsert

router = Router()
# Actions after which a PR's files may have changed or its docs credit is due.
FILES_CHANGE = {"opened", "reopened", "synchronize", "closed"}

PR_COLUMNS = {
    "draft": "draft", "merged": "merged", "merged_at": "merged_at", "closed_at": "closed_at",
    "head_sha": ("head", "sha"), "head_ref": ("head", "ref"), "head_repo_id": ("head", "repo", "id"),
    "base_ref": ("base", "ref"), "base_sha": ("base", "sha"), "additions": "additions",
    "deletions": "deletions", "changed_files": "changed_files",
}


def upsert_pull_request(uow, event: Event, pr: dict) -> int:
    at = seen_at(event)
    values = item_values(uow, event, pr, at, **PR_COLUMNS)
    if "merged_by" in pr:
        values["merged_by_id"] = person(uow, pr["merged_by"], at)
    if "requested_reviewers" in pr:
        values["requested_reviewers"] = sorted(
            person(uow, r, at) for r in pr["requested_reviewers"] or [] if r and "login" in r)
    upsert(uow, PullRequest, values, newer="updated_at")
    return int(pr["id"])


@router.register("pull_request")
def track_pull_request(uow, event: Event) -> None:
    pr = event.payload["pull_request"]
    upsert_pull_request(uow, event, pr)
    author = (pr.get("user") or {}).get("id")
    common = {"repository_id": repo_id(event), "url": pr.get("html_url"), "delivery_id": event.delivery_id}
    if event.action == "opened":
        contributions.record(uow, kind="pr_opened", key=str(pr["id"]), person_id=author,
                             occurred_at=parse_time(pr.get("created_at")), **common)
    if event.action == "closed" and pr.get("merged"):
        contributions.record(uow, kind="pr_merged", key=str(pr["id"]), person_id=author,
                             occurred_at=parse_time(pr.get("merged_at")), **common)
    if event.action in FILES_CHANGE:
        sync.enqueue_pr_files(uow, pr, event.payload["repository"], installation_id(event))
    record_triage(uow, event, pr, "pr")
