"""Daily snapshots: the periodic job stores yesterday (and backfills missing days), ``series`` reads them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot import jobs
from bot.metrics import activity, people, snapshots
from bot.models import Job
from bot.models.metrics import MetricValue
from tests.conftest import count
from tests.metrics.conftest import MAINT, NEWBIE, NEWBIE2, NOW, REGULAR, ago

YESTERDAY = (NOW - timedelta(days=1)).date()  # NOW is 2026-05-01 00:00 UTC


@pytest.fixture
def active(community):
    """Activity on 2026-04-28, -29 and -30, plus one issue 200 days earlier (for the backfill bound)."""
    old = community.issue(1, REGULAR, ago(200 * 24))
    community.comment(old, MAINT, ago(200 * 24 - 3), "MEMBER")
    first = community.issue(2, NEWBIE, ago(3 * 24 - 1))
    community.comment(first, MAINT, ago(3 * 24 - 5), "MEMBER")
    community.issue(3, NEWBIE2, ago(2 * 24 - 2))
    pr = community.pull(4, REGULAR, ago(24 - 1))
    community.review(pr, MAINT, ago(24 - 4), "MEMBER", "approved")
    return community


def _run_daily(runtime, at: datetime) -> None:
    jobs.schedule_periodic(runtime, "metric_snapshots", at=at)
    jobs.run_due(runtime)


def test_daily_job_stores_yesterday_as_the_health_api_computes_it(runtime, db, active, repo_id):
    _run_daily(runtime, NOW + timedelta(hours=3))  # the clock's 2026-05-01 slot: 2026-04-30 is done
    db.rollback()
    job = db.scalar(select(Job).where(Job.kind == "metric_snapshots"))
    assert (job.status, job.args) == ("done", {"slot": "2026-05-01T00:00:00+00:00"})
    for day in (date(2026, 4, 28), date(2026, 4, 29), date(2026, 4, 30)):
        at = snapshots.day_end(day)
        stored = dict(snapshots.series(db, repo_id, "active_contributors", "value", 1, until=day))
        assert stored == {day: people.active_contributors(db, repo_id, now=at, days=90)["value"]}
        by_type = activity.contributions_by_type(db, repo_id, now=at, days=1)
        for kind in ("issue", "discussion", "review"):
            assert snapshots.series(db, repo_id, "contributions_by_type", kind, 1, until=day) == [
                (day, float(by_type[kind]["count"]))]
    assert [v for _, v in snapshots.series(db, repo_id, "active_contributors", "value", 3, until=YESTERDAY)] == [
        2.0, 3.0, 4.0]  # maint and newbie (regular's issue 200 d ago is outside 90 d); + newbie2; + regular's PR
    assert [v for _, v in snapshots.series(db, repo_id, "contributions_by_type", "issue", 3, until=YESTERDAY)] == [
        1.0, 1.0, 0.0]


def test_backfill_is_bounded_and_later_days_add_one_day_each(runtime, db, active, repo_id):
    _run_daily(runtime, NOW + timedelta(hours=3))
    days = db.scalars(select(MetricValue.day).where(MetricValue.metric == "active_contributors",
                                                    MetricValue.key == "value").order_by(MetricValue.day)).all()
    assert len(days) == snapshots.BACKFILL_DAYS  # the first contribution is 200 days back: only 90 are filled
    assert (days[0], days[-1]) == (YESTERDAY - timedelta(days=snapshots.BACKFILL_DAYS - 1), YESTERDAY)
    rows = count(db, MetricValue)
    _run_daily(runtime, NOW + timedelta(hours=20))  # the same day again: the job is deduplicated
    assert count(db, MetricValue) == rows
    assert snapshots.snapshot(runtime, YESTERDAY) == 0  # and a rerun finds nothing missing
    _run_daily(runtime, NOW + timedelta(days=1, hours=1))
    assert count(db, MetricValue, MetricValue.day == NOW.date()) == len(snapshots.figures(db, repo_id, NOW.date()))
    assert count(db, MetricValue, MetricValue.day > NOW.date()) == 0
    assert len(snapshots.series(db, repo_id, "active_contributors", "value", 365, until=NOW.date())) == 91


def test_series_reads_only_the_current_spec_version_and_refuses_unknown_metrics(runtime, db, active, repo_id):
    snapshots.snapshot(runtime, YESTERDAY, backfill_days=1)
    db.execute(MetricValue.__table__.insert().values(
        repository_id=repo_id, metric="active_contributors", key="value", day=YESTERDAY, value=99.0, version=0,
        computed_at=datetime(2026, 5, 1, tzinfo=UTC)))
    db.commit()
    assert snapshots.series(db, repo_id, "active_contributors", "value", 7, until=YESTERDAY) == [(YESTERDAY, 4.0)]
    assert db.scalar(select(func.count()).select_from(MetricValue).where(MetricValue.version == 0)) == 1
    with pytest.raises(KeyError):
        snapshots.series(db, repo_id, "no_such_metric", "value", 7)


def test_insufficient_data_is_stored_as_null(runtime, db, active, repo_id):
    snapshots.snapshot(runtime, YESTERDAY, backfill_days=1)
    assert snapshots.series(db, repo_id, "time_to_first_response", "issues.median_hours", 1, until=YESTERDAY) == [
        (YESTERDAY, None)]  # 1 answered issue < min_n
    assert snapshots.series(db, repo_id, "time_to_first_response", "issues.n", 1, until=YESTERDAY) == [
        (YESTERDAY, 1.0)]


def test_no_contributions_no_snapshots(runtime, db):
    assert snapshots.snapshot(runtime, YESTERDAY) == 0
    assert count(db, MetricValue) == 0
