"""/setup: register Steward's GitHub App from ``app.yml`` with GitHub's manifest flow (as Probot does).

GET /setup            a form: the public base URL of this Steward, an optional organisation, the App name
POST /setup           a page that POSTs the manifest to GitHub (``<web_url>/settings/apps/new?state=…``)
GET /setup/callback   GitHub sends the user back with ``code`` and ``state``: check the state, convert the
                      code (``POST /app-manifests/{code}/conversions``), write the credentials file (0600)

Everything answers 404 once an App is configured (environment or credentials file). The state is a random
token kept for an hour (GitHub's limit for the whole flow) as a file in the instance folder, so every web
worker process can check it. Secrets are never logged or shown.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import yaml
from flask import Blueprint, current_app, render_template, request

from bot import credentials, runtime_of
from bot.credentials import ConversionError
from bot.settings import Settings
from bot.web.webhooks import PATH as HOOK_PATH

bp = Blueprint("manifest", __name__)
log = logging.getLogger(__name__)

APP_YML = Path(__file__).resolve().parents[2] / "app.yml"
CALLBACK_PATH = "/setup/callback"
STATE_TTL_S = 3600  # GitHub: "all steps must finish within one hour"
MAX_NAME = 34  # GitHub's limit for an App name
ORG_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class SetupStates:
    """One-hour CSRF tokens for the manifest flow: one empty 0600 file per token (named by its SHA-256)."""

    def __init__(self, folder: Path, ttl_s: float = STATE_TTL_S) -> None:
        self.folder = folder
        self.ttl_s = ttl_s

    def _file(self, token: str) -> Path:
        return self.folder / hashlib.sha256(token.encode()).hexdigest()

    def issue(self) -> str:
        credentials.private_dir(self.folder.parent)
        credentials.private_dir(self.folder)
        self._prune()
        token = secrets.token_urlsafe(32)
        os.close(os.open(self._file(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return token

    def valid(self, token: str) -> bool:
        if not token or len(token) > 200:
            return False
        try:
            return time.time() - self._file(token).stat().st_mtime < self.ttl_s
        except OSError:
            return False

    def consume(self, token: str) -> None:
        self._file(token).unlink(missing_ok=True)

    def _prune(self) -> None:
        for path in self.folder.iterdir():
            try:
                if time.time() - path.stat().st_mtime >= self.ttl_s:
                    path.unlink()
            except OSError:
                continue  # another process pruned it first


def load_manifest(path: Path = APP_YML) -> dict[str, Any]:
    with path.open(encoding="utf-8") as source:
        manifest = yaml.safe_load(source)
    if not isinstance(manifest, dict):
        raise ValueError(f"{path} is not a YAML mapping")
    return manifest


def build_manifest(base: dict[str, Any], public_url: str, name: str | None = None) -> dict[str, Any]:
    """``app.yml`` with this Steward's URLs (and the chosen name) filled in."""
    manifest = json.loads(json.dumps(base))  # a deep copy
    manifest["url"] = public_url
    manifest["hook_attributes"] = {**manifest.get("hook_attributes", {}), "url": public_url + HOOK_PATH}
    manifest["redirect_url"] = public_url + CALLBACK_PATH
    if name:
        manifest["name"] = name
    return manifest


def manifest_target(web_url: str, org: str | None, state: str) -> str:
    """Where the manifest form posts: a personal App, or one owned by the organisation ``org``."""
    owner = f"/organizations/{quote(org)}" if org else ""
    return f"{web_url}{owner}/settings/apps/new?{urlencode({'state': state})}"


def normalise_public_url(raw: str) -> str:
    """``https://host[:port][/prefix]`` without a trailing slash; ValueError says what is wrong."""
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("The public URL must start with https:// (or http://) and name a host.")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("The public URL must not carry a query, a fragment or credentials.")
    return value


def _settings() -> Settings:
    return runtime_of(current_app).settings


def _states(settings: Settings) -> SetupStates:
    return SetupStates(Path(settings.instance_dir) / "setup-states")


def configured(settings: Settings) -> bool:
    return settings.github_app_id is not None or settings.credentials_path.exists()


def _page(template: str, status: int = 200, **context: Any):
    return render_template(template, **context), status, HEADERS


