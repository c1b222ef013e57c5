"""Delivery reconciliation through the job engine, against the fake's /app/hook/deliveries."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import gh, gh_http, jobs, reconcile
from bot.db import now, transaction
from bot.models import Delivery, Job, OutboundWrite
from bot.server import make_clock
from tests.fake_github.rest import add_hook_delivery, primary_limit
from tests.github_app import app_settings


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    gh.reset_caches()
    monkeypatch.setattr(gh_http, "sleep", lambda seconds: None)


@pytest.fixture
def live(runtime, github):
    runtime.settings = app_settings(runtime.settings, github)
    return runtime


def ledger(runtime, guid: str, status: str) -> None:
    with transaction(runtime.factory) as uow:
        uow.add(Delivery(delivery_id=guid, event="issues", action="opened", received_at=now(), body=b"{}",
                         status=status, attempts=1))


def run_job(runtime) -> Job:
    reconcile.schedule(runtime)
    reconcile.schedule(runtime)  # the same 10-minute slot: one job
    assert jobs.run_due(runtime) == 1
    with runtime.factory() as uow:
        return uow.scalars(select(Job).where(Job.kind == "reconcile_deliveries")).one()


def test_redelivers_failed_and_missing_deliveries_but_not_processed_ones(live, github):
    hours_ago = lambda h: datetime.now(UTC) - timedelta(hours=h)  # noqa: E731
    for n in range(120):  # beyond the 3 days: never listed past the first of them
        add_hook_delivery(github, f"too-old-{n}", 502, delivered_at=hours_ago(80))
    failed = add_hook_delivery(github, "failed-here", 502, delivered_at=hours_ago(50))
    ledger(live, "failed-here", "failed")
    add_hook_delivery(github, "never-stored", 0, delivered_at=hours_ago(40))  # timed out
    missing = add_hook_delivery(github, "never-stored", 502, delivered_at=hours_ago(30), redelivery=True)
    add_hook_delivery(github, "processed", 502, delivered_at=hours_ago(20))
    ledger(live, "processed", "processed")
    add_hook_delivery(github, "retried-ok", 502, delivered_at=hours_ago(10))
    add_hook_delivery(github, "retried-ok", 200, delivered_at=hours_ago(9), redelivery=True)
    for n in range(150):  # newer, all fine: the listing spans two pages
        add_hook_delivery(github, f"ok-{n}", 200, delivered_at=hours_ago(5))
    job = run_job(live)
    assert job.status == "done"
    assert sorted(github.state.redelivered) == sorted([failed["id"], missing["id"]])
    pages = github.requests_to("GET", r"/app/hook/deliveries")
    assert len(pages) == 2 and pages[0].query == "per_page=100" and pages[1].query.startswith("cursor=v1_")
    with live.factory() as uow:
        rows = uow.scalars(select(OutboundWrite).order_by(OutboundWrite.id)).all()
    assert [(w.kind, w.status) for w in rows] == [("redelivery", "sent")] * 2


def test_a_delivery_already_retried_often_is_left_alone(live, github):
    for _ in range(1 + reconcile.MAX_REDELIVERIES):
        add_hook_delivery(github, "hopeless", 502, redelivery=_ > 0)
    assert reconcile.reconcile(live) == []


def test_dry_run_asks_github_nothing(runtime, github):
    add_hook_delivery(github, "never-stored", 502)
    assert run_job(runtime).status == "done"
    assert github.requests == [] and github.state.redelivered == []


def test_a_rate_limit_reschedules_the_job_at_the_reset(live, github):
    reset = int(time.time()) + 1800
    primary_limit(github, "GET", r"/app/hook/deliveries", reset=reset)
    job = run_job(live)
    assert job.status == "pending" and job.run_after == datetime.fromtimestamp(reset + 1, UTC)
    assert "rate limited" in job.error and github.state.redelivered == []


def test_the_clock_enqueues_it_every_ten_minutes(runtime):
    entry = make_clock(runtime).get_job("reconcile-deliveries")
    assert entry.trigger.interval == timedelta(minutes=10) and entry.func is reconcile.schedule
    reconcile.schedule(runtime, at=datetime(2024, 1, 1, 0, 0, tzinfo=UTC))
    reconcile.schedule(runtime, at=datetime(2024, 1, 1, 0, 9, tzinfo=UTC))
    reconcile.schedule(runtime, at=datetime(2024, 1, 1, 0, 10, tzinfo=UTC))
    with runtime.factory() as uow:
        assert len(uow.scalars(select(Job).where(Job.kind == "reconcile_deliveries")).all()) == 2
