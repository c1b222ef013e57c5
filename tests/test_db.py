from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.db import transaction
from bot.models import Delivery


def test_times_round_trip_as_utc(runtime, db):
    at = datetime(2021, 3, 30, 19, 17, 18, tzinfo=timezone(timedelta(hours=-4)))
    with transaction(runtime.factory) as uow:
        uow.add(Delivery(delivery_id="t", event="ping", received_at=at, body=b"{}", status="pending", attempts=0))
    stored = db.scalar(select(Delivery.received_at))
    assert stored == at and stored.tzinfo == UTC and stored.hour == 23


def test_naive_datetimes_are_refused(runtime):
    with pytest.raises(Exception, match="naive"), transaction(runtime.factory) as uow:
        uow.add(Delivery(delivery_id="n", event="ping", received_at=datetime(2020, 1, 1), body=b"{}",
                         status="pending", attempts=0))
        uow.flush()
