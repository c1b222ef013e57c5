"""Delivery reconciliation: ask GitHub again for webhook deliveries that did not reach us.

"GitHub does not automatically redeliver failed deliveries", and only the last 3 days can be
redelivered. Every 10 minutes the clock enqueues ``reconcile_deliveries``, which lists the App's
deliveries of that window and asks for one new attempt of each GUID that GitHub never got an OK for and
that our ledger lacks (or holds as ``failed``). A GUID that GitHub already retried ``MAX_REDELIVERIES``
times is left to the operator (``steward deliveries``), so a long outage does not redeliver forever.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot import jobs
from bot.db import now, transaction
from bot.models import Delivery
from bot.models.inbox import FAILED

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
KIND = "reconcile_deliveries"
WINDOW = timedelta(days=3)  # GitHub keeps deliveries redeliverable this long
EVERY = timedelta(minutes=10)
MAX_REDELIVERIES = 5


def schedule(runtime: Runtime, at: datetime | None = None) -> None:
    """The clock's entry: one job per 10-minute slot (enqueueing twice in a slot is harmless)."""
    slot = int((at or now()).timestamp() // EVERY.total_seconds())
    with transaction(runtime.factory) as uow:
        jobs.enqueue(uow, KIND, {}, key=str(slot))


@jobs.kind(KIND, max_attempts=3)
def reconcile_deliveries(runtime: Runtime, args: dict[str, Any]) -> None:
    reconcile(runtime)  # a gh.RateLimited is a jobs.Retry: the engine reschedules it at the reset


def reconcile(runtime: Runtime) -> list[int]:
    """Request a new attempt for each delivery that needs one; the GitHub delivery ids asked for."""
    from bot import gh

    api = gh.app_api(runtime)
    if api.dry:
        log.info("no GitHub App credentials: delivery reconciliation skipped")
        return []
    attempts: dict[str, list[dict]] = {}
    for item in api.hook_deliveries(now() - WINDOW):
        if item.get("guid"):
            attempts.setdefault(item["guid"], []).append(item)
    ledger = _ledger(runtime, list(attempts))
    asked = []
    for guid, tries in attempts.items():
        if any(_ok(t) for t in tries) or ledger.get(guid, FAILED) != FAILED:
            continue  # GitHub got an answer from us, or we hold it (pending, processed or ignored)
        if sum(bool(t.get("redelivery")) for t in tries) >= MAX_REDELIVERIES:
            log.warning("delivery %s failed %d times; not asking GitHub again", guid, len(tries))
            continue
        newest = max(tries, key=lambda t: t["id"])
        api.redeliver(newest["id"])  # once per GUID per run
        asked.append(newest["id"])
    log.info("delivery reconciliation: %d deliveries listed, %d redelivered", len(attempts), len(asked))
    return asked


def _ok(item: dict) -> bool:
    code = item.get("status_code")
    return item.get("status") == "OK" or (isinstance(code, int) and 200 <= code < 300)


def _ledger(runtime: Runtime, guids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    with runtime.factory() as uow:
        for start in range(0, len(guids), 500):
            chunk = guids[start:start + 500]
            rows = uow.execute(select(Delivery.delivery_id, Delivery.status).where(Delivery.delivery_id.in_(chunk)))
            found.update((guid, status) for guid, status in rows)
    return found
