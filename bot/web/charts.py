"""Plotly figure specs as plain dicts (no plotly import per request): the browser draws them with the
plotly.js that Steward serves itself. Colours come from the page (light or dark) in steward.js."""

from __future__ import annotations

from collections.abc import Sequence

from bot.metrics.activity import TYPES

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Okabe-Ito based, each darkened or lightened to a relative luminance of 0.12-0.30, so every mark keeps a 3:1
# contrast against both the light (#ffffff) and the dark (#0d1117) page (WCAG 1.4.11, non-text contrast).
PALETTE = ("#0072B2", "#B26B00", "#009E73", "#CC79A7", "#8E6BBF", "#D55E00", "#9A8700", "#7F7F7F")
TYPE_COLOURS = dict(zip(TYPES, PALETTE, strict=True))


def label(text: str) -> str:
    """Text for a plotly label: plotly reads a few HTML tags (<a href>, <b>, <br>) in labels, so user-supplied
    text goes in as entities and is drawn literally."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def figure(data: list[dict], *, x_title: str = "", y_title: str = "", **layout) -> dict:
    return {"data": data, "layout": {
        "margin": {"l": 56, "r": 16, "t": 40, "b": 48}, "height": 320,
        "xaxis": {"title": {"text": x_title}, "automargin": True},
        "yaxis": {"title": {"text": y_title}, "automargin": True, "rangemode": "tozero"},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"},
        "hovermode": "closest", **layout}}


def weekly_activity(burstiness: dict) -> dict:
    weeks = burstiness["weeks"]
    x = [w["week"] for w in weeks]
    partial = ["circle-open" if w["partial"] else "circle" for w in weeks]  # the current week is still growing
    upper = [w["upper"] for w in weeks]
    lower = [None if w["lower"] is None else max(w["lower"], 0) for w in weeks]
    flagged = [w for w in weeks if w["flagged"]]
    return figure([
        {"type": "scatter", "mode": "lines", "x": x, "y": upper, "name": "band (mean ± 2σ of 8 weeks before)",
         "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False},
        {"type": "scatter", "mode": "lines", "x": x, "y": lower, "name": "mean ± 2σ of the 8 weeks before",
         "fill": "tonexty", "fillcolor": "rgba(86,180,233,0.25)", "line": {"width": 0}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "lines+markers", "x": x, "y": [w["count"] for w in weeks],
         "name": "contributions per week (open marker: current, partial week)", "line": {"color": PALETTE[0]},
         "marker": {"symbol": partial, "size": 8}},
        {"type": "scatter", "mode": "markers", "x": [w["week"] for w in flagged],
         "y": [w["count"] for w in flagged], "name": "burst (outside the band)",
         "marker": {"symbol": "diamond", "size": 11, "color": PALETTE[5]}},
    ], x_title="ISO week (Monday, UTC)", y_title="human contributions")


def by_type(counts: dict) -> dict:
    return figure([{"type": "bar", "x": list(TYPES), "y": [counts[t]["count"] for t in TYPES],
                    "marker": {"color": [TYPE_COLOURS[t] for t in TYPES]}, "name": "contributions"}],
                  x_title="type", y_title="human contributions", showlegend=False)


def organisations(elephant: dict) -> dict:
    """Contributions by organisation (the Elephant Factor's shares), largest first, unaffiliated last in grey."""
    rows = [(label(short(o["organisation"])), o["count"]) for o in elephant["by_organisation"]]
    rows.append(("unaffiliated", elephant["unaffiliated"]))
    return figure([{"type": "bar", "orientation": "h", "y": [r[0] for r in rows][::-1], "x": [r[1] for r in rows][::-1],
                    "marker": {"color": ["#9aa0a6"] + ["#1f77b4"] * (len(rows) - 1)}, "name": "contributions"}],
                  x_title="human contributions", showlegend=False)


def response_times(ttfr: dict) -> dict:
    kinds = ("issues", "pull_requests", "discussions")
    labels = ["issues", "pull requests", "discussions"]
    return figure([
        {"type": "bar", "x": labels, "y": [ttfr[k]["median_hours"] for k in kinds], "name": "median",
         "marker": {"color": PALETTE[0]}},
        {"type": "bar", "x": labels, "y": [ttfr[k]["p85_hours"] for k in kinds], "name": "p85",
         "marker": {"color": PALETTE[1]}},
    ], y_title="hours to first response", barmode="group")


def heatmap(cells: Sequence[Sequence[int]]) -> dict:
    return figure([{"type": "heatmap", "z": [list(row) for row in cells], "x": list(range(24)),
                    "y": list(WEEKDAYS), "colorscale": "Viridis", "hoverongaps": False,
                    "colorbar": {"title": {"text": "count"}}}],
                  x_title="hour (UTC)", y_title="", height=320,
                  yaxis={"autorange": "reversed", "automargin": True})


def issue_age(age: dict) -> dict:
    keys = ("lt_7d", "d7_30", "d30_90", "gt_90d")
    return figure([{"type": "bar", "x": ["< 7 d", "7–30 d", "30–90 d", "> 90 d"], "y": [age[k] for k in keys],
                    "marker": {"color": PALETTE[2]}, "name": "open issues"}],
                  x_title="age of open issues", y_title="open issues", showlegend=False)


def people_status(inactive: dict, funnel: dict) -> dict:
    return figure([
        {"type": "bar", "x": ["active", "drifting", "away"],
         "y": [inactive["active"], inactive["drifting"], inactive["away"]], "name": "contributors by status",
         "marker": {"color": PALETTE[0]}},
        {"type": "bar", "x": ["D0 star/fork", "D1 participated", "D2 merged PR"],
         "y": [funnel["d0"], funnel["d1"], funnel["d2"]], "name": "conversion funnel (cohort in window)",
         "marker": {"color": PALETTE[3]}},
    ], y_title="people")


def top_contributors(rows, limit: int = 15) -> dict:
    """Stacked bars per type for the most active people; opted-out people stay unnamed."""
    shown = rows[:limit]
    names = []
    for i, row in enumerate(shown, start=1):
        names.append(f"{row.login} #{i}" if row.hidden else label(short(row.login)))
    return figure([{"type": "bar", "orientation": "h", "y": names, "x": [r.by_type.get(t, 0) for r in shown],
                    "name": t, "marker": {"color": TYPE_COLOURS[t]}}
                   for t in TYPES if any(r.by_type.get(t) for r in shown)],
                  x_title="contributions in the window", barmode="stack",
                  height=max(260, 110 + 26 * len(shown)),
                  yaxis={"autorange": "reversed", "automargin": True, "type": "category"})


def repositories(rows) -> dict:
    return figure([{"type": "bar", "x": [label(r.full_name) for r in rows], "y": [r.contributions for r in rows],
                    "marker": {"color": PALETTE[0]}, "name": "contributions (90 d)"}],
                  y_title="human contributions (90 d)", showlegend=False)


def evaluation_history(points: list[dict]) -> dict:
    """Delta (head - base) per evaluation run with its confidence interval, coloured by outcome."""
    outcomes = sorted({p["outcome"] or "unknown" for p in points})
    data = []
    for i, outcome in enumerate(outcomes):
        mine = [p for p in points if (p["outcome"] or "unknown") == outcome]
        data.append({"type": "scatter", "mode": "markers", "name": label(outcome),
                     "x": [p["at"] for p in mine], "y": [p["delta"] for p in mine],
                     "text": [f"PR #{p['pr_number']} {p['head_sha']}" for p in mine],
                     "marker": {"size": 9, "color": PALETTE[i % len(PALETTE)]},
                     "error_y": {"type": "data", "symmetric": False,
                                 "array": [_gap(p["ci_high"], p["delta"]) for p in mine],
                                 "arrayminus": [_gap(p["delta"], p["ci_low"]) for p in mine]}})
    return figure(data, x_title="evaluation run", y_title="delta (head − base)")


def _gap(high, low):
    return None if high is None or low is None else high - low
