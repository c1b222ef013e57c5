"""Log context and format: which delivery and which job a log line belongs to, optionally as JSON.

``inbox.dispatch`` sets the delivery id and ``jobs.run`` the job id in context variables; a logging filter
copies them onto every record (``record.delivery_id``, ``record.job_id``), so both the plain format and
the JSON one (``STEWARD_LOG_FORMAT=json``) carry them, in any thread or process.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

delivery_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("steward_delivery_id", default=None)
job_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("steward_job_id", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"


def set_delivery(value: str | None) -> None:
    """Name the delivery being handled (None: none) for the log lines that follow in this context."""
    delivery_id.set(value)


@contextmanager
def delivery_context(value: str | None) -> Iterator[None]:
    token = delivery_id.set(value)
    try:
        yield
    finally:
        delivery_id.reset(token)


@contextmanager
def job_context(value: int) -> Iterator[None]:
    token = job_id.set(value)
    try:
        yield
    finally:
        job_id.reset(token)


class ContextFilter(logging.Filter):
    """Puts the current delivery and job ids on each record (None when there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.delivery_id = delivery_id.get()
        record.job_id = job_id.get()
        parts = [f"delivery={record.delivery_id}"] if record.delivery_id else []
        parts += [f"job={record.job_id}"] if record.job_id is not None else []
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, delivery_id, job_id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "delivery_id": getattr(record, "delivery_id", None), "job_id": getattr(record, "job_id", None),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(log_format: str = "text", level: int = logging.INFO, stream=None,
                      force: bool = False) -> logging.Handler | None:
    """Root logging for a ``steward`` process: plain text or JSON, with delivery and job ids. Like
    ``logging.basicConfig`` it leaves a root logger that already has handlers alone (an embedding
    application, a test runner) unless ``force``."""
    root = logging.getLogger()
    if not force and any(not getattr(h, "steward", False) for h in root.handlers):
        return None
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    for old in [h for h in root.handlers if getattr(h, "steward", False)]:
        root.removeHandler(old)
    handler.steward = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler


class _GitHubUsage:
    """This process's GitHub API calls by verb and status class, and the rate limits GitHub last reported."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.process = f"{socket.gethostname()}:{self.pid}:{int(time.time())}"
        self.calls: dict[str, int] = {}
        self.rate_limits: dict[str, dict[str, int]] = {}
        self.dirty, self.flushed_at = False, 0.0


_usage = _GitHubUsage()


def _current_usage() -> _GitHubUsage:
    global _usage
    if _usage.pid != os.getpid():  # a forked worker starts its own count
        _usage = _GitHubUsage()
    return _usage


def github_call(verb: str, status: int, headers: dict) -> None:
    """Count one GitHub API answer (``gh_http.Transport``) and keep its ``x-ratelimit-*`` headers."""
    usage = _current_usage()
    key = f"{verb} {status // 100}xx" if status else f"{verb} error"
    remaining, limit, reset = (headers.get(f"x-ratelimit-{h}", "") for h in ("remaining", "limit", "reset"))
    with usage.lock:
        usage.calls[key] = usage.calls.get(key, 0) + 1
        if str(remaining).isdigit():
            usage.rate_limits[headers.get("x-ratelimit-resource") or "core"] = {
                "remaining": int(remaining), "limit": int(limit) if str(limit).isdigit() else None,
                "reset": int(reset) if str(reset).isdigit() else None}
        usage.dirty = True


def flush_github_usage(factory, every_s: float = 10.0) -> bool:
    """Write this process's counts to ``github_api_usage`` (at most every ``every_s``); True if written."""
    usage = _current_usage()
    if not usage.dirty or time.monotonic() - usage.flushed_at < every_s:
        return False
    from bot.db import insert_for, now, transaction
    from bot.models import GitHubUsage

    with usage.lock:
        calls, rates, usage.dirty = dict(usage.calls), {k: dict(v) for k, v in usage.rate_limits.items()}, False
        usage.flushed_at = time.monotonic()
    try:
        with transaction(factory) as uow:
            stmt = insert_for(uow, GitHubUsage).values(process=usage.process, calls=calls, rate_limits=rates,
                                                       updated_at=now())
            uow.execute(stmt.on_conflict_do_update(index_elements=["process"], set_={
                "calls": stmt.excluded.calls, "rate_limits": stmt.excluded.rate_limits,
                "updated_at": stmt.excluded.updated_at}))
    except Exception:
        usage.dirty = True
        logging.getLogger(__name__).warning("could not record GitHub API usage", exc_info=True)
        return False
    return True
