"""Shared by the GitHub client tests: a generated App key and settings that point Steward at the fake."""

from __future__ import annotations

import functools
from dataclasses import replace

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.settings import Settings

INSTALLATION = 1


@functools.cache
def private_key_pem() -> str:
    """One RSA key per test run, generated here (never a key from the repository)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def public_key():
    return serialization.load_pem_private_key(private_key_pem().encode(), None).public_key()


def app_settings(settings: Settings, github, **overrides) -> Settings:
    """``settings`` with App credentials for the fake, no request pacing and fast retries."""
    values = dict(github_app_id=str(github.state.app["id"]), github_private_key=private_key_pem(),
                  github_api_url=github.base_url, github_seconds_between_requests=None,
                  github_seconds_between_writes=None, github_backoff_s=0.0)
    return replace(settings, **(values | overrides))
