"""Ledger operations: idempotent store, exactly-once claim, failures kept with their error, replay."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from bot import inbox
from bot.handlers import router as real_router
from bot.inbox import BadDelivery, NewDelivery
from bot.models import Contribution, Delivery, Person
from bot.routing import Router
from tests.conftest import count


def item(corpus, delivery_id="d-1", event="issues", name="opened") -> NewDelivery:
    return NewDelivery.parse(delivery_id, event, json.dumps(corpus(event, name)).encode())


def store(runtime, *items) -> dict[str, int]:
    with runtime.engine.begin() as conn:
        return inbox.store_many(conn, items)


def test_parse_extracts_routing_fields(corpus):
    parsed = item(corpus, event="pull_request", name="opened")
    assert (parsed.event, parsed.action, parsed.installation_id, parsed.repository_id) == (
        "pull_request", "opened", 1, 186853002)
    assert parsed.received_at.tzinfo is not None


@pytest.mark.parametrize("delivery_id, event, body, message", [
    (None, "issues", b"{}", "X-GitHub-Delivery"), ("x", "", b"{}", "X-GitHub-Event"),
    ("x" * 65, "issues", b"{}", "64"), ("bad\x00id", "issues", b"{}", "letters"), ("x", "issues", b"{", "JSON"),
    ("x", "issues", b"3", "object"),
])
def test_parse_rejects(delivery_id, event, body, message):
    with pytest.raises(BadDelivery, match=message):
        NewDelivery.parse(delivery_id, event, body)


def test_odd_ids_are_not_trusted():
    parsed = NewDelivery.parse("x", "issues", b'{"installation": {"id": true}, "repository": {"id": -1}}')
    assert parsed.installation_id is None and parsed.repository_id is None


def test_store_is_idempotent_on_delivery_id(runtime, corpus, db):
    first = store(runtime, item(corpus))
    assert list(first) == ["d-1"]
    assert store(runtime, item(corpus)) == {}
    assert count(db, Delivery) == 1


def test_dispatch_claims_exactly_once(runtime, corpus, db):
    pk = store(runtime, item(corpus))["d-1"]
    results: list[str | None] = []
    threads = [threading.Thread(target=lambda: results.append(inbox.dispatch(runtime.factory, runtime.router, pk)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("processed") == 1 and results.count(None) == 3
    row = db.get(Delivery, pk)
    assert (row.status, row.attempts) == ("processed", 1)
    assert count(db, Contribution) == 1


def failing_router() -> Router:
    router = Router()

    @router.register("issues", "opened")
    def half_then_boom(uow, event):
        real_router.dispatch(uow, event)  # writes rows ...
        raise RuntimeError("boom: handler bug")  # ... which must all roll back

    return router


def test_failure_keeps_delivery_with_error_and_no_partial_rows(runtime, corpus, db):
    pk = store(runtime, item(corpus))["d-1"]
    assert inbox.dispatch(runtime.factory, failing_router(), pk) == "failed"
    row = db.get(Delivery, pk)
    assert row.status == "failed" and "boom: handler bug" in row.error and row.attempts == 1
    assert count(db, Person) == 0 and count(db, Contribution) == 0

    assert inbox.requeue(runtime.factory, "d-1") == pk  # `steward replay d-1` after the fix
    assert inbox.drain(runtime.factory, runtime.router) == 1
    db.rollback()
    row = db.get(Delivery, pk)
    assert (row.status, row.error, row.attempts) == ("processed", None, 2)
    assert count(db, Contribution) == 1


def test_requeue_unknown_delivery(runtime):
    assert inbox.requeue(runtime.factory, "nope") is None


def test_drain_handles_pending_oldest_first_and_ignores_unknown(runtime, corpus, db):
    store(runtime, item(corpus, "a"), NewDelivery.parse("b", "sponsorship", b'{"action": "created"}'),
          item(corpus, "c", "star", "created"))
    assert inbox.pending_ids(runtime.factory) == sorted(inbox.pending_ids(runtime.factory))
    assert inbox.drain(runtime.factory, runtime.router) == 3
    statuses = dict(db.execute(select(Delivery.delivery_id, Delivery.status)).all())
    assert statuses == {"a": "processed", "b": "ignored", "c": "processed"}
    assert inbox.drain(runtime.factory, runtime.router) == 0
