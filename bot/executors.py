"""The Celery executor: job ids (and pending delivery ids) sent to workers through Redis or RabbitMQ.

Only used when ``STEWARD_BROKER_URL`` is set; the embedded default is the clock's ``jobs.run_due``. The
rows stay the truth and a message is only ever an id:

- ``jobs.enqueue`` notes each new job's id on the session; ``install`` hooks the runtime's session
  factory so that, **after commit**, each id is sent to the queue of its kind (``jobs.kind(queue=…)``;
  evaluations use ``eval``). A message for a row that never committed cannot exist.
- The task only calls ``jobs.run(runtime, id)``, which claims the row (``pending → running``) or does
  nothing, so a message delivered twice runs the job once. ``acks_late`` and ``reject_on_worker_lost``
  put a message back when its worker dies before finishing it.
- A message can still be lost (a broker restart without persistence, a publish while the broker was
  down). The clock's ``Sweep`` re-sends due jobs still ``pending`` after ``job_resend_s`` (then at
  growing intervals, and only while their queue is empty: a backlog is not a loss), and sends jobs that
  became due later (retries, ``run_after``); ``recover_stuck`` first returns ``running`` jobs whose
  heartbeat stopped (a SIGKILLed worker) to ``pending``.
- Deliveries: with ``delivery_handling = "workers"`` the clock hands pending delivery ids out in chunks
  (``HandOut``, re-sent on the same schedule) and workers handle them with ``inbox.dispatch``, whose
  claim makes a duplicate message harmless; with ``"clock"`` the clock drains them itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot import inbox, jobs, observability
from bot.db import now
from bot.models import Job
from bot.models.jobs import PENDING

if TYPE_CHECKING:
    from celery import Celery

    from bot.runtime import Runtime
    from bot.settings import Settings

log = logging.getLogger(__name__)
RUN_JOB = "steward.run_job"
HANDLE_DELIVERIES = "steward.handle_deliveries"
DELIVERY_QUEUE = "default"
CHUNK = 50  # delivery ids per message: few messages, yet several workers share a burst
SCAN = 5000  # rows looked at per sweep


def make_celery(settings: Settings) -> Celery:
    """The Celery app for this broker, with the two tasks; workers build their runtime on first use."""
    from celery import Celery

    app = Celery("steward", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True, task_reject_on_worker_lost=True,  # a dead worker's message is delivered again
        worker_prefetch_multiplier=1, task_ignore_result=True, task_default_queue="default",
        task_serializer="json", accept_content=["json"], worker_hijack_root_logger=False,
        worker_enable_remote_control=False, broker_connection_retry_on_startup=True,
        broker_connection_timeout=3, task_publish_retry_policy={
            "max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
    )
    held: dict[str, Runtime] = {}

    def runtime() -> Runtime:  # one per worker process, built in that process (after a prefork fork)
        if "runtime" not in held:
            from bot.runtime import Runtime

            held["runtime"] = Runtime.build(settings, inline_dispatch=False)
            install(held["runtime"], app)
        return held["runtime"]

    @app.task(name=RUN_JOB)
    def run_job(job_id: int) -> None:
        jobs.run(runtime(), job_id)

    @app.task(name=HANDLE_DELIVERIES)
    def handle_deliveries(ids: list[int]) -> None:
        rt = runtime()
        for pk in ids:
            with observability.delivery_context(None):
                inbox.dispatch(rt.factory, rt.router, pk)

    return app


class Executor:
    """Sends ids to the broker; hooked to a runtime's sessions by ``install``."""

    def __init__(self, app: Celery, queue_prefix: str = "") -> None:
        self.app, self.prefix = app, queue_prefix

    def send_job(self, job_id: int, queue: str) -> bool:
        return self._send(RUN_JOB, [job_id], queue)

    def send_deliveries(self, ids: list[int]) -> bool:
        return self._send(HANDLE_DELIVERIES, [ids], DELIVERY_QUEUE)

    def _send(self, task: str, args: list[Any], queue: str) -> bool:
        try:
            self.app.send_task(task, args=args, queue=self.prefix + queue)
            return True
        except Exception as exc:  # broker away: the row stays pending and the sweep sends it later
            log.warning("could not send %s%s to the broker (%s): the clock's sweep will resend it", task,
                        args, type(exc).__name__)
            return False

    def waiting(self, queue: str) -> int | None:
        """Messages waiting in ``queue`` (None: unknown, e.g. the broker is away)."""
        try:
            with self.app.pool.acquire(block=True, timeout=2) as conn:
                return conn.default_channel.queue_declare(queue=self.prefix + queue, passive=True).message_count
        except Exception:
            return None

    def after_commit(self, session: Session) -> None:
        for job_id, queue in session.info.pop(jobs.ENQUEUED, ()):
            self.send_job(job_id, queue)

    @staticmethod
    def after_rollback(session: Session) -> None:
        session.info.pop(jobs.ENQUEUED, None)


