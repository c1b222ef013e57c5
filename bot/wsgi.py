"""The WSGI entry for any WSGI server: ``gunicorn 'bot.wsgi:app'`` (intake only; the clock handles).

The app is built on first access of ``bot.wsgi.app`` (PEP 562), in the server's worker process, so
importing this module starts nothing and reads no settings; each worker process builds its own.
"""

from __future__ import annotations

from typing import Any

_built: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    if name != "app":
        raise AttributeError(name)
    if "app" not in _built:
        from bot.server import wsgi_app

        _built["app"] = wsgi_app()
    return _built["app"]
