"""The reference endpoint for ``benchmarks/ingest.py``: verify the signature, parse the JSON, answer 202.

No framework and no storage: what the same granian setup can do at best with the work every webhook
receiver has to do. ``python -m granian --interface wsgi --factory reference_app:create`` (run from
this folder, or with it on PYTHONPATH); the secret comes from GITHUB_WEBHOOK_SECRET.
"""

from __future__ import annotations

import hashlib
import hmac
import os

import orjson


def create():
    secret = os.environ["GITHUB_WEBHOOK_SECRET"].encode()

    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        given = environ.get("HTTP_X_HUB_SIGNATURE_256", "").encode()
        expected = b"sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(given, expected):
            return _reply(start_response, "401 Unauthorized", {"error": "bad signature"})
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return _reply(start_response, "400 Bad Request", {"error": "not JSON"})
        if not isinstance(payload, dict):
            return _reply(start_response, "400 Bad Request", {"error": "not a JSON object"})
        return _reply(start_response, "202 Accepted",
                      {"status": "accepted", "delivery": environ.get("HTTP_X_GITHUB_DELIVERY")})

    return app


def _reply(start_response, status: str, doc: dict) -> list[bytes]:
    out = orjson.dumps(doc)
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(out)))])
    return [out]
