"""Health API, public repositories only: GET /api/v1/repos/<owner>/<repo>/health?days=90."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, jsonify, request

from bot import runtime_of
from bot.db import now
from bot.metrics import activity, change_requests, funnel, people, risk
from bot.metrics.responsiveness import Window, issue_response_time_by_cohort, time_to_first_response
from bot.metrics.spec import SPECS
from bot.web.api import NAME, public_repository

bp = Blueprint("health", __name__, url_prefix="/api/v1")
DEFAULT_DAYS = 90
MAX_DAYS = 3650


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _days(raw: str | None) -> int | None:
    if raw is None:
        return DEFAULT_DAYS
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_DAYS else None


@bp.get("/repos/<owner>/<repo>/health")
def health(owner: str, repo: str):
    if not (NAME.fullmatch(owner) and NAME.fullmatch(repo)):
        return jsonify(error=f"{owner}/{repo} is not a GitHub repository name"), 404
    days = _days(request.args.get("days"))
    if days is None:
        return jsonify(error=f"days must be a whole number from 1 to {MAX_DAYS} (default {DEFAULT_DAYS})"), 400
    window = Window.ending(now(), days)
    with runtime_of(current_app).factory() as uow:
        repository = public_repository(uow, owner, repo)
        if repository is None:
            return jsonify(error=f"no public repository {owner}/{repo} is known to Steward"), 404
        ttfr = time_to_first_response(uow, repository.id, now=window.end, days=days)
        cohorts = issue_response_time_by_cohort(uow, repository.id, now=window.end, days=days)
        at = {"now": window.end, "days": days}
        more = {
            "change_request_closure_ratio": change_requests.change_request_closure_ratio(uow, repository.id, **at),
            "change_request_acceptance_ratio": change_requests.change_request_acceptance_ratio(
                uow, repository.id, **at),
            "time_to_merge": change_requests.time_to_merge(uow, repository.id, **at).as_dict(),
            "time_to_first_review": change_requests.time_to_first_review(uow, repository.id, **at).as_dict(),
            "issue_age": change_requests.issue_age(uow, repository.id, now=window.end),
            "active_contributors": people.active_contributors(uow, repository.id, **at),
            "new_contributors": people.new_contributors(uow, repository.id, **at),
            "occasional_contributors": people.occasional_contributors(uow, repository.id, **at),
            "inactive_contributors": people.inactive_contributors(uow, repository.id, now=window.end),
            "contributions_by_type": activity.contributions_by_type(uow, repository.id, **at),
            "contributor_absence_factor": risk.contributor_absence_factor(uow, repository.id, **at),
            "elephant_factor": risk.elephant_factor(uow, repository.id, **at),
            "activity_heatmap": activity.activity_heatmap(uow, repository.id, **at),
            "burstiness": activity.burstiness(uow, repository.id, **at),
            "conversion_funnel": funnel.conversion_funnel(uow, repository.id, **at),
        }
    return jsonify(
        repo=repository.full_name, window_days=days, as_of=_iso(window.end),  # the issue's contract
        window={"start": _iso(window.start), "end": _iso(window.end)},
        metrics={
            "time_to_first_response": {k: v.as_dict() for k, v in ttfr.items()},
            "issue_response_time_by_cohort": {k: v.as_dict() for k, v in cohorts.items()},
            **more,
        },
        definitions={metric_id: spec.definition() for metric_id, spec in SPECS.items()},
    )
