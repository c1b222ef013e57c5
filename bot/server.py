"""``steward serve``: one clock process that handles deliveries, beside a granian WSGI server.

The web server only verifies and stores deliveries (fast 2xx). This process holds the single clock
(APScheduler): it drains ``pending`` deliveries every ``drain_interval_s`` and on start, so a
delivery acknowledged just before a crash is handled after the restart. It runs at a lower CPU
priority than the web server, so acknowledging GitHub always wins the CPU over handling.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from bot import inbox, intake, jobs, migrate, reconcile
from bot.db import now
from bot.runtime import Runtime
from bot.settings import Settings

log = logging.getLogger(__name__)


def wsgi_app():
    """Factory for the WSGI server's worker processes: intake only, the clock does the handling."""
    from bot import create_app

    return create_app(inline_dispatch=False)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def server_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "--factory", "bot.server:wsgi_app",
            "--host", host, "--port", str(port), "--workers", str(workers),
            "--blocking-threads", str(threads), "--backlog", "2048", "--no-ws", "--log-level", "warning"]


def make_clock(runtime: Runtime) -> BackgroundScheduler:
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line every half second is noise
    clock = BackgroundScheduler(executors={"default": ThreadPoolExecutor(2)}, timezone="UTC")
    flag = intake.waiting_flag(runtime.engine)  # SQLite only: intake waits for the write lock
    yield_to_intake = (lambda: intake.hold_off(flag)) if flag is not None else None
    clock.add_job(lambda: inbox.drain(runtime.factory, runtime.router, 10_000, yield_to_intake),
                  "interval", seconds=runtime.settings.drain_interval_s, id="drain-inbox",
                  max_instances=1, coalesce=True, next_run_time=now())  # first run: at once
    clock.add_job(jobs.run_due, "interval", args=[runtime], seconds=1, id="run-jobs", max_instances=1,
                  coalesce=True, next_run_time=now())
    clock.add_job(jobs.recover_stuck, "interval", args=[runtime], minutes=5, id="recover-stuck-jobs",
                  max_instances=1, coalesce=True)
    clock.add_job(reconcile.schedule, "interval", args=[runtime], minutes=10, id="reconcile-deliveries",
                  max_instances=1, coalesce=True)  # enqueues the job; run-jobs runs it
    for spec in jobs.periodic():  # enqueue each period's job (deduplicated); run-jobs runs it
        clock.add_job(jobs.schedule_periodic, "interval", args=[runtime, spec.name],
                      seconds=min(spec.every.total_seconds(), 60), id=f"periodic-{spec.name}",
                      max_instances=1, coalesce=True, next_run_time=now())
    return clock


def serve(settings: Settings, host: str, port: int, workers: int = 2, threads: int = 16) -> int:
    if settings.database_url.startswith("sqlite"):
        migrate.upgrade(settings.database_url)  # the embedded database migrates itself
    runtime = Runtime.build(settings, inline_dispatch=False)
    if not migrate.at_head(runtime.engine):
        log.error("database is not at the latest migration: run `steward db upgrade` first")
        return 2
    server = subprocess.Popen(server_command(host, port, workers, threads), preexec_fn=_die_with_parent)
    os.nice(5)  # threads started from here on (the clock) yield the CPU to the web server
    clock = make_clock(runtime)
    clock.start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"Steward listening on http://{host}:{port} (database {runtime.engine.url.render_as_string()})",
          flush=True)
    while not stop.wait(0.5):
        if server.poll() is not None:
            log.error("the web server exited with status %s", server.returncode)
            break
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    clock.shutdown(wait=True)
    runtime.close()
    return 0 if stop.is_set() else 1
