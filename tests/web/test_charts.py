"""Chart specs (bot/web/charts.py) and KPI tiles (bot/web/tiles.py): pure functions, no database."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.web import charts, tiles

BACKGROUNDS = ("#ffffff", "#0d1117")  # the light and dark page backgrounds of templates/base.html


def luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("colour", charts.PALETTE)
def test_every_series_colour_has_3_to_1_contrast_on_light_and_dark(colour):
    assert min(contrast(colour, bg) for bg in BACKGROUNDS) >= 3


def test_labels_are_drawn_literally_and_shortened():
    assert charts.label('<a href="https://x">&</a>') == '&lt;a href="https://x"&gt;&amp;&lt;/a&gt;'
    rows = [SimpleNamespace(login="x" * 39, hidden=False, by_type={"code": 2}),
            SimpleNamespace(login="anonymous contributor", hidden=True, by_type={"review": 1})]
    fig = charts.top_contributors(rows)
    assert [t["name"] for t in fig["data"]] == ["code", "review"]  # types nobody has are left out
    assert fig["data"][0]["y"] == ["x" * 23 + "…", "anonymous contributor #2"]


def test_weekly_chart_marks_the_partial_week_and_bursts():
    weeks = [{"week": "2026-04-20", "count": 20, "partial": False, "lower": 6.0, "upper": 14.0, "flagged": True},
             {"week": "2026-04-27", "count": 3, "partial": True, "lower": -1.0, "upper": 14.0, "flagged": False}]
    data = charts.weekly_activity({"weeks": weeks})["data"]
    assert data[1]["y"] == [6.0, 0]  # the band never goes below zero
    assert data[2]["marker"]["symbol"] == ["circle", "circle-open"]
    assert data[3]["x"] == ["2026-04-20"]


@pytest.mark.parametrize("hours, text", [(None, "insufficient data"), (3.5, "3.5 h"), (47.9, "47.9 h"),
                                         (48, "2.0 d")])
def test_hours(hours, text):
    assert tiles.hours(hours) == text
