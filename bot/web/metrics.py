"""GET /metrics: service telemetry in Prometheus text format, computed from the database at scrape time.

Every figure comes from rows (the delivery ledger, job rows, the GitHub write log, each process's flushed
GitHub API usage), so any web process answers the same, whichever process did the work, and nothing is
lost when a process restarts. Durations are histograms over every row that has both timestamps:
handling lag (receipt → handled, which includes the wait in the ledger), job wait (created → started)
and run time (started → finished), evaluation duration (job kinds starting with ``eval``).
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import Session

from bot import runtime_of
from bot.db import now
from bot.models import Delivery, GitHubUsage, Job, OutboundWrite
from bot.models.jobs import PENDING

bp = Blueprint("metrics", __name__)
LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
RUN_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600)
EVAL_BUCKETS = (10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)


def seconds_between(dialect: str, start, end):
    """``end - start`` in seconds, as SQL for either database."""
    if dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * literal_column("86400.0")


def histogram(uow: Session, name: str, doc: str, label: str | None, column, start, end, where,
              buckets: tuple[float, ...]) -> HistogramMetricFamily:
    """One histogram family (per value of ``column`` when a ``label`` is named) from a single query."""
    seconds = seconds_between(uow.get_bind().dialect.name, start, end)
    counts = [func.sum(case((seconds <= b, 1), else_=0)) for b in buckets]
    keys = [column] if column is not None else []
    rows = uow.execute(select(*keys, func.count(), func.coalesce(func.sum(seconds), 0), *counts)
                       .where(start.is_not(None), end.is_not(None), *where).group_by(*keys)).all()
    family = HistogramMetricFamily(name, doc, labels=[label] if label else None)
    for row in rows:
        labels, rest = ([str(row[0])], row[1:]) if label else ([], row)
        total, summed, per_bucket = rest[0], float(rest[1] or 0), rest[2:]
        family.add_metric(labels, [(_le(b), int(c or 0)) for b, c in zip(buckets, per_bucket, strict=True)]
                          + [("+Inf", int(total))], summed)
    return family


def _le(bound: float) -> str:
    return str(float(bound))


class DatabaseCollector:
    def __init__(self, factory) -> None:
        self.factory = factory

    def collect(self) -> Iterator[Metric]:
        with self.factory() as uow:
            yield from self._deliveries(uow)
            yield from self._jobs(uow)
            yield from self._github(uow)

    def _deliveries(self, uow: Session) -> Iterator[Metric]:
        family = CounterMetricFamily("steward_deliveries", "Webhook deliveries in the ledger.",
                                     labels=["event", "status"])
        for event, status, n in uow.execute(select(Delivery.event, Delivery.status, func.count())
                                            .group_by(Delivery.event, Delivery.status)):
            family.add_metric([event, status], n)
        yield family
        yield histogram(uow, "steward_delivery_handling_lag_seconds",
                        "From receipt to the end of handling (handler time plus the wait in the ledger).",
                        "event", Delivery.event, Delivery.received_at, Delivery.handled_at, [], LAG_BUCKETS)

    def _jobs(self, uow: Session) -> Iterator[Metric]:
        jobs = GaugeMetricFamily("steward_jobs", "Job rows by queue, kind and status.",
                                 labels=["queue", "kind", "status"])
        for queue, kind, status, n in uow.execute(select(Job.queue, Job.kind, Job.status, func.count())
                                                  .group_by(Job.queue, Job.kind, Job.status)):
            jobs.add_metric([queue, kind, status], n)
        yield jobs
        depth = GaugeMetricFamily("steward_job_queue_depth", "Jobs due and waiting to run, per queue.",
                                  labels=["queue"])
        for queue, n in uow.execute(select(Job.queue, func.count()).where(Job.status == PENDING,
                                                                           Job.run_after <= now())
                                    .group_by(Job.queue)):
            depth.add_metric([queue], n)
        yield depth
        yield histogram(uow, "steward_job_wait_seconds", "From enqueue to the start of the last attempt.",
                        "queue", Job.queue, Job.created_at, Job.started_at, [], LAG_BUCKETS)
        yield histogram(uow, "steward_job_run_seconds", "Run time of finished jobs (last attempt).",
                        "queue", Job.queue, Job.started_at, Job.finished_at, [], RUN_BUCKETS)
        yield histogram(uow, "steward_evaluation_duration_seconds", "Run time of finished evaluation jobs.",
                        "status", Job.status, Job.started_at, Job.finished_at, [Job.kind.like("eval%")],
                        EVAL_BUCKETS)

    def _github(self, uow: Session) -> Iterator[Metric]:
        writes = CounterMetricFamily("steward_github_writes", "Writes on GitHub (sent, failed, dry_run).",
                                     labels=["kind", "status"])
        for kind, status, n in uow.execute(select(OutboundWrite.kind, OutboundWrite.status, func.count())
                                           .group_by(OutboundWrite.kind, OutboundWrite.status)):
            writes.add_metric([kind, status], n)
        yield writes
        calls: dict[tuple[str, str], int] = {}
        latest: dict[str, tuple] = {}
        for row in uow.scalars(select(GitHubUsage).order_by(GitHubUsage.updated_at)):
            for key, n in (row.calls or {}).items():
                verb, _, status = key.partition(" ")
                calls[(verb, status)] = calls.get((verb, status), 0) + int(n)
            for resource, limits in (row.rate_limits or {}).items():
                latest[resource] = (limits, row.updated_at)  # ordered: the newest report wins
        family = CounterMetricFamily("steward_github_api_calls", "GitHub API answers, all processes.",
                                     labels=["verb", "status"])
        for (verb, status), n in sorted(calls.items()):
            family.add_metric([verb, status], n)
        yield family
        remaining = GaugeMetricFamily("steward_github_rate_limit_remaining",
                                      "Requests left in the current window, as GitHub last reported.",
                                      labels=["resource"])
        limit = GaugeMetricFamily("steward_github_rate_limit", "The window's request limit.", labels=["resource"])
        for resource, (limits, _at) in sorted(latest.items()):
            remaining.add_metric([resource], limits.get("remaining") or 0)
            if limits.get("limit") is not None:
                limit.add_metric([resource], limits["limit"])
        yield remaining
        yield limit


@bp.get("/metrics")
def metrics() -> Response:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(runtime_of(current_app).factory))
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
