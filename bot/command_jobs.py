"""The ``command`` job: run one slash command from a comment on GitHub, or answer why it was refused.

``bot/handlers/commands.py`` decides (parse, permission) and enqueues one job per command; this job acts:

* an accepted command is applied (``/label`` adds the labels, ``/remove-label`` removes one, ``/help`` upserts
  the help table, one comment per issue with marker ``help``), then acknowledged with a ``+1`` reaction;
* a refused command or a parse error is never silent: Steward keeps ONE reply per commented comment
  (marker ``command-reply:<comment id>``), edited in place, listing every refused command of that comment
  with its reason (read back from the comment's ``command`` job rows, so each job writes the whole list).

A GitHub rate limit becomes ``jobs.Retry`` at its reset. Without App credentials gh.py records the writes
as ``dry_run`` and sends nothing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import commands, gh, jobs
from bot.models import Job

log = logging.getLogger(__name__)
KIND = "command"
HELP_MARKER = "help"


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
    repo, number, comment_id = args["repository"], args["number"], args["comment_id"]
    if args.get("refusal"):
        refused = _refusals(runtime, comment_id) or [args]
        api.upsert_comment(repo, number, reply_marker(comment_id), refusal_body(args["login"], refused))
        return
    if args["name"] == "label":
        api.add_labels(repo, number, list(args["args"]))
    elif args["name"] == "remove-label":
        api.remove_label(repo, number, args["args"][0])
    elif args["name"] == "help":
        api.upsert_comment(repo, number, HELP_MARKER, help_body())
    else:  # the handler refuses every other name: a job row from a newer or older Steward
        raise LookupError(f"command job for an unsupported command {args['name']!r}")
    api.add_reaction(repo, comment_id, "+1")


def _refusals(runtime, comment_id: int) -> list[dict[str, Any]]:
    """Every refused command of the comment so far (all versions of its body), oldest first."""
    with runtime.factory() as uow:
        rows = uow.scalars(select(Job.args).where(Job.kind == KIND, Job.dedupe_key.like(f"{KIND}:{comment_id}:%"))
                           .order_by(Job.id))
        return [dict(args) for args in rows if args.get("refusal")]
