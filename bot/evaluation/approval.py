"""``/evaluate``: a maintainer starts the model evaluation of a pull request's current head.

Who may run it is decided before the job (``commands.SPECS``: ``who="maintainer"``; anyone else gets the
command registry's reply). The action records an ``EvalApproval`` pinned to the head SHA Steward knows for
the PR at that moment and queues that head's run: the waiting run if there is one (its check run goes from
"waiting" to in progress), else a new one. A later push has another SHA, so it waits for a new approval.
"""

from __future__ import annotations

from sqlalchemy import select

from bot import command_jobs
from bot.db import insert_for, now, transaction
from bot.evaluation import pipeline, runs  # noqa: F401 - pipeline registers the evaluate job kind
from bot.models import PullRequest
from bot.models.evaluation import QUEUED, RUNNING, WAITING, EvalApproval

NOT_A_PULL = "`/evaluate` works on pull requests only."
CLOSED = "this pull request is closed; reopen it to evaluate it."
BUSY = "the evaluation of `{sha}` is already {status}."


@command_jobs.action("evaluate")
def evaluate(run: command_jobs.Invocation) -> None:
    args = run.args
    with transaction(run.runtime.factory) as uow:
        pr = uow.scalar(select(PullRequest).where(PullRequest.repository_id == args["repository_id"],
                                                  PullRequest.number == args["number"]))
        if pr is None or not pr.head_sha or not pr.base_sha:
            raise command_jobs.Refused(NOT_A_PULL)
        if pr.state == "closed":
            raise command_jobs.Refused(CLOSED)
        uow.execute(insert_for(uow, EvalApproval).values(
            repository_id=pr.repository_id, pr_number=pr.number, head_sha=pr.head_sha, approved_by=args["login"],
            comment_id=args.get("comment_id"), created_at=now(),
        ).on_conflict_do_nothing(index_elements=["repository_id", "pr_number", "head_sha"]))
        current = runs.latest(uow, pr.repository_id, pr.number, pr.head_sha)
        if current is not None and current.status in (QUEUED, RUNNING):
            raise command_jobs.Refused(BUSY.format(sha=pr.head_sha[:12], status=current.status))
        if current is not None and current.status == WAITING:
            current.approved_by = args["login"]
            runs.queue(uow, current)
            return
        pull = runs.PullIn(repository=args["repository"], repository_id=pr.repository_id,
                           installation_id=args.get("installation_id"), number=pr.number, base_sha=pr.base_sha,
                           head_sha=pr.head_sha)
        runs.start(uow, pull, trusted=False, approved_by=args["login"])
