"""The DCO check run (issue 6 §5): the ``dco:`` section and the ``dco`` job.

Every commit of a pull request (``GET /repos/{o}/{r}/pulls/{n}/commits``) needs a ``Signed-off-by: Name <email>``
trailer matching its git author — the name or the e-mail address, case-insensitively. Merge commits are skipped
(``git rebase --signoff`` drops them anyway). Commits by bots are exempt unless ``exempt_bots: false``; commits by
the PR's author when that author is a maintainer (OWNER, MEMBER, COLLABORATOR) are exempt with
``exempt_maintainers: true``; ``exempt_users`` lists GitHub logins whose commits are exempt. A failure lists each
offending commit and says exactly how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot import jobs
from bot.automation.config_check import api_for, base_config
from bot.config_schema import setting
from bot.repo_config import register_section
from bot.store import is_bot

CHECK_NAME = "DCO"
MAINTAINERS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
SIGNOFF = re.compile(r"^\s*signed-off-by:\s*(?P<name>[^<\n]*?)\s*<(?P<email>[^>\n]*)>\s*$", re.I | re.M)
MAX_LISTED = 50


@dataclass(frozen=True)
class DcoConfig:
    exempt_bots: bool = setting(True, help="commits whose GitHub author is a bot need no sign-off")
    exempt_maintainers: bool = setting(False, help="commits by a maintainer who opened the PR need no sign-off")
    exempt_users: tuple[str, ...] = setting((), help="GitHub logins whose commits need no sign-off")


register_section("dco", DcoConfig)


@dataclass(frozen=True)
class Offence:
    sha: str
    subject: str
    author: str  # "Name <email>"
    reason: str


def signoffs(message: str) -> list[tuple[str, str]]:
    return [(m["name"], m["email"]) for m in SIGNOFF.finditer(message or "")]


def problem(commit: dict[str, Any]) -> str | None:
    """Why this commit fails the DCO check, or None."""
    git = commit.get("commit") or {}
    author = git.get("author") or {}
    name, email = (author.get("name") or "").strip().lower(), (author.get("email") or "").strip().lower()
    found = signoffs(git.get("message") or "")
    if not found:
        return "no `Signed-off-by` line"
    if any((name and n.strip().lower() == name) or (email and e.strip().lower() == email) for n, e in found):
        return None
    listed = ", ".join(f"{n} <{e}>" for n, e in found)
    return f"signed off by {listed}, which matches neither the author's name nor e-mail"


def exempt(commit: dict[str, Any], config: DcoConfig, pr_author: str, association: str) -> bool:
    user = commit.get("author") or {}
    login = (user.get("login") or "").lower()
    if config.exempt_bots and user and is_bot(user):
        return True
    if login and login in {u.lower() for u in config.exempt_users}:
        return True
    return bool(config.exempt_maintainers and login and login == pr_author.lower() and association in MAINTAINERS)


def offences(commits: Iterable[dict[str, Any]], config: DcoConfig, pr_author: str, association: str,
             ) -> tuple[int, list[Offence]]:
    """(commits checked, offending commits), merge commits and exempt commits not checked."""
    checked, bad = 0, []
    for commit in commits:
        if len(commit.get("parents") or []) > 1 or exempt(commit, config, pr_author, association):
            continue
        checked += 1
        reason = problem(commit)
        if reason:
            git = commit.get("commit") or {}
            author = git.get("author") or {}
            subject = (git.get("message") or "").strip().splitlines()[:1] or [""]
            bad.append(Offence(commit["sha"], subject[0][:72], f"{author.get('name', '')} <{author.get('email', '')}>",
                               reason))
    return checked, bad


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("`", "'").replace("<", "&lt;").replace(">", "&gt;")


def failure_text(bad: list[Offence], checked: int, base_ref: str) -> str:
    n = len(bad)
    lines = [
        f"{n} of {checked} commit{'s' if checked != 1 else ''} lack{'s' if n == 1 else ''} a "
        "`Signed-off-by` line matching the commit's author. By signing off you certify the "
        "[Developer Certificate of Origin](https://developercertificate.org/).", "",
        "| commit | subject | author | problem |", "|---|---|---|---|",
    ]
    lines += [f"| `{o.sha[:12]}` | {_cell(o.subject)} | {_cell(o.author)} | {_cell(o.reason)} |"
              for o in bad[:MAX_LISTED]]
    if n > MAX_LISTED:
        lines.append(f"\n… and {n - MAX_LISTED} more.")
    lines += ["", "**How to fix it**", "",
              "Make sure `git config user.name` and `git config user.email` are the name and e-mail address you "
              "want on your commits, then sign off and force-push."]
    lines += ["", "If only the last commit is affected:", "", "```sh", "git commit --amend --no-edit -s",
              "git push --force-with-lease", "```", "",
              "To sign off every commit of this pull request:", "", "```sh",
              f"git fetch origin {base_ref}", f"git rebase --signoff origin/{base_ref}", "git push --force-with-lease",
              "```"]
    return "\n".join(lines) + "\n"


@jobs.kind("dco")
def dco_check(runtime: Any, args: dict[str, Any]) -> None:
    api = api_for(runtime, args)
    if api is None:
        return
    config = base_config(runtime, api, args, args["base_sha"], args["head_sha"])
    section = config.get(DcoConfig) if config else None
    if section is None:
        return
    repo, head = args["repository"], args["head_sha"]
    checked, bad = offences(api.pull_commits(repo, args["number"]), section, args.get("author") or "",
                            args.get("author_association") or "NONE")
    if bad:
        n = len(bad)
        conclusion = "failure"
        output = {"title": f"{n} commit{'s' if n != 1 else ''} not signed off",
                  "summary": failure_text(bad, checked, args.get("base_ref") or "main")}
    else:
        conclusion = "success"
        output = {"title": f"All commits signed off ({checked} checked)",
                  "summary": "Every commit carries a `Signed-off-by` line matching its author."
                  if checked else "No commit needed a sign-off (merge commits and exempt authors are skipped)."}
    api.create_check_run(repo, head, CHECK_NAME, status="completed", conclusion=conclusion, output=output)
