"""The single clock: a database lease that two clocks never both hold, taken over when its holder dies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING
from sqlalchemy import select, update

from bot.clock import Clock, Lease
from bot.db import now, transaction
from bot.models import ClockLease
from bot.settings import Settings


def holder(runtime) -> str | None:
    with runtime.factory() as uow:
        return uow.scalar(select(ClockLease.owner).where(ClockLease.name == "clock"))


def expire(runtime) -> None:
    with transaction(runtime.factory) as uow:
        uow.execute(update(ClockLease).values(expires_at=now() - timedelta(seconds=1)))


def test_one_holder_at_a_time_until_the_lease_expires(runtime):
    first, second = Lease(runtime.factory, 30), Lease(runtime.factory, 30)
    assert first.renew() and first.held()
    assert not second.renew() and not second.held()
    assert first.renew()  # renewing keeps it
    assert holder(runtime) == first.owner
    expire(runtime)  # the holder stopped renewing (stalled, or cut off from the database)
    assert second.renew() and holder(runtime) == second.owner
    assert not first.renew() and not first.held()


def test_a_dead_holder_on_this_host_is_replaced_at_once(runtime):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = Lease(runtime.factory, 3600, owner=f"{socket.gethostname()}:{gone.pid}:x")
    assert dead.renew()
    successor = Lease(runtime.factory, 3600)
    assert successor.renew() and holder(runtime) == successor.owner  # no waiting an hour for the expiry


def test_a_live_holder_on_another_host_is_not_replaced(runtime):
    other = Lease(runtime.factory, 3600, owner="another-host:1:x")
    assert other.renew()
    assert not Lease(runtime.factory, 3600).renew()
    assert holder(runtime) == "another-host:1:x"


def test_the_clock_runs_only_while_it_holds_the_lease(runtime):
    first, second = Clock(runtime), Clock(runtime)
    try:
        first.start()
        second.start()
        assert first.scheduler.state == STATE_RUNNING and second.scheduler.state == STATE_PAUSED
        first.shutdown()  # releases the lease: the standby need not wait for the expiry
        assert second.tick() and second.scheduler.state == STATE_RUNNING
    finally:
        for clock in (first, second):
            if clock.scheduler.running:
                clock.shutdown()


@pytest.mark.slow
def test_two_clock_processes_never_both_run_and_the_survivor_takes_over(runtime, tmp_path):
    env = {**os.environ, "STEWARD_DATABASE_URL": runtime.settings.database_url, "STEWARD_CLOCK_LEASE_S": "30"}
    logs = [tmp_path / f"clock-{i}.log" for i in range(2)]
    procs = []
    try:
        for log in logs:
            with log.open("wb") as out:
                procs.append(subprocess.Popen([sys.executable, "-m", "bot", "clock"], env=env, stdout=out,
                                              stderr=subprocess.STDOUT, start_new_session=True))
        owner = wait_for(lambda: holder(runtime), "a clock to take the lease")
        wait_for(lambda: all("clock lease" in log.read_text() for log in logs), "both clocks to decide")
        running = [p for p, log in zip(procs, logs, strict=True) if "this process runs the clock" in log.read_text()]
        assert len(running) == 1 and f":{running[0].pid}:" in owner
        standby = next(p for p in procs if p is not running[0])
        os.killpg(running[0].pid, signal.SIGKILL)  # the holder dies; its lease would last 30 s more
        running[0].wait(timeout=10)
        wait_for(lambda: f":{standby.pid}:" in (holder(runtime) or ""), "the standby to take over")
        log = logs[procs.index(standby)]  # the lease row commits first, then the schedule resumes and says so
        wait_for(lambda: "this process runs the clock" in log.read_text(), "the standby to run the clock")
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=30)


def wait_for(found, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / 0.1) + 1):
        value = found()
        if value:
            return value
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_settings_read_the_scale_out_variables():
    settings = Settings.from_env({"STEWARD_CLOCK_LEASE_S": "7", "STEWARD_BROKER_URL": "amqp://h//",
                                  "STEWARD_JOB_RESEND_S": "2.5", "STEWARD_DELIVERY_HANDLING": "clock",
                                  "STEWARD_LOG_FORMAT": "JSON", "STEWARD_QUEUE_PREFIX": "a."})
    assert (settings.clock_lease_s, settings.broker_url, settings.job_resend_s) == (7.0, "amqp://h//", 2.5)
    assert (settings.delivery_handling, settings.log_format, settings.queue_prefix) == ("clock", "json", "a.")
    assert Settings.from_env({}).broker_url is None  # embedded by default
