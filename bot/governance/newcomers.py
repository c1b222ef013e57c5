"""The newcomer guard (issue 6 §9): the ``newcomers:`` section, its open-PR limit, and ``/spam``.

* ``max_open_prs``: a first-time contributor (``author_association`` not OWNER, MEMBER, COLLABORATOR or
  CONTRIBUTOR) may have at most this many open pull requests; a pull request beyond the limit is closed with
  ``limit_message`` (which says how to appeal). Only earlier-numbered open pull requests count, so two pull
  requests opened at once never close each other.
* ``/spam`` (maintainers): closes the issue or pull request with ``spam_message``, labels it ``spam``.

Both outcomes record an ``ExcludedItem``: the item and every contribution on it count toward no metric and
no ladder rule (``bot/governance/exclusions.py``). Reopening the item by someone other than its author lifts
the exclusion. The config is read at the pull request's base SHA (for an issue: the default branch).
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bot import gh, jobs, repo_config
from bot.command_jobs import Invocation, action
from bot.config_schema import setting
from bot.db import insert_for, now, transaction
from bot.metrics import totals
from bot.models import ExcludedItem, PullRequest, Repository
from bot.repo_config import RepoConfig, register_section

log = logging.getLogger(__name__)
PLACEHOLDERS = ("author", "repository", "limit", "appeal", "item")
GUARD_KIND, SPAM_LABEL = "newcomer_guard", "spam"
ESTABLISHED = frozenset({"OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR"})
APPEAL = "If this is a mistake, reply here explaining why and a maintainer will take another look."
LIMIT = ("Thanks for your interest in {repository}, @{author}! First-time contributors may have at most {limit} "
         "open pull request(s) at a time here, so Steward closed this one. Please finish the open one(s) "
         "first. {appeal}")
SPAM = "A maintainer closed this {item} as spam. {appeal}"


def template(value: str) -> str | None:
    try:
        names = [n for _, n, _, _ in string.Formatter().parse(value) if n is not None]
    except ValueError as exc:
        return f"not a valid template ({exc}); write {{{{ and }}}} for literal braces"
    bad = [n for n in names if n not in PLACEHOLDERS]
    return f"unknown placeholder {{{bad[0]}}}; expected one of " + ", ".join(
        "{" + p + "}" for p in PLACEHOLDERS) if bad else None


@dataclass(frozen=True)
class NewcomersConfig:
    max_open_prs: int | None = setting(None, minimum=1, help="open pull requests a first-time contributor may have")
    limit_message: str = setting(LIMIT, check=template, help="posted when a pull request is closed by the limit")
    spam_message: str = setting(SPAM, check=template, help="posted by /spam")
    appeal: str = setting(APPEAL, help="how to appeal, as {appeal}")


register_section("newcomers", NewcomersConfig)


def section(result: Any) -> NewcomersConfig | None:
    return result.get(NewcomersConfig) if isinstance(result, RepoConfig) else None


def is_newcomer(association: str | None) -> bool:
    return (association or "NONE") not in ESTABLISHED


def exclude(factory, repository_id: int, number: int, html_url: str, reason: str, by: str | None) -> None:
    with transaction(factory) as uow:
        uow.execute(insert_for(uow, ExcludedItem).values(
            repository_id=repository_id, number=number, html_url=html_url, reason=reason, by_login=by,
            created_at=now()).on_conflict_do_nothing(index_elements=["repository_id", "number"]))
        totals.refresh_item(uow, repository_id, html_url)


def _url(repo: str, number: int, is_pr: bool) -> str:
    return f"https://github.com/{repo}/{'pull' if is_pr else 'issues'}/{number}"


@jobs.kind(GUARD_KIND)
def guard(runtime, args: dict[str, Any]) -> None:
    api = gh.installation_api(runtime, args.get("installation_id"), repository_id=args["repository_id"])
    if api.dry:
        log.info("newcomer guard %s#%s: no App credentials; skipped", args["repository"], args["number"])
        return
    config = section(repo_config.fetch(runtime, args["repository"], args["base_sha"],
                                       installation_id=args.get("installation_id"),
                                       repository_id=args["repository_id"]))
    if config is None or config.max_open_prs is None:
        return
    with runtime.factory() as uow:
        earlier = uow.scalar(select(func.count()).select_from(PullRequest).where(
            PullRequest.repository_id == args["repository_id"], PullRequest.author_id == args["author_id"],
            PullRequest.state == "open", PullRequest.number < args["number"]))
    if earlier < config.max_open_prs:
        return
    text = config.limit_message.format(author=args["author"], repository=args["repository"],
                                       limit=config.max_open_prs, appeal=config.appeal, item="pull request")
    repo, number = args["repository"], args["number"]
    api.upsert_comment(repo, number, "newcomer-limit", text)
    closed = api.close_item(repo, number) or {}
    exclude(runtime.factory, args["repository_id"], number, closed.get("html_url") or _url(repo, number, True),
            "newcomer_limit", None)


def _config_for(run: Invocation, pr: dict | None) -> NewcomersConfig:
    """The ``newcomers`` section at the PR's base SHA, or the default branch's for an issue (defaults if none)."""
    if pr is not None and pr.get("base", {}).get("sha"):
        return section(repo_config.fetch(run.runtime, run.repository, pr["base"]["sha"],
                                         installation_id=run.api.installation_id,
                                         repository_id=run.args.get("repository_id"))) or NewcomersConfig()
    with run.runtime.factory() as uow:
        branch = uow.scalar(select(Repository.default_branch).where(Repository.id == run.args.get("repository_id")))
    data = run.api.get_file(run.repository, repo_config.CONFIG_PATH, branch or "main")
    return section(repo_config.parse(data)) or NewcomersConfig()


@action("spam")
def spam(run: Invocation) -> None:
    is_pr = run.args.get("item") == "pull request"
    pr = run.api.get_pull(run.repository, run.number) if is_pr and not run.api.dry else None
    config = NewcomersConfig() if run.api.dry else _config_for(run, pr)
    closed = run.api.close_item(run.repository, run.number, not_planned=not is_pr) or {}
    run.api.add_labels(run.repository, run.number, [SPAM_LABEL])
    text = config.spam_message.format(author=(closed.get("user") or {}).get("login", ""), repository=run.repository,
                                      item="pull request" if is_pr else "issue", limit=config.max_open_prs or "",
                                      appeal=config.appeal)
    run.api.upsert_comment(run.repository, run.number, "spam", text)
    url = closed.get("html_url") or _url(run.repository, run.number, is_pr)
    exclude(run.runtime.factory, run.args["repository_id"], run.number, url, "spam", run.login)
