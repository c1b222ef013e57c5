"""The ``command`` job: run one slash command from a comment on GitHub, or answer why it was refused.

``bot/handlers/commands.py`` decides (parse) and enqueues one job per command; this job checks who may run it
(GitHub's collaborator permission, ``bot/governance/permissions.py``), then acts:

* an accepted command is applied by its **action**, registered with ``@command_jobs.action(name)`` (one registry;
  ``/label`` adds the labels, ``/remove-label`` removes one, ``/help`` upserts the help table, one comment per
  issue with marker ``help``; feature modules listed in ``ACTION_MODULES`` register the others), then
  acknowledged with a ``+1`` reaction; an action that finds it may not act raises :class:`Refused`;
* a refused command or a parse error is never silent: Steward keeps ONE reply per commented comment
  (marker ``command-reply:<comment id>``), edited in place, listing every refused command of that comment
  with its reason (read back from the comment's ``command`` job rows, so each job writes the whole list).

A GitHub rate limit becomes ``jobs.Retry`` at its reset. Without App credentials gh.py records the writes
as ``dry_run`` and sends nothing.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import commands, gh, jobs
from bot.models import Job

log = logging.getLogger(__name__)
KIND = "command"
HELP_MARKER = "help"
# Modules that register command actions (imported on first use): one line per feature.
ACTION_MODULES: tuple[str, ...] = ("bot.governance.actions", "bot.governance.approve", "bot.governance.newcomers",
                                     "bot.evaluation.approval")
ACTION_MODULES += ("bot.periodic.lifecycle", "bot.periodic.votes")  # issue 6 §6, §8
ACTION_MODULES += ("bot.affiliations",)  # /affiliation: the Elephant Factor's self-service


class Refused(Exception):  # noqa: N818 - an answer for the user, not a failure
    """Raise from an action: the command is not run and the commenter is told ``reason``."""


@dataclass(frozen=True)
class Invocation:
    """What an action gets: the runtime, the installation's API and the job's arguments."""

    runtime: Any
    api: Any
    args: dict[str, Any]

    @property
    def repository(self) -> str:
        return self.args["repository"]

    @property
    def number(self) -> int:
        return self.args["number"]

    @property
    def login(self) -> str:
        return self.args["login"]

    @property
    def words(self) -> list[str]:
        return list(self.args["args"])


Action = Callable[[Invocation], None]
ACTIONS: dict[str, Action] = {}


def action(name: str) -> Callable[[Action], Action]:
    """Register what ``/name`` does; the name must be one of ``commands.SPECS``."""
    if name not in commands.specs():
        raise ValueError(f"/{name} is not in commands.SPECS")

    def decorator(func: Action) -> Action:
        if name in ACTIONS and ACTIONS[name] is not func:
            raise ValueError(f"/{name} has two actions")
        ACTIONS[name] = func
        return func

    return decorator


def actions() -> dict[str, Action]:
    for module in ACTION_MODULES:
        importlib.import_module(module)
    return ACTIONS


def reply_marker(comment_id: int) -> str:
    return f"command-reply:{comment_id}"


def enqueue(uow: Session, args: dict[str, Any], key: str) -> None:
    jobs.enqueue(uow, KIND, args, key=key)


def help_body() -> str:
    return ("Steward understands these commands, each at the start of a line of an issue or pull request"
            " comment:\n\n" + commands.help_text())


def code(text: str) -> str:
    """``text`` as a Markdown code span (no mention, link or emphasis is rendered), whatever backticks it has."""
    text = " ".join(text.split())
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def refusal_body(login: str, refused: list[dict[str, Any]]) -> str:
    lines = [f"@{login}, Steward did not run {'this command' if len(refused) == 1 else 'these commands'}:", ""]
    lines += [f"- {code(args['text'])} (line {args['line']}): {args['refusal']}" for args in refused]
    lines += ["", "Comment `/help` for the list of commands."]
    return "\n".join(lines)


@jobs.kind(KIND)
def run_command(runtime, args: dict[str, Any]) -> None:
    api = gh.installation_api(runtime, args.get("installation_id"), repository_id=args.get("repository_id"))
    if args.get("discussion_id"):  # a discussion comment: replies and reactions through GraphQL
        from bot.governance.discussions import DiscussionSurface

        api = DiscussionSurface(api, args)
    repo, number, comment_id = args["repository"], args["number"], args["comment_id"]
    if not args.get("refusal"):
        func = actions().get(args["name"])
        if func is None:  # the handler refuses every other name: a job row from a newer or older Steward
            raise LookupError(f"command job for an unsupported command {args['name']!r}")
        try:
            _check_who(Invocation(runtime, api, args))
            func(Invocation(runtime, api, args))
        except Refused as refused:
            args = {**args, "refusal": str(refused)}
            _record_refusal(runtime, args)
        else:
            api.add_reaction(repo, comment_id, "+1")
            return
    refused_list = _refusals(runtime, comment_id) or [args]
    api.upsert_comment(repo, number, reply_marker(comment_id), refusal_body(args["login"], refused_list))


@action("label")
def _label(run: Invocation) -> None:
    run.api.add_labels(run.repository, run.number, run.words)


@action("remove-label")
def _remove_label(run: Invocation) -> None:
    run.api.remove_label(run.repository, run.number, run.words[0])


@action("help")
def _help(run: Invocation) -> None:
    run.api.upsert_comment(run.repository, run.number, HELP_MARKER, help_body())


def _check_who(run: Invocation) -> None:
    """``CommandSpec.who`` against GitHub's collaborator permission; raises Refused."""
    from bot.governance import permissions

    permissions.check(run)


def _record_refusal(runtime, args: dict[str, Any]) -> None:
    """Keep an action's refusal on its job row, so the comment's one reply lists it with the others."""
    from bot.db import transaction

    with transaction(runtime.factory) as uow:
        uow.execute(update(Job).where(Job.kind == KIND, Job.dedupe_key == f"{KIND}:{args['key']}")
                    .values(args=args))


def _refusals(runtime, comment_id: int) -> list[dict[str, Any]]:
    """Every refused command of the comment so far (all versions of its body), oldest first."""
    with runtime.factory() as uow:
        rows = uow.scalars(select(Job.args).where(Job.kind == KIND, Job.dedupe_key.like(f"{KIND}:{comment_id}:%"))
                           .order_by(Job.id))
        return [dict(args) for args in rows if args.get("refusal")]
