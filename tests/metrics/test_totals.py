"""The per-person totals kept on write: equal to a rebuild from the ledger after webhooks, duplicates,
exclusions and their lifting; the health figures equal with and without them; migration 0010's backfill."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from bot import contributions, migrate
from bot.db import now, transaction
from bot.demo.feed import feed
from bot.demo.generate import generate
from bot.demo.payloads import FULL_NAME
from bot.governance import newcomers
from bot.handlers.governance import lift_exclusion
from bot.metrics import totals
from bot.metrics.figures import compute
from bot.metrics.responsiveness import Window
from bot.models import Contribution, ContributorTotal, Repository
from bot.routing import Event


def kept(uow) -> list[tuple]:
    return [tuple(r) for r in uow.execute(select(*ContributorTotal.__table__.c).order_by(
        ContributorTotal.repository_id, ContributorTotal.person_id)).all()]


def rebuilt(runtime) -> list[tuple]:
    """The totals recomputed from the ledger, in a transaction that is rolled back."""
    with runtime.factory() as uow:
        totals.rebuild(uow)
        rows = kept(uow)
        uow.rollback()
    return rows


def test_kept_totals_equal_the_ledger_and_give_the_same_health(runtime, db):
    deliveries = generate(11, end=now() - timedelta(minutes=1), people=40, months=5)
    feed(runtime, deliveries)
    repo_id = db.scalar(select(Repository.id).where(Repository.full_name == FULL_NAME))
    first = kept(db)
    assert len(first) > 30 and first == rebuilt(runtime)
    assert {r[0] for r in first} == {repo_id}

    feed(runtime, random.Random(3).sample(deliveries, 200))  # redeliveries change nothing
    db.rollback()
    assert kept(db) == first

    at = now()
    assert totals.usable(db, repo_id, at)
    for days in (7, 30, 90, 365):
        window = Window.ending(at, days)
        with_totals = compute(runtime.factory, repo_id, window)
        original = totals.usable
        totals.usable = lambda *args: False
        try:
            from_ledger = compute(runtime.factory, repo_id, window)
        finally:
            totals.usable = original
        assert with_totals == from_ledger, days
    people = compute(runtime.factory, repo_id, Window.ending(at, 90))
    assert people["active_contributors"]["value"] > 5 and people["conversion_funnel"]["d0"] > 0


def test_an_exclusion_and_its_lifting_rebuild_the_people_on_the_item(runtime, db):
    feed(runtime, generate(5, end=now() - timedelta(minutes=1), people=14, months=2))
    url, repo_id = db.execute(select(Contribution.url, Contribution.repository_id)
                              .where(Contribution.kind == "pr_opened")).first()
    number = int(url.rsplit("/", 1)[1])
    before = kept(db)
    newcomers.exclude(runtime.factory, repo_id, number, url, "spam", "maint")
    db.rollback()
    excluded = kept(db)
    assert excluded != before and excluded == rebuilt(runtime)

    with transaction(runtime.factory) as uow:  # a contribution on the excluded item counts for nothing
        author = uow.scalar(select(Contribution.person_id).where(Contribution.url == url))
        contributions.record(uow, kind="issue_comment", key="late-on-spam", person_id=author,
                             repository_id=repo_id, occurred_at=now() - timedelta(minutes=2), url=url + "#c1")
    db.rollback()
    assert kept(db) == excluded

    with transaction(runtime.factory) as uow:
        lift_exclusion(uow, Event(name="pull_request", action="reopened", delivery_id="x", received_at=now(), payload={
            "repository": {"id": repo_id}, "sender": {"id": -1},
            "pull_request": {"number": number, "user": {"id": author}}}))
    db.rollback()
    lifted = kept(db)
    assert lifted == rebuilt(runtime) and lifted != excluded


def test_a_rolled_back_write_leaves_no_total(runtime, db):
    feed(runtime, generate(5, end=now() - timedelta(minutes=1), people=14, months=2))
    before = kept(db)
    person, repo_id = db.execute(select(Contribution.person_id, Contribution.repository_id)).first()
    with runtime.factory() as uow:
        contributions.record(uow, kind="review", key="rolled-back", person_id=person, repository_id=repo_id,
                             occurred_at=now(), url=None)
        uow.rollback()
        uow.commit()  # nothing pending any more
    db.rollback()
    assert kept(db) == before


def test_totals_are_refused_for_an_instant_before_the_latest_contribution(runtime, db):
    feed(runtime, generate(5, end=now() - timedelta(minutes=1), people=14, months=2))
    repo_id = db.scalar(select(Repository.id).where(Repository.full_name == FULL_NAME))
    latest = db.scalar(select(Contribution.occurred_at).where(Contribution.repository_id == repo_id)
                       .order_by(Contribution.occurred_at.desc()).limit(1))
    assert totals.usable(db, repo_id, latest + timedelta(microseconds=1))
    assert not totals.usable(db, repo_id, latest)
    assert totals.usable(db, -1, latest)  # nothing at all: the (empty) totals are exact


def test_migration_backfills_the_totals(runtime, database_url):
    """Down to 0009 (no totals) and up again: 0010 computes from the ledger exactly what the application kept,
    the exclusion rule included."""
    feed(runtime, generate(5, end=now() - timedelta(minutes=1), people=14, months=2))
    with runtime.factory() as uow:
        url, repo_id = uow.execute(select(Contribution.url, Contribution.repository_id)
                                   .where(Contribution.kind == "pr_opened")).first()
    newcomers.exclude(runtime.factory, repo_id, int(url.rsplit("/", 1)[1]), url, "spam", None)
    with runtime.factory() as uow:
        expected = kept(uow)
    assert expected == rebuilt(runtime)
    migrate.downgrade(database_url, "0009")
    migrate.upgrade(database_url)
    with runtime.factory() as uow:
        assert kept(uow) == expected
