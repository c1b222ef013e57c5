from __future__ import annotations

from bot.settings import DEFAULT_DATABASE_URL, Settings


def test_defaults_are_embedded_and_secret_free():
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///steward.db"
    assert settings.webhook_secret is None and not settings.insecure_dev
    assert settings.github_api_url == "https://api.github.com"
    assert settings.metrics_fresh_s == 5.0  # the dashboard's freshness budget


def test_the_freshness_budget_comes_from_the_environment():
    assert Settings.from_env({"STEWARD_METRICS_FRESH_S": "0"}).metrics_fresh_s == 0.0
    assert Settings.from_env({"STEWARD_METRICS_FRESH_S": "2.5"}).metrics_fresh_s == 2.5


def test_from_env_reads_every_variable():
    settings = Settings.from_env({
        "STEWARD_DATABASE_URL": "postgresql://x/y", "GITHUB_WEBHOOK_SECRET": "s", "STEWARD_INSECURE_DEV": "yes",
        "GITHUB_APP_ID": "7", "GITHUB_PRIVATE_KEY": "-----BEGIN", "STEWARD_GITHUB_API_URL": "http://127.0.0.1:9",
    })
    assert (settings.database_url, settings.webhook_secret, settings.insecure_dev) == ("postgresql://x/y", "s", True)
    assert (settings.github_app_id, settings.github_api_url) == ("7", "http://127.0.0.1:9")


def test_overrides_and_repr_hides_secrets():
    settings = Settings.from_env({"GITHUB_WEBHOOK_SECRET": "hunter2", "GITHUB_PRIVATE_KEY": "KEY"}, ingest_batch=8)
    assert settings.ingest_batch == 8
    assert "hunter2" not in repr(settings) and "KEY" not in repr(settings)
