"""Handler-test helpers: deliver a corpus payload (with small overrides) and read back what it wrote."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.models import Contribution, Delivery

# Two accounts that appear in no corpus payload: a maintainer who triages, and someone renamed.
MAINTAINER = {"login": "maint", "id": 7000001, "type": "User", "html_url": "https://github.com/maint"}
OTHER = {"login": "someone", "id": 7000002, "type": "User", "html_url": "https://github.com/someone"}


def at(value: str) -> datetime:
    """An aware UTC datetime from GitHub's ISO form."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def changed(payload: dict, **changes: Any) -> dict:
    """A deep copy of ``payload`` with dotted-path overrides: ``changed(p, action="closed", issue__state="closed")``."""
    out = copy.deepcopy(payload)
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        node = out
        for part in parents:
            node = node[part]
        node[leaf] = copy.deepcopy(value)
    return out


def kinds(db, *where) -> list[tuple[str, int, datetime]]:
    """Every contribution as (kind, person_id, occurred_at), sorted."""
    db.rollback()
    rows = db.scalars(select(Contribution).where(*where)).all()
    return sorted((c.kind, c.person_id, c.occurred_at) for c in rows)


@pytest.fixture
def handle(deliver, db):
    """Deliver one payload under a fresh delivery id and insist it was handled (not failed, not ignored)."""

    def run(event: str, payload: dict | bytes, delivery_id: str | None = None) -> str:
        delivery_id = delivery_id or str(uuid.uuid4())
        response = deliver(event, payload, delivery_id)
        assert response.status_code == 202, response.get_json()
        db.rollback()  # end the read transaction: SQLite would otherwise keep showing its old snapshot
        row = db.scalar(select(Delivery).where(Delivery.delivery_id == delivery_id))
        assert row.status == "processed", row.error
        db.rollback()
        return delivery_id

    return run


@pytest.fixture
def get(db):
    """A fresh read of one row by primary key."""

    def read(model, *pk):
        db.rollback()
        return db.get(model, pk if len(pk) > 1 else pk[0])

    return read
