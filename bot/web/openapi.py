"""GET /api/v1/openapi.json: the OpenAPI 3.1 document of the public read API and the badge endpoint.

Response schemas are strict (every key required, no undocumented keys), so a change in a response's shape
fails ``tests/web/test_openapi.py`` (schemathesis against this document) until the document says so too.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from bot.contributions import KINDS
from bot.metrics.activity import TYPES
from bot.metrics.spec import SPECS
from bot.web.badges import BADGES
from bot.web.health import DEFAULT_DAYS, MAX_DAYS

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
Schema = dict[str, Any]

INT: Schema = {"type": "integer", "minimum": 0}
NUM: Schema = {"type": "number"}
NUM_OR_NULL: Schema = {"type": ["number", "null"]}
INT_OR_NULL: Schema = {"type": ["integer", "null"], "minimum": 0}
TIME: Schema = {"type": "string", "format": "date-time"}
DAY: Schema = {"type": "string", "format": "date"}


def obj(properties: dict[str, Schema]) -> Schema:
    """An object with exactly these keys."""
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def each(keys, schema: Schema) -> Schema:
    return obj(dict.fromkeys(keys, schema))


RESPONSIVENESS = obj({"median_hours": NUM_OR_NULL, "p85_hours": NUM_OR_NULL, "n": INT,
                      "answered_within_48h_pct": NUM_OR_NULL, "waiting": INT, "eligible_48h": INT,
                      "oldest_waiting_hours": NUM_OR_NULL, "closed_unanswered": INT})
DURATION = obj({"median_hours": NUM_OR_NULL, "p85_hours": NUM_OR_NULL, "n": INT, "open": INT,
                "open_median_age_hours": NUM_OR_NULL, "closed_without": INT})
ACCEPTANCE = obj({"value": NUM_OR_NULL, "merged": INT, "closed_unmerged": INT, "n": INT})
ABSENCE = obj({"value": INT_OR_NULL, "n": INT, "people": INT})
WEEK = obj({"week": DAY, "count": INT, "partial": {"type": "boolean"}, "mean": NUM_OR_NULL, "lower": NUM_OR_NULL,
            "upper": NUM_OR_NULL, "flagged": {"type": ["boolean", "null"]}})

METRICS = obj({
    "time_to_first_response": each(("issues", "pull_requests", "discussions"), RESPONSIVENESS),
    "issue_response_time_by_cohort": each(("first_time", "returning"), obj({"median_hours": NUM_OR_NULL, "n": INT})),
    "change_request_closure_ratio": obj({
        "value": NUM_OR_NULL, "closed": INT, "opened": INT, "n": INT, "backlog_delta": {"type": "integer"},
        "open_backlog": INT, "bots": obj({"closed": INT, "opened": INT, "open_backlog": INT})}),
    "change_request_acceptance_ratio": obj({
        **ACCEPTANCE["properties"], "by_origin": each(("fork", "branch"), ACCEPTANCE),
        "by_author": each(("first_pr", "returning"), ACCEPTANCE),
        "bots": obj({"merged": INT, "closed_unmerged": INT})}),
    "time_to_merge": DURATION,
    "time_to_first_review": DURATION,
    "issue_age": obj({"lt_7d": INT, "d7_30": INT, "d30_90": INT, "gt_90d": INT, "median_days": NUM_OR_NULL, "n": INT,
                      "unanswered": INT, "unanswered_gt_90d": INT}),
    "active_contributors": obj({"value": INT, "last_28d": INT, "bots": INT}),
    "new_contributors": obj({"value": INT, "bots": INT}),
    "occasional_contributors": obj({"value": INT, "new": INT, "returning": INT, "prs": INT}),
    "inactive_contributors": obj({"active": INT, "drifting": INT, "away": INT}),
    "contributions_by_type": obj({
        **{t: obj({"count": INT, "people": INT}) for t in TYPES}, "n": INT,
        "bots": {"type": "object", "properties": {"n": INT, **{t: INT for t in TYPES}}, "required": ["n"],
                 "additionalProperties": False},
        "automation_share": {"type": ["number", "null"], "minimum": 0, "maximum": 1}}),
    "contributor_absence_factor": obj({"all": ABSENCE, "by_type": each(TYPES, ABSENCE), "bots": INT}),
    "elephant_factor": obj({"value": INT_OR_NULL, "affiliated_share": {"type": ["number", "null"]}, "n": INT,
                            "organisations": INT, "unaffiliated": INT,
                            "by_organisation": {"type": "array", "maxItems": 10, "items": obj(
                                {"organisation": {"type": "string"}, "count": INT})}}),
    "activity_heatmap": obj({"weekday_hour": {"type": "array", "minItems": 7, "maxItems": 7, "items": {
        "type": "array", "minItems": 24, "maxItems": 24, "items": INT}}, "n": INT, "bots": INT}),
    "burstiness": obj({"weeks": {"type": "array", "items": WEEK}, "n": INT, "bots": INT,
                       "by_type": each(TYPES, obj({"counts": {"type": "array", "items": INT},
                                                   "flagged": {"type": "array", "items": DAY}}))}),
    "conversion_funnel": obj({"d0": INT, "d1": INT, "d2": INT, "d1_rate": NUM_OR_NULL, "d2_rate": NUM_OR_NULL,
                              "n": INT, "direct": INT}),
})
HEALTH = obj({"repo": {"type": "string"}, "window_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
              "as_of": TIME, "window": obj({"start": TIME, "end": TIME}), "metrics": METRICS,
              "definitions": each(SPECS, obj({"version": {"type": "integer", "minimum": 1},
                                               "chaoss": {"type": "string"}}))})
CONTRIBUTORS = obj({
    "repo": {"type": "string"}, "window_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
    "as_of": TIME,
    "contributors": {"type": "array", "items": obj({
        "login": {"type": "string"}, "bot": {"type": "boolean"}, "total": {"type": "integer", "minimum": 1},
        "by_type": {"type": "object", "propertyNames": {"enum": list(TYPES)},
                    "additionalProperties": {"type": "integer", "minimum": 1}},
        "first_contribution": TIME, "last_seen": TIME})}})
ACTIVITY = obj({"repository": {"type": "string"}, "contributions": {"type": "array", "items": obj({
    "kind": {"enum": list(KINDS)}, "login": {"type": "string"}, "user_id": {"type": "integer"},
    "is_bot": {"type": "boolean"}, "occurred_at": TIME, "url": {"type": ["string", "null"]}})}})
SHIELDS = obj({"schemaVersion": {"const": 1}, "label": {"type": "string"}, "message": {"type": "string"},
               "color": {"type": "string"}})
ERROR = obj({"error": {"type": "string", "minLength": 1}})


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Schema]:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def _param(name: str, where: str, schema: Schema, description: str, **extra: Any) -> Schema:
    return {"name": name, "in": where, "required": where == "path", "schema": schema, "description": description,
            **extra}


REPO_PARAMS = [
    _param("owner", "path", {"type": "string"}, "repository owner", example="Codertocat"),
    _param("repo", "path", {"type": "string"}, "repository name", example="Hello-World"),
]
DAYS = _param("days", "query", {"type": "integer", "minimum": 1, "maximum": MAX_DAYS, "default": DEFAULT_DAYS},
              "window width: [now - days, now)")
FORMAT = _param("format", "query", {"enum": ["json", "csv"], "default": "json"}, "json, or csv for a spreadsheet")
CSV = {"text/csv": {"schema": {"type": "string"}}}


def document() -> Schema:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Steward public API", "version": "1",
                 "description": "Community-health metrics of public repositories (definitions: METRICS.md). "
                                "Private repositories are never listed: they answer 404 like unknown ones."},
        "paths": {
            "/api/v1/repos/{owner}/{repo}/health": {"get": {
                "operationId": "health", "summary": "every health metric over one window",
                "parameters": [*REPO_PARAMS, DAYS, FORMAT],
                "responses": {"200": {"description": "the metrics", "content": {
                    "application/json": {"schema": HEALTH}, **CSV}}, **_errors(400, 404)}}},
            "/api/v1/repos/{owner}/{repo}/contributors": {"get": {
                "operationId": "contributors", "summary": "people with typed contributions in the window",
                "parameters": [*REPO_PARAMS, DAYS, FORMAT],
                "responses": {"200": {"description": "the contributors", "content": {
                    "application/json": {"schema": CONTRIBUTORS}, **CSV}}, **_errors(400, 404)}}},
            "/api/v1/repos/{owner}/{repo}/activity": {"get": {
                "operationId": "activity", "summary": "the contribution ledger, newest first",
                "parameters": [*REPO_PARAMS,
                               _param("kind", "query", {"enum": ["", *KINDS]}, "only this ledger kind (empty: all)"),
                               _param("since", "query", {"anyOf": [TIME, {"const": ""}]},
                                      "only contributions at or after this time (empty: no bound)"),
                               _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 1000,
                                                         "default": 100}, "at most this many rows")],
                "responses": {"200": _json(ACTIVITY, "contributions"), **_errors(400, 404)}}},
            "/badge/{owner}/{repo}/{metric}.json": {"get": {
                "operationId": "badge_json", "summary": "a shields.io endpoint badge (90-day figure)",
                "parameters": [*REPO_PARAMS, _param("metric", "path", {"enum": list(BADGES)}, "the badge")],
                "responses": {"200": _json(SHIELDS, "shields.io endpoint schema"), **_errors(404)}}},
            "/badge/{owner}/{repo}/{metric}.svg": {"get": {
                "operationId": "badge_svg", "summary": "the badge as an SVG image (90-day figure)",
                "parameters": [*REPO_PARAMS, _param("metric", "path", {"enum": list(BADGES)}, "the badge")],
                "responses": {"200": {"description": "SVG", "content": {"image/svg+xml": {"schema": {
                    "type": "string"}}}}, **_errors(404)}}},
        },
        "components": {"responses": {
            "E400": _json(ERROR, "bad parameter: the reason is in `error`"),
            "E404": _json(ERROR, "unknown or private repository, or unknown badge"),
        }},
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
