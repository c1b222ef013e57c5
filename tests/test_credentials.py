"""The credentials file (0600, atomic, secret-free repr), the code conversion against the fake, and Settings."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest

from bot import credentials
from bot.credentials import AppCredentials, ConversionError, CredentialsError
from bot.settings import Settings
from tests.fake_github.manifest import register_code

SECRETS = {"client_secret": "cs-0123456789abcdef", "webhook_secret": "wh-0123456789abcdef",
           "pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIsecret\n-----END RSA PRIVATE KEY-----\n"}


def make(**overrides) -> AppCredentials:
    fields = dict(id=42, slug="steward-test", html_url="https://github.com/apps/steward-test",
                  client_id="Iv1.abc", api_url="https://api.github.com", **SECRETS)
    return AppCredentials(**{**fields, **overrides})


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_save_writes_0600_in_a_0700_folder_and_loads_back(tmp_path):
    path = credentials.path_in(tmp_path / "instance")
    assert credentials.load(path) is None
    creds = make()
    assert credentials.save(creds, path) == path
    assert (mode(path), mode(path.parent)) == (0o600, 0o700)
    assert json.loads(path.read_text())["webhook_secret"] == SECRETS["webhook_secret"]
    assert credentials.load(path) == creds
    assert sorted(p.name for p in path.parent.iterdir()) == [credentials.FILENAME]  # no temporary file left


def test_save_is_exclusive_unless_told_otherwise(tmp_path):
    path = credentials.save(make(), tmp_path / "app.json")
    with pytest.raises(FileExistsError):
        credentials.save(make(id=43), path)
    assert credentials.load(path).id == 42
    credentials.save(make(id=43), path, exclusive=False)
    assert credentials.load(path).id == 43 and mode(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.json"]


def test_repr_never_shows_secrets():
    text = repr(make())
    assert "steward-test" in text and "Iv1.abc" in text
    assert not any(secret in text for secret in SECRETS.values())
    assert "BEGIN" not in text


@pytest.mark.parametrize("content, complaint", [
    (b"not json", "not usable"),
    (b"[]", "expected a JSON object"),
    (json.dumps({"id": "42"}).encode(), "'id'"),
    (json.dumps({"id": 42, "slug": "s"}).encode(), "'html_url'"),
])
def test_unusable_file_is_a_clear_error_without_secrets(tmp_path, content, complaint):
    path = tmp_path / "github-app.json"
    path.write_bytes(content)
    with pytest.raises(CredentialsError, match=complaint) as info:
        credentials.load(path)
    assert str(path) in str(info.value)


def test_partial_file_names_the_field_not_the_secret(tmp_path):
    data = {k: v for k, v in json.loads(json.dumps(make().__dict__)).items() if k != "pem"}
    path = tmp_path / "github-app.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CredentialsError, match="'pem'") as info:
        credentials.load(path)
    assert SECRETS["webhook_secret"] not in str(info.value)


def test_loading_a_file_others_can_read_warns(tmp_path, caplog):
    path = credentials.save(make(), tmp_path / "github-app.json")
    os.chmod(path, 0o644)
    with caplog.at_level(logging.WARNING, logger="bot.credentials"):
        assert credentials.load(path) is not None
    assert "chmod 600" in caplog.text and SECRETS["webhook_secret"] not in caplog.text


# --- the code conversion, against the fake ----------------------------------------------------------------------


def test_conversion_returns_the_new_apps_credentials(github):
    code = register_code(github, name="Steward Test", slug="steward-test")
    creds = credentials.convert_manifest_code(github.base_url, code)
    assert (creds.slug, creds.api_url) == ("steward-test", github.base_url)
    assert creds.html_url == github.url("/apps/steward-test")
    assert creds.pem.startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert creds.webhook_secret and creds.client_secret and creds.client_id.startswith("Iv1.")
    (sent,) = github.requests_to("POST", rf"/app-manifests/{code}/conversions")
    assert sent.headers["Accept"] == "application/vnd.github+json"
    assert "Authorization" not in sent.headers  # the code is the only credential


def test_a_code_works_once(github):
    code = register_code(github)
    credentials.convert_manifest_code(github.base_url, code)
    with pytest.raises(ConversionError, match="HTTP 404.*Not Found") as info:
        credentials.convert_manifest_code(github.base_url, code)
    assert info.value.status == 404


def test_unknown_code_and_empty_code(github):
    with pytest.raises(ConversionError) as info:
        credentials.convert_manifest_code(github.base_url + "/", "no-such-code")
    assert info.value.status == 404
    with pytest.raises(ConversionError, match="no code"):
        credentials.convert_manifest_code(github.base_url, "")


def test_github_failure_and_unreachable_github(github):
    code = register_code(github)
    github.fail_next("POST", r"/app-manifests/.*", 502, body={"message": "Server Error"})
    with pytest.raises(ConversionError, match="HTTP 502 to the code conversion: Server Error") as info:
        credentials.convert_manifest_code(github.base_url, code)
    assert info.value.status == 502
    assert credentials.convert_manifest_code(github.base_url, code).id  # the code survived the failure
    with pytest.raises(ConversionError, match="could not reach GitHub") as info:
        credentials.convert_manifest_code("http://127.0.0.1:1", "abc", timeout=2)
    assert info.value.status is None


def test_unusable_answer_is_reported_without_its_secrets(github):
    body = {"id": 7, "slug": "x", "webhook_secret": "leaked-secret"}
    github.fail_next("POST", r"/app-manifests/.*", 201, body=body)
    with pytest.raises(ConversionError, match="not usable: field 'html_url'") as info:
        credentials.convert_manifest_code(github.base_url, "abc")
    assert "leaked-secret" not in str(info.value)
    github.fail_next("POST", r"/app-manifests/.*", 422, body=["not", "an", "object"])
    with pytest.raises(ConversionError, match=r"HTTP 422 to the code conversion$"):
        credentials.convert_manifest_code(github.base_url, "abc")


# --- Settings ---------------------------------------------------------------------------------------------------


def test_settings_fill_unset_github_values_from_the_file(tmp_path):
    credentials.save(make(api_url="https://ghe.example.com/api/v3"), credentials.path_in(tmp_path))
    settings = Settings.from_env({"STEWARD_INSTANCE_DIR": str(tmp_path)})
    assert settings.instance_dir == str(tmp_path) and settings.credentials_path == tmp_path / "github-app.json"
    assert (settings.github_app_id, settings.webhook_secret) == ("42", SECRETS["webhook_secret"])
    assert settings.github_private_key == SECRETS["pem"]
    assert settings.github_api_url == "https://ghe.example.com/api/v3"
    assert not any(secret in repr(settings) for secret in SECRETS.values())


def test_environment_wins_over_the_file(tmp_path):
    credentials.save(make(), credentials.path_in(tmp_path))
    settings = Settings.from_env({
        "STEWARD_INSTANCE_DIR": str(tmp_path), "GITHUB_APP_ID": "7", "GITHUB_WEBHOOK_SECRET": "env-secret",
        "GITHUB_PRIVATE_KEY_PATH": "/keys/app.pem", "STEWARD_GITHUB_API_URL": "http://127.0.0.1:9"})
    assert (settings.github_app_id, settings.webhook_secret) == ("7", "env-secret")
    assert (settings.github_private_key, settings.github_private_key_path) == (None, "/keys/app.pem")
    assert settings.github_api_url == "http://127.0.0.1:9"
    overridden = Settings.from_env({}, instance_dir=str(tmp_path), github_api_url="http://127.0.0.1:8")
    assert (overridden.github_app_id, overridden.github_api_url) == ("42", "http://127.0.0.1:8")


def test_settings_without_a_file_and_with_a_broken_one(tmp_path):
    settings = Settings.from_env({"STEWARD_INSTANCE_DIR": str(tmp_path / "none")})
    assert settings.github_app_id is None and settings.webhook_secret is None
    assert Settings.from_env({}).instance_dir == "instance"
    (tmp_path / "github-app.json").write_text("{")
    with pytest.raises(CredentialsError, match="github-app.json"):
        Settings.from_env({"STEWARD_INSTANCE_DIR": str(tmp_path)})


@pytest.mark.parametrize("api_url, web_url, graphql_url", [
    ("https://api.github.com", "https://github.com", "https://api.github.com/graphql"),
    ("https://ghe.example.com/api/v3", "https://ghe.example.com", "https://ghe.example.com/api/graphql"),
    ("https://ghe.example.com/api/v3/", "https://ghe.example.com", "https://ghe.example.com/api/graphql"),
    ("https://api.octocorp.ghe.com", "https://octocorp.ghe.com", "https://api.octocorp.ghe.com/graphql"),
    ("http://127.0.0.1:5123", "http://127.0.0.1:5123", "http://127.0.0.1:5123/graphql"),
])
def test_web_and_graphql_urls(api_url, web_url, graphql_url):
    settings = Settings(github_api_url=api_url)
    assert (settings.web_url, settings.graphql_url) == (web_url, graphql_url)
