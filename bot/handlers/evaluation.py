"""pull_request → the PR-evaluation trigger (issue 4 §6): database only, GitHub is the jobs' business.

Decide first, then act: ``wants`` extracts the PR and whether its author is trusted (``author_association``
OWNER, MEMBER or COLLABORATOR). On ``opened``, ``synchronize``, ``reopened`` and ``ready_for_review``:

- runs of the PR for another head are superseded (cancelled; their check runs say so);
- a draft is not evaluated; a head with a live or finished run is not evaluated twice;
- a trusted author's head is queued for evaluation; anyone else's waits for a maintainer's ``/evaluate`` for
  that exact SHA (``bot/evaluation/approval.py``), unless one was already given.

``closed`` cancels whatever is still waiting, queued or running.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.evaluation import pipeline, runs  # noqa: F401 - pipeline registers the evaluate job kind
from bot.handlers.context import installation_id
from bot.models.evaluation import CANCELLED
from bot.routing import Event, Router

router = Router()
ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")


@dataclass(frozen=True)
class TriggerIn:
    pull: runs.PullIn
    draft: bool
    trusted: bool


def wants(event: Event) -> TriggerIn | None:
    pr, repo = event.payload.get("pull_request") or {}, event.payload.get("repository") or {}
    head, base = pr.get("head") or {}, pr.get("base") or {}
    if not (head.get("sha") and base.get("sha") and repo.get("id") and repo.get("full_name") and pr.get("number")):
        return None
    pull = runs.PullIn(repository=repo["full_name"], repository_id=int(repo["id"]),
                       installation_id=installation_id(event), number=int(pr["number"]), base_sha=base["sha"],
                       head_sha=head["sha"])
    return TriggerIn(pull, bool(pr.get("draft")), (pr.get("author_association") or "NONE") in runs.TRUSTED)


@router.register("pull_request", action="opened")
@router.register("pull_request", action="synchronize")
@router.register("pull_request", action="reopened")
@router.register("pull_request", action="ready_for_review")
def trigger(uow, event: Event) -> None:
    found = wants(event)
    if found is None:
        return
    pull = found.pull
    runs.supersede(uow, pull.repository_id, pull.number, pull.head_sha)
    if found.draft:
        return
    existing = runs.latest(uow, pull.repository_id, pull.number, pull.head_sha)
    if existing is not None and existing.status != CANCELLED:
        return  # this head is already waiting, queued, running or done
    if found.trusted:
        runs.start(uow, pull, trusted=True)
    elif (given := runs.approval(uow, pull.repository_id, pull.number, pull.head_sha)) is not None:
        runs.start(uow, pull, trusted=False, approved_by=given.approved_by)
    else:
        runs.wait(uow, pull)


@router.register("pull_request", action="closed")
def cancel_on_close(uow, event: Event) -> None:
    found = wants(event)
    if found is not None:
        runs.supersede(uow, found.pull.repository_id, found.pull.number, None)
