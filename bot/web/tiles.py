"""KPI tiles for the repository page: one per metric of the health API, each naming its sample ``n`` and
linking to its written definition. A figure withheld below ``min_n`` reads "insufficient data"."""

from __future__ import annotations

from dataclasses import dataclass

from bot.metrics.spec import SPECS

INSUFFICIENT = "insufficient data"


@dataclass(frozen=True)
class Tile:
    id: str
    title: str
    value: str
    detail: str
    n: int | None  # the sample behind the value; None for exact counts of people at a moment
    insufficient: bool = False


def hours(h: float | None) -> str:
    if h is None:
        return INSUFFICIENT
    return f"{h / 24:.1f} d" if h >= 48 else f"{h:.1f} h"


def ratio(value: float | None) -> str:
    return INSUFFICIENT if value is None else f"{100 * value:.0f}%"


def _tile(metric_id: str, value: str, detail: str, n: int | None) -> Tile:
    return Tile(metric_id, SPECS[metric_id].title, value, detail, n, insufficient=value == INSUFFICIENT)


def tiles(m: dict) -> list[Tile]:
    ttfr = m["time_to_first_response"]
    cohort = m["issue_response_time_by_cohort"]
    closure, accept = m["change_request_closure_ratio"], m["change_request_acceptance_ratio"]
    merge, review, age = m["time_to_merge"], m["time_to_first_review"], m["issue_age"]
    inactive, occasional = m["inactive_contributors"], m["occasional_contributors"]
    types, absence, elephant = m["contributions_by_type"], m["contributor_absence_factor"], m["elephant_factor"]
    heat, burst, funnel = m["activity_heatmap"], m["burstiness"], m["conversion_funnel"]
    share = types["automation_share"]
    flagged = sum(1 for w in burst["weeks"] if w["flagged"])
    return [
        _tile("time_to_first_response", hours(ttfr["issues"]["median_hours"]),
              f"issues, median; PRs {hours(ttfr['pull_requests']['median_hours'])}, discussions "
              f"{hours(ttfr['discussions']['median_hours'])}; {ttfr['issues']['waiting']} issues waiting",
              ttfr["issues"]["n"]),
        _tile("issue_response_time_by_cohort", hours(cohort["first_time"]["median_hours"]),
              f"first-time openers, median; returning {hours(cohort['returning']['median_hours'])} "
              f"(n = {cohort['returning']['n']})", cohort["first_time"]["n"]),
        _tile("change_request_closure_ratio",
              INSUFFICIENT if closure["value"] is None else f"{closure['value']:.2f}",
              f"{closure['closed']} closed / {closure['opened']} opened; backlog delta {closure['backlog_delta']:+d}",
              closure["n"]),
        _tile("change_request_acceptance_ratio", ratio(accept["value"]),
              f"{accept['merged']} merged, {accept['closed_unmerged']} closed unmerged", accept["n"]),
        _tile("time_to_merge", hours(merge["median_hours"]), f"median; p85 {hours(merge['p85_hours'])}; "
              f"{merge['open']} open", merge["n"]),
        _tile("time_to_first_review", hours(review["median_hours"]), f"median; p85 {hours(review['p85_hours'])}; "
              f"{review['open']} waiting", review["n"]),
        _tile("issue_age", INSUFFICIENT if age["median_days"] is None else f"{age['median_days']:.1f} d",
              f"median age of open issues; {age['gt_90d']} older than 90 d", age["n"]),
        _tile("active_contributors", str(m["active_contributors"]["value"]),
              f"people; {m['active_contributors']['last_28d']} in the last 28 d", None),
        _tile("new_contributors", str(m["new_contributors"]["value"]), "first contribution in the window", None),
        _tile("occasional_contributors", str(occasional["value"]),
              f"{occasional['new']} new, {occasional['returning']} returning", None),
        _tile("inactive_contributors", str(inactive["drifting"]),
              f"drifting; {inactive['active']} active, {inactive['away']} away", None),
        _tile("contributions_by_type", str(types["n"]),
              "human contributions; automation share " + ("n/a" if share is None else f"{100 * share:.0f}%"),
              types["n"]),
        _tile("contributor_absence_factor",
              "no data" if absence["all"]["value"] is None else str(absence["all"]["value"]),
              f"people behind half of all contributions ({absence['all']['people']} people)", absence["all"]["n"]),
        _tile("elephant_factor", "unknown" if elephant["value"] is None else str(elephant["value"]),
              "affiliated share " + ("n/a" if elephant["affiliated_share"] is None
                                     else f"{100 * elephant['affiliated_share']:.0f}%"), elephant["n"]),
        _tile("activity_heatmap", str(heat["n"]), "human contributions by UTC weekday and hour", heat["n"]),
        _tile("burstiness", str(flagged), f"weeks outside the band; {burst['n']} contributions", burst["n"]),
        _tile("conversion_funnel", ratio(funnel["d1_rate"]),
              f"D0 {funnel['d0']} → D1 {funnel['d1']} → D2 {funnel['d2']}", funnel["n"]),
    ]
