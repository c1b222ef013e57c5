"""Contributor ladder (issue 6 §7): monthly suggestions, from the contribution ledger, to the maintainers.

The daily ``ladder`` job fans out one ``ladder.repo`` job per repository; each computes the report of the month of
its slot from contributions before the month's first day (so every rerun in a month computes the same report), and
keeps ONE issue per repository and month (marker ``ladder:<YYYY-MM>``, number on a ``LadderReport`` row): created
when there is something to suggest, edited in place when the report changed (a late backfill), else left alone.
It suggests people who meet a rung's rule and do not hold that rung or a higher one (rungs are listed lowest
first), and emeritus status for holders with no contribution for ``emeritus_after_days``. It never promotes anyone.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot import db, jobs, outbound
from bot.config_schema import setting
from bot.governance.exclusions import counted
from bot.models import Contribution, LadderReport, OutboundWrite, Person
from bot.periodic import fan_out, head_config, repository, team_members, team_ref
from bot.repo_config import register_section

#: Rule keys and the ledger kinds each counts (METRICS.md §1).
REQUIREMENTS = {
    "reviews": ("review",), "merged_prs": ("pr_merged",), "pull_requests": ("pr_opened",),
    "issues": ("issue_opened",), "comments": ("issue_comment", "review_comment", "discussion_comment"),
    "answers": ("discussion_answer",), "triage": ("triage",), "docs": ("docs_change",),
}
ACTIVE = tuple(sorted({k for kinds in REQUIREMENTS.values() for k in kinds} | {"discussion_opened", "release"}))
LINKS = 3


@dataclass(frozen=True)
class Rung:
    days: int = setting(90, minimum=1, maximum=3650, help="the window the counts are taken over")
    reviews: int = setting(0, minimum=0)
    merged_prs: int = setting(0, minimum=0)
    pull_requests: int = setting(0, minimum=0)
    issues: int = setting(0, minimum=0)
    comments: int = setting(0, minimum=0)
    answers: int = setting(0, minimum=0)
    triage: int = setting(0, minimum=0)
    docs: int = setting(0, minimum=0)

    def rule(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "days" and getattr(self, f.name)}


@dataclass(frozen=True)
class LadderConfig:
    rungs: Mapping[str, Rung] = setting(min_items=1, help="rung name → minimum counts in `days`, lowest rung first")
    holders: Mapping[str, tuple[str, ...]] = setting({}, help="rung name → logins that hold it now")
    teams: Mapping[str, str] = setting({}, check=team_ref, help="rung name → a team (org/slug) whose members hold it")
    emeritus_after_days: int | None = setting(180, minimum=1, help="suggest emeritus after this long inactive")
    notify: tuple[str, ...] = setting([], help="mentioned in the issue, e.g. @org/maintainers")
    labels: tuple[str, ...] = setting(["governance"], help="labels of the monthly issue")


register_section("ladder", LadderConfig)


@dataclass(frozen=True)
class Suggestion:
    rung: str
    login: str
    met: dict[str, int]  # rule key -> count
    kinds: dict[str, int]  # every ledger kind in the window -> count
    links: list[str]


@dataclass(frozen=True)
class Emeritus:
    rung: str
    login: str
    last: datetime | None


def month_start(slot: str) -> datetime:
    at = datetime.fromisoformat(slot).astimezone(UTC)
    return datetime(at.year, at.month, 1, tzinfo=UTC)


Holders = Mapping[str, tuple[str, ...]]


def holders(api: Any, config: LadderConfig) -> dict[str, tuple[str, ...]]:
    """Each rung's holders: the listed logins, then the members of its team (read from GitHub)."""
    found = {rung: tuple(config.holders.get(rung, ())) for rung in config.rungs}
    for rung, team in config.teams.items():
        listed = {login.casefold() for login in found.get(rung, ())}
        found[rung] = found.get(rung, ()) + tuple(m for m in team_members(api, team) if m.casefold() not in listed)
    return found


def suggestions(uow: Any, repository_id: int, config: LadderConfig, as_of: datetime,
                held_by: Holders) -> list[Suggestion]:
    held = {login.casefold(): i for i, name in enumerate(config.rungs) for login in held_by.get(name, ())}
    found = []
    for index, (name, rung) in enumerate(config.rungs.items()):
        rule = rung.rule()
        if not rule:
            continue
        window = (Contribution.repository_id == repository_id, Contribution.occurred_at >= as_of - timedelta(
            days=rung.days), Contribution.occurred_at < as_of, Person.is_bot.is_not(True), counted())
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for login, kind, n in uow.execute(
                select(Person.login, Contribution.kind, func.count()).join(Person, Contribution.person_id == Person.id)
                .where(*window).group_by(Person.login, Contribution.kind)):
            counts[login][kind] = n
        for login in sorted(counts, key=str.casefold):
            met = {key: sum(counts[login].get(k, 0) for k in REQUIREMENTS[key]) for key in rule}
            if held.get(login.casefold(), -1) >= index or any(met[key] < need for key, need in rule.items()):
                continue
            links = list(uow.scalars(
                select(Contribution.url).join(Person, Contribution.person_id == Person.id)
                .where(*window, Person.login == login, Contribution.url.is_not(None),
                       Contribution.kind.in_([k for key in rule for k in REQUIREMENTS[key]]))
                .order_by(Contribution.occurred_at.desc()).limit(LINKS)))
            found.append(Suggestion(name, login, met, dict(sorted(counts[login].items())), links))
    return found


