"""issue_comment.created / .edited → one ``command`` job per slash command (or parse error) in the comment.

Decide first, then act: ``wants`` extracts a small typed input (None for bots, Steward itself, or a comment
without new commands); ``decide`` says, purely, whether each command may run and why not. The job
(``bot/command_jobs.py``) acts on GitHub.

Who may run what (``commands.CommandSpec.who``) is checked by the job against GitHub's collaborator
permission (``bot/governance/permissions.py``); the handler passes the comment's ``author_association`` and
whether the commenter wrote the item. A command with no registered action (``command_jobs.actions()``) is
refused with a reason.
On an edited comment only the commands added by the edit run (``commands.new_commands``). Each job's dedupe
key is (comment id, hash of the body, index among the comment's new commands): a redelivery does nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot import command_jobs, commands
from bot.commands import Command, CommandError
from bot.handlers.context import installation_id
from bot.routing import Event, Router
from bot.store import is_bot

router = Router()

MARKER_PREFIX = "<!-- steward:"  # every Steward comment starts with its hidden marker
MAINTAINERS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
NOT_YET = "`/{name}` is not available yet in Steward."
NOT_ALLOWED = ("`/{name}` can be used only by the repository's owners, members and collaborators{author};"
               " @{login} is {association}.")


@dataclass(frozen=True)
class CommentIn:
    repository: str
    repository_id: int
    installation_id: int | None
    number: int
    is_pull_request: bool
    comment_id: int
    login: str
    association: str  # the commenter's author_association, e.g. OWNER, CONTRIBUTOR, NONE
    is_item_author: bool
    body: str
    found: tuple[Command | CommandError, ...]  # the commands to act on: all of them, or those an edit added


def wants(event: Event) -> CommentIn | None:
    payload = event.payload
    comment, issue = payload.get("comment") or {}, payload.get("issue") or {}
    body = comment.get("body") or ""
    if is_bot(comment.get("user") or {}) or is_bot(payload.get("sender") or {}) or MARKER_PREFIX in body:
        return None  # bots, and Steward's own comments (marked), never run commands
    if event.action == "edited":
        old = ((payload.get("changes") or {}).get("body") or {}).get("from")
        found = commands.new_commands(old, body) if old is not None else []
    else:
        found = commands.parse(body)
    if not found:
        return None
    user = comment.get("user") or {}
    return CommentIn(
        repository=payload["repository"]["full_name"], repository_id=payload["repository"]["id"],
        installation_id=installation_id(event), number=issue["number"],
        is_pull_request="pull_request" in issue, comment_id=comment["id"], login=user.get("login", ""),
        association=comment.get("author_association") or "NONE",
        is_item_author=user.get("id") is not None and user.get("id") == (issue.get("user") or {}).get("id"),
        body=body, found=tuple(found),
    )


def refusal(item: Command | CommandError, who: CommentIn) -> str | None:
    """Why ``item`` may not run for this commenter, or None."""
    if isinstance(item, CommandError):
        return item.message
    if item.name not in command_jobs.actions():
        return NOT_YET.format(name=item.name)
    return None  # who may run it: the job asks GitHub (bot/governance/permissions.py)


def decide(who: CommentIn) -> list[dict]:
    """One job's arguments per command, in order."""
    return [{
        "repository": who.repository, "repository_id": who.repository_id, "installation_id": who.installation_id,
        "number": who.number, "comment_id": who.comment_id, "login": who.login, "line": item.line,
        "text": item.text if isinstance(item, CommandError) else _text(item),
        "name": item.name if isinstance(item, Command) else None,
        "args": list(item.args) if isinstance(item, Command) else [], "refusal": refusal(item, who),
        "association": who.association, "is_item_author": who.is_item_author,
        "item": "pull request" if who.is_pull_request else "issue",
    } for item in who.found]


def _text(command: Command) -> str:
    return " ".join([f"/{command.name}", *(f'"{a}"' if " " in a else a for a in command.args)])


@router.register("issue_comment", action="created")
@router.register("issue_comment", action="edited")
def enqueue_commands(uow, event: Event) -> None:
    who = wants(event)
    if who is None:
        return
    digest = hashlib.sha256(who.body.encode()).hexdigest()[:16]
    for index, args in enumerate(decide(who)):
        key = f"{who.comment_id}:{digest}:{index}"
        command_jobs.enqueue(uow, {**args, "key": key}, key=key)