def install(runtime: Runtime, app: Celery | None = None) -> Executor:
    """Send every job this runtime's sessions enqueue to the broker once its transaction commits."""
    executor = Executor(app or make_celery(runtime.settings), runtime.settings.queue_prefix)
    event.listen(runtime.factory, "after_commit", executor.after_commit)
    event.listen(runtime.factory, "after_rollback", executor.after_rollback)
    return executor


class _Resends:
    """When to send an id (again): at once, then after ``grace``, 2×, 4× … (at most 64×) while it waits,
    but a re-send only when ``resend`` says so (its queue is empty: a backlog is not a lost message)."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.state: dict[Any, tuple[Any, float, int]] = {}  # key -> (version, next send at, sends)

    def due(self, key: Any, version: Any = None, clock: float | None = None, resend: bool = True) -> bool:
        clock = time.monotonic() if clock is None else clock
        seen = self.state.get(key)
        if seen is not None and seen[0] == version and (clock < seen[1] or not resend):
            return False
        sends = seen[2] + 1 if seen is not None and seen[0] == version else 1
        self.state[key] = (version, clock + self.grace * 2 ** min(sends - 1, 6), sends)
        return True

    def keep_only(self, keys: Iterable[Any]) -> None:
        keys = set(keys)
        self.state = {k: v for k, v in self.state.items() if k in keys}


class Sweep:
    """The clock's job sweep: recover dead runners' jobs, (re)send due ``pending`` ones."""

    def __init__(self, runtime: Runtime, executor: Executor) -> None:
        self.runtime, self.executor = runtime, executor
        self.resends = _Resends(runtime.settings.job_resend_s)

    def __call__(self) -> int:
        settings = self.runtime.settings
        jobs.recover_stuck(self.runtime, timedelta(seconds=settings.job_stuck_s))
        at = now()
        fresh_after = at - timedelta(seconds=settings.job_resend_s)
        with self.runtime.factory() as uow:
            rows = uow.execute(select(Job.id, Job.queue, Job.run_after, Job.created_at)
                               .where(Job.status == PENDING, Job.run_after <= at)
                               .order_by(Job.run_after).limit(SCAN)).all()
        sent, idle = 0, {}
        for job_id, queue, run_after, created_at in rows:
            if run_after == created_at and run_after > fresh_after and job_id not in self.resends.state:
                continue  # sent after its commit a moment ago: give that message its grace first
            if queue not in idle:
                idle[queue] = not self.executor.waiting(queue)
            if self.resends.due(job_id, run_after, resend=idle[queue]) and self.executor.send_job(job_id, queue):
                sent += 1
        self.resends.keep_only(row[0] for row in rows)
        if sent:
            log.info("sweep: sent %d pending job(s) to the broker", sent)
        return sent


class HandOut:
    """The clock's delivery hand-out: pending delivery ids, in chunks, to the workers' default queue."""

    def __init__(self, runtime: Runtime, executor: Executor) -> None:
        self.runtime, self.executor = runtime, executor
        self.resends = _Resends(runtime.settings.job_resend_s)

    def __call__(self) -> int:
        ids = inbox.pending_ids(self.runtime.factory, SCAN)
        clock = time.monotonic()
        idle = None
        due = []
        for pk in ids:
            if pk in self.resends.state and idle is None:
                idle = not self.executor.waiting(DELIVERY_QUEUE)
            if self.resends.due(pk, None, clock, resend=bool(idle)):
                due.append(pk)
        for start in range(0, len(due), CHUNK):
            if not self.executor.send_deliveries(due[start:start + CHUNK]):
                for pk in due[start:]:  # not sent: try again at the next tick
                    self.resends.state.pop(pk, None)
                break
        self.resends.keep_only(ids)
        return len(due)
