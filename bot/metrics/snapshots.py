"""Daily snapshots of the slow-moving series (``MetricValue``), so trend charts never recompute history.

The clock enqueues ``metric_snapshots`` once per UTC day (``jobs.kind(every=1 day)``). For each known
repository it stores *yesterday's* figures, each computed exactly as the health API computes it at the end
of that day (``now`` = the next 00:00 UTC), and on the first runs it backfills the missing days of the last
``BACKFILL_DAYS`` (never before the repository's first contribution). ``series`` reads them back.

Stored series (metric id, key): the 90-day figures that move slowly (time to first response medians, closure
and acceptance ratios, time to merge, open-issue median age, active / new contributors) plus each day's
contribution count per CHAOSS type (weekly bars are sums of these).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import jobs
from bot.db import insert_for, now, transaction
from bot.metrics import activity, change_requests, people
from bot.metrics.responsiveness import time_to_first_response
from bot.metrics.spec import SPECS
from bot.models import Contribution, Repository
from bot.models.metrics import MetricValue

log = logging.getLogger(__name__)
WINDOW_DAYS = 90  # the window of the windowed series (the health API's default)
BACKFILL_DAYS = 90  # how far back a first run fills missing days
MAX_SERIES_DAYS = 3650
Figures = dict[tuple[str, str], float | None]


def _ttfr(uow: Session, repo_id: int, at: datetime) -> Figures:
    out: Figures = {}
    for name, figure in time_to_first_response(uow, repo_id, now=at, days=WINDOW_DAYS).items():
        out[("time_to_first_response", f"{name}.median_hours")] = figure.median_hours
        out[("time_to_first_response", f"{name}.p85_hours")] = figure.p85_hours
        out[("time_to_first_response", f"{name}.n")] = figure.n
    return out


def _change_requests(uow: Session, repo_id: int, at: datetime) -> Figures:
    closure = change_requests.change_request_closure_ratio(uow, repo_id, now=at, days=WINDOW_DAYS)
    accept = change_requests.change_request_acceptance_ratio(uow, repo_id, now=at, days=WINDOW_DAYS)
    merge = change_requests.time_to_merge(uow, repo_id, now=at, days=WINDOW_DAYS)
    age = change_requests.issue_age(uow, repo_id, now=at)
    return {("change_request_closure_ratio", "value"): closure["value"],
            ("change_request_closure_ratio", "opened"): closure["opened"],
            ("change_request_closure_ratio", "closed"): closure["closed"],
            ("change_request_closure_ratio", "open_backlog"): closure["open_backlog"],
            ("change_request_acceptance_ratio", "value"): accept["value"],
            ("time_to_merge", "median_hours"): merge.median_hours,
            ("issue_age", "median_days"): age["median_days"],
            ("issue_age", "n"): age["n"]}


def _people(uow: Session, repo_id: int, at: datetime) -> Figures:
    active = people.active_contributors(uow, repo_id, now=at, days=WINDOW_DAYS)
    new = people.new_contributors(uow, repo_id, now=at, days=WINDOW_DAYS)
    return {("active_contributors", "value"): active["value"], ("active_contributors", "last_28d"): active["last_28d"],
            ("new_contributors", "value"): new["value"]}


def _daily_types(uow: Session, repo_id: int, at: datetime) -> Figures:
    """The day's human contributions per CHAOSS type (the day ending at ``at``)."""
    by_type = activity.contributions_by_type(uow, repo_id, now=at, days=1)
    return {("contributions_by_type", t): by_type[t]["count"] for t in activity.TYPES}


COMPUTE: tuple[Callable[[Session, int, datetime], Figures], ...] = (_ttfr, _change_requests, _people, _daily_types)


def day_end(day: date) -> datetime:
    """The end of a UTC day: the ``now`` at which its figures are computed."""
    return datetime.combine(day + timedelta(days=1), time(), UTC)


