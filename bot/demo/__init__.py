"""``steward demo``: a deterministic synthetic community fed through the real webhook pipeline, then served.

``community`` draws the people and their acts (seeded), ``payloads`` renders each act as the webhook
delivery GitHub would send, ``feed`` signs and POSTs them to the app in-process and ``run`` ties it together.
"""

from __future__ import annotations

from flask import Flask

DEMO_HEADER = "X-Steward-Demo"


def label_responses(app: Flask) -> None:
    """Mark every response of a demo app as demo data (pages also show a banner: the ``is_demo`` global)."""

    @app.after_request
    def _label(response):
        response.headers[DEMO_HEADER] = "synthetic demo data (steward demo)"
        return response
