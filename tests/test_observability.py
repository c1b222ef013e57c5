"""GET /metrics (Prometheus text, from the database) and JSON logs carrying delivery and job ids."""

from __future__ import annotations

import io
import json
import logging
import uuid
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from bot import inbox, jobs, observability
from bot.db import now, transaction
from bot.inbox import NewDelivery
from bot.models import Job, OutboundWrite
from bot.routing import Router

log = logging.getLogger("tests.observability")


@jobs.kind("test.observed")
def observed(runtime, args):
    log.warning("working on %s", args["n"])


@jobs.kind("evaluate_test_model", queue="eval")
def evaluate_test_model(runtime, args):
    pass


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True)) for s in family.samples}


def test_metrics_count_deliveries_jobs_evaluations_and_github_writes(client, deliver, corpus, runtime):
    assert deliver("issues", corpus("issues", "opened")).status_code == 202
    assert deliver("issues", corpus("issues", "edited")).status_code == 202
    assert deliver("zen_unknown_event", {"zen": "hi"}).status_code == 202  # no handler: ignored
    with transaction(runtime.factory) as uow:
        jobs.enqueue(uow, "test.observed", {"n": 1}, key="a")
        jobs.enqueue(uow, "test.observed", {"n": 2}, key="b", run_after=now() + timedelta(hours=1))
        jobs.enqueue(uow, "evaluate_test_model", {}, key="c")
        uow.add(OutboundWrite(repository="o/r", kind="comment", target="issues/1", payload={}, status="dry_run",
                              created_at=now()))
    jobs.run_due(runtime)
    with transaction(runtime.factory) as uow:  # a nine-minute evaluation, for the duration histogram
        uow.execute(update(Job).where(Job.kind == "evaluate_test_model").values(
            started_at=now() - timedelta(minutes=9), finished_at=now()))

    m = scrape(client)
    assert m[("steward_deliveries_total", (("event", "issues"), ("status", "processed")))] == 2
    assert m[("steward_deliveries_total", (("event", "zen_unknown_event"), ("status", "ignored")))] == 1
    assert m[("steward_delivery_handling_lag_seconds_count", (("event", "issues"),))] == 2
    assert m[("steward_jobs", (("kind", "test.observed"), ("queue", "default"), ("status", "done")))] == 1
    assert m[("steward_jobs", (("kind", "test.observed"), ("queue", "default"), ("status", "pending")))] == 1
    assert ("steward_job_queue_depth", (("queue", "default"),)) not in m  # the pending one is not due yet
    assert m[("steward_job_run_seconds_count", (("queue", "eval"),))] == 1
    evaluation = (("le", "300.0"), ("status", "done"))
    assert m[("steward_evaluation_duration_seconds_bucket", evaluation)] == 0
    assert m[("steward_evaluation_duration_seconds_bucket", (("le", "600.0"), ("status", "done")))] == 1
    assert 539 < m[("steward_evaluation_duration_seconds_sum", (("status", "done"),))] < 600
    assert m[("steward_github_writes_total", (("kind", "comment"), ("status", "dry_run")))] == 1


def test_metrics_add_up_github_api_usage_flushed_by_each_process(client, runtime):
    observability.github_call("GET", 200, {"x-ratelimit-remaining": "4990", "x-ratelimit-limit": "5000",
                                           "x-ratelimit-reset": "1900000000", "x-ratelimit-resource": "core"})
    observability.github_call("POST", 403, {})
    assert observability.flush_github_usage(runtime.factory, every_s=0)
    observability.github_call("GET", 304, {"x-ratelimit-remaining": "4989", "x-ratelimit-resource": "core"})
    assert observability.flush_github_usage(runtime.factory, every_s=0)
    m = scrape(client)
    assert m[("steward_github_api_calls_total", (("status", "2xx"), ("verb", "GET")))] >= 1
    assert m[("steward_github_api_calls_total", (("status", "3xx"), ("verb", "GET")))] >= 1
    assert m[("steward_github_api_calls_total", (("status", "4xx"), ("verb", "POST")))] >= 1
    assert m[("steward_github_rate_limit_remaining", (("resource", "core"),))] == 4989


def test_metrics_on_an_empty_database(client):
    m = scrape(client)
    assert not any(name.startswith("steward_deliveries") for name, _ in m)


@pytest.fixture
def json_logs():
    stream = io.StringIO()
    handler = observability.configure_logging("json", logging.INFO, stream, force=True)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logging.getLogger().removeHandler(handler)


def test_json_logs_carry_the_delivery_id_and_the_job_id(runtime, json_logs):
    router = Router()

    @router.register("issues", "opened")
    def explode(uow, event):
        log.warning("handling %s", event.action)
        raise RuntimeError("a handler bug")

    delivery_id = str(uuid.uuid4())
    with runtime.engine.begin() as conn:
        pk = inbox.store_many(conn, [NewDelivery.parse(delivery_id, "issues", b'{"action": "opened"}')])[delivery_id]
    assert inbox.dispatch(runtime.factory, router, pk) == "failed"
    with transaction(runtime.factory) as uow:
        jobs.enqueue(uow, "test.observed", {"n": 7}, key="logged")
    jobs.run_due(runtime)

    lines = json_logs()
    handling = next(line for line in lines if line["message"] == "handling opened")
    failed = next(line for line in lines if line["message"].startswith("delivery ") and "failed" in line["message"])
    working = next(line for line in lines if line["message"] == "working on 7")
    assert handling["delivery_id"] == failed["delivery_id"] == delivery_id and handling["job_id"] is None
    assert "RuntimeError: a handler bug" in failed["exception"]
    assert isinstance(working["job_id"], int) and working["level"] == "WARNING"
    assert observability.job_id.get() is None  # the job's context ended with it


def test_text_logs_name_the_job_too(runtime):
    stream = io.StringIO()
    handler = observability.configure_logging("text", logging.INFO, stream, force=True)
    try:
        with transaction(runtime.factory) as uow:
            jobs.enqueue(uow, "test.observed", {"n": 8}, key="text")
        jobs.run_due(runtime)
    finally:
        logging.getLogger().removeHandler(handler)
    assert observability.configure_logging("text") is None  # pytest's handlers are there: left alone
    line = next(line for line in stream.getvalue().splitlines() if "working on 8" in line)
    assert "[job=" in line and "tests.observability" in line
