"""History backfill: a newly installed bot shows the project's history, not an empty page.

The ``backfill`` job imports a repository's issues, pull requests (with merge state, changed paths,
reviews and review comments), issue comments, discussions (with comments, replies and chosen answers)
and releases over GraphQL into the same tables, through the same upsert helpers and with the same
contribution keys as the webhook handlers, so webhooks and backfill of one act land on one row and an
older backfilled object never overwrites a newer webhook one.

- ``queries.py``: the documents (100 items a page, nested connections inline, follow-ups by node id);
- ``fetch.py``: pages plus follow-ups; ``convert.py``: GraphQL nodes → REST-shaped dicts;
- ``write.py``: a page → rows and contributions; ``run.py``: the loop and its checkpoints.

Enqueued per repository by ``installation.created`` and ``installation_repositories.added``; run in the
foreground by ``steward backfill OWNER/REPO``. A rate limit reschedules the job at the reset.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot import jobs
from bot.backfill.run import RESOURCES, ConcurrentBackfill, backfill_repository, status
from bot.db import now

KIND = "backfill"
DRY_RETRY = timedelta(hours=1)

__all__ = ["KIND", "RESOURCES", "ConcurrentBackfill", "backfill_repository", "enqueue", "open_api", "status"]


def enqueue(uow: Session, repository_id: int, full_name: str | None, installation_id: int) -> None:
    """One job per (repository, installation): a redelivery or replay of the same cause adds nothing."""
    if full_name:
        jobs.enqueue(uow, KIND, {"repository_id": int(repository_id), "full_name": full_name,
                                 "installation_id": int(installation_id)},
                     f"{repository_id}:{installation_id}")


def open_api(runtime: Any, installation_id: int) -> Any:
    from bot import gh  # the only PyGithub importer, loaded when a job runs

    return gh.installation_api(runtime, installation_id)


@jobs.kind(KIND, max_attempts=8)
def run_job(runtime: Any, args: dict[str, Any]) -> None:
    api = open_api(runtime, args["installation_id"])
    if getattr(api, "dry", False):  # no App credentials: nothing can be read yet; look again later
        raise jobs.Retry(now() + DRY_RETRY, "no GitHub App credentials (dry run): backfill waits")
    # A gh.RateLimited is a jobs.Retry: the engine reschedules the job at the reset.
    backfill_repository(runtime, api, args["repository_id"], args["full_name"],
                        installation_id=args["installation_id"])
