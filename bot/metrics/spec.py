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

CHANGE_REQUEST_CLOSURE_RATIO = MetricSpec(
    id="change_request_closure_ratio",
    version=1,
    title="Change Request Closure Ratio",
    chaoss="https://chaoss.community/kb/metric-change-request-closure-ratio/",
    population="pull requests whose author is human (bot PRs are a separate series)",
    events=("pull_request.opened", "pull_request.closed", "pull_request.reopened"),
    window="[now - days, now): opened by created_at, closed by the final closed_at (merged or not)",
    aggregate="closed in window / opened in window (n = opened; opened = 0 -> n/a); backlog delta = opened - "
              "closed; open backlog = human PRs open at now",
    chart="paired weekly bars (opened vs closed) plus a ratio line; KPI = 90-d ratio",
)

CHANGE_REQUEST_ACCEPTANCE_RATIO = MetricSpec(
    id="change_request_acceptance_ratio",
    version=1,
    title="Change Request Acceptance Ratio",
    chaoss="https://chaoss.community/kb/metric-change-request-acceptance-ratio/",
    population="pull requests whose author is human and whose final close is in the window",
    events=("pull_request.closed",),
    window="[now - days, now), by the final closed_at",
    aggregate="merged / (merged + closed unmerged), n = merged + closed unmerged; splits by origin (fork when "
              "head.repo is null or another repository) and by author (first PR in the repository vs returning)",
    chart="monthly stacked bars (accepted, declined) plus a ratio line",
)

TIME_TO_MERGE = MetricSpec(
    id="time_to_merge",
    version=1,
    title="Time to Merge",
    chaoss="https://chaoss.community/kb/metric-change-requests-duration/",
    population="pull requests whose author is human, created in the window",
    events=("pull_request.opened", "pull_request.closed"),
    window="[now - days, now), by the PR's created_at",
    aggregate="float hours merged_at - created_at over PRs merged before now: nearest-rank median and p85; "
              "open and closed-unmerged PRs are censored and reported beside it",
    chart="p50 and p85 lines",
)

TIME_TO_FIRST_REVIEW = MetricSpec(
    id="time_to_first_review",
    version=1,
    title="Time to First Review",
    chaoss="https://chaoss.community/kb/metric-review-cycle-duration-within-a-change-request/",
    population="pull requests whose author is human, created in the window",
    events=("pull_request.opened", "pull_request_review.submitted"),
    window="[now - days, now), by the PR's created_at",
    aggregate="float hours from created_at to the first submitted (non-pending) review by a human non-author "
              "before now: nearest-rank median and p85; unreviewed PRs are censored (open = waiting, closed)",
    chart="p50 and p85 lines",
)

ISSUE_AGE = MetricSpec(
    id="issue_age",
    version=1,
    title="Issue Age",
    chaoss="https://chaoss.community/kb/metric-issue-age/",
    population="issues whose author is human, open at now",
    events=("issues.opened", "issues.closed", "issues.reopened", "issues.deleted"),
    window="the state at now (not the rolling window)",
    aggregate="age = now - created_at in float days; buckets [0, 7), [7, 30), [30, 90), [90, inf) days; "
              "nearest-rank median age; counts never answered by a human non-author, and those older than 90 d",
    chart="stacked area by age bucket; median line",
)

_LEDGER = ("contributions of any ledger kind except star and fork (M11's D0 events), by occurred_at",)
_PEOPLE = "people (GitHub numeric ids) whose account is human and not the ghost placeholder; bots counted apart"

ACTIVE_CONTRIBUTORS = MetricSpec(
    id="active_contributors",
    version=1,
    title="Contributors (active)",
    chaoss="https://chaoss.community/kb/metric-contributors/",
    population=_PEOPLE,
    events=_LEDGER,
    window="[now - days, now) for value; [now - 28 d, now) for last_28d; by occurred_at",
    aggregate="distinct people with >= 1 contribution in the window (an exact count: no min_n)",
    chart="weekly line of 28-day actives",
)

NEW_CONTRIBUTORS = MetricSpec(
    id="new_contributors",
    version=1,
    title="New Contributors",
    chaoss="https://chaoss.community/kb/metric-new-contributors/",
    population=_PEOPLE,
    events=_LEDGER,
    window="[now - days, now), by the person's first-ever contribution to the repository",
    aggregate="distinct people whose first contribution falls in the window (an exact count: no min_n)",
    chart="monthly bars plus table",
)

OCCASIONAL_CONTRIBUTORS = MetricSpec(
    id="occasional_contributors",
    version=1,
    title="Occasional Contributors",
    chaoss="https://chaoss.community/kb/metric-occasional-contributors/",
    population=_PEOPLE,
    events=("pull_request.opened (ledger kind pr_opened)",),
    window="P = [now - days, now); the 3 calendar months before P's start, computed in Python",
    aggregate="people with >= 1 PR in P, none in the 3 calendar months before P and <= 12 before P; split into "
              "new (no PR before P) and returning; prs = their PRs in P",
    chart="stacked monthly bars",
)

