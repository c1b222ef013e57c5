"""POST /api/github/webhooks: size cap, signature, headers, JSON, durable store, then 2xx.

Every delivery GitHub sends comes through here, so this one path is a plain WSGI application in front
of Flask (``Webhooks``, installed by ``create_app``): no request context, URL map or response object per
delivery, only werkzeug's bounded input stream and orjson. Flask's machinery was ~120 µs of the web
server's ~640 µs of CPU per delivery (docs/ARCHITECTURE.md). Every other path goes on to the Flask app.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import orjson
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from bot.inbox import BadDelivery, NewDelivery
from bot.intake import StorageError
from bot.runtime import Runtime

log = logging.getLogger(__name__)
PATH = "/api/github/webhooks"
Reply = tuple[str, dict[str, Any]]


def signature_for(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Webhooks:
    """WSGI middleware: answers ``PATH`` itself and hands every other request to ``app``."""

    def __init__(self, runtime: Runtime, app: Callable[..., Iterable[bytes]]) -> None:
        self.runtime, self.app = runtime, app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH:
            return self.app(environ, start_response)
        headers = [("Content-Type", "application/json")]
        if environ.get("REQUEST_METHOD") == "POST":
            try:
                status, doc = self.receive(environ)
            except Exception:  # a bug of ours: say so without a stack trace, GitHub can redeliver
                log.exception("webhook intake failed")
                status, doc = "500 Internal Server Error", {"error": "internal error; GitHub can redeliver it"}
        else:
            headers.append(("Allow", "POST"))
            status, doc = "405 Method Not Allowed", {"error": "webhook deliveries are POSTed"}
        out = orjson.dumps(doc)
        start_response(status, [*headers, ("Content-Length", str(len(out)))])
        return [out]

    def receive(self, environ: dict[str, Any]) -> Reply:
        settings = self.runtime.settings
        secret = settings.webhook_secret
        try:  # over the cap by its Content-Length: refused unread; a chunked body is read to the cap only
            body = get_input_stream(environ, max_content_length=settings.max_body_bytes).read()
        except RequestEntityTooLarge:
            return "413 Payload Too Large", {"error": f"payload over {settings.max_body_bytes} bytes"}
        if secret is None and not settings.insecure_dev:
            return "503 Service Unavailable", {
                "error": "no webhook secret configured: set GITHUB_WEBHOOK_SECRET (or run the /setup flow); "
                         "STEWARD_INSECURE_DEV=1 accepts unsigned deliveries for local tests"}
        if secret is not None:
            given = environ.get("HTTP_X_HUB_SIGNATURE_256", "")
            if not hmac.compare_digest(given.encode(), signature_for(secret, body).encode()):
                return "401 Unauthorized", {"error": "missing or invalid X-Hub-Signature-256"}
        try:
            item = NewDelivery.parse(environ.get("HTTP_X_GITHUB_DELIVERY"), environ.get("HTTP_X_GITHUB_EVENT"), body)
            pk = self.runtime.receive(item)
        except BadDelivery as exc:
            return "400 Bad Request", {"error": str(exc)}
        except (StorageError, FutureTimeout):
            return "503 Service Unavailable", {"error": "could not store the delivery; GitHub can redeliver it"}
        if pk is None:
            return "200 OK", {"status": "duplicate", "delivery": item.delivery_id}
        return "202 Accepted", {"status": "accepted", "delivery": item.delivery_id}