def _error(status: int, title: str, message: str, **context: Any):
    return _page("setup/error.html", status, title=title, message=message, **context)


def _already_configured(settings: Settings):
    where = ("GITHUB_APP_ID is set" if settings.github_app_id and not settings.credentials_path.exists()
             else f"the credentials file {settings.credentials_path} exists")
    return _error(404, "A GitHub App is already configured",
                  f"Setup is closed because {where}. To register a new App, remove the credentials "
                  "(and unset GITHUB_APP_ID) and restart Steward.")


def _form(settings: Settings, status: int = 200, errors: list[str] | None = None, **values: str):
    return _page("setup/manifest.html", status, errors=errors or [], web_url=settings.web_url,
                 max_name=MAX_NAME, **values)


@bp.get("/setup")
def setup_form():
    settings = _settings()
    if configured(settings):
        return _already_configured(settings)
    return _form(settings, public_url=request.host_url.rstrip("/"), org="", name=load_manifest()["name"])


@bp.post("/setup")
def setup_submit():
    settings = _settings()
    if configured(settings):
        return _already_configured(settings)
    base = load_manifest()
    values = {key: request.form.get(key, "").strip() for key in ("public_url", "org", "name")}
    errors: list[str] = []
    public_url = ""
    try:
        public_url = normalise_public_url(values["public_url"])
    except ValueError as exc:
        errors.append(str(exc))
    if values["org"] and not ORG_NAME.fullmatch(values["org"]):
        errors.append("The organisation must be a GitHub login: letters, digits and hyphens, at most 39.")
    if len(values["name"]) > MAX_NAME:
        errors.append(f"The App name may have at most {MAX_NAME} characters.")
    if errors:
        return _form(settings, 400, errors, **values)
    manifest = build_manifest(base, public_url, values["name"] or None)
    target = manifest_target(settings.web_url, values["org"] or None, _states(settings).issue())
    return _page("setup/redirect.html", target=target, manifest=manifest,
                 manifest_json=json.dumps(manifest, separators=(",", ":")), org=values["org"])


@bp.get(CALLBACK_PATH)
def setup_callback():
    settings = _settings()
    if configured(settings):
        return _already_configured(settings)
    state, code = request.args.get("state", ""), request.args.get("code", "")
    states = _states(settings)
    if not states.valid(state):
        return _error(400, "Unknown or expired setup request",
                      "The state parameter is missing, wrong or older than an hour, so this request did not "
                      "come from a setup started here. Start again at /setup.")
    if not code:
        return _error(400, "GitHub sent no code", "The callback carries no code. Start again at /setup.")
    try:
        creds = credentials.convert_manifest_code(settings.github_api_url, code)
    except ConversionError as exc:
        log.warning("GitHub App manifest conversion failed: %s", exc)
        refused = exc.status is not None and 400 <= exc.status < 500
        return _error(400 if refused else 502, "GitHub did not hand over the App's credentials", str(exc),
                      refused=refused, apps_url=settings.web_url + "/settings/apps")
    try:
        path = credentials.save(creds, settings.credentials_path, exclusive=True)
    except FileExistsError:
        return _error(409, "Another setup finished first",
                      f"{settings.credentials_path} was written meanwhile; the App {creds.html_url} created "
                      "by this request was not saved. Delete it on GitHub.")
    except OSError as exc:
        log.error("could not write %s: %s", settings.credentials_path, exc.strerror)
        return _error(500, "The credentials could not be written",
                      f"Writing {settings.credentials_path} failed ({exc.strerror}). The App {creds.html_url} "
                      "exists on GitHub: fix the folder's permissions, then generate a new private key and "
                      "webhook secret on the App's settings page, or delete the App and start again.")
    states.consume(state)
    log.info("GitHub App %s (id %s) registered; credentials written to %s", creds.slug, creds.id, path)
    overridden = [name for name, value in (("GITHUB_WEBHOOK_SECRET", settings.webhook_secret),
                                           ("GITHUB_PRIVATE_KEY", settings.github_private_key),
                                           ("GITHUB_PRIVATE_KEY_PATH", settings.github_private_key_path))
                  if value]
    return _page("setup/done.html", creds=creds, path=path, overridden=overridden,
                 install_url=creds.html_url.rstrip("/") + "/installations/new")
