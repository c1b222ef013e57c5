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
    for blueprint in (home.bp, webhooks.bp, api.bp, health.bp, ops.bp, manifest.bp):
        app.register_blueprint(blueprint)
    if settings.webhook_secret is None and settings.insecure_dev:
        log.warning("INSECURE DEV MODE: webhook signatures are NOT verified. Never expose this server.")
    return app


def runtime_of(app: Flask) -> Runtime:
    return app.extensions["steward"]
