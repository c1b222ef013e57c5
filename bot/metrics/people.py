"""M7 active, M8 new, M9 occasional and M10 inactive contributors (METRICS.md §2).

Each person's all-time figures (first and last contribution, how many, how many PRs) come from
``totals.per_person`` — the totals kept on write, or the ledger grouped when asked about an earlier instant —
and SQL counts the people meeting each metric's conditions over them. Bots and the ``ghost`` placeholder are
never people: bots are reported as their own count where the metric has one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from bot.governance.exclusions import counted  # /spam and newcomer-limit items count toward nothing
from bot.metrics import totals
from bot.metrics.activity import GHOST
from bot.metrics.responsiveness import Window
from bot.models import Contribution, Person

ACTIVE_28D = timedelta(days=28)
INACTIVE_AFTER = timedelta(days=90)  # M10's interval, fixed whatever the window
DRIFTING_SINCE = timedelta(days=180)
DRIFTING_MIN = 5
OCCASIONAL_MAX_EARLIER = 12


def months_before(t: datetime, months: int) -> datetime:
    """``t`` moved back by calendar months, the day clamped to the target month's length (no SQL interval)."""
    month0 = t.year * 12 + t.month - 1 - months
    year, month = divmod(month0, 12)
    month += 1
    last = (datetime(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return t.replace(year=year, month=month, day=min(t.day, last))


def active_contributors(uow: Session, repo_id: int, *, now: datetime, days: int = 90) -> dict:
    """M7: distinct people with >= 1 contribution in [now - days, now), and in [now - 28 d, now)."""
    start = Window.ending(now, days).start
    got = totals.count_people(uow, repo_id, now, value=lambda c: c.last_at >= start,
                              last_28d=lambda c: c.last_at >= now - ACTIVE_28D)
    return {"value": got["value"][0], "last_28d": got["last_28d"][0], "bots": got["value"][1]}


def new_contributors(uow: Session, repo_id: int, *, now: datetime, days: int = 90) -> dict:
    """M8: people whose first-ever contribution to the repository falls in [now - days, now)."""
    start = Window.ending(now, days).start
    humans, bots = totals.count_people(uow, repo_id, now, value=lambda c: c.first_at >= start)["value"]
    return {"value": humans, "bots": bots}


def occasional_contributors(uow: Session, repo_id: int, *, now: datetime, days: int = 90) -> dict:
    """M9 over P = [now - days, now): opened >= 1 PR in P, none in the 3 calendar months before P's start,
    and <= 12 PRs before it; first-timers included (``new``) beside ``returning``; ``prs`` = their PRs in P.
    SQL groups the PRs opened in [boundary, now) per person, with all their PRs before now from
    ``totals.per_person`` (PRs before P = all − in P)."""
    start = Window.ending(now, days).start
    boundary = months_before(start, 3)
    figures = totals.per_person(uow, repo_id, now)
    at = Contribution.occurred_at
    in_p = func.sum(case((at >= start, 1), else_=0))
    stmt = (select(Person.is_bot, in_p, figures.c.prs - in_p, func.sum(case((at < start, 1), else_=0)))
            .join(Person, Person.id == Contribution.person_id)
            .join(figures, figures.c.person_id == Contribution.person_id)
            .where(Contribution.repository_id == repo_id, Contribution.kind == "pr_opened", at >= boundary,
                   at < now, Person.login != GHOST, counted())
            .group_by(Contribution.person_id, Person.is_bot, figures.c.prs))
    people = [(in_p, earlier) for bot, in_p, earlier, recent in uow.execute(stmt)
              if not bot and in_p and earlier <= OCCASIONAL_MAX_EARLIER and not recent]
    new = sum(1 for _, earlier in people if earlier == 0)
    return {"value": len(people), "new": new, "returning": len(people) - new,
            "prs": sum(in_p for in_p, _ in people)}


def inactive_contributors(uow: Session, repo_id: int, *, now: datetime) -> dict:
    """M10 at now: active (>= 1 in the last 90 d), drifting (none then, >= 1 in the 90 d before, >= 5 in all),
    away (contributed before, neither)."""
    recent, earlier = now - INACTIVE_AFTER, now - DRIFTING_SINCE

    def drifting(c):
        return and_(c.last_at < recent, c.last_at >= earlier, c.contributions >= DRIFTING_MIN)

    got = totals.count_people(uow, repo_id, now, active=lambda c: c.last_at >= recent, drifting=drifting,
                              away=lambda c: and_(c.last_at < recent, or_(c.last_at < earlier,
                                                                          c.contributions < DRIFTING_MIN)))
    return {name: humans for name, (humans, _) in got.items()}
