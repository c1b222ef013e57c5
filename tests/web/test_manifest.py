"""/setup: the GitHub App manifest flow, end to end through the Flask client and the fake GitHub."""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bot import credentials
from bot.settings import Settings
from bot.web import manifest as setup
from tests.fake_github.manifest import register_code

PUBLIC = "https://steward.example.org"


class Forms(HTMLParser):
    """Every <form>: its method, action and input values (what a browser would submit)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"method": attrs.get("method"), "action": attrs.get("action"), "inputs": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["inputs"][attrs["name"]] = attrs.get("value") or ""


def only_form(response) -> dict:
    (form,) = Forms(response.get_data(as_text=True)).forms
    return form


@pytest.fixture
def settings(settings, github, tmp_path):
    """The whole flow points at the fake: API calls and the browser's manifest POST alike."""
    return replace(settings, github_api_url=github.base_url, instance_dir=str(tmp_path / "instance"))


@pytest.fixture
def states_dir(settings) -> Path:
    return Path(settings.instance_dir) / "setup-states"


def start(client, **form) -> dict:
    """POST /setup; the redirect page's form (the manifest and where it goes)."""
    response = client.post("/setup", data={"public_url": PUBLIC, "org": "", "name": "", **form})
    assert response.status_code == 200, response.get_data(as_text=True)
    return only_form(response)


