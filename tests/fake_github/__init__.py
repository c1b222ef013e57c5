"""FakeGitHub: the suite's ONLY fake of GitHub.

A real HTTP server on 127.0.0.1 (pytest-httpserver) that speaks the REST and GraphQL endpoints Steward
uses, over in-memory state, with real-shaped objects (``../shared/github-api/rest-examples.json``).
PyGithub reaches it through its ``base_url``; every URL the fake returns is built from that base URL
(PyGithub refuses other hosts and ports). It records every request and can inject failures
(rate limits, 5xx, 404, 422) on the next matching requests.

Routes live in ``rest.py``, ``graphql.py`` and ``manifest.py`` beside this file; each module's ``install(fake)``
registers its handlers with ``fake.route(method, pattern)``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.shared import SHARED

EXAMPLES = json.loads(
    (SHARED / "github-api" / "rest-examples.json").read_text())

Handler = Callable[..., Response]


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Fault:
    method: str
    pattern: re.Pattern
    status: int
    headers: dict[str, str]
    body: Any
    times: int


@dataclass
class FakeRepo:
    """One repository's state. Issues and pull requests share ``number`` space, as on GitHub."""

    id: int
    owner: str
    name: str
    private: bool = False
    default_branch: str = "main"
    installation_id: int | None = None
    issues: dict[int, dict] = field(default_factory=dict)  # REST issue objects (PRs carry "pull_request")
    pulls: dict[int, dict] = field(default_factory=dict)  # REST pull request objects
    pull_files: dict[int, list[str]] = field(default_factory=dict)  # changed paths per PR number
    issue_comments: dict[int, list[dict]] = field(default_factory=dict)  # per issue/PR number
    reviews: dict[int, list[dict]] = field(default_factory=dict)  # per PR number
    review_comments: dict[int, list[dict]] = field(default_factory=dict)  # per PR number
    discussions: dict[int, dict] = field(default_factory=dict)  # GraphQL-shaped Discussion objects
    discussion_comments: dict[int, list[dict]] = field(default_factory=dict)  # per discussion number
    releases: list[dict] = field(default_factory=list)
    contents: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (ref, path) -> file bytes
    check_runs: dict[int, dict] = field(default_factory=dict)
    labels: dict[str, dict] = field(default_factory=dict)
    reactions: dict[int, list[dict]] = field(default_factory=dict)  # per issue comment id
    annotations: dict[int, list[dict]] = field(default_factory=dict)  # per check run id
    permissions: dict[str, str] = field(default_factory=dict)  # lower-cased login -> admin|…|read|none
    pull_commits: dict[int, list[dict]] = field(default_factory=dict)  # REST commit objects per PR number
    branches: dict[str, str] = field(default_factory=dict)  # branch name -> head commit sha
    trees: dict[str, dict[str, bytes]] = field(default_factory=dict)  # commit sha -> {path: bytes} (tarballs)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class State:
    app: dict = field(default_factory=lambda: dict(EXAMPLES["integration"]))
    installations: dict[int, dict] = field(default_factory=dict)
    repos: dict[str, FakeRepo] = field(default_factory=dict)  # by lower-cased full name
    tokens: dict[str, dict] = field(default_factory=dict)  # token -> {"installation_id", "expires_at"}
    hook_deliveries: list[dict] = field(default_factory=list)  # GET /app/hook/deliveries items
    redelivered: list[int] = field(default_factory=list)  # delivery ids POSTed to …/attempts
    manifest_codes: dict[str, dict] = field(default_factory=dict)  # code -> conversion response
    token_ttl_s: int = 3600  # lifetime of the installation tokens the fake issues
    teams: dict[str, list[str]] = field(default_factory=dict)  # "org/slug" (lower-cased) -> member logins
    next_id: int = 900_000_000

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def repo(self, owner: str, name: str) -> FakeRepo | None:
        return self.repos.get(f"{owner}/{name}".lower())


class FakeGitHub:
    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.base_url = server.url_for("/").rstrip("/")
        self.state = State()
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self._routes: list[tuple[str, re.Pattern, Handler]] = []
        self._lock = threading.RLock()
        from tests.fake_github import graphql, manifest, rest

        for module in (rest, graphql, manifest):
            module.install(self)
        server.expect_request(re.compile(".*")).respond_with_handler(self._dispatch)

    # --- building state -------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + path

    def add_repo(self, owner: str, name: str, **kw: Any) -> FakeRepo:
        repo = FakeRepo(id=kw.pop("id", self.state.new_id()), owner=owner, name=name, **kw)
        self.state.repos[repo.full_name.lower()] = repo
        return repo

    # --- failure injection ----------------------------------------------------------------------
    def fail_next(self, method: str, pattern: str, status: int, *, headers: dict[str, str] | None = None,
                  body: Any = None, times: int = 1) -> None:
        """The next ``times`` requests matching ``method`` and the path regex get this answer instead."""
        self.faults.append(Fault(method.upper(), re.compile(pattern), status, headers or {},
                                 body if body is not None else {"message": f"injected {status}"}, times))

    # --- routing --------------------------------------------------------------------------------
    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Register ``handler(request, **groups) -> Response`` for a full-match path regex."""

        def decorator(handler: Handler) -> Handler:
            self._routes.append((method.upper(), re.compile(pattern), handler))
            return handler

        return decorator

    def requests_to(self, method: str, pattern: str) -> list[Recorded]:
        rx = re.compile(pattern)
        return [r for r in self.requests if r.method == method.upper() and rx.fullmatch(r.path)]

    def _dispatch(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(Recorded(request.method, request.path, request.query_string.decode(),
                                          dict(request.headers), request.get_data()))
            for fault in self.faults:
                if fault.times > 0 and fault.method == request.method and fault.pattern.fullmatch(request.path):
                    fault.times -= 1
                    return json_response(fault.body, fault.status, fault.headers)
            for method, pattern, handler in self._routes:
                match = pattern.fullmatch(request.path)
                if match and method == request.method:
                    return handler(request, **match.groupdict())
        return json_response({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, 404)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    all_headers = {"Content-Type": "application/json; charset=utf-8", "X-RateLimit-Limit": "5000",
                   "X-RateLimit-Remaining": "4999", "X-RateLimit-Reset": "4102444800",
                   "X-RateLimit-Resource": "core"}
    all_headers.update(headers or {})
    data = b"" if body is None else json.dumps(body).encode()
    return Response(data, status=status, headers=all_headers)
