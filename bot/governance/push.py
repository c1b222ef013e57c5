"""``governance_push``: a new push to a pull request drops ``lgtm`` and ``approved`` and says so.

``bot/handlers/governance.py`` deletes the PR's approval rows in the delivery's transaction and enqueues
this job when there is something visible to drop (one of the labels, or an approvals status comment).
"""

from __future__ import annotations

from typing import Any

from bot import gh, jobs, outbound
from bot.governance.approve import MARKER, dropped_body

KIND = "governance_push"


def enqueue(uow, args: dict[str, Any]) -> None:
    jobs.enqueue(uow, KIND, args, key=f"{args['repository_id']}:{args['number']}:{args['head_sha']}")


@jobs.kind(KIND)
def drop_on_push(runtime, args: dict[str, Any]) -> None:
    api = gh.installation_api(runtime, args.get("installation_id"), repository_id=args["repository_id"])
    repo, number = args["repository"], args["number"]
    for label in args["labels"]:
        api.remove_label(repo, number, label)
    if outbound.marked_comment(runtime.factory, repo, number, MARKER) is not None:
        api.upsert_comment(repo, number, MARKER, dropped_body(args["head_sha"]))
