"""The request policy under ``bot/gh.py`` (which alone imports PyGithub and hands us its ``Requester``).

Rate limits (GITHUB.md §4: Retry-After, then x-ratelimit-reset when remaining is 0, else at least a
minute) are slept through when short and raised as ``RateLimited`` when long; 5xx answers and lost
connections are retried with exponential backoff; repeated GETs send ``If-None-Match`` and a 304 reuses
the cached body. ``Client`` holds the reads and the recorded writes shared by the App and installation
APIs. Messages name the request and GitHub's answer, never a credential.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import time
import urllib.parse
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from bot import observability, outbound
from bot.db import now
from bot.jobs import Retry

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.settings import Settings

log = logging.getLogger("bot.gh")
ETAG_ENTRIES = 2048
NO_CREDENTIALS = "no GitHub App credentials are configured (GITHUB_APP_ID and GITHUB_PRIVATE_KEY[_PATH])"
_REPO = re.compile(r"[\w.-]+/[\w.-]+")
_LINK = re.compile(r'<([^>]+)>;\s*rel="(\w+)"')
sleep = time.sleep  # the only way the GitHub client waits; tests replace it

_etag_lock = threading.Lock()
_etags: OrderedDict[tuple, tuple[str, str, str | None]] = OrderedDict()  # key -> (ETag, body, Link)


class GitHubError(Exception):
    """A failed GitHub request: names the request and GitHub's message, never a credential."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(Retry):
    """A rate limit too long to sleep through: run again at ``reset_at``. Being a ``jobs.Retry``, a job that
    lets it escape is rescheduled for the reset by the job engine itself, without counting a failure."""

    def __init__(self, reset_at: datetime, message: str = "GitHub rate limit") -> None:
        super().__init__(reset_at, f"{message}; retry at {reset_at:%Y-%m-%dT%H:%M:%SZ}")
        self.reset_at = reset_at


def forget_etags() -> None:
    with _etag_lock:
        _etags.clear()


class ContentBudget:
    """GitHub's secondary limits on content creation: at most 80 a minute and 500 an hour. Every POST to
    a repository counts (comments, check runs, labels, reactions); only the clock process writes, so one
    budget per process and installation keeps Steward under both."""

    WINDOWS = ((60.0, 80), (3600.0, 500))

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: dict[Any, deque[float]] = {}

    def take(self, scope: Any, max_sleep_s: float) -> None:
        """Claim the next slot, sleeping up to ``max_sleep_s`` for it; else ``RateLimited`` when it frees."""
        with self._lock:
            sent = self._sent.setdefault(scope, deque())
            t = time.monotonic()
            while sent and sent[0] <= t - self.WINDOWS[-1][0]:
                sent.popleft()
            wait = max([0.0] + [sent[-limit] + window - t for window, limit in self.WINDOWS if len(sent) >= limit])
            if wait > max_sleep_s:
                raise RateLimited(now() + timedelta(seconds=wait), "content-creation budget spent")
            sent.append(t + wait)  # reserved now, so concurrent writers queue behind it
        if wait > 0:
            sleep(wait)

    def clear(self) -> None:
        with self._lock:
            self._sent.clear()


content_budget = ContentBudget()


class Transport:
    """One requester (PyGithub's, built by ``gh.py``) and our policy for retries and rate-limit waits."""

    def __init__(self, settings: Settings, requester: Any) -> None:
        self.settings, self.requester = settings, requester
        self.base, self.requests = settings.github_api_url.rstrip("/"), 0

    def call(self, verb: str, url: str, params: dict | None = None, body: Any = None,
             headers: dict | None = None) -> tuple[int, dict, str]:
        """``(status, headers, raw body)`` of a 2xx or 304; anything else raises after the retries it deserves."""
        s, path = self.settings, urllib.parse.urlsplit(url).path
        for attempt in range(s.github_retries + 1):
            self.requests += 1
            try:
                status, hdrs, raw = self.requester.requestJson(
                    verb, url, params, {"Accept": "application/vnd.github+json", **(headers or {})}, body)
            except requests.RequestException as exc:
                status, hdrs, raw = 0, {}, f"{type(exc).__name__} (no response)"
            except Exception as exc:  # signing the JWT failed: a bad or unreadable key; never echo it
                raise GitHubError(f"{verb} {path}: {type(exc).__name__} while authenticating") from None
            observability.github_call(verb, status, hdrs)  # for /metrics: calls and rate-limit remaining
            if 200 <= status < 300 or status == 304:
                return status, hdrs, raw
            limit = rate_limit(status, hdrs, raw, s.github_secondary_wait_s)
            if limit is not None:
                wait = (limit - now()).total_seconds()
                if wait > s.github_max_sleep_s or attempt == s.github_retries:
                    raise RateLimited(limit, f"{verb} {path}: rate limited (HTTP {status})")
            elif (status == 0 or status >= 500) and attempt < s.github_retries:
                wait = s.github_backoff_s * 2**attempt
            else:
                raise GitHubError(f"{verb} {path}: HTTP {status}: {message(raw)}"[:1000], status or None)
            log.info("GitHub %s %s answered %s; retrying in %.1f s", verb, path, status or "nothing", wait)
            sleep(max(0.0, wait))
        raise AssertionError("unreachable")  # pragma: no cover


