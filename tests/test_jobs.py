"""The job engine: dedupe on enqueue, claim once, retry with backoff, reschedule, fail, recover."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot import jobs
from bot.db import now, transaction
from bot.models import Job

CALLS: list[dict] = []


@jobs.kind("test.record")
def record(runtime, args):
    CALLS.append(args)


@jobs.kind("test.flaky", max_attempts=2)
def flaky(runtime, args):
    raise RuntimeError("flaky: " + args["why"])


@jobs.kind("test.later")
def later(runtime, args):
    raise jobs.Retry(now() + timedelta(hours=1), "rate limited until the reset")


@jobs.kind("test.daily", every=timedelta(days=1))
def daily(runtime, args):
    CALLS.append(args)


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()


def enqueue(runtime, kind, args, key):
    with transaction(runtime.factory) as uow:
        jobs.enqueue(uow, kind, args, key)
    with runtime.factory() as uow:
        return uow.scalar(select(Job.id).where(Job.dedupe_key == f"{kind}:{key}"))


def job(runtime, job_id) -> Job:
    with runtime.factory() as uow:
        return uow.get_one(Job, job_id)


def test_enqueue_dedupes_on_key(runtime):
    first = enqueue(runtime, "test.record", {"n": 1}, "k")
    assert enqueue(runtime, "test.record", {"n": 2}, "k") == first
    assert jobs.run_due(runtime) == 1
    assert CALLS == [{"n": 1}]
    assert job(runtime, first).status == "done" and job(runtime, first).finished_at is not None


def test_unregistered_kind_is_refused_at_enqueue(runtime):
    with pytest.raises(KeyError), transaction(runtime.factory) as uow:
        jobs.enqueue(uow, "no.such.kind", {}, "k")


def test_a_job_runs_once_however_many_runners(runtime):
    job_id = enqueue(runtime, "test.record", {"n": 1}, "k")
    results = []
    threads = [threading.Thread(target=lambda: results.append(jobs.run(runtime, job_id))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("done") == 1 and results.count(None) == 3
    assert CALLS == [{"n": 1}]


def test_failure_retries_with_backoff_then_fails(runtime):
    job_id = enqueue(runtime, "test.flaky", {"why": "network"}, "k")
    assert jobs.run(runtime, job_id) == "pending"
    row = job(runtime, job_id)
    assert row.attempts == 1 and "flaky: network" in row.error and row.run_after > now() + timedelta(seconds=20)
    assert jobs.run_due(runtime) == 0  # not due yet
    with transaction(runtime.factory) as uow:
        uow.execute(update(Job).where(Job.id == job_id).values(run_after=now()))
    assert jobs.run(runtime, job_id) == "failed"
    assert job(runtime, job_id).attempts == 2


def test_retry_reschedules_without_failing(runtime):
    job_id = enqueue(runtime, "test.later", {}, "k")
    assert jobs.run(runtime, job_id) == "pending"
    row = job(runtime, job_id)
    assert row.run_after > now() + timedelta(minutes=59) and row.error == "rate limited until the reset"


def test_unknown_kind_in_a_row_fails_visibly(runtime):
    with transaction(runtime.factory) as uow:
        uow.add(Job(kind="gone.kind", args={}, dedupe_key="gone", queue="default", status="pending", attempts=0,
                    created_at=now(), run_after=now()))
    assert jobs.run_due(runtime) == 1
    with runtime.factory() as uow:
        row = uow.scalar(select(Job).where(Job.dedupe_key == "gone"))
    assert row.status == "failed" and "gone.kind" in row.error


def test_recover_stuck_running_jobs(runtime):
    job_id = enqueue(runtime, "test.record", {"n": 1}, "k")
    with transaction(runtime.factory) as uow:
        uow.execute(update(Job).where(Job.id == job_id).values(status="running",
                                                               started_at=now() - timedelta(hours=1)))
    assert jobs.recover_stuck(runtime) == 1
    assert jobs.run_due(runtime) == 1 and CALLS == [{"n": 1}]


def test_kind_names_are_unique():
    with pytest.raises(ValueError):
        jobs.kind("test.record")(lambda runtime, args: None)


def test_periodic_kind_is_enqueued_once_per_period(runtime):
    from datetime import UTC, datetime

    assert daily in [spec.func for spec in jobs.periodic()]
    morning, evening = datetime(2026, 3, 2, 8, tzinfo=UTC), datetime(2026, 3, 2, 20, tzinfo=UTC)
    jobs.schedule_periodic(runtime, "test.daily", at=morning)
    jobs.schedule_periodic(runtime, "test.daily", at=evening)  # same day: no second job
    jobs.schedule_periodic(runtime, "test.daily", at=evening + timedelta(days=1))
    jobs.run_due(runtime)
    assert CALLS == [{"slot": "2026-03-02T00:00:00+00:00"}, {"slot": "2026-03-03T00:00:00+00:00"}]


def test_load_imports_every_job_module():
    assert {"pr_files", "reconcile_deliveries", "backfill", "command"} <= set(jobs.load())
