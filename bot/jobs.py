"""Jobs: one registry of kinds, rows as the truth, an engine that only ever gets a job id.

A job row is inserted in the transaction that wrote its cause (``enqueue``), with a unique dedupe key,
so it exists exactly when its cause committed and enqueueing twice is harmless. ``run`` claims a row
with a conditional update (``pending`` → ``running``), so a second runner of the same id does nothing,
then records ``done``, a retry (``pending`` again, later) or ``failed`` with the error. The embedded
engine is the clock (``run_due`` every second, plus inline right after a delivery is handled in tests
and replays); the Celery engine (``bot/executors.py``) calls the same ``run`` with ids it is sent after
commit: ``enqueue`` notes each new row's id on the session (``session.info[ENQUEUED]``) for the executor's
after-commit hook. While a job runs, a heartbeat refreshes ``heartbeat_at``, so ``recover_stuck`` can tell
a dead runner (no heartbeat) from a slow one.
"""

from __future__ import annotations

import importlib
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import observability
from bot.db import insert_for, now, transaction
from bot.models.jobs import DONE, FAILED, PENDING, RUNNING, Job

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
JobFunc = Callable[["Runtime", dict[str, Any]], None]
ENQUEUED = "steward.enqueued"  # session.info key: [(job id, queue)] inserted in the open transaction


@dataclass(frozen=True)
class Kind:
    name: str
    func: JobFunc
    queue: str
    max_attempts: int
    every: timedelta | None = None  # periodic: the clock enqueues one job per period (``schedule_periodic``)


REGISTRY: dict[str, Kind] = {}
# Every module that registers job kinds; ``load`` imports them so a worker or clock knows every kind.
MODULES = ("bot.sync", "bot.reconcile", "bot.backfill", "bot.command_jobs", "bot.metrics.snapshots")
MODULES += ("bot.evaluation.runs", "bot.evaluation.pipeline")  # PR evaluation (issue 4)
MODULES += ("bot.governance.newcomers", "bot.governance.push")  # issue 6: newcomer guard, push drops
MODULES += ("bot.periodic.lifecycle", "bot.periodic.ladder", "bot.periodic.votes")  # issue 6 §6-8
MODULES += ("bot.automation.config_check", "bot.automation.labels", "bot.automation.dco",  # issue 6 §1-5
            "bot.automation.welcome", "bot.automation.permissions")


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
    job_id = uow.execute(insert_for(uow, Job).values(
        kind=spec.name, args=args, dedupe_key=f"{spec.name}:{key}", queue=spec.queue, status=PENDING,
        attempts=0, created_at=created, run_after=run_after or created,
    ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Job.id)).scalar()
    if job_id is not None and (run_after is None or run_after <= created):  # later ones: the clock's sweep
        uow.info.setdefault(ENQUEUED, []).append((job_id, spec.queue))


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
    with observability.delivery_context(None), observability.job_context(job_id):
        return _run(runtime, job_id)


def _run(runtime: Runtime, job_id: int) -> str | None:
    with transaction(runtime.factory) as uow:
        claimed = uow.execute(
            update(Job).where(Job.id == job_id, Job.status == PENDING, Job.run_after <= now())
            .values(status=RUNNING, attempts=Job.attempts + 1, started_at=now(), heartbeat_at=None)).rowcount
        if claimed != 1:
            return None
        job = uow.get_one(Job, job_id)
        spec = REGISTRY.get(job.kind)
    status, error, run_after = DONE, None, None
    try:
        if spec is None:
            raise LookupError(f"no job kind {job.kind!r} is registered")
        with _heartbeat(runtime, job_id):
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
        # Only while still ours: recovered as dead (no heartbeat) and claimed again, it is the new runner's.
        uow.execute(update(Job).where(Job.id == job_id, Job.status == RUNNING).values(**values))
    observability.flush_github_usage(runtime.factory)  # GitHub calls happen in jobs: /metrics adds them up
    return status


class _heartbeat:  # noqa: N801 - used as a context manager
    """Refresh the job's ``heartbeat_at`` every ``job_heartbeat_s`` while it runs (a daemon thread)."""

    def __init__(self, runtime: Runtime, job_id: int) -> None:
        self.runtime, self.job_id, self.stop = runtime, job_id, threading.Event()

    def __enter__(self) -> None:
        every = self.runtime.settings.job_heartbeat_s
        if every > 0:
            threading.Thread(target=self._beat, args=(every,), name=f"steward-job-{self.job_id}",
                             daemon=True).start()

    def __exit__(self, *exc: object) -> None:
        self.stop.set()

    def _beat(self, every: float) -> None:
        while not self.stop.wait(every):
            try:
                with transaction(self.runtime.factory) as uow:
                    uow.execute(update(Job).where(Job.id == self.job_id, Job.status == RUNNING)
                                .values(heartbeat_at=now()))
            except Exception:  # the database is away for a moment: the next beat tries again
                log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)


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


def cancel(uow: Session, kind_name: str, key: str) -> bool:
    """Mark the pending or running job ``kind_name:key`` cancelled, in the caller's transaction; True if one was.

    A pending job is then never claimed; a running one keeps running until its function notices (the
    function checks its own cause, e.g. its EvalRun's status), and ``run`` leaves the row cancelled."""
    from bot.models.jobs import CANCELLED

    return uow.execute(update(Job).where(Job.dedupe_key == f"{kind_name}:{key}", Job.status.in_((PENDING, RUNNING)))
                       .values(status=CANCELLED, finished_at=now()),
                       execution_options={"synchronize_session": False}).rowcount == 1


def recover_stuck(runtime: Runtime, older_than: timedelta = timedelta(minutes=30)) -> int:
    """Jobs left ``running`` by a dead process (no heartbeat for ``older_than``) go back to ``pending``."""
    last_sign = func.coalesce(Job.heartbeat_at, Job.started_at)
    with transaction(runtime.factory) as uow:
        return uow.execute(update(Job).where(Job.status == RUNNING, last_sign < now() - older_than)
                           .values(status=PENDING, run_after=now()), execution_options={"synchronize_session": False}
                           ).rowcount
