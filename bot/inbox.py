"""The delivery ledger's operations: store (idempotent on delivery id), dispatch, drain, requeue.

Storing and handling are separate transactions. A delivery is committed as ``pending`` before GitHub
gets its 2xx; handling claims it (``pending`` → ``processed``) in the same transaction as every row
the handlers write, so a crash at any point leaves it either untouched (``pending``, handled later)
or fully handled, never half-handled and never handled twice.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from bot import observability
from bot.db import now, transaction
from bot.models import Delivery
from bot.models.inbox import FAILED, IGNORED, PENDING, PROCESSED
from bot.routing import Event, Router

log = logging.getLogger(__name__)
_TOKEN = re.compile(r"[\w.:-]{1,64}", re.ASCII)


class BadDelivery(ValueError):
    """A delivery we refuse to store: the message says why (sent back with a 400)."""


@dataclass(frozen=True)
class NewDelivery:
    delivery_id: str
    event: str
    action: str | None
    installation_id: int | None
    repository_id: int | None
    received_at: datetime
    body: bytes

    @classmethod
    def parse(cls, delivery_id: str | None, event: str | None, body: bytes) -> NewDelivery:
        if not delivery_id or not delivery_id.strip():
            raise BadDelivery("missing X-GitHub-Delivery header")
        if not event or not event.strip():
            raise BadDelivery("missing X-GitHub-Event header")
        if not (_TOKEN.fullmatch(delivery_id.strip()) and _TOKEN.fullmatch(event.strip())):
            raise BadDelivery("X-GitHub-Delivery and X-GitHub-Event are 1 to 64 letters, digits, '.', '_', ':' or '-'")
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise BadDelivery(f"body is not valid JSON: {exc}") from None
        if not isinstance(payload, dict):
            raise BadDelivery("body must be a JSON object")
        action = payload.get("action")
        return cls(
            delivery_id=delivery_id.strip(), event=event.strip(),
            action=action[:64] if isinstance(action, str) else None,
            installation_id=_id_of(payload.get("installation")),
            repository_id=_id_of(payload.get("repository")),
            received_at=now(), body=body,
        )


def _id_of(obj: Any) -> int | None:
    value = obj.get("id") if isinstance(obj, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63 else None


def store_many(conn: Connection, items: Iterable[NewDelivery]) -> dict[str, int]:
    """Insert deliveries, skipping ids already in the ledger; returns {delivery id: row id} of new ones."""
    rows = {}
    for item in items:
        rows.setdefault(item.delivery_id, item)
    if not rows:
        return {}
    if conn.dialect.name == "postgresql":
        return _store_postgresql(conn, list(rows.values()))
    # One statement shape whatever the batch size, so SQLAlchemy compiles it once; its "insertmanyvalues"
    # still sends one multi-row INSERT per batch (batches stay far below its 1,000-row page).
    table = Delivery.__table__
    stmt = (sqlite.insert(table).on_conflict_do_nothing(index_elements=["delivery_id"])
            .returning(table.c.delivery_id, table.c.id))
    return dict(conn.execute(stmt, [i.__dict__ | {"status": PENDING, "attempts": 0} for i in rows.values()]).all())


# The intake's hot statement on PostgreSQL: one column array per field, sent in binary (``%b``), so the
# text is the same for every batch size: psycopg parses it once and the server prepares it once, and
# no body is escaped into text. A multi-row VALUES list would be a new statement per batch size, and
# past 50 parameters psycopg re-parses it on every call.
_INSERT_PG = (
    "INSERT INTO deliveries (delivery_id, event, action, installation_id, repository_id, received_at, body, "
    "status, attempts) SELECT d, e, a, i, r, t, b, %b, 0 FROM unnest(%b::varchar[], %b::varchar[], "
    "%b::varchar[], %b::bigint[], %b::bigint[], %b::timestamptz[], %b::bytea[]) AS u(d, e, a, i, r, t, b) "
    "ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id, id")


def _store_postgresql(conn: Connection, items: list[NewDelivery]) -> dict[str, int]:
    columns = ([i.delivery_id for i in items], [i.event for i in items], [i.action for i in items],
               [i.installation_id for i in items], [i.repository_id for i in items],
               [i.received_at for i in items], [i.body for i in items])
    with conn.connection.dbapi_connection.cursor() as cursor:
        cursor.execute(_INSERT_PG, (PENDING, *columns), prepare=True)
        return dict(cursor.fetchall())


def dispatch(factory: sessionmaker[Session], router: Router, pk: int) -> str | None:
    """Handle one stored delivery exactly once; returns its new status, or None if someone else had it."""
    observability.set_delivery(None)  # log lines name the delivery being handled (bot/observability.py)
    try:
        with transaction(factory) as uow:
            row = uow.execute(  # the claim also reads what handling needs: one statement
                update(Delivery).where(Delivery.id == pk, Delivery.status == PENDING)
                .values(status=PROCESSED, attempts=Delivery.attempts + 1, handled_at=now(), error=None)
                .returning(Delivery.delivery_id, Delivery.event, Delivery.action, Delivery.body, Delivery.received_at)
                .execution_options(synchronize_session=False)
            ).first()
            if row is None:
                return None
            observability.set_delivery(row.delivery_id)
            event = Event(row.event, row.action, orjson.loads(row.body), row.delivery_id, row.received_at)
            if router.dispatch(uow, event):
                return PROCESSED
            uow.execute(update(Delivery).where(Delivery.id == pk).values(status=IGNORED)
                        .execution_options(synchronize_session=False))
            return IGNORED
    except Exception as exc:  # a handler bug: keep the delivery, say what went wrong, replay later
        log.exception("delivery %s failed", pk)
        error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
        with transaction(factory) as uow:
            uow.execute(update(Delivery).where(Delivery.id == pk, Delivery.status == PENDING)
                        .values(status=FAILED, error=error, attempts=Delivery.attempts + 1, handled_at=now()))
        return FAILED


def pending_ids(factory: sessionmaker[Session], limit: int = 200) -> list[int]:
    with factory() as uow:
        stmt = select(Delivery.id).where(Delivery.status == PENDING).order_by(Delivery.id).limit(limit)
        return list(uow.scalars(stmt))


def drain(factory: sessionmaker[Session], router: Router, limit: int = 200,
          before_each: Callable[[], None] | None = None) -> int:
    """Handle pending deliveries, oldest first, until none are left or ``limit`` were handled.
    ``before_each`` runs before each one (the clock uses it to let intake go first on SQLite)."""
    done = 0
    while done < limit:
        batch = pending_ids(factory, min(200, limit - done))
        if not batch:
            break
        for pk in batch:
            if before_each is not None:
                before_each()
            dispatch(factory, router, pk)
        done += len(batch)
    return done


def requeue(factory: sessionmaker[Session], delivery_id: str) -> int | None:
    """Put a stored delivery back to ``pending`` (for ``steward replay <delivery-id>``)."""
    with transaction(factory) as uow:
        row = uow.scalar(select(Delivery).where(Delivery.delivery_id == delivery_id))
        if row is None:
            return None
        row.status, row.error = PENDING, None
        return row.id
