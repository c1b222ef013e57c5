"""Settings: the only module that reads the process environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from bot import credentials

DEFAULT_DATABASE_URL = "sqlite:///steward.db"
MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
_SECONDS = {"job_resend_s": "STEWARD_JOB_RESEND_S", "job_stuck_s": "STEWARD_JOB_STUCK_S",
            "job_heartbeat_s": "STEWARD_JOB_HEARTBEAT_S", "clock_lease_s": "STEWARD_CLOCK_LEASE_S",
            "metrics_fresh_s": "STEWARD_METRICS_FRESH_S"}


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    webhook_secret: str | None = None
    insecure_dev: bool = False
    max_body_bytes: int = MAX_BODY_BYTES
    # The GitHub App: from the environment, else from the /setup flow's credentials file (see from_env).
    github_app_id: str | None = None
    github_private_key: str | None = field(default=None, repr=False)
    github_private_key_path: str | None = None
    github_api_url: str = "https://api.github.com"
    # Inbox tuning: how many deliveries one commit may carry and how often the clock looks for pending ones.
    ingest_batch: int = 64
    drain_interval_s: float = 0.5
    # Where the /setup flow writes the GitHub App credentials file (github-app.json, mode 0600).
    instance_dir: str = credentials.DEFAULT_INSTANCE_DIR
    # GitHub client (bot/gh.py): request pacing, rate-limit waits, 5xx retries. Tests set them to None/0.
    github_seconds_between_requests: float | None = 0.25
    github_seconds_between_writes: float | None = 1.0
    github_max_sleep_s: float = 5.0  # a rate-limit wait up to this sleeps; a longer one raises gh.RateLimited
    github_secondary_wait_s: float = 60.0  # a secondary limit without Retry-After: GitHub asks for >= 1 minute
    github_retries: int = 3  # 5xx and connection errors: retried with backoff github_backoff_s * 2**n
    github_backoff_s: float = 1.0
    # Scale-out (bot/executors.py, docs/DEPLOY.md): a redis:// or amqp:// broker turns on the Celery executor.
    broker_url: str | None = None
    delivery_handling: str = "workers"  # with a broker: "workers" (the clock hands out ids) or "clock" (it drains)
    job_resend_s: float = 30.0  # a due job still pending this long (a lost broker message) is sent again
    job_stuck_s: float = 300.0  # a running job with no heartbeat this long (a dead worker) goes back to pending
    job_heartbeat_s: float = 30.0  # how often a running job proves its runner is alive
    clock_lease_s: float = 15.0  # the single clock's database lease; a dead clock's is taken over after this
    # Health figures are served while at most this old and kept so by the clock while viewed; 0 = compute on
    # every request (bot/metrics/figures.py). The freshness budget is 5 s.
    metrics_fresh_s: float = 5.0
    log_format: str = "text"  # "json": one JSON object per log line, with delivery and job ids
    queue_prefix: str = ""  # prepended to every broker queue name: several Stewards can share one broker
    demo: bool = False  # `steward demo`: a synthetic community; every page and API response says so

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
            instance_dir=env.get("STEWARD_INSTANCE_DIR") or credentials.DEFAULT_INSTANCE_DIR,
            broker_url=env.get("STEWARD_BROKER_URL") or None,
            delivery_handling=env.get("STEWARD_DELIVERY_HANDLING") or "workers",
            log_format=(env.get("STEWARD_LOG_FORMAT") or "text").lower(),
            queue_prefix=env.get("STEWARD_QUEUE_PREFIX") or "",
            demo=env.get("STEWARD_DEMO", "").lower() in {"1", "true", "yes"},
            **{name: float(env[var]) for name, var in _SECONDS.items() if env.get(var)},
        )
        settings = replace(settings, **overrides)
        api_url_given = bool(env.get("STEWARD_GITHUB_API_URL")) or "github_api_url" in overrides
        return settings._with_credentials_file(api_url_given)

    def _with_credentials_file(self, api_url_given: bool) -> Settings:
        """Fill what the environment left unset from the /setup flow's credentials file (the environment wins)."""
        creds = credentials.load(self.credentials_path)
        if creds is None:
            return self
        filled: dict[str, object] = {}
        if self.github_app_id is None:
            filled["github_app_id"] = str(creds.id)
        if self.webhook_secret is None:
            filled["webhook_secret"] = creds.webhook_secret
        if self.github_private_key is None and self.github_private_key_path is None:
            filled["github_private_key"] = creds.pem
        if not api_url_given:
            filled["github_api_url"] = creds.api_url
        return replace(self, **filled)

    @property
    def app_configured(self) -> bool:
        """App credentials are present: Steward acts on GitHub (otherwise it runs dry)."""
        return bool(self.github_app_id and (self.github_private_key or self.github_private_key_path))

    @property
    def credentials_path(self) -> Path:
        return credentials.path_in(self.instance_dir)

    @property
    def graphql_url(self) -> str:
        """GitHub's GraphQL endpoint: ``https://HOST/api/graphql`` on GHES, else ``<API URL>/graphql``."""
        api = self.github_api_url.rstrip("/")
        return api[: -len("/v3")] + "/graphql" if api.endswith("/api/v3") else api + "/graphql"

    @property
    def web_url(self) -> str:
        """GitHub's web UI (where the App manifest is posted): github.com for api.github.com, ``https://HOST``
        for GHES' ``https://HOST/api/v3``, ``https://SUB.ghe.com`` for ``https://api.SUB.ghe.com``, and any
        other API URL itself (a local fake serves both)."""
        api = self.github_api_url.rstrip("/")
        parts = urlsplit(api)
        host = (parts.hostname or "").lower()
        if host == "api.github.com":
            return "https://github.com"
        if api.endswith("/api/v3"):
            return api[: -len("/api/v3")]
        if host.startswith("api.") and host.endswith(".ghe.com") and not parts.path:
            return f"{parts.scheme}://{parts.netloc[len('api.'):]}"
        return api

    def __repr__(self) -> str:  # never print secrets
        return f"Settings(database_url={self.database_url!r}, insecure_dev={self.insecure_dev})"
