"""Lifecycle (issue 6 §6): inactive issues, pull requests and unanswered Q&A discussions go stale → rotten →
closed, never silently.

The hourly ``lifecycle`` job fans out one ``lifecycle.repo`` job per repository. Each reads the open items, their
labels, their last human activity (creation, comments and reviews by non-bots) and GitHub's ``updated_at`` from the
database, plans the steps (``plan``, pure), and applies them oldest stage first within ``max_operations`` GitHub
writes. Every step posts a marked comment that says what happens next and how to keep the item open. What did not
fit in the budget is logged and kept on a ``LifecycleRun`` row (``steward lifecycle-report``), for the next run.

Activity after a mark (a human comment or review, or an ``updated_at`` more than ``GRACE`` after Steward's own
writes) removes the label instead, so an item with activity after it was marked is never closed.
``/remove-lifecycle stale|rotten`` (anyone, as in Prow) removes the label at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from bot import command_jobs, db, jobs
from bot.config_schema import setting
from bot.models import Comment, Discussion, Issue, LifecycleMark, LifecycleRun, Person, PullRequest, Review
from bot.periodic import fan_out, head_config, repository
from bot.repo_config import register_section

log = logging.getLogger(__name__)
LABEL = {"stale": "lifecycle/stale", "rotten": "lifecycle/rotten"}
GRACE = timedelta(minutes=15)  # GitHub's updated_at right after Steward's own label and comment writes
COST = {"revive": 1, "close": 2, "rotten": 3, "stale": 2}  # GitHub writes per step; also the order of steps
MARKER = "<!-- steward:%"


@dataclass(frozen=True)
class LifecycleConfig:
    days_until_stale: int = setting(90, minimum=1, help="days without activity before `lifecycle/stale`")
    days_until_rotten: int = setting(30, minimum=1, help="days stale before `lifecycle/rotten`")
    days_until_close: int = setting(30, minimum=1, help="days rotten before the item is closed")
    issues: bool = setting(True, help="apply to issues")
    pull_requests: bool = setting(True, help="apply to pull requests")
    discussions: bool = setting(True, help="apply to unanswered discussions in `discussion_categories`")
    discussion_categories: tuple[str, ...] = setting(["Q&A"], help="discussion categories the lifecycle covers")
    exempt_labels: tuple[str, ...] = setting(["lifecycle/frozen"], help="items with any of these are left alone")
    max_operations: int = setting(30, minimum=1, maximum=500, help="GitHub writes per repository and run")


register_section("lifecycle", LifecycleConfig)


@dataclass(frozen=True)
class Item:
    number: int
    kind: str  # issue | pull request | discussion
    labels: frozenset[str]
    last_activity: datetime  # the latest human act: creation, a comment, a review
    updated_at: datetime | None  # GitHub's, which Steward's own writes move too
    stage: str | None = None  # the mark, if any
    marked_at: datetime | None = None
    off: bool = False  # marked, but no longer covered (answered, category or kind turned off): un-mark it


@dataclass(frozen=True)
class Step:
    number: int
    action: str  # stale | rotten | close | revive
    kind: str
    stage: str | None = None  # revive: the stage whose label goes


def plan(items: list[Item], config: LifecycleConfig, at: datetime) -> list[Step]:
    """What to do, in order: revivals, then closes, then the rotten, then the newly stale; by number."""
    steps = []
    for item in items:
        exempt = item.off or bool(item.labels & set(config.exempt_labels))
        if item.stage is not None and item.marked_at is not None:
            since = at - item.marked_at
            updated = item.updated_at is not None and item.updated_at > item.marked_at + GRACE
            if exempt or item.last_activity > item.marked_at or updated:
                steps.append(Step(item.number, "revive", item.kind, item.stage))
            elif item.stage == "stale" and since >= timedelta(days=config.days_until_rotten):
                steps.append(Step(item.number, "rotten", item.kind))
            elif item.stage == "rotten" and since >= timedelta(days=config.days_until_close):
                steps.append(Step(item.number, "close", item.kind))
        elif not exempt:
            last = max(item.last_activity, item.updated_at or item.last_activity)
            if at - last >= timedelta(days=config.days_until_stale):
                steps.append(Step(item.number, "stale", item.kind))
    order = list(COST)
    return sorted(steps, key=lambda s: (order.index(s.action), s.number))


def load_items(uow: Any, repository_id: int, config: LifecycleConfig) -> list[Item]:
    """Open items with their human activity and marks; marks of items no longer open are dropped."""
    human = Person.is_bot.is_not(True)
    commented = dict(uow.execute(
        select(Comment.parent_number, func.max(Comment.created_at)).join(Person, Comment.author_id == Person.id)
        .where(Comment.repository_id == repository_id, Comment.kind.in_(("issue", "review", "discussion")), human,
               Comment.deleted_at.is_(None), Comment.body.not_like(MARKER)).group_by(Comment.parent_number)).all())
    reviewed = dict(uow.execute(
        select(Review.pull_request_id, func.max(Review.submitted_at)).join(Person, Review.author_id == Person.id)
        .where(Review.repository_id == repository_id, human).group_by(Review.pull_request_id)).all())
    marks = {m.number: m for m in uow.scalars(select(LifecycleMark).where(
        LifecycleMark.repository_id == repository_id))}
    items, open_numbers = [], set()
    for model, kind, wanted in ((Issue, "issue", config.issues), (PullRequest, "pull request", config.pull_requests),
                                (Discussion, "discussion", config.discussions)):
        rows = uow.scalars(select(model).where(model.repository_id == repository_id, model.state == "open",
                                               model.deleted_at.is_(None))).all()
        for row in rows:
            open_numbers.add(row.number)
            review = reviewed.get(row.id) if model is PullRequest else None
            times = [t for t in (row.created_at, commented.get(row.number), review) if t]
            answered = model is Discussion and (row.answer_chosen_at or row.answer_comment_id
                                                or row.category not in config.discussion_categories)
            mark = marks.get(row.number)
            if not times or (mark is None and (not wanted or answered)):
                continue
            items.append(Item(row.number, kind, frozenset(row.labels or ()), max(times), row.updated_at,
                              mark.stage if mark else None, mark.marked_at if mark else None,
                              off=not wanted or bool(answered)))
    gone = set(marks) - open_numbers
    if gone:
        uow.execute(delete(LifecycleMark).where(LifecycleMark.repository_id == repository_id,
                                                LifecycleMark.number.in_(gone)))
    return items


def body(step: Step, config: LifecycleConfig) -> str:
    what = step.kind
    keep = "comment here or comment `/remove-lifecycle {stage}`; any new activity removes the label"
    if what == "discussion":  # commands in discussions are the discussion handler's: a comment is enough
        keep = "comment here; any new activity removes the label"
    exempt = ", ".join(f"`{label}`" for label in config.exempt_labels)
    exempt = f" Maintainers can exempt it for good with {exempt}." if exempt else ""
    if step.action == "stale":
        return (f"This {what} has had no activity for {config.days_until_stale} days, so Steward marked it "
                f"`lifecycle/stale`.\n\nIf nothing happens in the next {config.days_until_rotten} days it becomes "
                f"`lifecycle/rotten`, and {config.days_until_close} days after that it is closed. To keep it open, "
                + keep.format(stage="stale") + "." + exempt)
    if step.action == "rotten":
        return (f"This {what} has had no activity for {config.days_until_rotten} days since it was marked stale, "
                f"so it is now `lifecycle/rotten`.\n\nIt will be closed in {config.days_until_close} days. To keep "
                "it open, " + keep.format(stage="rotten") + "." + exempt)
    return (f"Steward is closing this {what}: it had no activity for {config.days_until_close} days after it was "
            f"marked `lifecycle/rotten`.\n\nIf it is still relevant, reopen it (or ask a maintainer to) and say why.")


def apply(runtime: Any, api: Any, repo: Any, steps: list[Step], config: LifecycleConfig, slot: str) -> LifecycleRun:
    """Run the steps within the budget; the rest are reported as skipped."""
    budget, writes = config.max_operations, 0
    done: dict[str, list[int]] = {"revived": [], "closed": [], "rotten": [], "stale": []}
    skipped = []
    day = slot[:10]
    for step in steps:
        cost = COST[step.action]
        if cost > budget - writes:
            skipped.append({"number": step.number, "action": step.action})
            continue
        _step(runtime, api, repo, step, config, day)
        writes += cost
        done[{"revive": "revived", "close": "closed"}.get(step.action, step.action)].append(step.number)
    run = LifecycleRun(repository_id=repo.id, slot=slot, ran_at=db.now(), writes=writes, done=done, skipped=skipped)
    with db.transaction(runtime.factory) as uow:
        uow.add(run)
    if skipped:
        log.warning("lifecycle %s: budget of %d writes spent; %d step(s) left for the next run: %s", repo.full_name,
                    config.max_operations, len(skipped), ", ".join(f"#{s['number']} {s['action']}" for s in skipped))
    return run


def _step(runtime: Any, api: Any, repo: Any, step: Step, config: LifecycleConfig, day: str) -> None:
    name, number = repo.full_name, step.number
    if step.kind == "discussion":
        api = _DiscussionWrites(api, number)
    if step.action == "revive":
        api.remove_label(name, number, LABEL[step.stage or "stale"])
    elif step.action == "close":
        api.upsert_comment(name, number, f"lifecycle:closed:{day}", body(step, config))
        api.close_item(name, number, not_planned=step.kind == "issue")  # GitHub refuses a reason on a PR
    else:
        api.add_labels(name, number, [LABEL[step.action]])
        if step.action == "rotten":
            api.remove_label(name, number, LABEL["stale"])
        api.upsert_comment(name, number, f"lifecycle:{step.action}:{day}", body(step, config))
    with db.transaction(runtime.factory) as uow:
        uow.execute(delete(LifecycleMark).where(LifecycleMark.repository_id == repo.id,
                                                LifecycleMark.number == number))
        if step.action in ("stale", "rotten"):
            uow.add(LifecycleMark(repository_id=repo.id, number=number, stage=step.action, marked_at=db.now()))


@jobs.kind("lifecycle", every=timedelta(hours=1))
def lifecycle(runtime: Any, args: dict[str, Any]) -> None:
    fan_out(runtime, "lifecycle.repo", args["slot"])


@jobs.kind("lifecycle.repo")
def lifecycle_repo(runtime: Any, args: dict[str, Any]) -> None:
    repo = repository(runtime, args["repository_id"])
    if repo is None:
        return
    api, config = head_config(runtime, repo)
    section = config.get(LifecycleConfig) if config else None
    if section is None:
        return
    at = db.now()
    with db.transaction(runtime.factory) as uow:
        items = load_items(uow, repo.id, section)
    apply(runtime, api, repo, plan(items, section, at), section, args["slot"])


@command_jobs.action("remove-lifecycle")
def remove_lifecycle(run: command_jobs.Invocation) -> None:
    stage = run.words[0].lower()
    if stage not in LABEL:
        raise command_jobs.Refused("`/remove-lifecycle` takes `stale` or `rotten`.")
    run.api.remove_label(run.repository, run.number, LABEL[stage])
    with db.transaction(run.runtime.factory) as uow:
        uow.execute(delete(LifecycleMark).where(LifecycleMark.repository_id == run.args["repository_id"],
                                                LifecycleMark.number == run.number, LifecycleMark.stage == stage))


class _DiscussionWrites:
    """The lifecycle's writes on a discussion, through GraphQL: labels only where they exist in the repository."""

    def __init__(self, api: Any, number: int) -> None:
        self.api, self.number = api, number
        self._id: str | None = None

    def _node(self, name: str) -> str:
        if self._id is None:
            self._id = self.api.discussion_id(name, self.number)
            if self._id is None:
                raise LookupError(f"{name}: no discussion #{self.number} on GitHub")
        return self._id

    def add_labels(self, name: str, number: int, labels: list[str]) -> None:
        self.api.label_discussion(name, self._node(name), labels, add=True)

    def remove_label(self, name: str, number: int, label: str) -> None:
        self.api.label_discussion(name, self._node(name), [label], add=False)

    def upsert_comment(self, name: str, number: int, marker: str, body: str) -> None:
        self.api.upsert_discussion_comment(name, number, self._node(name), marker, body)

    def close_item(self, name: str, number: int, *, not_planned: bool = False) -> None:
        self.api.close_discussion(name, self._node(name), "OUTDATED")


def report(runtime: Any, limit: int = 20) -> list[LifecycleRun]:
    """The latest runs, newest first (``steward lifecycle-report``)."""
    with runtime.factory() as uow:
        return list(uow.scalars(select(LifecycleRun).order_by(LifecycleRun.id.desc()).limit(limit)))