def emeriti(uow: Any, repository_id: int, config: LadderConfig, as_of: datetime,
            held_by: Holders) -> list[Emeritus]:
    if config.emeritus_after_days is None:
        return []
    found = []
    for rung, logins in held_by.items():
        for login in logins:
            last = uow.scalar(select(func.max(Contribution.occurred_at)).join(
                Person, Contribution.person_id == Person.id).where(
                Contribution.repository_id == repository_id, func.lower(Person.login) == login.lower(),
                Contribution.kind.in_(ACTIVE), Contribution.occurred_at < as_of))
            if last is None or as_of - last >= timedelta(days=config.emeritus_after_days):
                found.append(Emeritus(rung, login, last))
    return found


def render(config: LadderConfig, month: str, as_of: datetime, found: list[Suggestion], old: list[Emeritus]) -> str:
    lines = [f"## Contributor ladder suggestions for {month}", ""]
    if config.notify:
        lines += ["cc " + " ".join(config.notify), ""]
    lines += [f"Steward measured the contribution ledger up to {as_of:%Y-%m-%d}. These are suggestions with their"
              " evidence; Steward never changes anyone's role. Maintainers decide, and record holders under"
              " `ladder.holders` (or in the rung's team) in `.github/steward.yml`.", ""]
    for name, rung in config.rungs.items():
        mine = [s for s in found if s.rung == name]
        if not mine:
            continue
        rule = ", ".join(f"≥ {need} {key.replace('_', ' ')}" for key, need in rung.rule().items())
        lines += [f"### Candidates for {name} ({rule} in {rung.days} days)", "",
                  "| Contributor | Rule | All contributions | Examples |", "| --- | --- | --- | --- |"]
        for s in mine:
            met = ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in s.met.items())
            kinds = ", ".join(f"{kind} {n}" for kind, n in s.kinds.items())
            links = " ".join(f"[{i}]({url})" for i, url in enumerate(s.links, 1)) or "—"
            lines.append(f"| [{s.login}](https://github.com/{s.login}) | {met} | {kinds} | {links} |")
        lines.append("")
    if old:
        lines += [f"### Emeritus (no contribution for {config.emeritus_after_days} days)", "",
                  "| Holder | Rung | Last contribution |", "| --- | --- | --- |"]
        lines += [f"| [{e.login}](https://github.com/{e.login}) | {e.rung} | "
                  f"{e.last.strftime('%Y-%m-%d') if e.last else 'none recorded'} |" for e in old]
        lines.append("")
    return "\n".join(lines)


@jobs.kind("ladder", every=timedelta(days=1))
def ladder(runtime: Any, args: dict[str, Any]) -> None:
    fan_out(runtime, "ladder.repo", args["slot"])


@jobs.kind("ladder.repo")
def ladder_repo(runtime: Any, args: dict[str, Any]) -> None:
    repo = repository(runtime, args["repository_id"])
    if repo is None:
        return
    api, config = head_config(runtime, repo)
    section = config.get(LadderConfig) if config else None
    if section is None:
        return
    as_of = month_start(args["slot"])
    month = f"{as_of:%Y-%m}"
    held_by = holders(api, section)
    with runtime.factory() as uow:
        found = suggestions(uow, repo.id, section, as_of, held_by)
        old = emeriti(uow, repo.id, section, as_of, held_by)
        report = uow.get(LadderReport, (repo.id, month))
    if not found and not old and report is None:
        return  # nothing to suggest this month: no issue
    body = outbound.comment_body(f"ladder:{month}", render(section, month, as_of, found, old))
    sha = hashlib.sha256(body.encode()).hexdigest()
    if report is not None and report.body_sha == sha:
        return
    title = f"Contributor ladder suggestions for {month}"
    number = report.issue_number if report is not None else _created_before(runtime, repo.full_name, title)
    if number is not None:
        api.edit_issue(repo.full_name, number, body=body)
    else:
        number = api.create_issue(repo.full_name, title, body, list(section.labels))
    with db.transaction(runtime.factory) as uow:
        row = uow.get(LadderReport, (repo.id, month))
        if row is None:
            uow.add(LadderReport(repository_id=repo.id, month=month, issue_number=number, body_sha=sha,
                                 updated_at=db.now()))
        else:
            row.body_sha, row.updated_at = sha, db.now()


def _created_before(runtime: Any, repository: str, title: str) -> int | None:
    """The month's issue when a crash came between creating it and recording it (from the outbound log)."""
    with runtime.factory() as uow:
        rows = uow.execute(select(OutboundWrite.payload, OutboundWrite.github_id).where(
            OutboundWrite.repository == repository, OutboundWrite.kind == "issue", OutboundWrite.target == "issues",
            OutboundWrite.status == outbound.SENT).order_by(OutboundWrite.id.desc()).limit(50)).all()
    return next((number for payload, number in rows if payload.get("title") == title and number), None)
