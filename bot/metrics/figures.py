"""Every metric of the health API for one repository and window: the one function behind the health API, its
CSV and the repository page.

The metrics fall into independent groups (each one or a few SQL statements over its own rows); ``compute``
runs ``PARALLEL`` groups at once, each in its own session, so the database works on them side by side — at a
million ledger rows that halves the request on two cores (``benchmarks/dashboard.py``). Groups that read the
same rows fetch them once: the window's per-(kind, person) counts for M12–M14, its per-(kind, hour) counts
for both M15 figures. Under PostgreSQL's READ COMMITTED every statement already sees its own snapshot, so
sessions side by side change nothing a single session would have guaranteed.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.orm import Session, sessionmaker

from bot.metrics import activity, change_requests, funnel, people, risk
from bot.metrics.responsiveness import Window, issue_response_time_by_cohort, time_to_first_response

PARALLEL = 2
KEYS = ("time_to_first_response", "issue_response_time_by_cohort", "change_request_closure_ratio",
        "change_request_acceptance_ratio", "time_to_merge", "time_to_first_review", "issue_age",
        "active_contributors", "new_contributors", "occasional_contributors", "inactive_contributors",
        "contributions_by_type", "contributor_absence_factor", "elephant_factor", "activity_heatmap", "burstiness",
        "conversion_funnel")


def _groups(repo_id: int, window: Window) -> list[Callable[[Session], dict]]:
    """The independent groups, costliest first (so the pool starts them first)."""
    at = {"now": window.end, "days": window.days}

    def by_hour(uow: Session) -> dict:
        rows = activity.hourly(uow, repo_id, window)
        return {"activity_heatmap": activity.activity_heatmap(uow, repo_id, **at, rows=rows),
                "burstiness": activity.burstiness(uow, repo_id, **at, rows=rows)}

    def by_person(uow: Session) -> dict:
        rows = activity.per_kind_person(uow, repo_id, window)
        return {"contributions_by_type": activity.contributions_by_type(uow, repo_id, **at, rows=rows),
                "contributor_absence_factor": risk.contributor_absence_factor(uow, repo_id, **at, rows=rows),
                "elephant_factor": risk.elephant_factor(uow, repo_id, **at, rows=rows)}

    def responses(uow: Session) -> dict:
        ttfr = time_to_first_response(uow, repo_id, **at)
        return {"time_to_first_response": {k: v.as_dict() for k, v in ttfr.items()}}

    def cohorts(uow: Session) -> dict:
        figures = issue_response_time_by_cohort(uow, repo_id, **at)
        return {"issue_response_time_by_cohort": {k: v.as_dict() for k, v in figures.items()}}

    def pulls(uow: Session) -> dict:
        return {"change_request_closure_ratio": change_requests.change_request_closure_ratio(uow, repo_id, **at),
                "change_request_acceptance_ratio": change_requests.change_request_acceptance_ratio(uow, repo_id,
                                                                                                   **at),
                "time_to_merge": change_requests.time_to_merge(uow, repo_id, **at).as_dict(),
                "time_to_first_review": change_requests.time_to_first_review(uow, repo_id, **at).as_dict()}

    def contributors(uow: Session) -> dict:
        return {"active_contributors": people.active_contributors(uow, repo_id, **at),
                "new_contributors": people.new_contributors(uow, repo_id, **at),
                "occasional_contributors": people.occasional_contributors(uow, repo_id, **at),
                "inactive_contributors": people.inactive_contributors(uow, repo_id, now=window.end),
                "conversion_funnel": funnel.conversion_funnel(uow, repo_id, **at)}

    def issues(uow: Session) -> dict:
        return {"issue_age": change_requests.issue_age(uow, repo_id, now=window.end)}

    return [by_hour, by_person, responses, cohorts, pulls, contributors, issues]


def compute(factory: sessionmaker[Session], repo_id: int, window: Window) -> dict:
    """Every metric for the repository over ``window``, keyed and ordered as the health API documents."""
    def run(group: Callable[[Session], dict]) -> dict:
        with factory() as uow:
            return group(uow)

    with ThreadPoolExecutor(PARALLEL, thread_name_prefix="steward-metrics") as pool:
        parts = list(pool.map(run, _groups(repo_id, window)))
    merged = {key: value for part in parts for key, value in part.items()}
    return {key: merged[key] for key in KEYS}
