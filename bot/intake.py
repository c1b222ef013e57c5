"""Group commit for webhook intake.

Request threads hand their delivery to one committer thread and wait. The committer takes whatever
has queued up (up to ``max_batch``), writes it in one INSERT and one COMMIT, then releases every
waiting request with its answer. Each 2xx is still sent only after that delivery's own commit; under
load many deliveries share one disk flush instead of paying for one each.

The committer keeps one connection of its own (no pool checkout and liveness ping per batch; a failed
batch drops it and the next one reconnects). On PostgreSQL that connection compresses the raw bodies
with lz4 rather than the slower default pglz. On SQLite, where intake and the clock's handling share
one write lock, it asks for the lock every half millisecond instead of through SQLite's busy handler
(whose sleeps grow to 100 ms), and while it waits a flag file beside the database tells the clock to
hold off its next handling transaction (``waiting_flag``): acknowledging GitHub goes first.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future, InvalidStateError
from pathlib import Path

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Engine

from bot.inbox import NewDelivery, store_many

log = logging.getLogger(__name__)


class GroupCommitter:
    def __init__(self, engine: Engine, max_batch: int = 64) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[NewDelivery, Future] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._conn: Connection | None = None  # used by the committer thread only

    def submit(self, item: NewDelivery, timeout: float = 8.0) -> int | None:
        """Store one delivery durably; its row id, or None if its delivery id was already stored."""
        return self.enqueue(item).result(timeout=timeout)

    def enqueue(self, item: NewDelivery) -> Future[int | None]:
        """``submit`` without the wait: the future is settled once the delivery's batch is committed."""
        self._start()
        future: Future[int | None] = Future()
        self._queue.put((item, future))
        return future

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
        try:
            self._loop()
        finally:
            self._drop_connection()

    def _loop(self) -> None:
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
            new = self._store([item for item, _ in batch])
        except Exception:
            if len(batch) > 1:  # one bad row must not fail its neighbours: retry them one by one
                for one in batch:
                    self._commit([one])
                return
            log.exception("could not store delivery %s", batch[0][0].delivery_id)
            _settle(batch[0][1], error=StorageError("the delivery ledger is unavailable"))
            return
        for item, future in batch:
            _settle(future, new.pop(item.delivery_id, None))  # a second copy in one batch: duplicate

    def _store(self, items: list[NewDelivery], lock_wait_s: float = 8.0) -> dict[str, int]:
        deadline = time.monotonic() + lock_wait_s
        flag = None
        try:
            for _ in range(int(lock_wait_s / SQLITE_RETRY_S) + 1):  # bounded: SQLite lock retries only
                conn = self._conn or self._connect()
                try:
                    with conn.begin():
                        return store_many(conn, items)
                except exc.OperationalError as error:
                    if not (_sqlite_busy(error) and time.monotonic() < deadline):
                        self._drop_connection()
                        raise
                except Exception:
                    self._drop_connection()
                    raise
                if flag is None and (flag := waiting_flag(self._engine)) is not None:
                    flag.touch()  # the clock holds off its next handling transaction while this exists
                time.sleep(SQLITE_RETRY_S)
            raise StorageError("the SQLite write lock stayed busy")
        finally:
            if flag is not None:
                flag.unlink(missing_ok=True)

    def _connect(self) -> Connection:
        engine = self._engine
        # store_many is one INSERT: alone in its own implicit transaction it is just as atomic, and
        # PostgreSQL commits it before it answers, so one round trip instead of BEGIN, INSERT, COMMIT.
        options = {"isolation_level": "AUTOCOMMIT"} if engine.dialect.name == "postgresql" else {}
        conn = engine.connect().execution_options(**options)
        try:
            conn.detach()  # its own, with its own settings: never handed back to the pool
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout=0")  # _store retries, at a finer grain
            elif conn.dialect.name == "postgresql":
                try:
                    conn.exec_driver_sql("SET default_toast_compression = lz4")
                except exc.DBAPIError:  # a server without lz4 (or before 14): keep its default
                    conn.rollback()
            conn.commit()
        except Exception:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()  # detached: this closes the database connection itself
            except Exception:  # already broken: nothing more to release
                log.debug("closing the intake connection failed", exc_info=True)


SQLITE_RETRY_S = 0.0005


def _settle(future: Future, result: int | None = None, error: Exception | None = None) -> None:
    """Answer a waiting request; one that gave up (cancelled its future) is answered already."""
    try:
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)
    except InvalidStateError:
        log.debug("a request stopped waiting for its delivery before the commit")


def waiting_flag(engine: Engine) -> Path | None:
    """The file that says "intake is waiting for the SQLite write lock" (None: not a SQLite file)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    return Path(f"{database}-intake-waiting") if database and database != ":memory:" else None


def hold_off(flag: Path, most_s: float = 0.1) -> None:
    """Wait while intake says it waits for the lock: at most ``most_s``, and never for a stale flag."""
    for _ in range(int(most_s / 0.001)):
        try:
            if time.time() - flag.stat().st_mtime > 2.0:  # left behind by a killed web server
                return
        except FileNotFoundError:
            return
        time.sleep(0.001)


def _sqlite_busy(error: exc.OperationalError) -> bool:
    return getattr(error.orig, "sqlite_errorcode", 0) & 0xFF == 5  # SQLITE_BUSY and its extended codes


class StorageError(RuntimeError):
    pass
