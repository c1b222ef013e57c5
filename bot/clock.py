"""The single clock: APScheduler's timed work, run by whichever process holds the clock lease.

APScheduler with an in-memory job store runs the timed work (handle or hand out pending deliveries, run
or sweep due jobs, recover dead runners' jobs, enqueue reconciliation and the periodic kinds). Two clocks
must never both run it, so it runs only while this process holds the database lease ``clock_leases``
(one row: owner + expiry, renewed every third of ``clock_lease_s``). The scheduler starts paused and
runs only while the lease is held by a local deadline that ends before the row expires (checked every
half second), so a clock that cannot renew (lost database, stalled process) pauses before another may
take over. A holder that died on this same host (its pid is
gone: a SIGKILLed ``steward serve``) is replaced at once instead of after the expiry.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import inbox, intake, jobs, observability, reconcile
from bot.db import insert_for, now, transaction
from bot.metrics import figures
from bot.models import ClockLease
from bot.runtime import Runtime

log = logging.getLogger(__name__)
LEASE = "clock"


class Lease:
    """A named database lease; ``renew()`` takes or extends it, ``held()`` says whether it is ours now."""

    def __init__(self, factory: sessionmaker[Session], ttl_s: float = 15.0, name: str = LEASE,
                 owner: str | None = None) -> None:
        self.factory, self.ttl_s, self.name = factory, ttl_s, name
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._valid_until = 0.0  # time.monotonic() deadline, a margin before the row's expiry

    def held(self) -> bool:
        return time.monotonic() < self._valid_until

    def renew(self) -> bool:
        started = time.monotonic()
        try:
            ours = self._take()
        except Exception:  # database away: we cannot prove the lease, so we stop using it
            log.warning("could not renew the clock lease", exc_info=True)
            ours = False
        self._valid_until = started + self.ttl_s * 0.8 if ours else 0.0
        return ours

    def release(self) -> None:
        self._valid_until = 0.0
        with transaction(self.factory) as uow:
            uow.execute(update(ClockLease).where(ClockLease.name == self.name, ClockLease.owner == self.owner)
                        .values(expires_at=now()))

    def _take(self) -> bool:
        at = now()
        expires = at + timedelta(seconds=self.ttl_s)
        row = ClockLease.__table__.c
        with transaction(self.factory) as uow:  # each step is one atomic statement
            if uow.execute(update(ClockLease).where(row.name == self.name, row.owner == self.owner)
                           .values(expires_at=expires)).rowcount == 1:
                return True
            holder = uow.scalar(select(ClockLease.owner).where(row.name == self.name))
            if holder is None:
                return uow.execute(insert_for(uow, ClockLease).values(
                    name=self.name, owner=self.owner, acquired_at=at, expires_at=expires,
                ).on_conflict_do_nothing(index_elements=["name"]).returning(row.name)).scalar() is not None
            cond = row.owner == holder if _dead_here(holder) else row.expires_at < at
            took = uow.execute(update(ClockLease).where(row.name == self.name, cond)
                               .values(owner=self.owner, acquired_at=at, expires_at=expires)).rowcount == 1
            if took:
                log.info("clock lease taken over from %s", holder)
            return took


def _dead_here(owner: str) -> bool:
    """The holder ran on this host and its process is gone."""
    host, pid, _token = (owner.split(":", 2) + ["", ""])[:3]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def make_clock(runtime: Runtime) -> BackgroundScheduler:
    """The clock's schedule (not started): ``Clock`` runs it while it holds the lease."""
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line every half second is noise
    settings = runtime.settings
    clock = BackgroundScheduler(executors={"default": ThreadPoolExecutor(3)}, timezone="UTC")
    every = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}

    def add(job_id: str, func: Callable, *args, first_now: bool = False, **trigger) -> None:
        clock.add_job(func, "interval", args=args, id=job_id, **every, **trigger,
                      **({"next_run_time": now()} if first_now else {}))

    stuck = timedelta(seconds=settings.job_stuck_s)
    if settings.broker_url:
        from bot import executors

        executor = executors.install(runtime)
        if settings.delivery_handling == "workers":
            add("hand-out-deliveries", executors.HandOut(runtime, executor), first_now=True,
                seconds=settings.drain_interval_s)
        else:
            add("drain-inbox", inbox.drain, runtime.factory, runtime.router, 10_000, first_now=True,
                seconds=settings.drain_interval_s)
        add("sweep-jobs", executors.Sweep(runtime, executor), first_now=True,
            seconds=max(1.0, min(5.0, settings.job_resend_s / 2)))
    else:
        flag = intake.waiting_flag(runtime.engine)  # SQLite only: intake waits for the write lock
        yield_to_intake = (lambda: intake.hold_off(flag)) if flag is not None else None
        add("drain-inbox", inbox.drain, runtime.factory, runtime.router, 10_000, yield_to_intake,
            first_now=True, seconds=settings.drain_interval_s)
        add("run-jobs", jobs.run_due, runtime, first_now=True, seconds=1)
        add("recover-stuck-jobs", jobs.recover_stuck, runtime, stuck, minutes=1)
    add("reconcile-deliveries", reconcile.schedule, runtime, minutes=10)  # enqueues the job
    add("flush-github-usage", observability.flush_github_usage, runtime.factory, seconds=15)
    if settings.metrics_fresh_s > 0:  # viewed dashboards find their figures fresh (bot/metrics/figures.py)
        add("refresh-health-figures", figures.refresh, runtime.factory, settings.metrics_fresh_s,
            seconds=max(1.0, settings.metrics_fresh_s / 2))
    for spec in jobs.periodic():  # enqueue each period's job (deduplicated); the engine runs it
        add(f"periodic-{spec.name}", jobs.schedule_periodic, runtime, spec.name, first_now=True,
            seconds=min(spec.every.total_seconds(), 60))
    return clock


