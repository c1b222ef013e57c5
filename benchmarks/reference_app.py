"""The reference endpoint for ``benchmarks/ingest.py``: verify the signature, parse the JSON, answer 202.

No framework and no storage: what the same server setup (gunicorn with uvicorn workers, as ``steward
serve`` runs it) can do at best with the work every webhook receiver has to do. An ASGI app:
``gunicorn -k uvicorn_worker.UvicornWorker 'reference_app:create()'`` run from this folder (or with it on
PYTHONPATH); the secret comes from GITHUB_WEBHOOK_SECRET.
"""

from __future__ import annotations

import hashlib
import hmac
import os

import orjson


def create(threads: int = 16):  # threads: accepted like bot.server.asgi_app's, nothing here uses one
    secret = os.environ["GITHUB_WEBHOOK_SECRET"].encode()

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":  # bounded by the server
                await send({"type": "lifespan.startup.complete"})
            return await send({"type": "lifespan.shutdown.complete"})
        chunks = []
        while True:  # bounded by the request: its last message has no more_body
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        headers = dict(scope["headers"])
        expected = b"sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(headers.get(b"x-hub-signature-256", b""), expected):
            return await _reply(send, 401, {"error": "bad signature"})
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return await _reply(send, 400, {"error": "not JSON"})
        if not isinstance(payload, dict):
            return await _reply(send, 400, {"error": "not a JSON object"})
        return await _reply(send, 202, {"status": "accepted",
                                        "delivery": headers.get(b"x-github-delivery", b"").decode("latin-1")})

    return app


async def _reply(send, status: int, doc: dict) -> None:
    out = orjson.dumps(doc)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(out)).encode())]})
    await send({"type": "http.response.body", "body": out})
