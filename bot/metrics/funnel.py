"""M11 Conversion Rate as a funnel (METRICS.md §2).

Per person: the first D0 event (``star``, ``fork``), the first and last D1 contribution (``issue``,
``discussion`` or ``review`` type) and the last merged PR they authored, from ``totals.per_person`` (kept on
write, or the ledger grouped for an earlier instant); SQL counts the people at each step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from bot.metrics import totals
from bot.metrics.change_requests import ratio
from bot.metrics.responsiveness import Window
from bot.metrics.spec import CONVERSION_FUNNEL


def conversion_funnel(uow: Session, repo_id: int, *, now: datetime, days: int = 90,
                      min_n: int | None = None) -> dict:
    """Cohort (``d0``) = people whose first-ever star or fork is in [now - days, now); ``d1`` = those with a D1
    contribution at or after it, before now; ``d2`` = those of ``d1`` with an authored PR merged at or after it.
    ``direct`` = people whose first D1 contribution is in the window with no D0 event at or before it."""
    start = Window.ending(now, days).start
    min_n = CONVERSION_FUNNEL.min_n if min_n is None else min_n

    def d0(c):
        return c.first_d0_at >= start

    def d1(c):
        return and_(d0(c), c.last_d1_at >= c.first_d0_at)

    got = totals.count_people(
        uow, repo_id, now, contributors_only=False, d0=d0, d1=d1,
        d2=lambda c: and_(d1(c), c.last_merged_at >= c.first_d0_at),
        direct=lambda c: and_(c.first_d1_at >= start, or_(c.first_d0_at.is_(None), c.first_d0_at > c.first_d1_at)))
    n0, n1, n2, direct = (got[k][0] for k in ("d0", "d1", "d2", "direct"))  # humans only
    return {"d0": n0, "d1": n1, "d2": n2, "d1_rate": ratio(n1, n0, n0, min_n), "d2_rate": ratio(n2, n1, n1, min_n),
            "n": n0, "direct": direct}