def on_github(form: dict) -> str:
    """What the browser does: POST the manifest to GitHub, which sends it back to redirect_url."""
    answer = requests.post(form["action"], data=form["inputs"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == PUBLIC
    return f"{location.path}?{location.query}"


def test_form(client):
    response = client.get("/setup")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    form = only_form(response)
    assert (form["method"], form["action"]) == ("post", "/setup")
    assert form["inputs"] == {"public_url": "http://localhost", "org": "", "name": "Steward"}
    assert "Register GitHub App" in response.get_data(as_text=True)


def test_redirect_page_posts_the_manifest_with_a_state(client, github, states_dir):
    response = client.post("/setup", data={"public_url": PUBLIC + "/", "org": "", "name": ""})
    html = response.get_data(as_text=True)
    assert 'document.getElementById("manifest-form").submit()' in html and "<button" in html  # JS and no-JS
    form = only_form(response)
    assert form["method"] == "post"
    target = urlsplit(form["action"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == github.url("/settings/apps/new")
    (state,) = parse_qs(target.query)["state"]
    assert len(state) >= 40 and len(list(states_dir.iterdir())) == 1
    manifest = json.loads(form["inputs"]["manifest"])
    expected = setup.load_manifest()
    assert manifest["url"] == PUBLIC
    assert manifest["hook_attributes"] == {"url": PUBLIC + "/api/github/webhooks", "active": True}
    assert manifest["redirect_url"] == PUBLIC + "/setup/callback"
    assert (manifest["name"], manifest["public"]) == ("Steward", False)
    assert manifest["default_permissions"] == expected["default_permissions"] == {
        "checks": "write", "issues": "write", "pull_requests": "write", "contents": "read", "metadata": "read",
        "discussions": "write", "members": "read"}
    assert manifest["default_events"] == expected["default_events"]
    assert len(expected["default_events"]) == 21
    second = parse_qs(urlsplit(start(client)["action"]).query)["state"][0]
    assert second != state  # a fresh token per attempt


def test_organisation_and_name(client, github):
    form = start(client, org="my-org", name="Steward for my-org")
    assert urlsplit(form["action"]).path == "/organizations/my-org/settings/apps/new"
    assert json.loads(form["inputs"]["manifest"])["name"] == "Steward for my-org"


@pytest.mark.parametrize("field, value, complaint", [
    ("public_url", "ftp://example.org", "must start with https://"),
    ("public_url", "", "must start with https://"),
    ("public_url", "https://example.org/?x=1", "must not carry a query"),
    ("org", "not an org!", "The organisation must be a GitHub login"),
    ("name", "x" * 35, "at most 34 characters"),
])
def test_bad_form_input_is_a_400_that_keeps_the_values(client, states_dir, field, value, complaint):
    data = {"public_url": PUBLIC, "org": "", "name": "", field: value}
    response = client.post("/setup", data=data)
    assert response.status_code == 400
    assert complaint in response.get_data(as_text=True)
    assert only_form(response)["inputs"][field] == value
    assert not states_dir.exists()


def test_the_whole_flow(client, github, settings, caplog):
    caplog.set_level(logging.DEBUG)
    callback = on_github(start(client, org="my-org"))
    response = client.get(callback)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert response.headers["Referrer-Policy"] == "no-referrer"

    path = Path(settings.instance_dir) / "github-app.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    saved = json.loads(path.read_text())
    assert saved["slug"] == "steward" and saved["api_url"] == github.base_url
    assert saved["html_url"] == github.url("/apps/steward")
    assert saved["pem"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert len(github.requests_to("POST", r"/app-manifests/[^/]+/conversions")) == 1

    assert saved["html_url"] in html and f"App ID {saved['id']}" in html
    assert saved["html_url"] + "/installations/new" in html and "restart <code>steward serve</code>" in html
    assert "GITHUB_WEBHOOK_SECRET" in html  # the fixture's environment secret would win over the file
    for secret in (saved["pem"], "PRIVATE KEY", saved["webhook_secret"], saved["client_secret"]):
        assert secret not in html and secret not in caplog.text
    assert "credentials written to" in caplog.text
    assert not list((Path(settings.instance_dir) / "setup-states").iterdir())  # the state is spent

    again = client.get(callback)  # a reload, or the same code a second time
    assert again.status_code == 404 and "already configured" in again.get_data(as_text=True)
    assert len(github.requests_to("POST", r"/app-manifests/[^/]+/conversions")) == 1
    closed = client.get("/setup")
    assert closed.status_code == 404 and str(path) in closed.get_data(as_text=True)
    assert client.post("/setup", data={"public_url": PUBLIC}).status_code == 404

    picked_up = Settings.from_env({"STEWARD_INSTANCE_DIR": settings.instance_dir})
    assert picked_up.github_app_id == str(saved["id"]) and picked_up.webhook_secret == saved["webhook_secret"]
    assert picked_up.github_api_url == github.base_url and picked_up.github_private_key == saved["pem"]


@pytest.mark.parametrize("query", ["", "?code=abc", "?code=abc&state=", "?code=abc&state=forged"])
def test_missing_or_wrong_state_is_a_400(client, github, settings, query):
    start(client)  # a real state exists, but is not the one given
    response = client.get("/setup/callback" + query)
    assert response.status_code == 400
    assert "state parameter is missing, wrong or older than an hour" in response.get_data(as_text=True)
    assert not github.requests_to("POST", r"/app-manifests/.*")
    assert not settings.credentials_path.exists()


def test_expired_state_is_a_400(client, github, states_dir):
    callback = on_github(start(client))
    (state_file,) = states_dir.iterdir()
    old = time.time() - setup.STATE_TTL_S - 1
    os.utime(state_file, (old, old))
    assert client.get(callback).status_code == 400
    assert not github.requests_to("POST", r"/app-manifests/.*")
    start(client)
    assert not state_file.exists()  # expired tokens are pruned


def test_missing_code_is_a_400(client):
    state = parse_qs(urlsplit(start(client)["action"]).query)["state"][0]
    response = client.get(f"/setup/callback?state={state}")
    assert response.status_code == 400 and "no code" in response.get_data(as_text=True)


def test_used_or_unknown_code_is_a_400_page(client, github, settings, caplog):
    state = parse_qs(urlsplit(start(client)["action"]).query)["state"][0]
    response = client.get(f"/setup/callback?code=used-code&state={state}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "GitHub answered HTTP 404" in html and "works once and for one hour" in html
    assert github.url("/settings/apps") in html
    assert not settings.credentials_path.exists()
    assert "HTTP 404" in caplog.text


def test_github_failure_is_a_502_and_a_reload_retries(client, github, settings):
    callback = on_github(start(client))
    github.fail_next("POST", r"/app-manifests/.*", 503, body={"message": "Service Unavailable"})
    response = client.get(callback)
    assert response.status_code == 502
    assert "Reload this page to try again" in response.get_data(as_text=True)
    assert not settings.credentials_path.exists()
    assert client.get(callback).status_code == 200 and settings.credentials_path.exists()


def test_setup_is_closed_when_an_app_id_is_configured(app, client, settings):
    app.extensions["steward"].settings = replace(settings, github_app_id="1")
    for response in (client.get("/setup"), client.post("/setup", data={"public_url": PUBLIC}),
                     client.get("/setup/callback?code=a&state=b")):
        assert response.status_code == 404
        assert "GITHUB_APP_ID is set" in response.get_data(as_text=True)


def test_a_setup_finishing_first_wins(client, github, settings, monkeypatch):
    callback = on_github(start(client))

    def written_meanwhile(creds, path, exclusive):
        raise FileExistsError(path)

    monkeypatch.setattr(credentials, "save", written_meanwhile)
    response = client.get(callback)
    assert response.status_code == 409 and "Delete it on GitHub" in response.get_data(as_text=True)


def test_an_unwritable_instance_folder_is_explained(client, github, settings, monkeypatch, caplog):
    callback = on_github(start(client))

    def cannot_write(creds, path, exclusive):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(credentials, "save", cannot_write)
    response = client.get(callback)
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "Permission denied" in html and "generate a new private key" in html
    assert "BEGIN RSA" not in html and "BEGIN RSA" not in caplog.text


def test_register_code_helper_and_manifest_rejection(github):
    code = register_code(github, slug="x")
    assert code in github.state.manifest_codes
    answer = requests.post(github.url("/settings/apps/new"), data={"manifest": json.dumps({"name": "x"})},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 422 and "hook_attributes.url" in answer.json()["message"]
