"""Pure aggregates, with the percentile vectors of METRICS.md §3."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.metrics import stats


@pytest.mark.parametrize("values, median, p85", [
    ([1, 2, 3, 4], 2, 4),  # METRICS.md §3: even n takes the lower middle
    ([3, 1, 2], 2, 3),  # METRICS.md §3: unsorted input
    ([7], 7, 7),
])
def test_nearest_rank_vectors(values, median, p85):
    assert stats.median(values) == median
    assert stats.percentile(values, 0.85) == p85


def test_rank_is_ceil_of_p_times_n_without_float_drift():
    values = list(range(1, 101))
    assert stats.percentile(values, 0.85) == 85  # 0.85 * 100 is 85.00000000000001 in floats
    assert stats.percentile(values, 0.5) == 50
    assert stats.percentile(values, 1) == 100
    assert stats.percentile(list(range(1, 21)), 0.85) == 17
    assert stats.percentile([5, 1], 0.01) == 1  # rank ceil(0.02) = 1


def test_empty_sample_has_no_percentile():
    assert stats.median([]) is None
    assert stats.percentile([], 0.85) is None


@pytest.mark.parametrize("p", [0, -0.5, 1.5])
def test_percentile_rejects_p_outside_unit_interval(p):
    with pytest.raises(ValueError, match="percentile p"):
        stats.percentile([1, 2], p)


def test_hours_are_floats_never_truncated_days():
    assert stats.hours(timedelta(hours=3, minutes=30)) == 3.5
    assert stats.hours(timedelta(days=2, seconds=36)) == 48.01


def test_pct_and_rounding():
    assert stats.pct(1, 3) == 33.3  # METRICS.md §3 SLA vector: 1/3
    assert stats.pct(2, 3) == 66.7
    assert stats.pct(0, 0) is None
    assert stats.rounded(None) is None
    assert stats.rounded(1 / 3) == 0.33


def test_min_n():
    assert stats.enough(10, 10)
    assert not stats.enough(9, 10)
