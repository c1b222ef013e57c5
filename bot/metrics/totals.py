"""Per-person totals of the counted contribution ledger, kept on write (``ContributorTotal``).

M7–M11 classify every person by all-time figures: first and last contribution, how many, how many pull
requests, the funnel's first star and last merge. Regrouping the whole ledger for that on every request
costs a second at a million rows, so ``contributions.record`` hands each new row to ``added``; the session
folds them in at commit (one upsert per person, in key order, so concurrent writers never deadlock): counts
add, first/last take the minimum/maximum — commutative, so late and out-of-order deliveries land right.

A row excludes contributions on ``/spam``ed or newcomer-limited items (``counted()``); when an exclusion is
added or lifted, ``refresh_item`` rebuilds the people who contributed to that item. ``rebuild`` recomputes
from the ledger (bulk imports, the benchmark).

The totals cover the whole ledger, so they answer "before now" exactly only when nothing in the repository
happened at or after now: ``usable`` checks that (one index probe). ``per_person`` hands the metrics the same
columns either way — the kept rows, or the ledger grouped up to an earlier instant — and ``count_people``
classifies people over them in SQL, so each metric has one definition whatever the source.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import case, delete, event, func, select
from sqlalchemy.orm import Session

from bot.db import dialect_insert
from bot.governance.exclusions import counted
from bot.metrics.activity import D0_KINDS, D1_KINDS, D2_KIND, GHOST
from bot.metrics.responsiveness import NOT_CONTRIBUTIONS
from bot.models import Contribution, ContributorTotal, ExcludedItem, Person

PENDING = "steward.totals.pending"
COLUMNS = ("contributions", "first_at", "last_at", "prs", "first_d0_at", "first_d1_at", "last_d1_at",
           "last_merged_at")
LOW, HIGH = ("first_at", "first_d0_at", "first_d1_at"), ("last_at", "last_d1_at", "last_merged_at")


def _figures(kind: str, at: datetime) -> dict:
    """One contribution's share of a totals row."""
    counts = kind not in NOT_CONTRIBUTIONS
    d1 = kind in D1_KINDS
    return {"contributions": int(counts), "first_at": at if counts else None, "last_at": at if counts else None,
            "prs": int(kind == "pr_opened"), "first_d0_at": at if kind in D0_KINDS else None,
            "first_d1_at": at if d1 else None, "last_d1_at": at if d1 else None,
            "last_merged_at": at if kind == D2_KIND else None}


def _merge(a: dict, b: dict) -> dict:
    out = {"contributions": a["contributions"] + b["contributions"], "prs": a["prs"] + b["prs"]}
    for column, pick in [(c, min) for c in LOW] + [(c, max) for c in HIGH]:
        values = [v for v in (a[column], b[column]) if v is not None]
        out[column] = pick(values) if values else None
    return out


def added(uow: Session, *, repository_id: int, person_id: int, kind: str, occurred_at: datetime,
          url: str | None) -> None:
    """A contribution row was inserted in this session: fold it into the totals when the session commits."""
    if PENDING not in uow.info:
        uow.info[PENDING] = []
        event.listen(uow, "before_commit", _apply)
        event.listen(uow, "after_rollback", _forget)
    uow.info[PENDING].append((repository_id, person_id, kind, occurred_at, url))


def _forget(uow: Session) -> None:
    uow.info[PENDING] = []


def _excluded(uow: Session, repository_ids: Iterable[int]) -> dict[int, list[str]]:
    rows = uow.execute(select(ExcludedItem.repository_id, ExcludedItem.html_url)
                       .where(ExcludedItem.repository_id.in_(sorted(set(repository_ids))))).all()
    out: dict[int, list[str]] = {}
    for repository_id, html_url in rows:
        out.setdefault(repository_id, []).append(html_url)
    return out


def _apply(uow: Session) -> None:
    pending, uow.info[PENDING] = uow.info.get(PENDING) or [], []
    if not pending:
        return
    excluded = _excluded(uow, (r for r, *_ in pending))
    rows: dict[tuple[int, int], dict] = {}
    for repository_id, person_id, kind, at, url in pending:
        if url and any(url == u or url.startswith(u + "#") for u in excluded.get(repository_id, ())):
            continue  # same rule as counted()
        key = (repository_id, person_id)
        figures = _figures(kind, at)
        rows[key] = _merge(rows[key], figures) if key in rows else figures
    if rows:
        stmt = _upsert(uow.get_bind().dialect.name)
        uow.execute(stmt, [{"repository_id": r, "person_id": p, **rows[(r, p)]} for r, p in sorted(rows)])


