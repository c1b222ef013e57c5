"""The contributors list: people with typed contributions in the window, per CHAOSS type (METRICS.md M14).

SQL groups the ledger per person and type (``KIND_TYPES`` rendered as a CASE) and, separately, per person
for the first and the latest contribution; Python only assembles those already-grouped rows. People who opted
out of named lists (``ListOptOut``) are counted but never named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from bot.governance.exclusions import counted  # /spam and newcomer-limit items count toward nothing
from bot.metrics.activity import GHOST, KIND_TYPES, TYPES
from bot.metrics.responsiveness import NOT_CONTRIBUTIONS, Window
from bot.models import Contribution, ListOptOut, Person

ANONYMOUS = "anonymous contributor"


@dataclass
class ContributorRow:
    person_id: int
    login: str  # ANONYMOUS when the person opted out of named lists
    bot: bool
    hidden: bool
    first_contribution: datetime
    last_seen: datetime
    by_type: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


def _type_of():
    return case(*((Contribution.kind == kind, kind_type) for kind, kind_type in KIND_TYPES.items()), else_=None)


def contributors(uow: Session, repo_id: int, *, now: datetime, days: int = 90) -> list[ContributorRow]:
    """People (humans and bots, not the ghost placeholder) with >= 1 typed contribution in [now - days, now):
    their counts per type in the window, their first contribution ever and their latest one before now (any
    ledger kind except star and fork). Most contributions first; ties by latest activity, then id."""
    window = Window.ending(now, days)
    kind_type = _type_of().label("type")
    in_window = (Contribution.repository_id == repo_id, Contribution.kind.in_(tuple(KIND_TYPES)),
                 Contribution.occurred_at >= window.start, Contribution.occurred_at < window.end, counted())
    per_type = uow.execute(
        select(Contribution.person_id, kind_type, func.count(Contribution.id))
        .join(Person, Person.id == Contribution.person_id)
        .where(*in_window, Person.login != GHOST)
        .group_by(Contribution.person_id, kind_type)).all()
    if not per_type:
        return []
    # last_seen: the latest contribution of any kind lies in the window too (the person has a typed one there),
    # so only the window's rows are grouped; first_contribution looks back through the (person, time) index.
    earlier = aliased(Contribution)
    first = (select(earlier.occurred_at)  # ORDER BY … LIMIT 1, not min(): the index scan stops at the first row
             .where(earlier.person_id == Person.id, earlier.repository_id == repo_id,
                    earlier.kind.not_in(NOT_CONTRIBUTIONS), counted(earlier))
             .order_by(earlier.occurred_at).limit(1)
             .scalar_subquery())
    people = uow.execute(
        select(Person.id, Person.login, Person.is_bot, ListOptOut.person_id.is_not(None), first,
               func.max(Contribution.occurred_at))
        .join(Contribution, Contribution.person_id == Person.id)
        .outerjoin(ListOptOut, ListOptOut.person_id == Person.id)
        .where(Contribution.repository_id == repo_id, Contribution.occurred_at >= window.start,
               Contribution.occurred_at < window.end, Contribution.kind.not_in(NOT_CONTRIBUTIONS),
               Person.login != GHOST, counted())
        .group_by(Person.id, Person.login, Person.is_bot, ListOptOut.person_id)).all()
    typed = {person_id for person_id, _, _ in per_type}
    people = [p for p in people if p[0] in typed]
    rows = {pid: ContributorRow(pid, ANONYMOUS if hidden else login, bool(bot), bool(hidden), first, last)
            for pid, login, bot, hidden, first, last in people}
    for person_id, type_name, count in per_type:
        row = rows[person_id]
        row.by_type[type_name] = row.by_type.get(type_name, 0) + count
    for row in rows.values():
        row.by_type = {t: row.by_type[t] for t in TYPES if t in row.by_type}
    return sorted(rows.values(), key=lambda r: (-r.total, -r.last_seen.timestamp(), r.person_id))
