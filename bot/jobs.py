"""Jobs: one registry of kinds, rows as the truth, an engine that only ever gets a job id.

A job row is inserted in the transaction that wrote its cause (``enqueue``), with a unique dedupe key,
so it exists exactly when its cause committed and enqueueing twice is harmless. ``run`` claims a row
with a conditional update (``pending`` → ``running``), so a second runner of the same id does nothing,
then records ``done``, a retry (``pending`` again, later) or ``failed`` with the error. The embedded
engine is the clock (``run_due`` every second, plus inline right after a delivery is handled in tests
and replays); the Celery engine of the scale-out issue will call the same ``run``.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db import insert_for, now, transaction
from bot.models.jobs import DONE, FAILED, PENDING, RUNNING, Job

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
JobFunc = Callable[["Runtime", dict[str, Any]], None]


@dataclass(frozen=True)
class Kind:
    name: str
    func: JobFunc
    queue: str
    max_attempts: int
    every: timedelta | None = None  # periodic: the clock enqueues one job per period (``schedule_periodic``)


REGISTRY: dict[str, Kind] = {}
# Every module that registers job kinds; ``load`` imports them so a worker or clock knows every kind.
MODULES = ("bot.sync", "bot.reconcile", "bot.backfill", "bot.command_jobs")


def kind(name: str, *, queue: str = "default", max_attempts: int = 5,
         every: timedelta | None = None) -> Callable[[JobFunc], JobFunc]:
    """Register a job kind: ``@jobs.kind("backfill")`` over ``def backfill(runtime, args)``.

    ``every=timedelta(days=1)`` makes it periodic: the clock calls ``schedule_periodic`` for it, which
    enqueues one job per period (the period's start is in the args as ``slot``, ISO 8601).
    """

    def decorator(func: JobFunc) -> JobFunc:
        if name in REGISTRY and REGISTRY[name].func is not func:
            raise ValueError(f"job kind {name!r} registered twice")
        REGISTRY[name] = Kind(name, func, queue, max_attempts, every)
        return func

    return decorator


def load() -> dict[str, Kind]:
    for module in MODULES:
        importlib.import_module(module)
    return REGISTRY


def periodic() -> list[Kind]:
    return [spec for spec in load().values() if spec.every is not None]


class Retry(Exception):  # noqa: N818 - it is an instruction, not an error
    """Raise from a job to run it again later (e.g. at a rate limit's reset), without counting a failure."""

    def __init__(self, at: datetime, reason: str) -> None:
        super().__init__(reason)
        self.at = at


def enqueue(uow: Session, kind_name: str, args: dict[str, Any], key: str, *,
            run_after: datetime | None = None) -> None:
    """Add a job in the caller's transaction; a job with the same key already there wins."""
    spec = REGISTRY[kind_name]  # KeyError: an unregistered kind is a bug, found at enqueue time
    created = now()
    uow.execute(insert_for(uow, Job).values(
        kind=spec.name, args=args, dedupe_key=f"{spec.name}:{key}", queue=spec.queue, status=PENDING,
        attempts=0, created_at=created, run_after=run_after or created,
    ).on_conflict_do_nothing(index_elements=["dedupe_key"]))


def schedule_periodic(runtime: Runtime, name: str, at: datetime | None = None) -> None:
    """Enqueue the periodic job ``name`` for the period containing ``at`` (now); once per period."""
    spec = REGISTRY[name]
    assert spec.every is not None, f"{name} is not periodic"
    at = at or now()
    period = spec.every.total_seconds()
    slot = datetime.fromtimestamp(at.timestamp() // period * period, at.tzinfo)
    with transaction(runtime.factory) as uow:
        enqueue(uow, name, {"slot": slot.isoformat()}, key=slot.isoformat())


def run(runtime: Runtime, job_id: int) -> str | None:
    """Run one due job if nobody else has it; returns its new status, or None if it was not ours."""
    with transaction(runtime.factory) as uow:
        claimed = uow.execute(
            update(Job).where(Job.id == job_id, Job.status == PENDING, Job.run_after <= now())
            .values(status=RUNNING, attempts=Job.attempts + 1, started_at=now())).rowcount
        if claimed != 1:
            return None
        job = uow.get_one(Job, job_id)
        spec = REGISTRY.get(job.kind)
    status, error, run_after = DONE, None, None
    try:
        if spec is None:
            raise LookupError(f"no job kind {job.kind!r} is registered")
        spec.func(runtime, dict(job.args))
    except Retry as retry:
        status, run_after, error = PENDING, retry.at, str(retry)
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
        if spec is not None and job.attempts < spec.max_attempts:
            status, run_after = PENDING, now() + timedelta(seconds=min(3600, 30 * 2 ** (job.attempts - 1)))
        else:
            status = FAILED
    with transaction(runtime.factory) as uow:
        values: dict[str, Any] = {"status": status, "error": error}
        if status == PENDING:
            values["run_after"] = run_after
        else:
            values["finished_at"] = now()
        uow.execute(update(Job).where(Job.id == job_id).values(**values))
    return status


def due_ids(runtime: Runtime, limit: int = 100, queues: tuple[str, ...] | None = None) -> list[int]:
    with runtime.factory() as uow:
        stmt = select(Job.id).where(Job.status == PENDING, Job.run_after <= now()).order_by(Job.id).limit(limit)
        if queues:
            stmt = stmt.where(Job.queue.in_(queues))
        return list(uow.scalars(stmt))


def run_due(runtime: Runtime, limit: int = 100) -> int:
    """The embedded engine: run every job that is due, oldest first."""
    ids = due_ids(runtime, limit)
    for job_id in ids:
        run(runtime, job_id)
    return len(ids)


def recover_stuck(runtime: Runtime, older_than: timedelta = timedelta(minutes=30)) -> int:
    """Jobs left ``running`` by a dead process go back to ``pending``."""
    with transaction(runtime.factory) as uow:
        return uow.execute(update(Job).where(Job.status == RUNNING, Job.started_at < now() - older_than)
                           .values(status=PENDING, run_after=now())).rowcount
