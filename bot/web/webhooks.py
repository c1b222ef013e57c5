"""POST /api/github/webhooks: size cap, signature, headers, JSON, durable store, then 2xx.

Every delivery GitHub sends comes through here, so this one path bypasses Flask. The rules are written
once, without I/O (``check``, ``stored`` and the fixed replies), and served by two thin fronts:

- ``AsgiWebhooks``, in front of an ASGI app (``bot.server:asgi_app``, which gunicorn's uvicorn workers
  serve in ``steward serve`` and in production). Its coroutine waits for the group commit without
  holding a thread; every other path goes to Flask through a2wsgi's thread pool.
- ``Webhooks``, the same as WSGI middleware that ``create_app`` installs in front of Flask (Flask's test
  client, and any WSGI server through ``bot.wsgi``).

Flask's request context, URL map and response objects were ~120 µs of the web server's ~640 µs of CPU
per delivery; a thread per request under gunicorn's gthread workers cost more again (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import orjson
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from bot.inbox import BadDelivery, NewDelivery
from bot.intake import StorageError
from bot.runtime import Runtime
from bot.settings import Settings

log = logging.getLogger(__name__)
PATH = "/api/github/webhooks"
STORE_WAIT_S = 8.0  # a delivery not committed by then is answered 503 (GitHub can redeliver it)
Reply = tuple[str, dict[str, Any]]  # status line, JSON document
NOT_POST: Reply = ("405 Method Not Allowed", {"error": "webhook deliveries are POSTed"})
NOT_STORED: Reply = ("503 Service Unavailable", {"error": "could not store the delivery; GitHub can redeliver it"})
OUR_BUG: Reply = ("500 Internal Server Error", {"error": "internal error; GitHub can redeliver it"})


def signature_for(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def too_large(settings: Settings) -> Reply:
    return "413 Payload Too Large", {"error": f"payload over {settings.max_body_bytes} bytes"}


def check(settings: Settings, body: bytes, signature: str | None, delivery_id: str | None,
          event: str | None) -> NewDelivery | Reply:
    """The delivery to store, or the reply that refuses it (503 without a secret, 401, 400)."""
    secret = settings.webhook_secret
    if secret is None and not settings.insecure_dev:
        return "503 Service Unavailable", {
            "error": "no webhook secret configured: set GITHUB_WEBHOOK_SECRET (or run the /setup flow); "
                     "STEWARD_INSECURE_DEV=1 accepts unsigned deliveries for local tests"}
    if secret is not None and not hmac.compare_digest((signature or "").encode(),
                                                      signature_for(secret, body).encode()):
        return "401 Unauthorized", {"error": "missing or invalid X-Hub-Signature-256"}
    try:
        return NewDelivery.parse(delivery_id, event, body)
    except BadDelivery as exc:
        return "400 Bad Request", {"error": str(exc)}


def stored(item: NewDelivery, pk: int | None) -> Reply:
    if pk is None:
        return "200 OK", {"status": "duplicate", "delivery": item.delivery_id}
    return "202 Accepted", {"status": "accepted", "delivery": item.delivery_id}


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
                status, doc = OUR_BUG
        else:
            headers.append(("Allow", "POST"))
            status, doc = NOT_POST
        out = orjson.dumps(doc)
        start_response(status, [*headers, ("Content-Length", str(len(out)))])
        return [out]

    def receive(self, environ: dict[str, Any]) -> Reply:
        settings = self.runtime.settings
        cap = settings.max_body_bytes
        try:  # over the cap by its Content-Length: refused unread; a chunked body is read to one byte past it
            body = get_input_stream(environ, max_content_length=cap + 1).read()
        except RequestEntityTooLarge:
            return too_large(settings)
        if len(body) > cap:  # werkzeug's stream stops at its limit without saying whether more was coming
            return too_large(settings)
        item = check(settings, body, environ.get("HTTP_X_HUB_SIGNATURE_256"), environ.get("HTTP_X_GITHUB_DELIVERY"),
                     environ.get("HTTP_X_GITHUB_EVENT"))
        if not isinstance(item, NewDelivery):
            return item
        try:
            return stored(item, self.runtime.receive(item))
        except (StorageError, FutureTimeout):
            return NOT_STORED


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class AsgiWebhooks:
    """ASGI middleware: answers ``PATH`` itself, hands every other request to ``app``, and closes the
    runtime (the intake thread, the database pool) at lifespan shutdown."""

    def __init__(self, runtime: Runtime, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.runtime, self.app = runtime, app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await self.lifespan(receive, send)
        if scope["type"] != "http" or scope["path"] != PATH:
            return await self.app(scope, receive, send)
        headers = [(b"content-type", b"application/json")]
        if scope["method"] == "POST":
            try:
                status, doc = await self.receive(scope, receive)
            except _Disconnected:
                return
            except Exception:  # a bug of ours, as in the WSGI front
                log.exception("webhook intake failed")
                status, doc = OUR_BUG
        else:
            headers.append((b"allow", b"POST"))
            status, doc = NOT_POST
        out = orjson.dumps(doc)
        await send({"type": "http.response.start", "status": int(status[:3]),
                    "headers": [*headers, (b"content-length", str(len(out)).encode())]})
        await send({"type": "http.response.body", "body": out})

    async def receive(self, scope: Scope, receive: Receive) -> Reply:
        settings = self.runtime.settings
        headers = {name: value.decode("latin-1") for name, value in scope["headers"]}  # names: lower case
        body = await _read_capped(receive, headers.get(b"content-length", ""), settings.max_body_bytes)
        if body is None:
            return too_large(settings)
        item = check(settings, body, headers.get(b"x-hub-signature-256"), headers.get(b"x-github-delivery"),
                     headers.get(b"x-github-event"))
        if not isinstance(item, NewDelivery):
            return item
        try:
            if self.runtime.inline_dispatch:  # stored and handled before the answer (tests, local dev)
                return stored(item, await asyncio.to_thread(self.runtime.receive, item))
            waiting = asyncio.wrap_future(self.runtime.committer.enqueue(item))
            done, _ = await asyncio.wait({waiting}, timeout=STORE_WAIT_S)
            if not done:
                waiting.cancel()  # the committer drops its answer
                return NOT_STORED
            return stored(item, waiting.result())
        except (StorageError, FutureTimeout):
            return NOT_STORED

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:  # bounded by the server: startup, then shutdown
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncio.to_thread(self.runtime.close)
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _read_capped(receive: Receive, content_length: str, cap: int) -> bytes | None:
    """The request body, or None when it is over ``cap`` (by its Content-Length: unread)."""
    if content_length.isdigit() and int(content_length) > cap:
        return None
    chunks, size = [], 0
    while True:  # bounded: each message brings body bytes, and past the cap we stop
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


class _Disconnected(Exception):
    """The client went away before its body arrived: there is no one to answer."""