@functools.lru_cache(maxsize=2)
def _upsert(dialect: str):
    table = ContributorTotal.__table__
    stmt = dialect_insert(dialect, table)
    low, high = (func.least, func.greatest) if dialect == "postgresql" else (func.min, func.max)

    def merged(column: str, pick):
        old, new = table.c[column], stmt.excluded[column]
        return pick(func.coalesce(old, new), func.coalesce(new, old))  # SQLite's min(a, NULL) is NULL

    changes = {c: table.c[c] + stmt.excluded[c] for c in ("contributions", "prs")}
    changes |= {c: merged(c, low) for c in LOW} | {c: merged(c, high) for c in HIGH}
    return stmt.on_conflict_do_update(index_elements=["repository_id", "person_id"], set_=changes)


def _aggregates():
    """The totals of the counted ledger per (repository, person), as a SELECT in ``COLUMNS`` order."""
    c = Contribution

    def at_if(condition):
        return case((condition, c.occurred_at), else_=None)

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    counts = c.kind.not_in(NOT_CONTRIBUTIONS)
    d1 = c.kind.in_(D1_KINDS)
    figures = (count_if(counts), func.min(at_if(counts)), func.max(at_if(counts)), count_if(c.kind == "pr_opened"),
               func.min(at_if(c.kind.in_(D0_KINDS))), func.min(at_if(d1)), func.max(at_if(d1)),
               func.max(at_if(c.kind == D2_KIND)))
    return (select(c.repository_id, c.person_id, *(f.label(name) for f, name in zip(figures, COLUMNS, strict=True)))
            .where(counted()).group_by(c.repository_id, c.person_id))


def rebuild(uow: Session, repository_id: int | None = None, person_ids: Iterable[int] | None = None) -> None:
    """Recompute totals rows from the ledger: all, one repository's, or some people's in it."""
    gone = delete(ContributorTotal)
    source = _aggregates()
    if repository_id is not None:
        gone = gone.where(ContributorTotal.repository_id == repository_id)
        source = source.where(Contribution.repository_id == repository_id)
    if person_ids is not None:
        people = sorted(set(person_ids))
        gone = gone.where(ContributorTotal.person_id.in_(people))
        source = source.where(Contribution.person_id.in_(people))
    uow.execute(gone)
    uow.execute(ContributorTotal.__table__.insert().from_select(["repository_id", "person_id", *COLUMNS], source))


def refresh_item(uow: Session, repository_id: int, html_url: str) -> None:
    """An item's exclusion changed: rebuild the rows of everyone with a contribution on it."""
    on_item = (Contribution.url == html_url) | Contribution.url.startswith(html_url + "#", autoescape=True)
    people = uow.scalars(select(Contribution.person_id).distinct()
                         .where(Contribution.repository_id == repository_id, on_item)).all()
    if people:
        _apply(uow)  # contributions written earlier in this session first, so the rebuild sees them once
        rebuild(uow, repository_id, people)


def usable(uow: Session, repository_id: int, now: datetime) -> bool:
    """True when the totals are "everything before now": no contribution in the repository at or after now."""
    latest = uow.scalar(select(func.max(Contribution.occurred_at)).where(Contribution.repository_id == repository_id))
    return latest is None or latest < now


def per_person(uow: Session, repository_id: int, now: datetime):
    """Per person, the figures of ``COLUMNS`` over the repository's counted contributions before now, as a
    subquery: the kept totals when they cover that (``usable``), else the ledger grouped."""
    if usable(uow, repository_id, now):
        return select(ContributorTotal).where(ContributorTotal.repository_id == repository_id).subquery()
    return (_aggregates().where(Contribution.repository_id == repository_id, Contribution.occurred_at < now)
            .subquery())


def count_people(uow: Session, repository_id: int, now: datetime, *, contributors_only: bool = True,
                 **conditions: Callable) -> dict[str, tuple[int, int]]:
    """For each named condition over ``per_person``'s columns: (humans, bots) meeting it, counted in SQL. The
    ghost placeholder is nobody; ``contributors_only`` leaves out people with only stars and forks."""
    figures = per_person(uow, repository_id, now)
    sums = [func.coalesce(func.sum(case((condition(figures.c), 1), else_=0)), 0)
            for condition in conditions.values()]
    stmt = (select(Person.is_bot, *sums).join(Person, Person.id == figures.c.person_id)
            .where(Person.login != GHOST).group_by(Person.is_bot))
    if contributors_only:
        stmt = stmt.where(figures.c.contributions > 0)
    out = {name: [0, 0] for name in conditions}
    for is_bot, *values in uow.execute(stmt).all():
        for name, value in zip(conditions, values, strict=True):
            out[name][1 if is_bot else 0] += int(value)
    return {name: (humans, bots) for name, (humans, bots) in out.items()}
