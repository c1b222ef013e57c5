"""M7 active, M8 new, M9 occasional and M10 inactive contributors (METRICS.md §2).

SQL aggregates the contribution ledger per person (first, last and counted contributions); Python only
classifies those per-person rows. Bots and the ``ghost`` placeholder are never people: bots are reported as
their own count where the metric has one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.governance.exclusions import counted  # /spam and newcomer-limit items count toward nothing
from bot.metrics.responsiveness import NOT_CONTRIBUTIONS, Window
from bot.models import Contribution, Person

ACTIVE_28D = timedelta(days=28)
INACTIVE_AFTER = timedelta(days=90)  # M10's interval, fixed whatever the window
DRIFTING_SINCE = timedelta(days=180)
DRIFTING_MIN = 5
OCCASIONAL_MAX_EARLIER = 12
GHOST = "ghost"  # GitHub's placeholder for deleted accounts: counted in items, never as a person


def months_before(t: datetime, months: int) -> datetime:
    """``t`` moved back by calendar months, the day clamped to the target month's length (no SQL interval)."""
    month0 = t.year * 12 + t.month - 1 - months
    year, month = divmod(month0, 12)
    month += 1
    last = (datetime(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return t.replace(year=year, month=month, day=min(t.day, last))


def _per_person(uow: Session, repo_id: int, now: datetime, *columns, kinds: tuple[str, ...] | None = None):
    """(is_bot, *columns) per person with contributions before now, grouped in SQL."""
    stmt = (select(Person.is_bot, *columns)
            .join(Person, Person.id == Contribution.person_id)
            .where(Contribution.repository_id == repo_id, Contribution.occurred_at < now, Person.login != GHOST)
            .group_by(Contribution.person_id, Person.is_bot))
    kind = Contribution.kind.in_(kinds) if kinds else Contribution.kind.not_in(NOT_CONTRIBUTIONS)
    stmt = stmt.where(kind, counted())
    return uow.execute(stmt).all()


def _since(t: datetime):
    return func.sum(case((Contribution.occurred_at >= t, 1), else_=0))


def active_contributors(uow: Session, repo_id: int, *, now: datetime, days: int = 90) -> dict:
    """M7: distinct people with >= 1 contribution in [now - days, now), and in [now - 28 d, now)."""
    window = Window.ending(now, days)
    rows = _per_person(uow, repo_id, now, _since(window.start), _since(now - ACTIVE_28D))
    humans = [r for r in rows if not r[0]]
    return {"value": sum(1 for r in humans if r[1]), "last_28d": sum(1 for r in humans if r[2]),
            "bots": sum(1 for r in rows if r[0] and r[1])}


def new_contributors(uow: Session, repo_id: int, *, now: datetime, days: int = 90) -> dict:
    """M8: people whose first-ever contribution to the repository falls in [now - days, now)."""
    window = Window.ending(now, days)
    rows = _per_person(uow, repo_id, now, func.min(Contribution.occurred_at))
    firsts = [(bot, first) for bot, first in rows if first >= window.start]
    return {"value": sum(1 for bot, _ in firsts if not bot), "bots": sum(1 for bot, _ in firsts if bot)}


def occasional_contributors(uow: Session, repo_id: int, *, now: datetime, days: int = 90) -> dict:
    """M9 over P = [now - days, now): opened >= 1 PR in P, none in the 3 calendar months before P's start,
    and <= 12 PRs before it; first-timers included (``new``) beside ``returning``; ``prs`` = their PRs in P."""
    window = Window.ending(now, days)
    boundary = months_before(window.start, 3)
    before = Contribution.occurred_at < window.start
    rows = _per_person(uow, repo_id, now, _since(window.start),
                       func.sum(case((before, 1), else_=0)),
                       func.max(case((before, Contribution.occurred_at), else_=None)),
                       kinds=("pr_opened",))
    people = [(in_p, earlier) for bot, in_p, earlier, last in rows
              if not bot and in_p and earlier <= OCCASIONAL_MAX_EARLIER and (last is None or last < boundary)]
    new = sum(1 for _, earlier in people if earlier == 0)
    return {"value": len(people), "new": new, "returning": len(people) - new,
            "prs": sum(in_p for in_p, _ in people)}


def inactive_contributors(uow: Session, repo_id: int, *, now: datetime) -> dict:
    """M10 at now: active (>= 1 in the last 90 d), drifting (none then, >= 1 in the 90 d before, >= 5 in all),
    away (contributed before, neither)."""
    rows = _per_person(uow, repo_id, now, func.max(Contribution.occurred_at), func.count(Contribution.id))
    out = {"active": 0, "drifting": 0, "away": 0}
    for bot, last, total in rows:
        if bot:
            continue
        if last >= now - INACTIVE_AFTER:
            out["active"] += 1
        elif last >= now - DRIFTING_SINCE and total >= DRIFTING_MIN:
            out["drifting"] += 1
        else:
            out["away"] += 1
    return out
