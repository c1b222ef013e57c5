"""/healthz (the process is up) and /readyz (database reachable, migrations at head)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from bot import migrate, runtime_of

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    runtime = runtime_of(current_app)
    checks: dict[str, str] = {}
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        checks["migrations"] = "ok" if migrate.at_head(runtime.engine) else "not at head: run `steward db upgrade`"
    except Exception as exc:  # report, never crash: this endpoint exists to say what is wrong
        checks["database"] = f"unreachable: {type(exc).__name__}"
    checks["webhook_secret"] = "ok" if runtime.settings.webhook_secret else (
        "insecure dev mode" if runtime.settings.insecure_dev else "missing: set GITHUB_WEBHOOK_SECRET")
    checks["github_app"] = ("ok" if runtime.settings.app_configured
                            else "not configured (dry run): register one at /setup")
    ready = checks["database"] == "ok" and checks.get("migrations") == "ok"
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
