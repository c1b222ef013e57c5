"""Settings: the only module that reads the process environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

DEFAULT_DATABASE_URL = "sqlite:///steward.db"
MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    webhook_secret: str | None = None
    insecure_dev: bool = False
    max_body_bytes: int = MAX_BODY_BYTES
    # Room for the GitHub App issue; nothing reads these yet.
    github_app_id: str | None = None
    github_private_key: str | None = field(default=None, repr=False)
    github_private_key_path: str | None = None
    github_api_url: str = "https://api.github.com"
    # Inbox tuning: how many deliveries one commit may carry and how often the clock looks for pending ones.
    ingest_batch: int = 64
    drain_interval_s: float = 0.5

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        env = os.environ if environ is None else environ
        settings = cls(
            database_url=env.get("STEWARD_DATABASE_URL") or DEFAULT_DATABASE_URL,
            webhook_secret=env.get("GITHUB_WEBHOOK_SECRET") or None,
            insecure_dev=env.get("STEWARD_INSECURE_DEV", "").lower() in {"1", "true", "yes"},
            github_app_id=env.get("GITHUB_APP_ID") or None,
            github_private_key=env.get("GITHUB_PRIVATE_KEY") or None,
            github_private_key_path=env.get("GITHUB_PRIVATE_KEY_PATH") or None,
            github_api_url=env.get("STEWARD_GITHUB_API_URL") or "https://api.github.com",
        )
        return replace(settings, **overrides)

    def __repr__(self) -> str:  # never print secrets
        return f"Settings(database_url={self.database_url!r}, insecure_dev={self.insecure_dev})"
