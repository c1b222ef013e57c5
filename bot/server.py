"""``steward serve``: one clock process that handles deliveries, beside the web server (gunicorn with
uvicorn workers running ``asgi_app``: the production layout's web tier, docs/DEPLOY.md).

The web server only verifies and stores deliveries (fast 2xx). This process runs the clock
(``bot/clock.py``, APScheduler, while it holds the clock lease): it drains ``pending`` deliveries every
``drain_interval_s`` and on start, so a delivery acknowledged just before a crash is handled after the
restart. It runs at a lower CPU priority than the web server, so acknowledging GitHub always wins the
CPU over handling. With a broker configured the clock hands work to Celery workers instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import signal
import subprocess
import sys
import threading

from bot import migrate
from bot.automation import permissions
from bot.clock import Clock, make_clock
from bot.runtime import Runtime
from bot.settings import Settings

log = logging.getLogger(__name__)
__all__ = ["asgi_app", "make_clock", "serve", "server_command", "wsgi_app"]  # make_clock: moved to bot/clock.py


def wsgi_app():
    """The Flask app, intake only (the clock does the handling): for WSGI servers, and inside ``asgi_app``."""
    from bot import create_app

    return create_app(inline_dispatch=False)


def asgi_app(threads: int = 16):
    """Factory for ASGI servers: the same app, its webhook path answered on the event loop, the rest by
    Flask in a2wsgi's pool of ``threads``. ``gunicorn -k uvicorn_worker.UvicornWorker 'bot.server:asgi_app()'``."""
    from a2wsgi import WSGIMiddleware

    from bot import runtime_of
    from bot.web.webhooks import AsgiWebhooks

    flask_app = wsgi_app()
    # What importing and building left behind is kept for the process's life: out of the collector's way
    # (gc.freeze), the first full collection in a new worker no longer stalls every request in flight
    # (~50 ms for all 32 in the load test's restart).
    gc.collect()
    gc.freeze()
    return AsgiWebhooks(runtime_of(flask_app), WSGIMiddleware(flask_app, workers=threads))


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def server_command(host: str, port: int, workers: int, threads: int, app: str = "bot.server:asgi_app") -> list[str]:
    """gunicorn with ``workers`` uvicorn worker processes, each building ``app(threads=…)`` for itself."""
    return [sys.executable, "-m", "gunicorn", "--worker-class", "uvicorn_worker.UvicornWorker",
            "--bind", f"{host}:{port}", "--workers", str(workers), "--backlog", "2048", "--log-level", "warning",
            f"{app}(threads={threads})"]


def serve(settings: Settings, host: str, port: int, workers: int = 2, threads: int = 16) -> int:
    if settings.database_url.startswith("sqlite"):
        migrate.upgrade(settings.database_url)  # the embedded database migrates itself
    runtime = Runtime.build(settings, inline_dispatch=False)
    if not migrate.at_head(runtime.engine):
        log.error("database is not at the latest migration: run `steward db upgrade` first")
        return 2
    server = subprocess.Popen(server_command(host, port, workers, threads), preexec_fn=_die_with_parent)
    os.nice(5)  # threads started from here on (the clock) yield the CPU to the web server
    clock = Clock(runtime)
    clock.start()
    permissions.schedule(runtime)  # issue 6: the App's permissions, checked by a job at start (log lines)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"Steward listening on http://{host}:{port} (database {runtime.engine.url.render_as_string()})",
          flush=True)
    clock.keep(stop, alive=lambda: server.poll() is None)
    if server.poll() is not None:
        log.error("the web server exited with status %s", server.returncode)
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
    clock.shutdown()
    runtime.close()
    return 0 if stop.is_set() else 1
