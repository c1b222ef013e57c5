"""M14 Types of Contributions and M15 Activity Dates and Times with Burstiness (METRICS.md §2).

The ledger keeps fine-grained *kinds*; ``KIND_TYPES`` is the one mapping from a kind to its CHAOSS *type*.
SQL counts the repository's typed contributions in the window, per kind and person or per kind and hour;
Python only bins those hourly counts into weekday × hour cells and ISO weeks, and takes the Bollinger band over
the weekly counts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from bot.governance.exclusions import counted  # /spam and newcomer-limit items count toward nothing
from bot.metrics.responsiveness import Window
from bot.models import Contribution, Person

TYPES = ("code", "docs", "eval", "review", "triage", "issue", "discussion", "qa_answer")
# Ledger kind -> CHAOSS type. Kinds left out are not counted again as a type: ``pr_merged`` is the outcome of the
# ``pr_opened`` code contribution, ``review_comment`` belongs to its review (METRICS.md §1), ``release`` has no
# CHAOSS type, and ``star``/``fork`` are M11's D0 events. ``eval`` has no kind yet (PR paths are not classified
# as eval), so it is always 0.
KIND_TYPES = {
    "pr_opened": "code",
    "docs_change": "docs",
    "review": "review",
    "triage": "triage",
    "issue_opened": "issue",
    "issue_comment": "discussion",
    "discussion_opened": "discussion",
    "discussion_comment": "discussion",
    "discussion_answer": "qa_answer",
}
# M11's funnel steps (METRICS.md §2): D0 shows interest, D1 is an issue, discussion or review contribution,
# D2 a merged pull request.
D0_KINDS = ("star", "fork")
D1_KINDS = tuple(kind for kind, t in KIND_TYPES.items() if t in ("issue", "discussion", "review"))
D2_KIND = "pr_merged"
GHOST = "ghost"  # counted in item counts, never as a person
WEEK = timedelta(weeks=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BAND_WEEKS = 8  # M15: the band is taken over the 8 preceding weeks
BAND_SIGMAS = 2


def per_kind_person(uow: Session, repo_id: int, window: Window):
    """(kind, person_id, is_bot, login, count) for the window's typed contributions, grouped in SQL."""
    stmt = (select(Contribution.kind, Contribution.person_id, Person.is_bot, Person.login, func.count(Contribution.id))
            .join(Person, Person.id == Contribution.person_id)
            .where(Contribution.repository_id == repo_id, Contribution.kind.in_(tuple(KIND_TYPES)),
                   Contribution.occurred_at >= window.start, Contribution.occurred_at < window.end, counted())
            .group_by(Contribution.kind, Contribution.person_id, Person.is_bot, Person.login))
    return uow.execute(stmt).all()


def window_rows(uow: Session, repo_id: int, now: datetime, days: int, rows):
    """The window's ``per_kind_person`` rows: the caller's (``rows``, shared by M12, M13 and M14) or fetched."""
    return per_kind_person(uow, repo_id, Window.ending(now, days)) if rows is None else rows


def contributions_by_type(uow: Session, repo_id: int, *, now: datetime, days: int = 90, rows=None) -> dict:
    """M14 over [now - days, now): per type, human contributions (``count``) and distinct people; bot
    contributions apart, with the automation share = bot / (human + bot) contributions. ``rows``: this
    window's ``per_kind_person``, when the caller already has them."""
    rows = window_rows(uow, repo_id, now, days, rows)
    counts = dict.fromkeys(TYPES, 0)
    people: dict[str, set[int]] = {t: set() for t in TYPES}
    bots = dict.fromkeys(TYPES, 0)
    for kind, person_id, is_bot, login, count in rows:
        kind_type = KIND_TYPES[kind]
        if is_bot:
            bots[kind_type] += count
            continue
        counts[kind_type] += count
        if login != GHOST:
            people[kind_type].add(person_id)
    human, automated = sum(counts.values()), sum(bots.values())
    out: dict = {t: {"count": counts[t], "people": len(people[t])} for t in TYPES}
    total = human + automated
    out.update(n=human, bots={"n": automated, **{t: bots[t] for t in TYPES if bots[t]}},
               automation_share=None if total == 0 else round(automated / total, 3))
    return out


def _epoch_hour(uow: Session, column):
    """Whole hours since 1970-01-01 00:00 UTC of a timestamp column, in the session's SQL dialect."""
    if uow.get_bind().dialect.name == "postgresql":
        return func.floor(func.extract("epoch", column) / 3600)
    return func.cast(func.strftime("%s", column), Integer) / 3600


