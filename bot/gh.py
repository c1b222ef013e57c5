"""GitHub access: the ONLY module that imports PyGithub.

PyGithub's ``Requester`` carries the connection, the App JWT (``Auth.AppAuth``) and request pacing; the
policy (rate limits, retries, ETags, recorded writes) is ``bot/gh_http.py``'s. Installation tokens come
from ``POST /app/installations/{id}/access_tokens``, cached per installation for every API object of the
process and replaced five minutes before ``expires_at``. Without App credentials the APIs are ``dry``:
writes are recorded as ``dry_run`` in ``OutboundWrite`` and nothing is sent. No credential reaches a log
line, an exception message or a repr: PyGithub logs response bodies at DEBUG, token responses included,
so ``_Redact`` rewrites those records.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from github import Auth, Github
from sqlalchemy import select

from bot import gh_http, gh_repo
from bot.db import now
from bot.gh_discussions import DiscussionCalls
from bot.gh_http import Client, GitHubError, RateLimited, Transport, parse, repo_path
from bot.gh_items import ItemCalls
from bot.gh_repo import RepoCalls
from bot.models import Repository
from bot.outbound import recent_writes

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.settings import Settings

__all__ = ["AppAPI", "GitHubError", "InstallationAPI", "RateLimited", "app_api", "installation_api",
           "recent_writes", "reset_caches"]

API_VERSION = "2022-11-28"
TOKEN_REFRESH = timedelta(minutes=5)  # a cached installation token this close to its expiry is replaced
JWT_EXPIRY_S = 540  # GitHub allows at most 10 minutes
_SECRET = re.compile(r'("token"\s*:\s*")[^"]*|\bgh[a-z]_\w+|\bgithub_pat_\w+|\beyJ[\w-]*\.[\w-]*\.[\w-]*'
                     r"|-----BEGIN[A-Z ]*PRIVATE KEY-----.*?-----END[A-Z ]*PRIVATE KEY-----", re.S)
_token_lock = threading.Lock()
_tokens: dict[tuple, tuple[str, datetime]] = {}  # (API URL, App id, installation id) -> (token, expires_at)


def installation_api(runtime: Runtime, installation_id: int | None, *,
                     repository_id: int | None = None) -> InstallationAPI:
    """Calls as one installation (dry when no App credentials are configured). Without an installation id,
    the one the repository was last seen under (webhooks without an ``installation`` object) is used."""
    if installation_id is None and repository_id is not None:
        with runtime.factory() as uow:
            installation_id = uow.scalar(select(Repository.installation_id).where(Repository.id == repository_id))
    app = _App(runtime.settings) if runtime.settings.app_configured else None
    return InstallationAPI(runtime, installation_id, app)


def app_api(runtime: Runtime) -> AppAPI:
    """App-level calls, authenticated by a JWT (dry when no App credentials are configured)."""
    return AppAPI(runtime, _App(runtime.settings) if runtime.settings.app_configured else None)


def reset_caches() -> None:
    """Forget cached installation tokens, ETags and the content budget (tests; a rotated key)."""
    with _token_lock:
        _tokens.clear()
    gh_http.forget_etags()
    gh_http.content_budget.clear()
    gh_repo.forget()


def _private_key(settings: Settings) -> str:
    return settings.github_private_key or Path(settings.github_private_key_path or "").read_text()


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = _SECRET.sub(lambda m: (m.group(1) or "") + "[redacted]", text)
        if clean != text:
            record.msg, record.args = clean, ()
        return True


def _transport(settings: Settings, auth: Auth.Auth) -> Transport:
    logger = logging.getLogger("github.Requester")
    if not any(isinstance(f, _Redact) for f in logger.filters):
        logger.addFilter(_Redact())
    requester = Github(
        auth=auth, base_url=settings.github_api_url.rstrip("/"), retry=None, per_page=100, lazy=True,
        api_version=API_VERSION, seconds_between_requests=settings.github_seconds_between_requests,
        seconds_between_writes=settings.github_seconds_between_writes).requester
    return Transport(settings, requester)


class _TokenAuth(Auth.Auth):
    """The installation token ``InstallationAPI`` sets before each request, from the shared cache."""

    value = ""
    token_type = "token"

    @property
    def token(self) -> str:
        return self.value

    @property
    def _masked_token(self) -> str:
        return "token (removed)"


class _App:
    """The App's JWT transport, and installation tokens from the shared cache."""

    def __init__(self, settings: Settings) -> None:
        self.app_id = settings.github_app_id
        key = functools.partial(_private_key, settings)  # read when a JWT is signed
        self.transport = _transport(settings, Auth.AppAuth(self.app_id, key, jwt_expiry=JWT_EXPIRY_S,
                                                           jwt_issued_at=-60))

    def token(self, installation_id: int) -> str:
        key = (self.transport.base, self.app_id, installation_id)
        with _token_lock:
            cached = _tokens.get(key)
            if cached and cached[1] - TOKEN_REFRESH > now():
                return cached[0]
            path = f"/app/installations/{installation_id}/access_tokens"
            data = parse(self.transport.call("POST", path)[2])
            if not isinstance(data, dict) or not data.get("token") or not data.get("expires_at"):
                raise GitHubError(f"POST {path}: no token in the answer")
            _tokens[key] = (data["token"], gh_http.parse_time(data["expires_at"]))
            return data["token"]

    def forget(self, installation_id: int, token: str) -> None:
        key = (self.transport.base, self.app_id, installation_id)
        with _token_lock:
            if key in _tokens and _tokens[key][0] == token:
                del _tokens[key]


