"""Idempotent, order-tolerant writes of GitHub objects.

Every write is an ``INSERT ... ON CONFLICT`` on the GitHub id, so replays, redeliveries and backfills
converge on one row. ``newer`` names the column holding GitHub's own timestamp: an existing row is only
updated when the incoming object is at least as new, so an older delivery never overwrites newer state.
Only keys present in the payload are written, so a partial object never blanks out known columns.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, or_
from sqlalchemy.orm import Session

from bot.db import dialect_insert
from bot.models import Person, PersonLogin


def parse_time(value: Any) -> datetime | None:
    """GitHub's four timestamp shapes (Z, offset, epoch seconds, naive) → aware UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def pick(obj: Mapping[str, Any], columns: Mapping[str, str | tuple], times: Iterable[str] = ()) -> dict:
    """Map payload keys to columns, keeping only keys the payload has; ``times`` are parsed."""
    out: dict[str, Any] = {}
    time_cols = set(times)
    for column, path in columns.items():
        found, value = _dig(obj, path)
        if found:
            if isinstance(value, str) and "\x00" in value:  # PostgreSQL text cannot hold NUL
                value = value.replace("\x00", "\ufffd")
            out[column] = parse_time(value) if column in time_cols else value
    return out


def _dig(obj: Any, path: str | tuple) -> tuple[bool, Any]:
    for part in (path,) if isinstance(path, str) else path:
        if not isinstance(obj, Mapping) or part not in obj:
            return False, None
        obj = obj[part]
    return True, obj


def upsert(
    uow: Session,
    model: type,
    values: Mapping[str, Any],
    *,
    key: tuple[str, ...] = ("id",),
    newer: str | None = None,
    insert_only: Iterable[str] = (),
) -> None:
    """Insert ``values`` or update the row with the same ``key``; see the module docstring."""
    dialect = uow.get_bind().dialect.name
    stmt = _upsert_statement(dialect, model.__table__, tuple(values), key, newer, frozenset(insert_only))
    uow.execute(stmt, dict(values))


def insert_new(uow: Session, model: type, values: Mapping[str, Any], *, key: tuple[str, ...] = ("id",)) -> bool:
    """Insert ``values`` unless a row with the same ``key`` exists; True when this call inserted it. Read from
    ``RETURNING``: psycopg reports ``rowcount = -1`` for some ``ON CONFLICT DO NOTHING`` executions."""
    stmt = _insert_new_statement(uow.get_bind().dialect.name, model.__table__, key)
    return uow.execute(stmt, dict(values)).first() is not None


@functools.lru_cache(maxsize=64)
def _insert_new_statement(dialect: str, table: Table, key: tuple[str, ...]):
    stmt = dialect_insert(dialect, table)
    return stmt.on_conflict_do_nothing(index_elements=list(key)).returning(*(table.c[k] for k in key))


@functools.lru_cache(maxsize=1024)
def _upsert_statement(dialect: str, table: Table, columns: tuple[str, ...], key: tuple[str, ...],
                      newer: str | None, insert_only: frozenset[str]):
    """One statement per shape, built once: its values are bound parameters, so SQLAlchemy's compiled
    cache serves every later call (building ON CONFLICT clauses costs more than running them)."""
    stmt = dialect_insert(dialect, table)
    keep = set(key) | insert_only
    changes = {col: stmt.excluded[col] for col in columns if col not in keep}
    if not changes:
        return stmt.on_conflict_do_nothing(index_elements=list(key))
    where = None
    if newer is not None:
        current = table.c[newer]
        where = or_(current.is_(None), stmt.excluded[newer] >= current)
    return stmt.on_conflict_do_update(index_elements=list(key), set_=changes, where=where)


def is_bot(user: Mapping[str, Any]) -> bool:
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def person(uow: Session, user: Mapping[str, Any] | None, seen_at: datetime) -> int | None:
    """Upsert a GitHub account by numeric id; follow login changes, never create a second person."""
    if not user or user.get("id") is None or not user.get("login"):
        return None
    done = uow.info.setdefault("steward.people", set())  # the same account often appears 2-3 times per event
    if (user["id"], user["login"], seen_at) in done:
        return int(user["id"])
    done.add((user["id"], user["login"], seen_at))
    values = pick(user, {"id": "id", "login": "login", "type": "type", "html_url": "html_url"})
    values.update(is_bot=is_bot(user), login_seen_at=seen_at)
    upsert(uow, Person, values, newer="login_seen_at")
    upsert(uow, PersonLogin, {"person_id": user["id"], "login": user["login"], "first_seen_at": seen_at},
           key=("person_id", "login"), insert_only=("first_seen_at",))
    return int(user["id"])
