"""Group commit for webhook intake.

Request threads hand their delivery to one committer thread and wait. The committer takes whatever
has queued up (up to ``max_batch``), writes it in one INSERT and one COMMIT, then releases every
waiting request with its answer. Each 2xx is still sent only after that delivery's own commit; under
load many deliveries share one disk flush instead of paying for one each.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future

from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from bot.inbox import NewDelivery, store_many

log = logging.getLogger(__name__)


class GroupCommitter:
    def __init__(self, factory: sessionmaker[Session], max_batch: int = 64) -> None:
        self._factory = factory
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[NewDelivery, Future] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, item: NewDelivery, timeout: float = 8.0) -> int | None:
        """Store one delivery durably; its row id, or None if its delivery id was already stored."""
        self._start()
        future: Future[int | None] = Future()
        self._queue.put((item, future))
        return future.result(timeout=timeout)

    def close(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join(timeout=10)
                self._thread = None

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="steward-intake", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
            self._commit(batch)

    def _commit(self, batch: list[tuple[NewDelivery, Future]]) -> None:
        try:
            with transaction(self._factory) as uow:
                new = store_many(uow, [item for item, _ in batch])
        except Exception:
            if len(batch) > 1:  # one bad row must not fail its neighbours: retry them one by one
                for one in batch:
                    self._commit([one])
                return
            log.exception("could not store delivery %s", batch[0][0].delivery_id)
            batch[0][1].set_exception(StorageError("the delivery ledger is unavailable"))
            return
        for item, future in batch:
            future.set_result(new.pop(item.delivery_id, None))  # a second copy in one batch: duplicate


class StorageError(RuntimeError):
    pass
