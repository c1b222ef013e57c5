"""Badges for public repositories: /badge/<owner>/<repo>/<metric>.svg and a shields.io endpoint (.json).

Each badge shows one 90-day figure exactly as the health API computes it (the figure's sample below the
metric's ``min_n`` reads "insufficient data"). The SVG is rendered here, every text escaped; both forms are
cacheable for ``MAX_AGE`` seconds. Unknown or private repositories and unknown metrics are 404 (JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, jsonify
from markupsafe import escape

from bot import runtime_of
from bot.db import now
from bot.metrics import change_requests, people
from bot.metrics.responsiveness import time_to_first_response
from bot.web.api import NAME, public_repository

bp = Blueprint("badges", __name__, url_prefix="/badge")
DAYS = 90
MAX_AGE = 300  # seconds: a badge is a 90-day figure, five minutes stale is fine and spares the database
NO_DATA = "insufficient data"
GREY = "lightgrey"


@dataclass(frozen=True)
class Badge:
    label: str
    message: str
    color: str  # a shields.io colour name


def _hours(value: float) -> str:
    if value < 1:
        return f"{round(value * 60)} min"
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} d"


def _grade(value: float, good: float, fair: float, *, lower_is_better: bool = True) -> str:
    if not lower_is_better:
        value, good, fair = -value, -good, -fair
    return "brightgreen" if value <= good else "yellow" if value <= fair else "orange"


def _first_response(uow, repo_id: int) -> Badge:
    figure = time_to_first_response(uow, repo_id, now=now(), days=DAYS)["issues"]
    if figure.median_hours is None:
        return Badge("first response", NO_DATA, GREY)
    return Badge("first response", _hours(figure.median_hours), _grade(figure.median_hours, 24, 72))


def _time_to_merge(uow, repo_id: int) -> Badge:
    figure = change_requests.time_to_merge(uow, repo_id, now=now(), days=DAYS)
    if figure.median_hours is None:
        return Badge("time to merge", NO_DATA, GREY)
    return Badge("time to merge", _hours(figure.median_hours), _grade(figure.median_hours, 48, 168))


def _closure(uow, repo_id: int) -> Badge:
    figure = change_requests.change_request_closure_ratio(uow, repo_id, now=now(), days=DAYS)
    if figure["value"] is None:
        return Badge("PR closure ratio", NO_DATA, GREY)
    return Badge("PR closure ratio", f"{figure['value']:.2f}",
                 _grade(figure["value"], 0.9, 0.7, lower_is_better=False))


def _acceptance(uow, repo_id: int) -> Badge:
    figure = change_requests.change_request_acceptance_ratio(uow, repo_id, now=now(), days=DAYS)
    if figure["value"] is None:
        return Badge("PR acceptance", NO_DATA, GREY)
    return Badge("PR acceptance", f"{round(100 * figure['value'])}%", "blue")


def _active(uow, repo_id: int) -> Badge:
    return Badge("active contributors", str(people.active_contributors(uow, repo_id, now=now(), days=DAYS)["value"]),
                 "blue")


def _new(uow, repo_id: int) -> Badge:
    return Badge("new contributors", str(people.new_contributors(uow, repo_id, now=now(), days=DAYS)["value"]), "blue")


BADGES: dict[str, Callable[..., Badge]] = {
    "time_to_first_response": _first_response,
    "time_to_merge": _time_to_merge,
    "change_request_closure_ratio": _closure,
    "change_request_acceptance_ratio": _acceptance,
    "active_contributors": _active,
    "new_contributors": _new,
}
COLORS = {"brightgreen": "#4c1", "yellow": "#dfb317", "orange": "#fe7d37", "blue": "#007ec6", GREY: "#9f9f9f"}


def _width(text: str) -> int:
    """Approximate rendered width of Verdana 11px text, plus padding (as shields.io's flat style)."""
    narrow = sum(1 for ch in text if ch in "fijlrt ,.:;'|!()[]")
    return round(7 * (len(text) - narrow) + 4 * narrow) + 10


def render_svg(badge: Badge) -> str:
    left, right = _width(badge.label), _width(badge.message)
    label, message = escape(badge.label), escape(badge.message)
    color = COLORS[badge.color]
    total = left + right
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{label}: {message}"><title>{label}: {message}</title>'
        f'<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        f'<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{color}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2}" y="14">{label}</text><text x="{left + right / 2}" y="14">{message}</text></g></svg>'
    )


def _badge(owner: str, repo: str, metric: str) -> Badge | tuple[Response, int]:
    if not (NAME.fullmatch(owner) and NAME.fullmatch(repo)):
        return jsonify(error=f"{owner}/{repo} is not a GitHub repository name"), 404
    compute = BADGES.get(metric)
    if compute is None:
        return jsonify(error=f"no badge {metric!r}; one of: {', '.join(BADGES)}"), 404
    with runtime_of(current_app).factory() as uow:
        repository = public_repository(uow, owner, repo)
        if repository is None:
            return jsonify(error=f"no public repository {owner}/{repo} is known to Steward"), 404
        return compute(uow, repository.id)


def _cached(response: Response) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


@bp.get("/<owner>/<repo>/<metric>.svg")
def svg(owner: str, repo: str, metric: str):
    badge = _badge(owner, repo, metric)
    if not isinstance(badge, Badge):
        return badge
    response = Response(render_svg(badge), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return _cached(response)


@bp.get("/<owner>/<repo>/<metric>.json")
def shields(owner: str, repo: str, metric: str):
    """shields.io's endpoint schema: https://shields.io/badges/endpoint-badge."""
    badge = _badge(owner, repo, metric)
    if not isinstance(badge, Badge):
        return badge
    return _cached(jsonify(schemaVersion=1, label=badge.label, message=badge.message, color=badge.color))
