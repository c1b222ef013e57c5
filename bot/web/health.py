"""Health API, public repositories only: GET /api/v1/repos/<owner>/<repo>/health?days=90[&format=csv]."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, request

from bot import runtime_of
from bot.metrics import figures
from bot.metrics.spec import SPECS
from bot.web.api import NAME, public_repository
from bot.web.export import csv_response, flatten, output_format

bp = Blueprint("health", __name__, url_prefix="/api/v1")
DEFAULT_DAYS = 90
MAX_DAYS = 3650
DAYS_ERROR = f"days must be a whole number from 1 to {MAX_DAYS} (default {DEFAULT_DAYS})"
FORMAT_ERROR = "format must be json or csv (default json)"


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _days(raw: str | None) -> int | None:
    if raw is None:
        return DEFAULT_DAYS
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_DAYS else None


def read_api_request(owner: str, repo: str) -> tuple[int, str] | tuple[Response, int]:
    """``(days, format)`` of a repository API request, or the JSON error answer (404 for a name GitHub would
    not accept, 400 with the reason for a bad parameter)."""
    if not (NAME.fullmatch(owner) and NAME.fullmatch(repo)):
        return jsonify(error=f"{owner}/{repo} is not a GitHub repository name"), 404
    days = _days(request.args.get("days"))
    if days is None:
        return jsonify(error=DAYS_ERROR), 400
    fmt = output_format(request.args.get("format"))
    if fmt is None:
        return jsonify(error=FORMAT_ERROR), 400
    return days, fmt


def unknown_repository(owner: str, repo: str) -> tuple[Response, int]:
    return jsonify(error=f"no public repository {owner}/{repo} is known to Steward"), 404


@bp.get("/repos/<owner>/<repo>/health")
def health(owner: str, repo: str):
    days, fmt = checked = read_api_request(owner, repo)
    if not isinstance(days, int):
        return checked
    runtime = runtime_of(current_app)
    with runtime.factory() as uow:
        repository = public_repository(uow, owner, repo)
        if repository is None:
            return unknown_repository(owner, repo)
    # Served while fresh (bot/metrics/figures.py), in its own sessions: this one's connection is back.
    window, metrics = figures.current(runtime.factory, repository.id, days, runtime.settings.metrics_fresh_s)
    if fmt == "csv":
        rows = ((metric, key, value) for metric, figure in metrics.items() for key, value in flatten(figure))
        return csv_response(("metric", "key", "value"), rows,
                            f"{repository.full_name.replace('/', '_')}_health_{days}d.csv")
    return jsonify(
        repo=repository.full_name, window_days=days, as_of=_iso(window.end),  # the contract
        window={"start": _iso(window.start), "end": _iso(window.end)},
        metrics=metrics,
        definitions={metric_id: spec.definition() for metric_id, spec in SPECS.items()},
    )
