"""Who may run a command: GitHub's collaborator permission, cached briefly, checked in the ``command`` job.

``GET /repos/{o}/{r}/collaborators/{user}/permission`` answers admin, maintain, write, triage, read or none.
A command's ``CommandSpec.who`` maps onto it:

* ``anyone``: no check;
* ``maintainer``: write or above (write, maintain, admin). GitHub's **triage** role may manage labels and
  assignees in the UI, so triage may also run ``TRIAGE_COMMANDS`` (/label, /remove-label, /assign, /unassign);
* ``maintainer_or_author``: as ``maintainer``, or the author of the issue, pull request or discussion.

``SELF_CHECKED`` commands skip this check because their action applies a finer rule (``/approve``: OWNERS).
Answers are cached per (API URL, repository, login) for ``TTL_S`` seconds in this process, so a burst of
commands costs one request. Without App credentials (dry mode) nothing can be asked, and the comment's
``author_association`` (OWNER, MEMBER, COLLABORATOR = write) stands in; the refusal says so.
"""

from __future__ import annotations

import threading
import time

from bot.command_jobs import Invocation, Refused
from bot.commands import specs

TTL_S = 60.0
RANK = {"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}
TRIAGE_COMMANDS = frozenset({"label", "remove-label", "assign", "unassign"})
SELF_CHECKED = frozenset({"approve"})
MAINTAINER_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
clock = time.monotonic  # tests may replace it
_lock = threading.Lock()
_cache: dict[tuple, tuple[float, str]] = {}


def permission(api, repo: str, login: str) -> str:
    """The login's permission on the repository (cached ``TTL_S`` seconds)."""
    key = (getattr(getattr(api, "_transport", None), "base", ""), repo.lower(), login.lower())
    with _lock:
        hit = _cache.get(key)
        if hit and clock() - hit[0] < TTL_S:
            return hit[1]
    level = api.collaborator_permission(repo, login)
    with _lock:
        _cache[key] = (clock(), level)
    return level


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def allowed(name: str, rule: str, level: str, is_author: bool) -> bool:
    """Pure: may someone with ``level`` (and authorship) run ``/name`` whose spec says ``rule``?"""
    rank = RANK.get(level, 0)
    if rule == "anyone" or rank >= RANK["write"]:
        return True
    if rank >= RANK["triage"] and name in TRIAGE_COMMANDS:
        return True
    return rule == "maintainer_or_author" and is_author


def check(run: Invocation) -> None:
    """Raise ``Refused`` unless the commenter may run the job's command."""
    name = run.args["name"]
    rule = specs()[name].who
    if rule == "anyone" or name in SELF_CHECKED:
        return
    is_author = bool(run.args.get("is_item_author"))
    if run.api.dry:
        association = run.args.get("association") or "NONE"
        level = "write" if association in MAINTAINER_ASSOCIATIONS else "read"
        source = f"is {association.lower().replace('_', ' ')} (no GitHub App credentials to ask GitHub)"
    else:
        level = permission(run.api, run.repository, run.login)
        source = f"has {level} access"
    if allowed(name, rule, level, is_author):
        return
    needs = "triage or write access" if name in TRIAGE_COMMANDS else "write access"
    item = run.args.get("item") or "issue"
    author = f", or being the author of this {item}" if rule == "maintainer_or_author" else ""
    raise Refused(f"`/{name}` needs {needs} to this repository{author}; @{run.login} {source}.")
