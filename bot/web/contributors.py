"""Contributors API, public repositories only: GET /api/v1/repos/<owner>/<repo>/contributors?days=90[&format=csv].

People who opted out of named lists are listed as "anonymous contributor" (counted, never named)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from bot import runtime_of
from bot.db import now
from bot.metrics.activity import TYPES
from bot.metrics.contributors import ContributorRow, contributors
from bot.metrics.responsiveness import Window
from bot.web.api import public_repository
from bot.web.export import csv_response
from bot.web.health import _iso, read_api_request, unknown_repository

bp = Blueprint("contributors", __name__, url_prefix="/api/v1")


def as_json(row: ContributorRow) -> dict:
    return {"login": row.login, "bot": row.bot, "total": row.total, "by_type": row.by_type,
            "first_contribution": _iso(row.first_contribution), "last_seen": _iso(row.last_seen)}


@bp.get("/repos/<owner>/<repo>/contributors")
def contributors_api(owner: str, repo: str):
    days, fmt = checked = read_api_request(owner, repo)
    if not isinstance(days, int):
        return checked
    window = Window.ending(now(), days)
    with runtime_of(current_app).factory() as uow:
        repository = public_repository(uow, owner, repo)
        if repository is None:
            return unknown_repository(owner, repo)
        rows = contributors(uow, repository.id, now=window.end, days=days)
    if fmt == "csv":
        return csv_response(
            ("login", "bot", "total", *TYPES, "first_contribution", "last_seen"),
            ((r.login, r.bot, r.total, *(r.by_type.get(t, 0) for t in TYPES), _iso(r.first_contribution),
              _iso(r.last_seen)) for r in rows),
            f"{repository.full_name.replace('/', '_')}_contributors_{days}d.csv")
    return jsonify(repo=repository.full_name, window_days=days, as_of=_iso(window.end),
                   contributors=[as_json(r) for r in rows])
