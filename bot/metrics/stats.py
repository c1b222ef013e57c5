"""Pure aggregates shared by the metrics (METRICS.md §1 "Aggregates"). No database, no clock."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta
from fractions import Fraction


def percentile(values: Iterable[float], p: float) -> float | None:
    """Nearest rank, as PostgreSQL's ``percentile_disc``: the value at 1-based rank ceil(p·n) of the sorted
    values; None when there are none. ``p`` is read as the decimal it is written as (0.85·100 is 85, not
    85.00000000000001), so the rank never drifts up by one on a float rounding error."""
    if not 0 < p <= 1:
        raise ValueError(f"percentile p must be in (0, 1], got {p!r}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(Fraction(str(p)) * len(ordered)))
    return ordered[rank - 1]


def median(values: Iterable[float]) -> float | None:
    """p = 0.5 nearest rank: the lower middle value for an even count."""
    return percentile(values, 0.5)


def hours(delta: timedelta) -> float:
    """A duration as float hours, never truncated to days."""
    return delta.total_seconds() / 3600


def pct(part: int, whole: int, digits: int = 1) -> float | None:
    """``part / whole`` as a percentage rounded to ``digits``; None when ``whole`` is 0."""
    return None if whole == 0 else round(100 * part / whole, digits)


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def enough(n: int, min_n: int) -> bool:
    """Whether a sample of ``n`` may be shown as a figure (below ``min_n``: "insufficient data")."""
    return n >= min_n
