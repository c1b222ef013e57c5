"""Dashboard pages, public repositories only: /<owner>/<repo> (health), …/contributors, …/evaluations, the
metric definitions (/-/definitions) and the chart assets (/-/assets/…, plotly.js from the installed package).

The health page serves the repository's figures while at most ``metrics_fresh_s`` old (``bot/metrics/figures.py``);
the other pages compute from the database on each request. Pages carry a Content-Security-Policy that allows no
request to leave this server."""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import importlib.util
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request

from bot import runtime_of
from bot.db import now
from bot.metrics.contributors import contributors
from bot.metrics.figures import REFRESHED_DAYS
from bot.metrics.figures import current as current_figures
from bot.metrics.responsiveness import Window
from bot.metrics.spec import SPECS
from bot.web import charts
from bot.web.api import NAME, public_repository
from bot.web.eval_history import evaluation_history, evaluation_runs, latest_comment
from bot.web.health import DAYS_ERROR, _days
from bot.web.tiles import tiles

bp = Blueprint("pages", __name__)
STATIC = Path(__file__).with_name("static")
DAY_CHOICES = REFRESHED_DAYS  # the windows the clock keeps fresh
YEAR = 365 * 24 * 3600
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def secure(response: Response) -> Response:
    """Headers for every dashboard page: nothing is fetched from, framed by or referred to another origin."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


bp.after_request(secure)


@bp.app_template_filter("isotime")
def isotime(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


@bp.app_template_filter("utc")
def utc(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M UTC")


@cache
def plotly_js() -> Path:
    spec = importlib.util.find_spec("plotly")
    return Path(spec.submodule_search_locations[0]) / "package_data" / "plotly.min.js"


@cache
def assets() -> dict[str, str]:
    """Version strings for the asset URLs, so a long cache lifetime never serves a stale file."""
    steward = hashlib.sha256((STATIC / "steward.js").read_bytes()).hexdigest()[:12]
    return {"plotly": importlib.metadata.version("plotly"), "steward": steward}


@cache
def _asset_bytes(name: str, compressed: bool) -> bytes:
    raw = (plotly_js() if name == "plotly.min.js" else STATIC / name).read_bytes()
    return gzip.compress(raw, compresslevel=6, mtime=0) if compressed else raw


@bp.get("/-/assets/<any('plotly.min.js', 'steward.js'):name>")
def asset(name: str):
    """plotly.js from the installed plotly package and Steward's chart script, cached for a year (their URLs
    carry a version) and revalidated by ETag."""
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(_asset_bytes(name, compressed), mimetype="text/javascript")
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.vary.add("Accept-Encoding")
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/-/definitions")
def definitions():
    return render_template("dashboard/definitions.html", specs=list(SPECS.values()))


def error(status: int, title: str, message: str):
    return render_template("dashboard/error.html", title=title, message=message), status


def not_found(owner: str, repo: str):
    return error(404, "Not found", f"No public repository {owner}/{repo} is known to Steward.")


def _window():
    days = _days(request.args.get("days"))
    return None if days is None else Window.ending(now(), days)


def _bad_days():
    return error(400, "Bad request", DAYS_ERROR)


@bp.get("/<owner>/<repo>")
def repository_health(owner: str, repo: str):
    if not (NAME.fullmatch(owner) and NAME.fullmatch(repo)):
        return not_found(owner, repo)
    days = _days(request.args.get("days"))
    runtime = runtime_of(current_app)
    with runtime.factory() as uow:
        repository = public_repository(uow, owner, repo)
        if repository is None:
            return not_found(owner, repo)
        if days is None:
            return _bad_days()
    # Served while fresh (bot/metrics/figures.py), in its own sessions: this one's connection is back.
    window, metrics = current_figures(runtime.factory, repository.id, days, runtime.settings.metrics_fresh_s)
    figures = {
        "weekly": charts.weekly_activity(metrics["burstiness"]),
        "types": charts.by_type(metrics["contributions_by_type"]),
        "response": charts.response_times(metrics["time_to_first_response"]),
        "heatmap": charts.heatmap(metrics["activity_heatmap"]["weekday_hour"]),
        "age": charts.issue_age(metrics["issue_age"]),
        "people": charts.people_status(metrics["inactive_contributors"], metrics["conversion_funnel"]),
        "organisations": charts.organisations(metrics["elephant_factor"]),
    }
    return render_template(
        "dashboard/repo.html", repository=repository, days=window.days, day_choices=DAY_CHOICES,
        as_of=window.end, fresh_s=runtime.settings.metrics_fresh_s, metrics=metrics, tiles=tiles(metrics),
        figures=figures, assets=assets(),
        bursts=sum(1 for w in metrics["burstiness"]["weeks"] if w["flagged"]))


@bp.get("/<owner>/<repo>/contributors")
def repository_contributors(owner: str, repo: str):
    if not (NAME.fullmatch(owner) and NAME.fullmatch(repo)):
        return not_found(owner, repo)
    window = _window()
    with runtime_of(current_app).factory() as uow:
        repository = public_repository(uow, owner, repo)
        if repository is None:
            return not_found(owner, repo)
        if window is None:
            return _bad_days()
        rows = contributors(uow, repository.id, now=window.end, days=window.days)
    humans = [r for r in rows if not r.bot]
    return render_template(
        "dashboard/contributors.html", repository=repository, days=window.days, day_choices=DAY_CHOICES,
        as_of=window.end, humans=humans, bots=[r for r in rows if r.bot], assets=assets(),
        top_figure=charts.top_contributors(humans))


@bp.get("/<owner>/<repo>/evaluations")
def repository_evaluations(owner: str, repo: str):
    if not (NAME.fullmatch(owner) and NAME.fullmatch(repo)):
        return not_found(owner, repo)
    at = now()
    with runtime_of(current_app).factory() as uow:
        repository = public_repository(uow, owner, repo)
        if repository is None:
            return not_found(owner, repo)
        runs = evaluation_runs(uow, repository.id)
        history = [] if not runs else evaluation_history(runs)
        for series in history:
            series["figure"] = charts.evaluation_history(series["points"])
        comment = latest_comment(uow, repository.full_name)
        return render_template("dashboard/evaluations.html", repository=repository, runs=runs,
                               history=history, comment=comment, as_of=at, assets=assets())
