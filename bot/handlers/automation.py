"""Pull-request and install automation: which jobs a delivery asks for (``bot/automation/`` runs them).

* ``pull_request`` opened, reopened, synchronize, ready_for_review → ``config_check``, ``labels`` and ``dco``, each
  deduplicated per (pull request, head SHA): a redelivery or a second event for the same head is one job.
* a person's first issue, pull request or discussion, and first merged pull request → ``welcome``.
* ``installation`` created / new_permissions_accepted → ``check_permissions`` with the payload's permissions.

"First" is decided here from the contribution ledger (the act itself is recorded by the earlier handlers of
the same transaction): no *earlier* contribution of that kind by that person in this repository. The payload's
``author_association`` is the hint that settles what the ledger may not know yet (a repository whose history
was never backfilled): maintainers (OWNER, MEMBER, COLLABORATOR) are never welcomed, and a CONTRIBUTOR (who has
commits here) is not welcomed on a pull request. A merge is judged by the ledger alone, since the merge itself
makes its author a CONTRIBUTOR. FIRST_TIMER and FIRST_TIME_CONTRIBUTOR agree with an empty ledger. Bots are never
welcomed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot import jobs
from bot.automation import permissions
from bot.handlers.context import installation_id
from bot.models import Contribution
from bot.routing import Event, Router
from bot.store import is_bot, parse_time

router = Router()
PR_ACTIONS = ("opened", "reopened", "synchronize", "ready_for_review")
PR_JOBS = ("config_check", "labels", "dco")
MAINTAINERS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
# welcome kind → (contribution kind, associations that prove an earlier one)
FIRSTS = {"issue": ("issue_opened", MAINTAINERS), "pull_request": ("pr_opened", MAINTAINERS | {"CONTRIBUTOR"}),
          "discussion": ("discussion_opened", MAINTAINERS), "merged": ("pr_merged", MAINTAINERS)}


def is_first(uow, welcome: str, item: dict[str, Any], repository_id: int, at: datetime | None) -> bool:
    user = item.get("user") or {}
    kind, known = FIRSTS[welcome]
    if not user.get("id") or is_bot(user) or (item.get("author_association") or "NONE") in known or at is None:
        return False
    earlier = uow.scalar(select(Contribution.key).where(
        Contribution.kind == kind, Contribution.person_id == user["id"], Contribution.repository_id == repository_id,
        Contribution.key != f"{kind}:{item['id']}", Contribution.occurred_at < at).limit(1))
    return earlier is None


def base_args(event: Event, number: int) -> dict[str, Any]:
    repo = event.payload["repository"]
    return {"repository": repo["full_name"], "repository_id": repo["id"], "installation_id": installation_id(event),
            "number": number, "default_branch": repo.get("default_branch"), "repository_url": repo.get("html_url")}


def pr_args(event: Event, pr: dict[str, Any]) -> dict[str, Any]:
    return {**base_args(event, pr["number"]), "pull_request_id": pr["id"], "head_sha": pr["head"]["sha"],
            "base_sha": pr["base"]["sha"], "base_ref": pr["base"].get("ref"),
            "author": (pr.get("user") or {}).get("login"), "author_association": pr.get("author_association"),
            "additions": pr.get("additions"), "deletions": pr.get("deletions")}


def welcome(uow, args: dict[str, Any], kind: str, item_id: int) -> None:
    jobs.enqueue(uow, "welcome", {**args, "welcome": kind}, key=f"{kind}:{args['repository_id']}:{item_id}")


@router.register("pull_request")
def pull_request(uow, event: Event) -> None:
    pr = event.payload["pull_request"]
    if event.action in PR_ACTIONS and pr.get("state", "open") == "open":
        args = pr_args(event, pr)
        for kind in PR_JOBS:
            jobs.enqueue(uow, kind, {**args, "kind": kind}, key=f"{pr['id']}:{args['head_sha']}")
    repository_id = event.payload["repository"]["id"]
    if event.action == "opened" and is_first(uow, "pull_request", pr, repository_id, parse_time(pr.get("created_at"))):
        welcome(uow, pr_args(event, pr), "pull_request", pr["id"])
    if (event.action == "closed" and pr.get("merged")
            and is_first(uow, "merged", pr, repository_id, parse_time(pr.get("merged_at")))):
        welcome(uow, pr_args(event, pr), "merged", pr["id"])


@router.register("issues", action="opened")
def issue_opened(uow, event: Event) -> None:
    issue = event.payload["issue"]
    if "pull_request" in issue:
        return
    if is_first(uow, "issue", issue, event.payload["repository"]["id"], parse_time(issue.get("created_at"))):
        welcome(uow, {**base_args(event, issue["number"]), "author": issue["user"]["login"]}, "issue", issue["id"])


@router.register("discussion", action="created")
def discussion_created(uow, event: Event) -> None:
    discussion = event.payload["discussion"]
    if is_first(uow, "discussion", discussion, event.payload["repository"]["id"],
                parse_time(discussion.get("created_at"))):
        welcome(uow, {**base_args(event, discussion["number"]), "author": discussion["user"]["login"],
                      "node_id": discussion.get("node_id")}, "discussion", discussion["id"])


@router.register("installation", action="created")
@router.register("installation", action="new_permissions_accepted")
def installation_permissions(uow, event: Event) -> None:
    permissions.enqueue_for(uow, event.payload["installation"], event.delivery_id)