def rate_limit(status: int, headers: dict, raw: str, secondary_wait: float) -> datetime | None:
    """Until when a 403/429 is a rate limit; None when it is not one (e.g. a missing permission)."""
    if status not in (403, 429):
        return None
    if headers.get("retry-after", "").strip().isdigit():
        return now() + timedelta(seconds=int(headers["retry-after"]))
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return datetime.fromtimestamp(int(reset) + 1, UTC)
    if status == 429 or "rate limit" in message(raw).lower():
        return now() + timedelta(seconds=secondary_wait)
    return None


def parse(raw: str) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def message(raw: str) -> str:
    data = parse(raw)
    if not isinstance(data, dict):
        return raw[:200]
    details = [e.get("message") or e.get("code") for e in data.get("errors") or [] if isinstance(e, dict)]
    return "; ".join(str(m) for m in [data.get("message"), *details] if m)


def links(headers: dict) -> dict[str, str]:
    return {rel: url for url, rel in _LINK.findall(headers.get("link") or "")}


def items(data: Any) -> list[dict]:
    if isinstance(data, dict):  # {"total_count": n, "check_runs": [...]} and the like
        data = next((v for v in data.values() if isinstance(v, list)), [])
    return data if isinstance(data, list) else []


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def repo_path(repo: str) -> str:
    if not _REPO.fullmatch(repo):
        raise GitHubError(f"not an owner/name repository: {repo[:200]!r}")
    return repo


class Client:
    """Reads (JSON, ETag reuse, pagination) and recorded writes; subclasses say how a request is sent."""

    installation_id: int | None = None

    def __init__(self, runtime: Runtime, transport: Transport | None, scope: Any) -> None:
        self._runtime, self._transport, self._scope = runtime, transport, scope
        self.dry = transport is None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(scope={self._scope!r}, dry={self.dry})"

    @property
    def requests(self) -> int:
        return self._transport.requests if self._transport else 0

    def _send(self, verb: str, url: str, params: dict | None = None, body: Any = None,
              headers: dict | None = None) -> tuple[int, dict, str]:
        if self._transport is None:
            raise GitHubError(NO_CREDENTIALS)
        base = self._transport.base
        if verb == "POST" and url.removeprefix(base).startswith("/repos/"):  # creates content on GitHub
            content_budget.take((base, self._scope), self._runtime.settings.github_max_sleep_s)
        return self._transport.call(verb, url, params, body, headers)

    def _json(self, verb: str, url: str, body: Any = None) -> Any:
        return parse(self._send(verb, url, body=body)[2])

    def _call(self, verb: str, url: str, body: Any = None) -> None:
        self._send(verb, url, body=body)

    def _get(self, url: str, params: dict | None) -> tuple[Any, dict]:
        base = self._transport.base if self._transport else ""
        key = (base, self._scope, url, urllib.parse.urlencode(sorted((params or {}).items())))
        with _etag_lock:
            cached = _etags.get(key)
        status, hdrs, raw = self._send("GET", url, params, headers={"If-None-Match": cached[0]} if cached else None)
        if status == 304 and cached:
            raw, hdrs = cached[1], {**hdrs, "link": cached[2] or ""}
        elif hdrs.get("etag"):
            with _etag_lock:
                _etags[key] = (hdrs["etag"], raw, hdrs.get("link"))
                _etags.move_to_end(key)
                while len(_etags) > ETAG_ENTRIES:
                    _etags.popitem(last=False)
        return parse(raw), hdrs

    def get(self, path: str, params: dict | None = None) -> Any:
        """REST GET as JSON; a repeated GET sends the last ETag and a 304 returns the cached body."""
        return self._get(path, params)[0]

    def paginate(self, path: str, params: dict | None = None) -> Iterator[dict]:
        """Every item of a list endpoint, 100 a page, following the ``Link: rel="next"`` header."""
        url, query = path, {"per_page": 100, **(params or {})}
        while url:
            data, hdrs = self._get(url, query)
            yield from items(data)
            url, query = links(hdrs).get("next"), None
            if url and self._transport and not url.startswith(self._transport.base + "/"):
                raise GitHubError(f"GET {path}: pagination left the API URL")

    def _write(self, kind: str, repo: str, target: str, payload: dict, send: Callable[[], int | None]) -> int | None:
        record = functools.partial(outbound.record, self._runtime.factory, repository=repo, kind=kind,
                                   target=target, payload=payload, installation_id=self.installation_id)
        if self.dry:
            log.info("dry run: %s %s on %s recorded, not sent", kind, target, repo or "the App")
            record(status=outbound.DRY_RUN)
            return None
        try:
            github_id = send()
        except (GitHubError, RateLimited) as exc:
            record(status=outbound.FAILED, error=str(exc))
            raise
        record(status=outbound.SENT, github_id=github_id)
        return github_id
