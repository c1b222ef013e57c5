"""M12 Contributor Absence Factor and M13 Elephant Factor (METRICS.md §2).

SQL counts the window's typed contributions per kind and person (``activity.per_kind_person``); Python only
sorts those per-person counts and accumulates them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.metrics.activity import GHOST, KIND_TYPES, TYPES, Window, counted, window_rows
from bot.models import Affiliation, Contribution, Person

AFFILIATED_MIN = 0.8  # M13: the factor is shown only when >= 80% of contributions are affiliated
UNAFFILIATED = None  # the organisation key of a contribution whose author has no known affiliation
TOP_ORGANISATIONS = 10  # how many organisations the figure names (the chart's bars), largest first


def absence_factor(counts: Mapping[Hashable, int] | list[int]) -> int | None:
    """The smallest k such that the k largest contributors hold strictly more than half of all contributions
    (ties: key ascending); None ("no data") when the total is 0."""
    items = list(enumerate(counts)) if isinstance(counts, list) else list(counts.items())
    ranked = sorted(items, key=lambda item: (-item[1], item[0]))
    total = sum(count for _, count in ranked)
    if total == 0:
        return None
    cumulative = 0
    for k, (_, count) in enumerate(ranked, start=1):
        cumulative += count
        if 2 * cumulative > total:
            return k
    raise AssertionError("unreachable: the full sum exceeds half of a positive total")


def _figure(counts: dict[int, int]) -> dict:
    return {"value": absence_factor(counts), "n": sum(counts.values()), "people": len(counts)}


def contributor_absence_factor(uow: Session, repo_id: int, *, now: datetime, days: int = 90, rows=None) -> dict:
    """M12 over [now - days, now): per type and over all typed contributions, by human person id; bots and the
    ghost placeholder are no people, and bot contributions are reported apart (``bots``)."""
    everyone: dict[int, int] = {}
    per_type: dict[str, dict[int, int]] = {t: {} for t in TYPES}
    bots = 0
    for kind, person_id, is_bot, login, count in window_rows(uow, repo_id, now, days, rows):
        if is_bot:
            bots += count
            continue
        if login == GHOST:
            continue
        everyone[person_id] = everyone.get(person_id, 0) + count
        by = per_type[KIND_TYPES[kind]]
        by[person_id] = by.get(person_id, 0) + count
    return {"all": _figure(everyone), "by_type": {t: _figure(per_type[t]) for t in TYPES}, "bots": bots}


def elephant(counts: Mapping[Hashable, int], *, affiliated_min: float = AFFILIATED_MIN) -> dict:
    """M13 from contributions per organisation (key ``UNAFFILIATED`` = no affiliation): the absence-factor
    algorithm over affiliated contributions, shown only when their share is >= ``affiliated_min``; with the
    largest organisations' counts for the chart (names only: never people)."""
    n = sum(counts.values())
    affiliated = {org: c for org, c in counts.items() if org is not UNAFFILIATED and c}
    share = None if n == 0 else sum(affiliated.values()) / n
    value = absence_factor(affiliated) if share is not None and share >= affiliated_min else None
    ranked = sorted(affiliated.items(), key=lambda item: (-item[1], str(item[0])))
    return {"value": value, "affiliated_share": None if share is None else round(share, 3), "n": n,
            "organisations": len(affiliated), "unaffiliated": n - sum(affiliated.values()),
            "by_organisation": [{"organisation": str(org), "count": c} for org, c in ranked[:TOP_ORGANISATIONS]]}


def elephant_factor(uow: Session, repo_id: int, *, now: datetime, days: int = 90, rows=None) -> dict:
    """M13 over the window's human typed contributions, each counted for its author's organisation at its
    timestamp (``bot/affiliations.py``; names compared case-insensitively). Without any affiliation stored,
    every contribution is unaffiliated and the factor is null ("unknown")."""
    if uow.scalar(select(Affiliation.id).limit(1)) is None:
        total = sum(count for _, _, is_bot, login, count in window_rows(uow, repo_id, now, days, rows)
                    if not is_bot and login != GHOST)
        return elephant({UNAFFILIATED: total} if total else {})
    counts: dict = {}
    spellings: dict[str, dict[str, int]] = {}  # one organisation, however it is written: its commonest spelling
    for name, count in per_organisation(uow, repo_id, Window.ending(now, days)):
        if name is None:
            counts[UNAFFILIATED] = counts.get(UNAFFILIATED, 0) + count
        else:
            seen = spellings.setdefault(name.casefold(), {})
            seen[name] = seen.get(name, 0) + count
    for seen in spellings.values():
        counts[min(seen, key=lambda name: (-seen[name], name))] = sum(seen.values())
    return elephant(counts)


def per_organisation(uow: Session, repo_id: int, window: Window):
    """(organisation or None, count) of the window's human typed contributions, matched in SQL to the
    author's affiliation period that holds each contribution's timestamp."""
    c, a = Contribution, Affiliation
    held = and_(a.person_id == c.person_id, or_(a.since.is_(None), a.since <= c.occurred_at),
                or_(a.until.is_(None), c.occurred_at < a.until))
    stmt = (select(a.organisation, func.count(c.id)).select_from(c)
            .join(Person, Person.id == c.person_id).outerjoin(a, held)
            .where(c.repository_id == repo_id, c.kind.in_(tuple(KIND_TYPES)), c.occurred_at >= window.start,
                   c.occurred_at < window.end, counted(), Person.is_bot.is_not(True), Person.login != GHOST)
            .group_by(a.organisation))
    return uow.execute(stmt).all()
