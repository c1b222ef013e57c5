"""The ``welcome`` job (issue 6 §3): one marked comment for a first issue, pull request or discussion, and for
a first merged pull request. Whether it is a first is decided by the handler (``bot/handlers/automation.py``);
the messages come from the ``welcome:`` section (``bot/welcome.py``) of the base configuration.

Each welcome is one comment with the marker ``welcome:<kind>``, created or edited in place
(``upsert_comment``; on discussions ``upsert_discussion_comment`` through GraphQL), so a redelivery, a retry or
an edit of the item never adds a second one.
"""

from __future__ import annotations

import logging
import urllib.parse
from typing import Any

from bot import jobs
from bot.automation.config_check import api_for, base_config, default_branch_sha
from bot.welcome import WelcomeConfig

log = logging.getLogger(__name__)
KINDS = ("issue", "pull_request", "discussion", "merged")
AI_POLICY_LINE = "Please also read our policy on AI-generated contributions: {ai_policy}."


def link(target: str | None, args: dict[str, Any], text: str | None = None) -> str:
    """A Markdown link to ``target``: a URL as is, a repository path on the default branch."""
    if not target:
        return ""
    if target.startswith(("https://", "http://")):
        url = target
    else:
        base = (args.get("repository_url") or f"https://github.com/{args['repository']}").rstrip("/")
        branch = urllib.parse.quote(args.get("default_branch") or "main", safe="")
        url = f"{base}/blob/{branch}/{urllib.parse.quote(target.lstrip('/'))}"
    return f"[{text or target.rsplit('/', 1)[-1]}]({url})"


def render(config: WelcomeConfig, kind: str, args: dict[str, Any]) -> str:
    template = getattr(config, kind)
    policy = link(config.ai_policy, args, "AI contribution policy") if config.ai_policy else ""
    values = {"author": args["author"], "repository": args["repository"],
              "contributing": link(config.contributing, args), "ai_policy": policy}
    try:
        body = template.format(**values)
    except (KeyError, IndexError, ValueError):  # a format spec with a nested field: the default message instead
        body = getattr(WelcomeConfig(), kind).format(**values)
    if policy and kind != "merged" and "{ai_policy}" not in template:
        body += "\n\n" + AI_POLICY_LINE.format(ai_policy=policy)
    return body


def marker(kind: str) -> str:
    return f"welcome:{kind}"


@jobs.kind("welcome")
def welcome(runtime: Any, args: dict[str, Any]) -> None:
    api = api_for(runtime, args)
    if api is None:
        return
    if args.get("base_sha"):  # a pull request: its base commit's configuration, errors shown on its head
        config = base_config(runtime, api, args, args["base_sha"], args.get("head_sha"))
    else:
        sha = default_branch_sha(api, args)
        config = base_config(runtime, api, args, sha) if sha else None
    section = config.get(WelcomeConfig) if config else None
    if section is None:
        return
    body = render(section, args["welcome"], args)
    if args["welcome"] == "discussion":
        if not args.get("node_id"):
            log.warning("welcome: discussion %s#%s has no node id; not welcomed", args["repository"], args["number"])
            return
        api.upsert_discussion_comment(args["repository"], args["number"], args["node_id"], marker("discussion"),
                                      body)
    else:
        api.upsert_comment(args["repository"], args["number"], marker(args["welcome"]), body)