def figures(uow: Session, repo_id: int, day: date) -> Figures:
    at = day_end(day)
    out: Figures = {}
    for compute in COMPUTE:
        out.update(compute(uow, repo_id, at))
    return out


def store(uow: Session, repo_id: int, day: date, values: Figures, computed_at: datetime) -> None:
    """Write one day's figures; a figure already stored for that day and spec version is kept."""
    rows = [{"repository_id": repo_id, "metric": metric, "key": key, "day": day,
             "value": None if value is None else float(value), "version": SPECS[metric].version,
             "computed_at": computed_at} for (metric, key), value in values.items()]
    stmt = insert_for(uow, MetricValue).on_conflict_do_nothing(
        index_elements=["repository_id", "metric", "key", "day", "version"])
    uow.execute(stmt, rows)


def missing_days(uow: Session, repo_id: int, yesterday: date, backfill_days: int = BACKFILL_DAYS) -> list[date]:
    """Days of ``[yesterday - backfill_days + 1, yesterday]`` without a snapshot, from the first contribution on."""
    first = uow.scalar(select(func.min(Contribution.occurred_at)).where(Contribution.repository_id == repo_id))
    if first is None:
        return []
    start = max(yesterday - timedelta(days=backfill_days - 1), first.astimezone(UTC).date())
    version = SPECS["active_contributors"].version  # every day stores this series: it marks the day as done
    done = set(uow.scalars(select(MetricValue.day).where(
        MetricValue.repository_id == repo_id, MetricValue.metric == "active_contributors",
        MetricValue.key == "value", MetricValue.version == version, MetricValue.day >= start,
        MetricValue.day <= yesterday)))
    days = [start + timedelta(days=i) for i in range((yesterday - start).days + 1)]
    return [d for d in days if d not in done]


def snapshot(runtime, yesterday: date, backfill_days: int = BACKFILL_DAYS) -> int:
    """Store ``yesterday`` and any missing earlier day (bounded) for every known repository; days written."""
    with runtime.factory() as uow:
        repo_ids = list(uow.scalars(select(Repository.id).where(Repository.deleted_at.is_(None))
                                    .order_by(Repository.id)))
    written = 0
    for repo_id in repo_ids:
        with runtime.factory() as uow:
            days = missing_days(uow, repo_id, yesterday, backfill_days)
        for day in days:  # one transaction per day: a long backfill commits as it goes
            with transaction(runtime.factory) as uow:
                store(uow, repo_id, day, figures(uow, repo_id, day), now())
            written += 1
    return written


@jobs.kind("metric_snapshots", every=timedelta(days=1))
def metric_snapshots(runtime, args: dict[str, Any]) -> None:
    """The clock's daily job: the period's slot is 00:00 UTC of today, so the finished day is the one before."""
    slot = datetime.fromisoformat(args["slot"]) if args.get("slot") else now()
    written = snapshot(runtime, slot.astimezone(UTC).date() - timedelta(days=1))
    log.info("metric_snapshots: %d repository-days stored", written)


def series(session: Session, repository_id: int, metric: str, key: str, days: int, *,
           until: date | None = None) -> list[tuple[date, float | None]]:
    """The stored daily values of one series for the ``days`` days ending ``until`` (default: yesterday),
    oldest first, for the metric's current spec version; days without a snapshot are absent."""
    if metric not in SPECS:
        raise KeyError(f"unknown metric {metric!r}")
    days = max(1, min(days, MAX_SERIES_DAYS))
    until = until or (now().date() - timedelta(days=1))
    start = until - timedelta(days=days - 1)
    rows = session.execute(select(MetricValue.day, MetricValue.value).where(
        MetricValue.repository_id == repository_id, MetricValue.metric == metric, MetricValue.key == key,
        MetricValue.version == SPECS[metric].version, MetricValue.day >= start, MetricValue.day <= until,
    ).order_by(MetricValue.day))
    return [(day, value) for day, value in rows]
