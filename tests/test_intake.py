"""Group commit: concurrent submissions share commits, each answer only after its own commit."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from bot.inbox import NewDelivery
from bot.intake import GroupCommitter, StorageError
from bot.models import Delivery
from tests.conftest import count


def body(n: int) -> bytes:
    return json.dumps({"action": "created", "n": n}).encode()


def test_concurrent_submissions_are_all_stored_once(runtime, db):
    committer = GroupCommitter(runtime.engine, max_batch=16)
    items = [NewDelivery.parse(f"id-{n % 150}", "star", body(n)) for n in range(300)]  # each id twice
    try:
        with ThreadPoolExecutor(32) as pool:
            results = list(pool.map(committer.submit, items))
    finally:
        committer.close()
    new = [r for r in results if r is not None]
    assert len(new) == 150 and len(set(new)) == 150  # exactly one submission per id was new
    assert count(db, Delivery) == 150


def test_a_bad_row_does_not_fail_its_batch(runtime, db, monkeypatch):
    """When a batch commit fails, each delivery is retried alone; only the bad one gets an error."""
    from bot import intake

    real = intake.store_many

    def picky(uow, items):
        if any(i.delivery_id == "bad" for i in items):
            raise RuntimeError("database says no")
        return real(uow, items)

    monkeypatch.setattr(intake, "store_many", picky)
    committer = GroupCommitter(runtime.engine, max_batch=8)
    gate = threading.Event()
    items = [NewDelivery.parse(name, "star", body(i)) for i, name in enumerate(["a", "bad", "c"])]
    try:
        committer._start()
        results: dict[str, object] = {}

        def submit(it):
            gate.wait()
            try:
                results[it.delivery_id] = committer.submit(it)
            except StorageError as exc:
                results[it.delivery_id] = exc

        threads = [threading.Thread(target=submit, args=(it,)) for it in items]
        for t in threads:
            t.start()
        gate.set()
        for t in threads:
            t.join()
    finally:
        committer.close()
    assert isinstance(results["bad"], StorageError)
    assert isinstance(results["a"], int) and isinstance(results["c"], int)
    assert count(db, Delivery) == 2


def test_close_is_idempotent(runtime):
    committer = GroupCommitter(runtime.engine)
    committer.close()
    assert committer.submit(NewDelivery.parse("x", "star", body(1))) is not None
    committer.close()
    committer.close()


def test_duplicate_answer_is_none(runtime):
    committer = GroupCommitter(runtime.engine)
    try:
        assert committer.submit(NewDelivery.parse("x1", "star", body(1))) is not None
        assert committer.submit(NewDelivery.parse("x1", "star", body(1))) is None
    finally:
        committer.close()
