"""POST /api/github/webhooks: size cap, signature, headers, JSON, durable store, then 2xx."""

from __future__ import annotations

import hashlib
import hmac
import logging
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Blueprint, current_app, jsonify, request

from bot import runtime_of
from bot.inbox import BadDelivery, NewDelivery
from bot.intake import StorageError

bp = Blueprint("webhooks", __name__)
log = logging.getLogger(__name__)


def signature_for(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _error(status: int, message: str):
    return jsonify(error=message), status


@bp.post("/api/github/webhooks")
def receive():
    runtime = runtime_of(current_app)
    settings = runtime.settings
    length = request.content_length
    if length is not None and length > settings.max_body_bytes:
        return _error(413, f"payload over {settings.max_body_bytes} bytes")
    secret = settings.webhook_secret
    if secret is None and not settings.insecure_dev:
        return _error(503, "no webhook secret configured: set GITHUB_WEBHOOK_SECRET (or run the "
                           "/setup flow); STEWARD_INSECURE_DEV=1 accepts unsigned deliveries for local tests")
    body = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH (chunked bodies too)
    if secret is not None:
        given = request.headers.get("X-Hub-Signature-256", "")
        if not hmac.compare_digest(given.encode(), signature_for(secret, body).encode()):
            return _error(401, "missing or invalid X-Hub-Signature-256")
    try:
        item = NewDelivery.parse(request.headers.get("X-GitHub-Delivery"),
                                 request.headers.get("X-GitHub-Event"), body)
        pk = runtime.receive(item)
    except BadDelivery as exc:
        return _error(400, str(exc))
    except (StorageError, FutureTimeout):
        return _error(503, "could not store the delivery; GitHub can redeliver it")
    if pk is None:
        return jsonify(status="duplicate", delivery=item.delivery_id), 200
    return jsonify(status="accepted", delivery=item.delivery_id), 202
