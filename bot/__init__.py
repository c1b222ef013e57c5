"""Steward: a GitHub App for an open-source LLM project's community."""

from __future__ import annotations

import logging

from flask import Flask

from bot.runtime import Runtime
from bot.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None,
               inline_dispatch: bool = True) -> Flask:
    """Build the WSGI app. Starts no threads: intake starts on the first delivery, the clock in ``serve``."""
    from bot.web import api, health, home, manifest, ops, webhooks

    settings = settings or (runtime.settings if runtime else Settings.from_env())
    runtime = runtime or Runtime.build(settings, inline_dispatch=inline_dispatch)
    app = Flask(__name__, template_folder="../templates")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["steward"] = runtime
    for blueprint in (home.bp, api.bp, health.bp, ops.bp, manifest.bp):
        app.register_blueprint(blueprint)
    from bot.web import metrics  # GET /metrics (Prometheus text format, from the database)

    app.register_blueprint(metrics.bp)
    from bot.web import contributors, pages  # dashboard pages, chart assets, contributors API

    app.register_blueprint(contributors.bp)
    app.register_blueprint(pages.bp)
    from bot.web import badges, openapi  # badges and the OpenAPI document (dashboard operations)

    app.register_blueprint(badges.bp)
    app.register_blueprint(openapi.bp)
    app.jinja_env.globals["is_demo"] = settings.demo  # templates show a "demo data" banner when true
    if settings.demo:
        from bot.demo import label_responses

        label_responses(app)
    app.wsgi_app = webhooks.Webhooks(runtime, app.wsgi_app)  # type: ignore[method-assign]  # the hot path
    if settings.webhook_secret is None and settings.insecure_dev:
        log.warning("INSECURE DEV MODE: webhook signatures are NOT verified. Never expose this server.")
    return app


def runtime_of(app: Flask) -> Runtime:
    return app.extensions["steward"]