def hourly(uow: Session, repo_id: int, window: Window) -> list[tuple[str, bool, datetime, int, bool]]:
    """(kind, is_bot, hour start, count, in window) of the typed contributions from the first week burstiness
    shows a band for up to the window's end, grouped per hour in SQL: Python bins hours, not rows. The heatmap
    and burstiness share one call (``rows``)."""
    hour = _epoch_hour(uow, Contribution.occurred_at)
    inside = Contribution.occurred_at >= window.start
    stmt = (select(Contribution.kind, Person.is_bot, hour, func.count(), inside)
            .join(Person, Person.id == Contribution.person_id)
            .where(Contribution.repository_id == repo_id, Contribution.kind.in_(tuple(KIND_TYPES)),
                   Contribution.occurred_at >= _burst_start(window), Contribution.occurred_at < window.end,
                   counted())
            .group_by(Contribution.kind, Person.is_bot, hour, inside))
    return [(kind, bool(is_bot), EPOCH + timedelta(hours=int(h)), n, bool(within))
            for kind, is_bot, h, n, within in uow.execute(stmt)]


def activity_heatmap(uow: Session, repo_id: int, *, now: datetime, days: int = 90, rows=None) -> dict:
    """M15 heatmap: human contributions in [now - days, now) by UTC weekday (row 0 = Monday) × hour (column 0 =
    00:00-00:59); bot contributions counted apart. ``rows``: this window's ``hourly``, when the caller has them."""
    window = Window.ending(now, days)
    cells = [[0] * 24 for _ in range(7)]
    bots = 0
    for _, is_bot, at, n, within in hourly(uow, repo_id, window) if rows is None else rows:
        if not within:
            continue
        if is_bot:
            bots += n
            continue
        cells[at.weekday()][at.hour] += n
    return {"weekday_hour": cells, "n": sum(map(sum, cells)), "bots": bots}


def iso_week_start(t: datetime) -> datetime:
    """Monday 00:00 UTC of ``t``'s ISO week."""
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def _burst_start(window: Window) -> datetime:
    """Burstiness reaches back to the 8 weeks before the ISO week the window starts in, for the first band."""
    return iso_week_start(window.start) - BAND_WEEKS * WEEK


def band(history: Sequence[int]) -> tuple[float, float] | None:
    """Bollinger band mean ± 2σ (population σ) over exactly 8 preceding weekly counts; None with fewer."""
    if len(history) < BAND_WEEKS:
        return None
    recent = history[-BAND_WEEKS:]
    mean = sum(recent) / BAND_WEEKS
    sigma = math.sqrt(sum((x - mean) ** 2 for x in recent) / BAND_WEEKS)
    return mean - BAND_SIGMAS * sigma, mean + BAND_SIGMAS * sigma


def flagged(count: int, bounds: tuple[float, float] | None, *, partial: bool = False) -> bool | None:
    """Outside the inclusive band; None without a band. A partial (current) week can only grow, so it is
    flagged only above the band."""
    if bounds is None:
        return None
    lower, upper = bounds
    return count > upper or (not partial and count < lower)


def _series(week_counts: dict[datetime, int], weeks: list[datetime], first: datetime | None, now: datetime,
            shown_from: int) -> list[dict]:
    out = []
    for i in range(shown_from, len(weeks)):
        start = weeks[i]
        history = [week_counts.get(w, 0) for w in weeks[i - BAND_WEEKS:i] if first is not None and w >= first]
        bounds = band(history)
        partial = start + WEEK > now
        count = week_counts.get(start, 0)
        out.append({"week": start.date().isoformat(), "count": count, "partial": partial,
                    "mean": None if bounds is None else round((bounds[0] + bounds[1]) / 2, 2),
                    "lower": None if bounds is None else round(bounds[0], 2),
                    "upper": None if bounds is None else round(bounds[1], 2),
                    "flagged": flagged(count, bounds, partial=partial)})
    return out


def burstiness(uow: Session, repo_id: int, *, now: datetime, days: int = 90, rows=None) -> dict:
    """M15 burstiness: weekly human contribution counts (ISO weeks) for every week overlapping [now - days, now),
    each with the band of its 8 preceding weeks; per type, the weekly counts and the flagged weeks."""
    window = Window.ending(now, days)
    shown = iso_week_start(window.start)
    since = _burst_start(window)
    weeks = []
    while since + len(weeks) * WEEK < now:
        weeks.append(since + len(weeks) * WEEK)
    first = uow.scalar(select(func.min(Contribution.occurred_at))
                       .where(Contribution.repository_id == repo_id, Contribution.kind.in_(tuple(KIND_TYPES))))
    first_week = None if first is None else iso_week_start(first)
    total: dict[datetime, int] = {}
    by_type: dict[str, dict[datetime, int]] = {t: {} for t in TYPES}
    bots = 0
    for kind, is_bot, at, n, _ in hourly(uow, repo_id, window) if rows is None else rows:
        week = iso_week_start(at)
        if is_bot:
            bots += n if week >= shown else 0
            continue
        total[week] = total.get(week, 0) + n
        per = by_type[KIND_TYPES[kind]]
        per[week] = per.get(week, 0) + n
    series = _series(total, weeks, first_week, now, BAND_WEEKS)
    types = {}
    for t in TYPES:
        rows = _series(by_type[t], weeks, first_week, now, BAND_WEEKS)
        types[t] = {"counts": [r["count"] for r in rows], "flagged": [r["week"] for r in rows if r["flagged"]]}
    return {"weeks": series, "n": sum(r["count"] for r in series), "bots": bots, "by_type": types}
