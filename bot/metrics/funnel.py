"""M11 Conversion Rate as a funnel (METRICS.md §2).

One SQL query groups the repository's ledger per person before now: the first D0 event (``star``, ``fork``),
the first and last D1 contribution (``issue``, ``discussion`` or ``review`` type) and the last merged PR they
authored. Python only classifies those per-person rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.governance.exclusions import counted  # /spam and newcomer-limit items count toward nothing
from bot.metrics.activity import GHOST, KIND_TYPES
from bot.metrics.change_requests import ratio
from bot.metrics.responsiveness import Window
from bot.metrics.spec import CONVERSION_FUNNEL
from bot.models import Contribution, Person

D0_KINDS = ("star", "fork")
D1_KINDS = tuple(kind for kind, t in KIND_TYPES.items() if t in ("issue", "discussion", "review"))
D2_KIND = "pr_merged"


def _when(kinds: tuple[str, ...]):
    return case((Contribution.kind.in_(kinds), Contribution.occurred_at), else_=None)


def conversion_funnel(uow: Session, repo_id: int, *, now: datetime, days: int = 90,
                      min_n: int | None = None) -> dict:
    """Cohort (``d0``) = people whose first-ever star or fork is in [now - days, now); ``d1`` = those with a D1
    contribution at or after it, before now; ``d2`` = those of ``d1`` with an authored PR merged at or after it.
    ``direct`` = people whose first D1 contribution is in the window with no D0 event at or before it."""
    window = Window.ending(now, days)
    min_n = CONVERSION_FUNNEL.min_n if min_n is None else min_n
    stmt = (select(func.min(_when(D0_KINDS)), func.min(_when(D1_KINDS)), func.max(_when(D1_KINDS)),
                   func.max(_when((D2_KIND,))))
            .join(Person, Person.id == Contribution.person_id)
            .where(Contribution.repository_id == repo_id, Contribution.occurred_at < now,
                   Contribution.kind.in_((*D0_KINDS, *D1_KINDS, D2_KIND)),
                   Person.is_bot.is_(False), Person.login != GHOST, counted())
            .group_by(Contribution.person_id))
    d0 = d1 = d2 = direct = 0
    for first_d0, first_d1, last_d1, last_d2 in uow.execute(stmt).all():
        if first_d1 is not None and window.start <= first_d1 and (first_d0 is None or first_d0 > first_d1):
            direct += 1
        if first_d0 is None or first_d0 < window.start:
            continue
        d0 += 1
        if last_d1 is not None and last_d1 >= first_d0:
            d1 += 1
            d2 += last_d2 is not None and last_d2 >= first_d0
    return {"d0": d0, "d1": d1, "d2": d2, "d1_rate": ratio(d1, d0, d0, min_n), "d2_rate": ratio(d2, d1, d1, min_n),
            "n": d0, "direct": direct}
