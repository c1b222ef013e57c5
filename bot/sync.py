"""Jobs that read from GitHub what a webhook payload does not carry.

``pr_files``: a pull request's changed paths are not in its payload. When a PR is opened, reopened,
pushed to or merged, this job lists its files (``GET /repos/{o}/{r}/pulls/{n}/files``, pages of 100,
stopping at the first docs path) and credits its author with a ``docs_change`` by the same rule and
key as the history backfill (``contributions.pr_docs_credit_time``), so both sources agree.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from bot import contributions, gh, jobs
from bot.db import transaction
from bot.models import PullRequest

log = logging.getLogger(__name__)


def enqueue_pr_files(uow: Session, pr: dict[str, Any], repository: dict[str, Any], installation_id: int | None):
    """Ask for the PR's files once per head commit (a push changes them; a merge of the same head does not)."""
    jobs.enqueue(uow, "pr_files", {"pull_request_id": pr["id"], "number": pr["number"],
                                   "repository_id": repository["id"], "repository": repository["full_name"],
                                   "installation_id": installation_id,
                                   "head_sha": (pr.get("head") or {}).get("sha")},
                 key=f"{pr['id']}:{(pr.get('head') or {}).get('sha')}")


@jobs.kind("pr_files")
def pr_files(runtime, args: dict[str, Any]) -> None:
    api = gh.installation_api(runtime, args.get("installation_id"), repository_id=args["repository_id"])
    if api.dry or api.installation_id is None:
        log.info("pr_files %s#%s: no GitHub App installation to read with; skipped",
                 args["repository"], args["number"])
        return
    paths = api.pull_files(args["repository"], args["number"], args.get("head_sha"))
    docs = next((path for path in paths if contributions.is_docs_path(path)), None)
    if docs is None:
        return
    with transaction(runtime.factory) as uow:
        pr = uow.get(PullRequest, args["pull_request_id"])
        if pr is None:
            return
        at = contributions.pr_docs_credit_time(
            {"merged": pr.merged, "merged_at": pr.merged_at, "created_at": pr.created_at, "state": pr.state},
            [docs])
        contributions.record(uow, kind="docs_change", key=f"pr:{pr.id}", person_id=pr.author_id,
                             repository_id=pr.repository_id, occurred_at=at, url=pr.html_url)
