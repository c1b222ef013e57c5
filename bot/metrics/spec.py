"""One frozen, versioned ``MetricSpec`` per implemented metric (METRICS.md §0). Bump ``version`` whenever
a definition changes, so a stored or exported figure always names the rule that produced it."""

from __future__ import annotations

from dataclasses import dataclass

MIN_N = 10  # METRICS.md §1: below this many samples a figure is "insufficient data"


@dataclass(frozen=True)
class MetricSpec:
    id: str
    version: int
    title: str
    chaoss: str  # the CHAOSS definition this metric follows
    population: str
    events: tuple[str, ...]
    window: str  # the window and the timestamp that places an item in it
    aggregate: str
    min_n: int = MIN_N
    chart: str = ""

    def definition(self) -> dict:
        return {"version": self.version, "chaoss": self.chaoss}


TIME_TO_FIRST_RESPONSE = MetricSpec(
    id="time_to_first_response",
    version=1,
    title="Time to First Response",
    chaoss="https://chaoss.community/kb/metric-time-to-first-response/",
    population="issues, pull requests and discussions whose author is human",
    events=("issue_comment.created", "pull_request_review.submitted", "pull_request_review_comment.created",
            "discussion_comment.created"),
    window="[now - days, now), by the item's created_at",
    aggregate="float hours from created_at to the first response by a human non-author: nearest-rank median "
              "and p85 over answered items; SLA % = answered within 48 h / items created >= 48 h before now; "
              "unanswered items are censored and reported as waiting (open) or closed_unanswered",
    chart="weekly median line with p85 band; KPI tile (median, n); SLA gauge",
)

ISSUE_RESPONSE_TIME_BY_COHORT = MetricSpec(
    id="issue_response_time_by_cohort",
    version=1,
    title="Issue Response Time by opener cohort",
    chaoss="https://chaoss.community/kb/metric-issue-response-time/",
    population="issues whose author is human, split into first-time openers (no earlier contribution of any "
               "type in the repository before the issue's created_at) and returning openers",
    events=TIME_TO_FIRST_RESPONSE.events,
    window=TIME_TO_FIRST_RESPONSE.window,
    aggregate="nearest-rank median of float hours to the first response by a human non-author, answered issues "
              "only",
    chart="small multiples",
)

SPECS: dict[str, MetricSpec] = {s.id: s for s in (TIME_TO_FIRST_RESPONSE, ISSUE_RESPONSE_TIME_BY_COHORT)}
