"""Drive an ASGI app from werkzeug's test client, so one test runs against the WSGI and the ASGI front.

One ``asyncio.run`` per request. The body goes to the app in 64 KiB ``http.request`` messages; a
request with an empty CONTENT_LENGTH (chunked) arrives without the header, a stream the app caps itself.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any

from werkzeug.wsgi import get_input_stream

CHUNK = 64 * 1024


class AsgiAsWsgi:
    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response):
        body = get_input_stream(environ, safe_fallback=False).read()
        chunks = [body[i:i + CHUNK] for i in range(0, len(body), CHUNK)] or [b""]
        headers = [(key[5:].replace("_", "-").lower().encode("latin-1"), value.encode("latin-1"))
                   for key, value in environ.items() if key.startswith("HTTP_")]
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers.append((key.replace("_", "-").lower().encode(), environ[key].encode("latin-1")))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": environ["REQUEST_METHOD"], "scheme": environ["wsgi.url_scheme"],
                 "path": environ["PATH_INFO"], "raw_path": environ["PATH_INFO"].encode("latin-1"),
                 "query_string": environ.get("QUERY_STRING", "").encode("latin-1"), "root_path": "",
                 "headers": headers, "client": ("127.0.0.1", 50000),
                 "server": (environ["SERVER_NAME"], int(environ["SERVER_PORT"]))}
        sent: list[dict] = []

        async def receive() -> dict:
            if chunks:
                chunk = chunks.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        asyncio.run(self.app(scope, receive, send))
        start = sent[0]
        start_response(f"{start['status']} {HTTPStatus(start['status']).phrase}",
                       [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]])
        return [b"".join(m.get("body", b"") for m in sent[1:])]