class Clock:
    """The schedule plus its lease: ``keep`` renews the lease until ``stop`` is set."""

    def __init__(self, runtime: Runtime, lease: Lease | None = None) -> None:
        self.lease = lease or Lease(runtime.factory, runtime.settings.clock_lease_s)
        self.scheduler = make_clock(runtime)
        self._running: bool | None = None  # None: not decided yet

    def start(self) -> None:
        self.scheduler.start(paused=True)
        self.tick()

    def tick(self, renew: bool = True) -> bool:
        """Renew the lease (or only check its local deadline) and run or pause the schedule to match."""
        held = self.lease.renew() if renew else self.lease.held()
        if held and self._running is not True:
            self.scheduler.resume()
            log.info("clock lease held by %s: this process runs the clock", self.lease.owner)
        elif not held and self._running is not False:
            self.scheduler.pause()
            log.info("clock lease not held by %s: another process runs the clock; standing by", self.lease.owner)
        self._running = held
        return held

    def keep(self, stop: threading.Event, alive: Callable[[], bool] = lambda: True) -> None:
        """Renew the lease every third of its lifetime until ``stop`` is set or ``alive()`` is false."""
        interval = max(0.2, self.lease.ttl_s / 3)
        next_renewal = time.monotonic() + interval
        while not stop.wait(0.5) and alive():
            renew = time.monotonic() >= next_renewal
            self.tick(renew)
            if renew:
                next_renewal = time.monotonic() + interval

    def shutdown(self) -> None:
        self.scheduler.shutdown(wait=True)
        try:
            if self.lease.held():
                self.lease.release()  # the next clock need not wait for the expiry
        except Exception:
            log.warning("could not release the clock lease", exc_info=True)


def run_clock(settings, stop: threading.Event) -> int:
    """``steward clock``: the clock alone (production layout: web processes + workers + one clock)."""
    from bot import migrate

    runtime = Runtime.build(settings, inline_dispatch=False)
    if not migrate.at_head(runtime.engine):
        log.error("database is not at the latest migration: run `steward db upgrade` first")
        return 2
    clock = Clock(runtime)
    clock.start()
    try:
        clock.keep(stop)
    finally:
        clock.shutdown()
        runtime.close()
    return 0
