"""Health figures served while fresh (``bot/metrics/figures.py``): through the real API and page, kept in the
database, recomputed by the clock's refresh while viewed; on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from bot import create_app
from bot.db import now
from bot.metrics import figures
from bot.models import HealthFigures, Repository

FRESH_S = 5.0


@pytest.fixture
def fresh_app(runtime):
    """The application as deployed: figures served while at most 5 s old."""
    return create_app(runtime=replace(runtime, settings=replace(runtime.settings, metrics_fresh_s=FRESH_S)))


@pytest.fixture
def open_issue(deliver, corpus):
    numbers = iter(range(500, 600))

    def post() -> None:
        payload = copy.deepcopy(corpus("issues", "opened"))
        number = next(numbers)
        created = (now() - timedelta(hours=3)).isoformat().replace("+00:00", "Z")
        payload["issue"].update(id=88_000_000 + number, number=number, created_at=created, updated_at=created,
                                html_url=f"https://github.com/Codertocat/Hello-World/issues/{number}")
        assert deliver("issues", payload).status_code == 202

    return post


def health(client) -> dict:
    response = client.get("/api/v1/repos/Codertocat/Hello-World/health")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def age(db, seconds: float) -> None:
    """Time passes for the kept figures."""
    db.rollback()  # a fresh transaction: the application wrote since this session last read
    for row in db.scalars(select(HealthFigures)):
        row.as_of -= timedelta(seconds=seconds)
    db.commit()


def test_figures_are_served_while_fresh_and_recomputed_after(fresh_app, runtime, db, open_issue):
    open_issue()
    client = fresh_app.test_client()
    first = health(client)
    assert first["metrics"]["issue_age"]["n"] == 1
    db.rollback()
    kept = db.scalar(select(HealthFigures))
    assert kept.days == 90 and kept.body == first["metrics"] and kept.compute_ms > 0

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(runtime.engine, "before_cursor_execute", listener)
    try:
        again = health(client)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", listener)
    assert again == first  # the same figures and as_of, read back, not recomputed
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 2 and "health_figures" in reads[1], reads  # the repository and the kept row: no metric

    open_issue()  # within the freshness budget the kept figures stand; the API says when they were computed
    assert health(client)["as_of"] == first["as_of"]
    age(db, FRESH_S + 1)
    later = health(client)
    assert later["as_of"] > first["as_of"] and later["metrics"]["issue_age"]["n"] == 2
    assert later["window"]["end"] == later["as_of"]


def test_the_clock_keeps_viewed_figures_fresh(fresh_app, runtime, db, open_issue):
    open_issue()
    client = fresh_app.test_client()
    first = health(client)
    client.get("/api/v1/repos/Codertocat/Hello-World/health?days=30")
    open_issue()
    age(db, FRESH_S / 2 + 1)
    db.execute(update(HealthFigures).where(HealthFigures.days == 30)
               .values(viewed_at=now() - figures.VIEWED_FOR - timedelta(seconds=1)))
    viewed = db.scalar(select(HealthFigures.viewed_at).where(HealthFigures.days == 90))
    db.commit()

    assert figures.refresh(runtime.factory, FRESH_S) == 1  # the 30-day figures were not looked at lately
    db.rollback()
    rows = {row.days: row for row in db.scalars(select(HealthFigures))}
    assert rows[90].body["issue_age"]["n"] == 2 and rows[30].body["issue_age"]["n"] == 1
    assert rows[90].viewed_at == viewed  # refreshing is not a view
    served = health(client)  # a processed delivery shows within the budget without any request computing it
    assert served["metrics"]["issue_age"]["n"] == 2 and served["as_of"] > first["as_of"]
    assert figures.refresh(runtime.factory, FRESH_S) == 0  # nothing is due now

    client.get("/api/v1/repos/Codertocat/Hello-World/health?days=91")  # not one of the page's windows
    age(db, FRESH_S)
    assert figures.refresh(runtime.factory, FRESH_S) == 1  # the 90-day figures only: 91 is served, not refreshed


def test_a_burst_of_views_computes_stale_figures_once(runtime, monkeypatch, open_issue, db):
    open_issue()
    repo_id = db.scalar(select(Repository.id).where(Repository.full_name == "Codertocat/Hello-World"))
    calls = []
    original = figures.compute

    def counted(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(figures, "compute", counted)
    start = threading.Barrier(4)
    results = []

    def view():
        start.wait()
        results.append(figures.current(runtime.factory, repo_id, 90, FRESH_S))

    threads = [threading.Thread(target=view) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 4 and len(calls) == 1
    assert len({window.end for window, _ in results}) == 1


def test_with_no_budget_every_request_computes(runtime, client, db, open_issue):
    open_issue()
    first = health(client)  # the test settings: metrics_fresh_s = 0
    open_issue()
    assert health(client)["metrics"]["issue_age"]["n"] == first["metrics"]["issue_age"]["n"] + 1
    db.rollback()
    assert db.scalar(select(HealthFigures)) is None


def test_the_page_renders_kept_figures(fresh_app, db, open_issue):
    open_issue()
    client = fresh_app.test_client()
    first = client.get("/Codertocat/Hello-World")
    second = client.get("/Codertocat/Hello-World")
    assert first.status_code == second.status_code == 200
    assert b"figures more than 5 s old are recomputed" in second.data
    stamp = first.data.split(b'<time datetime="')[1].split(b'"')[0]
    assert stamp in second.data  # the same computation, served again


def test_the_clock_refreshes_only_with_a_budget(runtime):
    from bot.clock import make_clock

    watched = make_clock(replace(runtime, settings=replace(runtime.settings, metrics_fresh_s=FRESH_S)))
    entry = watched.get_job("refresh-health-figures")
    assert entry is not None and entry.trigger.interval == timedelta(seconds=FRESH_S / 2)
    assert make_clock(runtime).get_job("refresh-health-figures") is None  # the tests' budget: 0