INACTIVE_CONTRIBUTORS = MetricSpec(
    id="inactive_contributors",
    version=1,
    title="Inactive Contributors",
    chaoss="https://chaoss.community/kb/metric-inactive-contributors/",
    population=_PEOPLE,
    events=_LEDGER,
    window="the state at now, with fixed 90-day intervals (not the rolling window)",
    aggregate="active: >= 1 in [now - 90 d, now); drifting: none then, >= 1 in [now - 180 d, now - 90 d) and "
              ">= 5 before now; away: contributed before now, neither",
    chart="monthly stacked bars plus a drifting list",
)

_TYPED = ("ledger kinds mapped to a CHAOSS type (bot/metrics/activity.py KIND_TYPES), by occurred_at",)

CONTRIBUTIONS_BY_TYPE = MetricSpec(
    id="contributions_by_type",
    version=1,
    title="Types of Contributions",
    chaoss="https://chaoss.community/kb/metric-types-of-contributions/",
    population="contributions by human accounts (the ghost placeholder counts in count, never in people); bot "
               "contributions counted apart",
    events=_TYPED,
    window="[now - days, now), by occurred_at",
    aggregate="per type (code, docs, eval, review, triage, issue, discussion, qa_answer): contributions and "
              "distinct people; automation share = bot / all typed contributions (exact counts: no min_n)",
    chart="stacked area by type; per-person type badges",
)

CONTRIBUTOR_ABSENCE_FACTOR = MetricSpec(
    id="contributor_absence_factor",
    version=1,
    title="Contributor Absence Factor",
    chaoss="https://chaoss.community/kb/metric-contributor-absence-factor/",
    population=_PEOPLE,
    events=_TYPED,
    window="[now - days, now), by occurred_at",
    aggregate="people sorted by contributions descending (ties: id ascending); the smallest k whose cumulative "
              "sum is strictly greater than 50% of the total; total 0 -> null (no data); per type and for all",
    chart="KPI number plus Pareto chart",
)

ELEPHANT_FACTOR = MetricSpec(
    id="elephant_factor",
    version=1,
    title="Elephant Factor",
    chaoss="https://chaoss.community/kb/metric-elephant-factor/",
    population="human typed contributions, each belonging to its author's affiliation valid at its timestamp",
    events=_TYPED,
    window="[now - days, now), by occurred_at",
    aggregate="the absence-factor algorithm over organisations, unaffiliated contributions left out; shown only "
              "when affiliated_share >= 0.8, else null (unknown); organisation names compare case-insensitively; "
              "affiliations are set by the person (/affiliation) or a maintainer (steward people affiliate)",
    chart="KPI plus stacked shares",
)

ACTIVITY_HEATMAP = MetricSpec(
    id="activity_heatmap",
    version=1,
    title="Activity Dates and Times",
    chaoss="https://chaoss.community/kb/metric-activity-dates-and-times/",
    population="contributions by human accounts; bot contributions counted apart",
    events=_TYPED,
    window="[now - days, now), by occurred_at",
    aggregate="counts per UTC weekday (Monday first) x hour",
    chart="heatmap",
)

BURSTINESS = MetricSpec(
    id="burstiness",
    version=1,
    title="Burstiness",
    chaoss="https://chaoss.community/kb/metric-burstiness/",
    population="contributions by human accounts; bot contributions counted apart",
    events=_TYPED,
    window="ISO weeks (Monday 00:00 UTC) overlapping [now - days, now), each counted over the whole week before "
           "now; the current week is partial",
    aggregate="weekly counts, all types and per type; a week is flagged outside mean +- 2 sigma (population, "
              "inclusive band) of the 8 preceding weeks (weeks before the first contribution are no history); a "
              "partial week is flagged only above the band",
    chart="line with Bollinger band and markers",
)

CONVERSION_FUNNEL = MetricSpec(
    id="conversion_funnel",
    version=1,
    title="Conversion Rate",
    chaoss="https://chaoss.community/kb/metric-conversion-rate/",
    population=_PEOPLE,
    events=("star.created, fork (D0)", "issue, discussion or review contributions (D1)", "pull_request merged (D2)"),
    window="cohort = people whose first-ever star or fork is in [now - days, now); progress measured at now",
    aggregate="d0 = cohort; d1 = of them, with a D1 contribution at or after their first D0; d2 = of d1, with an "
              "authored PR merged at or after it; d1_rate = d1 / d0, d2_rate = d2 / d1 (null below min_n); "
              "direct = first D1 in the window with no earlier D0",
    chart="funnel per cohort",
)

SPECS: dict[str, MetricSpec] = {s.id: s for s in (
    TIME_TO_FIRST_RESPONSE, ISSUE_RESPONSE_TIME_BY_COHORT, CHANGE_REQUEST_CLOSURE_RATIO,
    CHANGE_REQUEST_ACCEPTANCE_RATIO, TIME_TO_MERGE, TIME_TO_FIRST_REVIEW, ISSUE_AGE, ACTIVE_CONTRIBUTORS,
    NEW_CONTRIBUTORS, OCCASIONAL_CONTRIBUTORS, INACTIVE_CONTRIBUTORS, CONTRIBUTIONS_BY_TYPE,
    CONTRIBUTOR_ABSENCE_FACTOR, ELEPHANT_FACTOR, ACTIVITY_HEATMAP, BURSTINESS,
    CONVERSION_FUNNEL,
)}
