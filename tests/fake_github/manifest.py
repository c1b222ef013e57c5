"""App-manifest routes of the fake: POST /app-manifests/{code}/conversions (see ``__init__.py``)."""

from __future__ import annotations

from tests.fake_github import FakeGitHub


def install(fake: FakeGitHub) -> None:
    """Registered by the setup-flow work."""
