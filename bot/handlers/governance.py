"""Governance triggers (issue 6): commands in discussion comments, drops on push, the newcomer guard.

* ``discussion_comment`` created / edited → one ``command`` job per command, as for issue comments
  (``bot/handlers/commands.py`` decides), with the discussion's and the comment's node ids so the job answers
  through GraphQL; commands that make no sense on a discussion are refused with a reason.
* ``pull_request.synchronize`` → the PR's approvals are deleted (they were for the old head) and, when
  ``lgtm`` / ``approved`` or an approvals comment is visible, a ``governance_push`` job drops them on GitHub.
* ``pull_request.opened`` / ``reopened`` by a first-time contributor → a ``newcomer_guard`` job (it reads the
  ``newcomers:`` config at the base SHA and counts open pull requests).
* ``issues`` / ``pull_request`` ``reopened`` by someone other than the author lifts an exclusion from metrics.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, select

from bot import command_jobs, commands, jobs
from bot.governance import discussions, newcomers, push
from bot.governance.actions import LGTM
from bot.governance.approve import LABEL as APPROVED
from bot.governance.approve import MARKER
from bot.handlers.commands import MARKER_PREFIX, CommentIn, decide
from bot.handlers.context import installation_id
from bot.metrics import totals
from bot.models import ExcludedItem, MarkedComment, PullApproval
from bot.routing import Event, Router
from bot.store import is_bot

router = Router()


def discussion_wants(event: Event) -> CommentIn | None:
    payload = event.payload
    comment, discussion = payload.get("comment") or {}, payload.get("discussion") or {}
    body = comment.get("body") or ""
    if is_bot(comment.get("user") or {}) or is_bot(payload.get("sender") or {}) or MARKER_PREFIX in body:
        return None
    if event.action == "edited":
        old = ((payload.get("changes") or {}).get("body") or {}).get("from")
        found = commands.new_commands(old, body) if old is not None else []
    else:
        found = commands.parse(body)
    if not found or not discussion.get("node_id") or not comment.get("node_id"):
        return None
    user = comment.get("user") or {}
    return CommentIn(
        repository=payload["repository"]["full_name"], repository_id=payload["repository"]["id"],
        installation_id=installation_id(event), number=discussion["number"], is_pull_request=False,
        comment_id=comment["id"], login=user.get("login", ""), association=comment.get("author_association") or "NONE",
        is_item_author=user.get("id") is not None and user.get("id") == (discussion.get("user") or {}).get("id"),
        body=body, found=tuple(found))


@router.register("discussion_comment", action="created")
@router.register("discussion_comment", action="edited")
def discussion_commands(uow, event: Event) -> None:
    who = discussion_wants(event)
    if who is None:
        return
    digest = hashlib.sha256(who.body.encode()).hexdigest()[:16]
    for index, args in enumerate(decide(who)):
        if args["name"] and not args["refusal"] and args["name"] not in discussions.COMMANDS:
            args["refusal"] = discussions.not_here(args["name"])
        key = f"{who.comment_id}:{digest}:{index}"
        command_jobs.enqueue(uow, {**args, "key": key, "item": "discussion",
                                   "discussion_id": event.payload["discussion"]["node_id"],
                                   "comment_node_id": event.payload["comment"]["node_id"]}, key=key)


@router.register("pull_request", action="synchronize")
def drop_on_push(uow, event: Event) -> None:
    pr, repo = event.payload["pull_request"], event.payload["repository"]
    dropped = uow.execute(delete(PullApproval).where(PullApproval.repository_id == repo["id"],
                                                     PullApproval.number == pr["number"])).rowcount
    labels = [label["name"] for label in pr.get("labels") or [] if label.get("name") in (LGTM, APPROVED)]
    shown = uow.scalar(select(MarkedComment.comment_id).where(
        MarkedComment.repository == repo["full_name"], MarkedComment.issue_number == pr["number"],
        MarkedComment.marker == MARKER)) is not None
    if labels or shown or dropped:
        push.enqueue(uow, {"repository": repo["full_name"], "repository_id": repo["id"], "number": pr["number"],
                           "installation_id": installation_id(event), "head_sha": (pr.get("head") or {}).get("sha"),
                           "labels": labels})


@router.register("pull_request", action="opened")
@router.register("pull_request", action="reopened")
def guard_newcomers(uow, event: Event) -> None:
    pr, repo = event.payload["pull_request"], event.payload["repository"]
    author = pr.get("user") or {}
    if is_bot(author) or not newcomers.is_newcomer(pr.get("author_association")) or author.get("id") is None:
        return
    if event.action == "reopened" and (event.payload.get("sender") or {}).get("id") != author["id"]:
        return  # a maintainer reopened it (e.g. after an appeal): the guard does not close it again
    jobs.enqueue(uow, newcomers.GUARD_KIND, {
        "repository": repo["full_name"], "repository_id": repo["id"], "installation_id": installation_id(event),
        "number": pr["number"], "author": author.get("login", ""), "author_id": author["id"],
        "base_sha": (pr.get("base") or {}).get("sha")}, key=f"{repo['id']}:{pr['number']}:{event.delivery_id}")


@router.register("issues", action="reopened")
@router.register("pull_request", action="reopened")
def lift_exclusion(uow, event: Event) -> None:
    item = event.payload.get("pull_request") or event.payload.get("issue") or {}
    if (event.payload.get("sender") or {}).get("id") in (None, (item.get("user") or {}).get("id")):
        return  # the author reopening their own item does not undo /spam
    repository_id = event.payload["repository"]["id"]
    lifted = uow.scalars(delete(ExcludedItem).where(ExcludedItem.repository_id == repository_id,
                                                    ExcludedItem.number == item.get("number"))
                         .returning(ExcludedItem.html_url)).all()
    for html_url in lifted:
        totals.refresh_item(uow, repository_id, html_url)
