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

import base64
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

from bot import gh_http, outbound
from bot.db import now
from bot.gh_http import Client, GitHubError, RateLimited, Transport, parse, repo_path
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
_files_lock = threading.Lock()
_files: dict[tuple, tuple[str, ...]] = {}  # (API URL, repo, PR number, head sha) -> changed paths, oldest first


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
    with _files_lock:
        _files.clear()


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


class InstallationAPI(Client):
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

    def get_file(self, repo: str, path: str, ref: str) -> bytes | None:
        """A file's bytes at ``ref`` (a SHA or branch), or None when it does not exist there."""
        try:
            data = self.get(f"/repos/{repo_path(repo)}/contents/{urllib.parse.quote(path)}", {"ref": ref})
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(data, dict) or data.get("type") != "file":
            return None  # a directory or a submodule at that path: no file
        return base64.b64decode(data.get("content") or "")

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

    def upsert_comment(self, repo: str, number: int, marker: str, body: str) -> int | None:
        """Create or edit in place the one comment carrying ``<!-- steward:<marker> -->``; its id."""
        text = outbound.comment_body(marker, body)
        factory = self._runtime.factory

        def send() -> int:
            comment_id = outbound.marked_comment(factory, repo, number, marker)
            if comment_id is not None and not self._edit_comment(repo, comment_id, text):
                comment_id = None  # deleted on GitHub: look again, else create
            if comment_id is None:
                comment_id = self._find_marked(repo, number, outbound.marker_tag(marker))
                if comment_id is None or not self._edit_comment(repo, comment_id, text):
                    comment_id = self._json("POST", f"/repos/{repo_path(repo)}/issues/{number}/comments",
                                            {"body": text})["id"]
            outbound.remember_comment(factory, repo, number, marker, comment_id)
            return comment_id

        return self._write("comment", repo, f"issues/{number}", {"marker": marker, "body": text}, send)

    def _edit_comment(self, repo: str, comment_id: int, text: str) -> bool:
        try:
            self._json("PATCH", f"/repos/{repo_path(repo)}/issues/comments/{comment_id}", {"body": text})
        except GitHubError as exc:
            if exc.status != 404:
                raise
            return False
        return True

    def _find_marked(self, repo: str, number: int, tag: str) -> int | None:
        """Newest first: from the last page of the issue's comments back to the first."""
        first, hdrs = self._get(f"/repos/{repo_path(repo)}/issues/{number}/comments", {"per_page": 100})
        url = gh_http.links(hdrs).get("last")
        while url:
            page, hdrs = self._get(url, None)
            if (found := _marked(page, tag)) is not None:
                return found
            url = gh_http.links(hdrs).get("prev")
            if url and urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("page", ["1"]) == ["1"]:
                break  # the first page is already here
        return _marked(first, tag)

    def create_check_run(self, repo: str, head_sha: str, name: str, **fields: Any) -> int | None:
        body, batches = outbound.check_run_fields({"name": name, "head_sha": head_sha, **fields})
        path = f"/repos/{repo_path(repo)}/check-runs"

        def send() -> int:
            run_id = self._json("POST", path, body)["id"]
            self._more_annotations(f"{path}/{run_id}", body, batches)
            return run_id

        return self._write("check_run", repo, f"commits/{head_sha}", body, send)

    def update_check_run(self, repo: str, check_run_id: int, **fields: Any) -> None:
        body, batches = outbound.check_run_fields(fields)
        path = f"/repos/{repo_path(repo)}/check-runs/{check_run_id}"

        def send() -> int:
            self._json("PATCH", path, body)
            self._more_annotations(path, body, batches)
            return check_run_id

        self._write("check_run", repo, f"check-runs/{check_run_id}", body, send)

    def _more_annotations(self, path: str, body: dict, batches: list[list[dict]]) -> None:
        output = body.get("output") or {}
        for batch in batches:  # GitHub takes 50 a request and appends them
            self._json("PATCH", path, {"output": {"title": output.get("title"), "summary": output.get("summary"),
                                                  "annotations": batch}})

    def add_labels(self, repo: str, number: int, labels: list[str]) -> None:
        path = f"/repos/{repo_path(repo)}/issues/{number}/labels"
        self._write("labels", repo, f"issues/{number}", {"add": list(labels)},
                    lambda: self._call("POST", path, {"labels": list(labels)}))

    def remove_label(self, repo: str, number: int, label: str) -> None:
        def send() -> None:
            try:
                self._json("DELETE", f"/repos/{repo_path(repo)}/issues/{number}/labels/"
                           + urllib.parse.quote(label, safe=""))
            except GitHubError as exc:
                if exc.status != 404:  # not on the issue (any more): the goal is reached
                    raise

        self._write("labels", repo, f"issues/{number}", {"remove": label}, send)

    def add_reaction(self, repo: str, comment_id: int, content: str) -> None:
        self._write("reaction", repo, f"issues/comments/{comment_id}", {"content": content}, lambda: self._json(
            "POST", f"/repos/{repo_path(repo)}/issues/comments/{comment_id}/reactions", {"content": content})["id"])

    # --- governance (issue 6): permissions, pull requests, assignees, closing, discussions -----------------
    def collaborator_permission(self, repo: str, login: str) -> str:
        """admin | maintain | write | triage | read | none (GitHub's ``role_name``; 404 = none)."""
        try:
            data = self.get(f"/repos/{repo_path(repo)}/collaborators/{urllib.parse.quote(login)}/permission")
        except GitHubError as exc:
            if exc.status == 404:
                return "none"
            raise
        data = data if isinstance(data, dict) else {}
        return str(data.get("role_name") or data.get("permission") or "none")

    def get_pull(self, repo: str, number: int) -> dict | None:
        """The pull request's REST object, or None when ``number`` is an issue (or nothing)."""
        try:
            data = self.get(f"/repos/{repo_path(repo)}/pulls/{int(number)}")
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise
        return data if isinstance(data, dict) else None

    def pull_files(self, repo: str, number: int, head_sha: str | None = None) -> list[str]:
        """The PR's changed paths. With ``head_sha``, read once per head in this process: the docs credit,
        labels, the config check and the evaluation all ask for the same list right after a push."""
        key = (self._transport.base if self._transport else "", repo, int(number), head_sha)
        with _files_lock:
            if head_sha and key in _files:
                return list(_files[key])
        files = [f["filename"] for f in self.paginate(f"/repos/{repo_path(repo)}/pulls/{int(number)}/files")
                 if f.get("filename")]
        if head_sha:
            with _files_lock:
                _files[key] = tuple(files)
                while len(_files) > 256:
                    _files.pop(next(iter(_files)))
        return files

    def set_assignees(self, repo: str, number: int, logins: list[str], *, add: bool) -> list[str] | None:
        """Add (or remove) assignees; the assignees GitHub reports afterwards (None when dry)."""
        path, verb = f"/repos/{repo_path(repo)}/issues/{int(number)}/assignees", "POST" if add else "DELETE"
        found: list[str] = []

        def send() -> None:
            data = self._json(verb, path, {"assignees": list(logins)})
            found.extend(a["login"] for a in (data or {}).get("assignees") or [] if a and a.get("login"))

        self._write("assignees", repo, f"issues/{number}", {"add" if add else "remove": list(logins)}, send)
        return None if self.dry else found

    def close_item(self, repo: str, number: int, *, not_planned: bool = False) -> dict | None:
        """Close an issue or pull request; the issue object GitHub returns (None when dry)."""
        body = {"state": "closed", **({"state_reason": "not_planned"} if not_planned else {})}
        found: list[dict] = []

        def send() -> None:
            found.append(self._json("PATCH", f"/repos/{repo_path(repo)}/issues/{int(number)}", body))

        self._write("close", repo, f"issues/{number}", body, send)
        return found[0] if found else None

    def react_to_node(self, repo: str, subject_id: str, content: str) -> None:
        """A reaction on a GraphQL node (a discussion comment): content as REST names it (``+1``)."""
        name = {"+1": "THUMBS_UP", "-1": "THUMBS_DOWN", "eyes": "EYES"}.get(content, content.upper())
        query = ("mutation($id: ID!, $c: ReactionContent!) { addReaction(input: {subjectId: $id, content: $c})"
                 " { reaction { content } } }")
        self._write("reaction", repo, f"node/{subject_id}"[:255], {"content": content},
                    lambda: self.graphql(query, {"id": subject_id, "c": name}) and None)

    def upsert_discussion_comment(self, repo: str, number: int, discussion_id: str, marker: str,
                                  body: str) -> None:
        """Create or edit in place the one discussion comment carrying ``<!-- steward:<marker> -->``."""
        from bot.db import insert_for, transaction
        from bot.models import DiscussionReply

        text, factory = outbound.comment_body(marker, body), self._runtime.factory
        key = (DiscussionReply.repository == repo, DiscussionReply.number == number,
               DiscussionReply.marker == marker)
        edit = ("mutation($id: ID!, $b: String!) { updateDiscussionComment(input: {commentId: $id, body: $b})"
                " { comment { id } } }")
        add = ("mutation($d: ID!, $b: String!) { addDiscussionComment(input: {discussionId: $d, body: $b})"
               " { comment { id } } }")

        def send() -> None:
            with factory() as uow:
                node = uow.scalar(select(DiscussionReply.node_id).where(*key))
            if node is not None:
                try:
                    self.graphql(edit, {"id": node, "b": text})
                    return
                except GitHubError as exc:
                    if "NOT_FOUND" not in str(exc) and "Could not resolve" not in str(exc):
                        raise
            node = self.graphql(add, {"d": discussion_id, "b": text})["addDiscussionComment"]["comment"]["id"]
            with transaction(factory) as uow:
                uow.execute(insert_for(uow, DiscussionReply).values(
                    repository=repo, number=number, marker=marker, node_id=node, updated_at=now(),
                ).on_conflict_do_update(index_elements=["repository", "number", "marker"],
                                        set_={"node_id": node, "updated_at": now()}))

        self._write("comment", repo, f"discussions/{number}", {"marker": marker, "body": text}, send)

    def label_discussion(self, repo: str, discussion_id: str, labels: list[str], *, add: bool) -> list[str]:
        """Add (or remove) existing labels on a discussion (a Labelable node); the names that do not exist."""
        owner, name = repo_path(repo).split("/")
        ids, missing = [], []
        for label in ([] if self.dry else labels):
            query = ("query($o: String!, $n: String!, $l: String!) {"
                     " repository(owner: $o, name: $n) { label(name: $l) { id } } }")
            found = (self.graphql(query, {"o": owner, "n": name, "l": label}).get("repository") or {}).get("label")
            (ids.append(found["id"]) if found else missing.append(label))
        if missing:
            return missing
        field = "addLabelsToLabelable" if add else "removeLabelsFromLabelable"
        mutation = (f"mutation($id: ID!, $l: [ID!]!) {{ {field}(input: {{labelableId: $id, labelIds: $l}})"
                    " { clientMutationId } }")
        self._write("labels", repo, f"node/{discussion_id}"[:255], {"add" if add else "remove": list(labels)},
                    lambda: self.graphql(mutation, {"id": discussion_id, "l": ids}) and None)
        return []


    # --- periodic governance (issue 6 §6-8): the default branch's head, maintainers' issues ----------------
    def branch_sha(self, repo: str, branch: str) -> str | None:
        """The commit SHA at the head of ``branch``, or None when there is no such branch."""
        try:
            data = self.get(f"/repos/{repo_path(repo)}/branches/{urllib.parse.quote(branch, safe='')}")
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise
        return ((data or {}).get("commit") or {}).get("sha") if isinstance(data, dict) else None

    def create_issue(self, repo: str, title: str, body: str, labels: list[str]) -> int | None:
        """Open an issue; its number (None when dry)."""
        payload = {"title": title, "body": body, "labels": list(labels)}
        return self._write("issue", repo, "issues", payload, lambda: self._json(
            "POST", f"/repos/{repo_path(repo)}/issues", payload)["number"])

    def edit_issue(self, repo: str, number: int, **fields: Any) -> None:
        """Change an issue's ``title``, ``body`` or ``state`` in place."""
        path = f"/repos/{repo_path(repo)}/issues/{int(number)}"
        self._write("issue", repo, f"issues/{number}", dict(fields), lambda: self._call("PATCH", path, dict(fields)))

    def team_members(self, team: str) -> list[str]:
        """The logins of a team (``org/slug``; child teams' members included, as GitHub lists them)."""
        org, slug = (urllib.parse.quote(part, safe="") for part in team.split("/", 1))
        return [m["login"] for m in self.paginate(f"/orgs/{org}/teams/{slug}/members") if m.get("login")]

    def discussion_id(self, repo: str, number: int) -> str | None:
        """A discussion's GraphQL node id by number, or None when there is none."""
        owner, name = repo_path(repo).split("/")
        query = ("query($o: String!, $n: String!, $d: Int!) { repository(owner: $o, name: $n)"
                 " { discussion(number: $d) { id } } }")
        data = self.graphql(query, {"o": owner, "n": name, "d": int(number)})
        return ((data.get("repository") or {}).get("discussion") or {}).get("id")

    def close_discussion(self, repo: str, discussion_id: str, reason: str = "OUTDATED") -> None:
        mutation = ("mutation($id: ID!, $r: DiscussionCloseReason) { closeDiscussion(input: {discussionId: $id,"
                    " reason: $r}) { discussion { id } } }")
        self._write("close", repo, f"node/{discussion_id}"[:255], {"reason": reason},
                    lambda: self.graphql(mutation, {"id": discussion_id, "r": reason}) and None)

    # --- pull-request automation (issue 6 §1-5): commits for DCO, current labels ---------------------------
    def pull_commits(self, repo: str, number: int) -> list[dict]:
        """The pull request's commits, oldest first (GitHub lists at most 250)."""
        return list(self.paginate(f"/repos/{repo_path(repo)}/pulls/{int(number)}/commits"))

    def issue_labels(self, repo: str, number: int) -> list[str]:
        """The names of the labels on an issue or pull request now."""
        return [label["name"] for label in self.paginate(f"/repos/{repo_path(repo)}/issues/{int(number)}/labels")
                if label.get("name")]

def _marked(comments: Any, tag: str) -> int | None:
    for comment in reversed(gh_http.items(comments)):
        if tag in (comment.get("body") or "") and (comment.get("user") or {}).get("type") == "Bot":
            return comment["id"]
    return None


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
