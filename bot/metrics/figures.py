"""Every metric of the health API for one repository and window: the one source of the health API, its CSV
and the repository page.

**Served while fresh.** The issue gives the dashboard a freshness budget: a processed delivery shows within
5 s. Computing every figure costs about 0.8 s at a million ledger rows (``benchmarks/dashboard.py``), far more
than a page view should, so ``current`` serves the figures kept in ``health_figures`` while they are at most
``Settings.metrics_fresh_s`` old (their ``as_of`` is what the API and page show) and otherwise computes them
(one computation per process at a time for the same figures) and keeps them. While someone looks at a
repository (``viewed_at`` within ``VIEWED_FOR``), the clock's ``refresh`` recomputes its kept figures every
half budget, so views keep finding fresh ones. ``metrics_fresh_s = 0`` computes on every request.

The metrics fall into independent groups (each one or a few SQL statements over its own rows); ``compute``
runs ``PARALLEL`` groups at once, each in its own session, so the database works on them side by side — at a
million ledger rows that halves the request on two cores (``benchmarks/dashboard.py``). Groups that read the
same rows fetch them once: the window's per-(kind, person) counts for M12–M14, its per-(kind, hour) counts
for both M15 figures. Under PostgreSQL's READ COMMITTED every statement already sees its own snapshot, so
sessions side by side change nothing a single session would have guaranteed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import now, transaction
from bot.metrics import activity, change_requests, funnel, people, risk
from bot.metrics.responsiveness import Window, issue_response_time_by_cohort, time_to_first_response
from bot.models import HealthFigures
from bot.store import upsert

PARALLEL = 2
VIEWED_FOR = timedelta(minutes=5)  # the clock keeps figures fresh this long after their last view
# The windows the clock keeps fresh: the page's choices (bot/web/pages.py). Any other ``days`` is kept and served
# while fresh too, but not refreshed: a request per window length must not buy minutes of background work.
REFRESHED_DAYS = (30, 90, 180, 365)
VIEW_NOTED_EVERY = timedelta(minutes=1)  # a view is written down at most this often per figures
_guard = threading.Lock()
_computing: dict[tuple[int, int], threading.Lock] = {}
KEYS = ("time_to_first_response", "issue_response_time_by_cohort", "change_request_closure_ratio",
        "change_request_acceptance_ratio", "time_to_merge", "time_to_first_review", "issue_age",
        "active_contributors", "new_contributors", "occasional_contributors", "inactive_contributors",
        "contributions_by_type", "contributor_absence_factor", "elephant_factor", "activity_heatmap", "burstiness",
        "conversion_funnel")


def _groups(repo_id: int, window: Window) -> list[Callable[[Session], dict]]:
    """The independent groups, costliest first (so the pool starts them first)."""
    at = {"now": window.end, "days": window.days}

    def by_hour(uow: Session) -> dict:
        rows = activity.hourly(uow, repo_id, window)
        return {"activity_heatmap": activity.activity_heatmap(uow, repo_id, **at, rows=rows),
                "burstiness": activity.burstiness(uow, repo_id, **at, rows=rows)}

    def by_person(uow: Session) -> dict:
        rows = activity.per_kind_person(uow, repo_id, window)
        return {"contributions_by_type": activity.contributions_by_type(uow, repo_id, **at, rows=rows),
                "contributor_absence_factor": risk.contributor_absence_factor(uow, repo_id, **at, rows=rows),
                "elephant_factor": risk.elephant_factor(uow, repo_id, **at, rows=rows)}

    def responses(uow: Session) -> dict:
        ttfr = time_to_first_response(uow, repo_id, **at)
        return {"time_to_first_response": {k: v.as_dict() for k, v in ttfr.items()}}

    def cohorts(uow: Session) -> dict:
        figures = issue_response_time_by_cohort(uow, repo_id, **at)
        return {"issue_response_time_by_cohort": {k: v.as_dict() for k, v in figures.items()}}

    def pulls(uow: Session) -> dict:
        return {"change_request_closure_ratio": change_requests.change_request_closure_ratio(uow, repo_id, **at),
                "change_request_acceptance_ratio": change_requests.change_request_acceptance_ratio(uow, repo_id,
                                                                                                   **at),
                "time_to_merge": change_requests.time_to_merge(uow, repo_id, **at).as_dict(),
                "time_to_first_review": change_requests.time_to_first_review(uow, repo_id, **at).as_dict()}

    def contributors(uow: Session) -> dict:
        return {"active_contributors": people.active_contributors(uow, repo_id, **at),
                "new_contributors": people.new_contributors(uow, repo_id, **at),
                "occasional_contributors": people.occasional_contributors(uow, repo_id, **at),
                "inactive_contributors": people.inactive_contributors(uow, repo_id, now=window.end),
                "conversion_funnel": funnel.conversion_funnel(uow, repo_id, **at)}

    def issues(uow: Session) -> dict:
        return {"issue_age": change_requests.issue_age(uow, repo_id, now=window.end)}

    return [by_hour, by_person, responses, cohorts, pulls, contributors, issues]


def compute(factory: sessionmaker[Session], repo_id: int, window: Window) -> dict:
    """Every metric for the repository over ``window``, keyed and ordered as the health API documents."""
    def run(group: Callable[[Session], dict]) -> dict:
        with factory() as uow:
            return group(uow)

    with ThreadPoolExecutor(PARALLEL, thread_name_prefix="steward-metrics") as pool:
        parts = list(pool.map(run, _groups(repo_id, window)))
    merged = {key: value for part in parts for key, value in part.items()}
    return {key: merged[key] for key in KEYS}


def current(factory: sessionmaker[Session], repo_id: int, days: int, fresh_s: float) -> tuple[Window, dict]:
    """The repository's figures over its last ``days`` days and the window they were computed for: the kept
    ones while at most ``fresh_s`` old, else computed now and kept."""
    if fresh_s <= 0:
        window = Window.ending(now(), days)
        return window, compute(factory, repo_id, window)
    kept = _fresh(factory, repo_id, days, fresh_s)
    if kept is not None:
        return kept
    with _lock(repo_id, days):  # a burst of views of stale figures computes them once
        kept = _fresh(factory, repo_id, days, fresh_s)
        return kept if kept is not None else _compute_and_keep(factory, repo_id, days, viewed=True)


def refresh(factory: sessionmaker[Session], fresh_s: float) -> int:
    """The clock's tick: recompute the kept figures of ``REFRESHED_DAYS`` viewed in the last ``VIEWED_FOR`` that
    are older than half the budget, oldest first, for about half the budget; returns how many."""
    at, started = now(), time.monotonic()
    with factory() as uow:
        due = uow.execute(select(HealthFigures.repository_id, HealthFigures.days)
                          .where(HealthFigures.viewed_at >= at - VIEWED_FOR, HealthFigures.days.in_(REFRESHED_DAYS),
                                 HealthFigures.as_of < at - timedelta(seconds=fresh_s / 2))
                          .order_by(HealthFigures.as_of)).all()
    done = 0
    for repo_id, days in due:
        if done and time.monotonic() - started > fresh_s / 2:
            break  # the rest wait for the next tick (oldest first) or are computed by their next view
        with _lock(repo_id, days):
            _compute_and_keep(factory, repo_id, days, viewed=False)
        done += 1
    return done


def _lock(repo_id: int, days: int) -> threading.Lock:
    with _guard:
        return _computing.setdefault((repo_id, days), threading.Lock())


def _fresh(factory: sessionmaker[Session], repo_id: int, days: int, fresh_s: float) -> tuple[Window, dict] | None:
    at = now()
    with factory() as uow:
        row = uow.get(HealthFigures, (repo_id, days))
        if row is None or row.as_of < at - timedelta(seconds=fresh_s):
            return None
        kept = Window.ending(row.as_of, days), row.body
        if row.viewed_at < at - VIEW_NOTED_EVERY:  # keeps the clock refreshing them
            row.viewed_at = at
            uow.commit()
        return kept


def _compute_and_keep(factory: sessionmaker[Session], repo_id: int, days: int, *, viewed: bool) -> tuple[Window, dict]:
    window = Window.ending(now(), days)
    started = time.perf_counter()
    metrics = compute(factory, repo_id, window)
    with transaction(factory) as uow:  # a newer computation that finished first is kept (``newer``)
        upsert(uow, HealthFigures, {"repository_id": repo_id, "days": days, "as_of": window.end,
                                    "viewed_at": now(), "compute_ms": (time.perf_counter() - started) * 1000,
                                    "body": metrics},
               key=("repository_id", "days"), newer="as_of", insert_only=() if viewed else ("viewed_at",))
    return window, metrics