class InstallationAPI(ItemCalls, RepoCalls, DiscussionCalls, Client):
    def __init__(self, runtime: Runtime, installation_id: int | None, app: _App | None) -> None:
        self.installation_id = installation_id
        self._app, self._auth = app, _TokenAuth()
        super().__init__(runtime, _transport(runtime.settings, self._auth) if app else None, installation_id)

    @property

    def requests(self) -> int:
        return super().requests + (self._app.transport.requests if self._app else 0)

    def _send(self, verb: str, url: str, params: dict | None = None, body: Any = None,
              headers: dict | None = None) -> tuple[int, dict, str]:
        if self._app is None:
            raise GitHubError(gh_http.NO_CREDENTIALS)
        if self.installation_id is None:
            raise GitHubError(f"{verb} {urllib.parse.urlsplit(url).path}: no installation is known for it")
        self._auth.value = self._app.token(int(self.installation_id))
        try:
            return super()._send(verb, url, params, body, headers)
        except GitHubError as exc:
            if exc.status != 401:
                raise
            self._app.forget(int(self.installation_id), self._auth.value)  # revoked: one fresh token, once
        self._auth.value = self._app.token(int(self.installation_id))
        return super()._send(verb, url, params, body, headers)

    def download_tarball(self, repo: str, sha: str, dest_dir: Path, *, max_bytes: int = 2 * 1024**3) -> Path:
        """``GET /repos/{o}/{r}/tarball/{sha}`` streamed into ``dest_dir`` (at most ``max_bytes``); the file's path.

        GitHub answers with a redirect to a short-lived archive URL on another host; ``requests`` follows it
        and drops the ``Authorization`` header on the way (a different host never sees the token)."""
        import requests

        if self._app is None or self.installation_id is None:
            raise GitHubError(gh_http.NO_CREDENTIALS if self._app is None else "no installation is known")
        path = f"/repos/{repo_path(repo)}/tarball/{urllib.parse.quote(sha, safe='')}"
        headers = {"Authorization": f"token {self._app.token(int(self.installation_id))}",
                   "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
        target, size = Path(dest_dir) / "archive.tar.gz", 0
        with requests.get(self._runtime.settings.github_api_url.rstrip("/") + path, headers=headers, stream=True,
                          timeout=60) as answer:
            if answer.status_code != 200:
                hdrs = {k.lower(): v for k, v in answer.headers.items()}
                limit = gh_http.rate_limit(answer.status_code, hdrs, answer.text[:2000],
                                           self._runtime.settings.github_secondary_wait_s)
                if limit is not None:
                    raise RateLimited(limit, f"GET {path}: rate limited")
                raise GitHubError(f"GET {path}: HTTP {answer.status_code}", answer.status_code)
            with target.open("wb") as out:
                for chunk in answer.iter_content(1 << 20):
                    size += len(chunk)
                    if size > max_bytes:
                        raise GitHubError(f"GET {path}: the archive is larger than {max_bytes:,} bytes")
                    out.write(chunk)
        return target

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        """The ``data`` of a GraphQL query; GitHubError on ``errors``, RateLimited on RATE_LIMITED."""
        base = self._runtime.settings.github_api_url.rstrip("/")
        url = base.removesuffix("/v3") + "/graphql" if base.endswith("/api/v3") else base + "/graphql"
        _, hdrs, raw = self._send("POST", url, body={"query": query, "variables": variables or {}})
        data = parse(raw) or {}
        errors = data.get("errors") if isinstance(data, dict) else None
        if errors:
            if any(isinstance(e, dict) and e.get("type") == "RATE_LIMITED" for e in errors):
                limit = gh_http.rate_limit(403, {**hdrs, "x-ratelimit-remaining": "0"}, raw,
                                           self._runtime.settings.github_secondary_wait_s)
                raise RateLimited(limit or now() + timedelta(minutes=1), "POST graphql: rate limited")
            raise GitHubError("GraphQL: " + "; ".join(str(e.get("message", e)) for e in errors)[:1000])
        return data.get("data") or {}


class AppAPI(Client):
    def __init__(self, runtime: Runtime, app: _App | None) -> None:
        super().__init__(runtime, app.transport if app else None, "app")

    def hook_deliveries(self, since: datetime) -> list[dict]:
        """The App's webhook deliveries (all attempts, newest first) delivered at or after ``since``."""
        found = []
        for item in self.paginate("/app/hook/deliveries"):
            if gh_http.parse_time(item["delivered_at"]) < since:
                break
            found.append(item)
        return found

    def redeliver(self, delivery_id: int) -> None:
        """Ask GitHub for a new attempt of one delivery (recorded; not sent when dry)."""
        path = f"/app/hook/deliveries/{int(delivery_id)}/attempts"
        self._write("redelivery", "", f"hook/deliveries/{delivery_id}", {"delivery_id": delivery_id},
                    lambda: self._call("POST", path))

    def installations(self) -> list[dict]:
        """The App's installations (``GET /app/installations``), each with its granted ``permissions``."""
        return list(self.paginate("/app/installations"))
