"""Feed the demo's deliveries through the real pipeline: signed POSTs to the app in-process, no socket.

Each delivery goes through ``POST /api/github/webhooks`` (signature check, durable store, inline dispatch to
the handlers, jobs run at once), exactly as a delivery from GitHub would. The embedded database is the demo's
own file; its writes skip fsync (``synchronous=OFF``): demo data is regenerated, never precious.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, func, select

from bot import create_app, inbox, jobs, migrate
from bot.db import make_engine, now
from bot.demo.generate import DEFAULT_MONTHS, DEFAULT_PEOPLE, DEFAULT_SEED, DemoDelivery, generate
from bot.demo.payloads import FULL_NAME, REPO_ID
from bot.metrics import snapshots
from bot.models import Delivery
from bot.runtime import Runtime
from bot.settings import Settings

log = logging.getLogger(__name__)
DEFAULT_PATH = "steward-demo.db"


@dataclass(frozen=True)
class Report:
    deliveries: int
    statuses: dict[str, int]
    generate_s: float
    feed_s: float
    snapshot_days: int
    snapshot_s: float
    evaluation_s: float | None = None  # the demo PR's evaluation (None: not evaluated)


def database_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def _fast_sqlite(dbapi_conn, _record) -> None:
    dbapi_conn.execute("PRAGMA synchronous=OFF")


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def feed(runtime: Runtime, deliveries: Iterable[DemoDelivery],
         progress: Callable[[int], None] | None = None) -> Counter:
    """POST every delivery, signed with the runtime's secret, through the app; the HTTP answers counted."""
    secret = runtime.settings.webhook_secret
    assert secret, "the demo signs its deliveries: give the runtime a webhook secret"
    client = create_app(runtime=runtime).test_client()
    answers: Counter = Counter()
    for i, item in enumerate(deliveries):
        body = json.dumps(item.payload, separators=(",", ":")).encode()
        response = client.post("/api/github/webhooks", data=body, headers={
            "X-GitHub-Event": item.event, "X-GitHub-Delivery": item.delivery_id, "X-GitHub-Hook-ID": "1",
            "User-Agent": "GitHub-Hookshot/steward-demo", "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(secret, body)})
        answers[response.status_code] += 1
        if progress is not None and i % 500 == 0:
            progress(i)
    if not runtime.inline_dispatch:  # what the clock does: handle every pending delivery, then the jobs
        inbox.drain(runtime.factory, runtime.router, limit=10**9)
    while jobs.run_due(runtime, limit=1000):
        pass
    return answers


def statuses(runtime: Runtime) -> dict[str, int]:
    with runtime.factory() as uow:
        return dict(uow.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())


def build(path: str | Path = DEFAULT_PATH, *, seed: int = DEFAULT_SEED, people: int = DEFAULT_PEOPLE,
          months: int = DEFAULT_MONTHS, snapshot_days: int = snapshots.BACKFILL_DAYS,
          progress: Callable[[int], None] | None = None, evaluate: bool = True) -> Report:
    """A fresh demo database at ``path``: generated, fed through the pipeline, daily snapshots filled."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = database_url(path)
    migrate.upgrade(url)
    started = time.perf_counter()
    deliveries = generate(seed, end=now(), people=people, months=months)
    generated = time.perf_counter()
    engine = make_engine(url)
    event.listen(engine, "connect", _fast_sqlite)  # after the default pragmas: this one wins
    settings = Settings(database_url=url, webhook_secret=secrets.token_hex(20), demo=True)
    runtime = Runtime.build(settings, inline_dispatch=False, engine=engine)  # stored, then drained
    try:
        feed(runtime, deliveries, progress)
        fed = time.perf_counter()
        days = snapshots.snapshot(runtime, now().date() - timedelta(days=1), backfill_days=snapshot_days)
        done = time.perf_counter()
        if evaluate:  # one PR with the evaluation comment a contributor would receive
            from bot.demo.evaluation import evaluate_demo_pr

            evaluate_demo_pr(runtime, FULL_NAME, REPO_ID)
        evaluated = time.perf_counter() - done if evaluate else None
        return Report(len(deliveries), statuses(runtime), generated - started, fed - generated, days, done - fed,
                      evaluated)
    finally:
        runtime.close()


def has_data(url: str) -> bool:
    """Whether the database at ``url`` holds any delivery (False when it does not exist or is not migrated)."""
    engine = make_engine(url)
    try:
        if not migrate.at_head(engine):
            return False
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Delivery)).scalar_one() > 0
    except Exception:  # no file, no table: nothing there
        return False
    finally:
        engine.dispose()


def demo_settings(settings: Settings, path: str | Path) -> Settings:
    return replace(settings, database_url=database_url(path), demo=True)
