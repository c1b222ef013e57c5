"""REST routes of the fake (see ``tests/fake_github/__init__.py``).

App endpoints want ``Authorization: Bearer <JWT>`` (iss = the App id, unexpired); repository endpoints
want ``token <installation token>`` issued here and unexpired, else 401 "Bad credentials". GETs carry an
ETag and answer 304 to a matching ``If-None-Match``. Objects are the shapes of
``rest-examples.json`` with every URL rebuilt on the fake's base URL. The helpers at the bottom seed
state and inject GitHub's real rate-limit answers.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import io
import json
import secrets
import tarfile
import time
from datetime import UTC, datetime, timedelta

import jwt
from werkzeug import Request, Response

from tests.fake_github import EXAMPLES, FakeGitHub, FakeRepo, json_response

DOCS = "https://docs.github.com/rest"
REPO = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
REACTIONS = {"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"}
SECONDARY = ("You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach "
             "out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.")


def stamp(at: datetime | None = None) -> str:
    return (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def rebase(fake: FakeGitHub, obj):
    """A deep copy of a real example with its api.github.com URLs on the fake's base URL."""
    text = json.dumps(obj).replace("https://api.github.com", fake.base_url)
    return json.loads(text)


def error(status: int, message: str, **extra):
    return json_response({"message": message, "documentation_url": DOCS, **extra}, status)


def get_json(request: Request, body, headers: dict | None = None):
    """A GET answer with an ETag; 304 (no body) when the client already holds this version."""
    etag = 'W/"' + hashlib.sha256(json.dumps([body, headers], sort_keys=True).encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        return json_response(None, 304, {"ETag": etag, **(headers or {})})
    return json_response(body, 200, {"ETag": etag, **(headers or {})})


def page(fake: FakeGitHub, request: Request, items: list, path: str):
    """GitHub's page/per_page pagination with first/prev/next/last links."""
    per_page = min(int(request.args.get("per_page", 30)), 100)
    number = max(int(request.args.get("page", 1)), 1)
    last = max((len(items) + per_page - 1) // per_page, 1)
    rels = ({"first": 1, "prev": number - 1} if number > 1 else {}) | (
        {"next": number + 1, "last": last} if number < last else {})
    link = ", ".join(f'<{fake.url(path)}?per_page={per_page}&page={n}>; rel="{rel}"' for rel, n in rels.items())
    chunk = items[(number - 1) * per_page:number * per_page]
    return get_json(request, chunk, {"Link": link} if link else None)


def install(fake: FakeGitHub) -> None:
    state = fake.state

    def app_jwt(handler):
        @functools.wraps(handler)
        def wrapped(request, **kw):
            kind, _, token = request.headers.get("Authorization", "").partition(" ")
            try:
                claims = jwt.decode(token, options={"verify_signature": False}) if kind == "Bearer" else {}
            except jwt.PyJWTError:
                claims = {}
            if not {"iat", "exp", "iss"} <= claims.keys():
                return error(401, "A JSON web token could not be decoded")
            if str(claims["iss"]) not in (str(state.app["id"]), state.app.get("client_id")):
                return error(401, "Integration not found")
            if not claims["iat"] <= time.time() < claims["exp"] or claims["exp"] - claims["iat"] > 600:
                return error(401, "'Expiration time' claim ('exp') is too far in the future")
            return handler(request, **kw)

        return wrapped

    def installation(handler):
        @functools.wraps(handler)
        def wrapped(request, owner, name, **kw):
            kind, _, token = request.headers.get("Authorization", "").partition(" ")
            issued = state.tokens.get(token) if kind == "token" else None
            if issued is None or issued["expires_at"] <= datetime.now(UTC):
                return error(401, "Bad credentials")
            repo = state.repo(owner, name)
            if repo is None or repo.installation_id not in (None, issued["installation_id"]):
                return error(404, "Not Found")
            return handler(request, repo, **kw)

        return wrapped

    @fake.route("GET", r"/app")
    def get_app(request):
        return json_response(state.app)

    @fake.route("GET", r"/rate_limit")
    def rate_limit(request):
        core = {"limit": 5000, "remaining": 4999, "reset": 4102444800, "used": 1}
        return json_response({"resources": {"core": core, "graphql": core}, "rate": core})

    @fake.route("POST", r"/app/installations/(?P<iid>\d+)/access_tokens")
    @app_jwt
    def access_token(request, iid):
        if int(iid) not in state.installations:
            return error(404, "Not Found")
        token, expires = "ghs_" + secrets.token_hex(18), datetime.now(UTC) + timedelta(seconds=state.token_ttl_s)
        state.tokens[token] = {"installation_id": int(iid), "expires_at": expires}
        body = {k: v for k, v in EXAMPLES["installation-token"].items() if k != "repositories"}
        return json_response({**body, "token": token, "expires_at": stamp(expires), "repository_selection": "all"}, 201)

    @fake.route("GET", r"/app/hook/deliveries")
    @app_jwt
    def hook_deliveries(request):
        items = sorted(state.hook_deliveries, key=lambda d: d["id"], reverse=True)
        per_page = min(int(request.args.get("per_page", 30)), 100)
        cursor = request.args.get("cursor")
        start = next((i + 1 for i, d in enumerate(items) if cursor == f"v1_{d['id']}"), 0)
        chunk = items[start:start + per_page]
        more = start + per_page < len(items)
        link = f'<{fake.url("/app/hook/deliveries")}?per_page={per_page}&cursor=v1_{chunk[-1]["id"]}>; rel="next"'
        return get_json(request, chunk, {"Link": link} if more else None)

    @fake.route("POST", r"/app/hook/deliveries/(?P<did>\d+)/attempts")
    @app_jwt
    def redeliver(request, did):
        if not any(d["id"] == int(did) for d in state.hook_deliveries):
            return error(404, "Not Found")
        state.redelivered.append(int(did))
        return json_response({}, 202)

    @fake.route("GET", REPO + r"/issues/(?P<number>\d+)/comments")
    @installation
    def list_comments(request, repo, number):
        path = f"/repos/{repo.full_name}/issues/{number}/comments"
        return page(fake, request, repo.issue_comments.get(int(number), []), path)

    @fake.route("GET", REPO + r"/pulls/(?P<number>\d+)/files")
    @installation
    def list_pull_files(request, repo, number):
        files = [{"sha": "0" * 40, "filename": path, "status": "modified", "additions": 1, "deletions": 0,
                  "changes": 1} for path in repo.pull_files.get(int(number), [])]
        return page(fake, request, files, f"/repos/{repo.full_name}/pulls/{number}/files")

    @fake.route("GET", REPO + r"/contents/(?P<path>.+)")
    @installation
    def get_contents(request, repo, path):
        ref = request.args.get("ref") or repo.default_branch
        data = repo.contents.get((ref, path))
        if data is None:
            return error(404, "Not Found")
        return get_json(request, {
            "type": "file", "encoding": "base64", "path": path, "name": path.rsplit("/", 1)[-1], "size": len(data),
            "sha": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(),  # noqa: S324 - git's blob id
            "content": base64.encodebytes(data).decode()})

    @fake.route("GET", REPO + r"/tarball/(?P<ref>[^/]+)")
    @installation
    def get_tarball(request, repo, ref):
        """A gzip tar of ``repo.trees[ref]`` under one top folder named as GitHub names it."""
        tree = repo.trees.get(ref)
        if tree is None:
            return error(404, "Not Found")
        return Response(tarball(f"{repo.owner}-{repo.name}-{ref[:7]}", tree), 200,
                        {"Content-Type": "application/x-gzip"})

    @fake.route("POST", REPO + r"/issues/(?P<number>\d+)/comments")
    @installation
    def create_comment(request, repo, number):
        body = request.get_json().get("body") or ""
        if len(body) > 65536:
            return too_long()
        return json_response(add_comment(fake, repo, int(number), body, bot=True), 201)

    @fake.route("PATCH", REPO + r"/issues/comments/(?P<cid>\d+)")
    @installation
    def edit_comment(request, repo, cid):
        comment = find_comment(repo, int(cid))
        if comment is None:
            return error(404, "Not Found")
        body = request.get_json().get("body") or ""
        if len(body) > 65536:
            return too_long()
        comment.update(body=body, updated_at=stamp())
        return json_response(comment)

    @fake.route("GET", REPO + r"/issues/comments/(?P<cid>\d+)/reactions")
    @installation
    def list_reactions(request, repo, cid):
        if find_comment(repo, int(cid)) is None:
            return error(404, "Not Found")
        path = f"/repos/{repo.full_name}/issues/comments/{cid}/reactions"
        return page(fake, request, repo.reactions.get(int(cid), []), path)

    @fake.route("POST", REPO + r"/issues/comments/(?P<cid>\d+)/reactions")
    @installation
    def react(request, repo, cid):
        content = request.get_json().get("content")
        if find_comment(repo, int(cid)) is None:
            return error(404, "Not Found")
        if content not in REACTIONS:
            return error(422, "Validation Failed", errors=[{"resource": "Reaction", "code": "invalid",
                                                            "field": "content"}])
        mine = repo.reactions.setdefault(int(cid), [])
        if existing := next((r for r in mine if r["content"] == content), None):
            return json_response(existing, 200)
        reaction = {"id": state.new_id(), "node_id": "MDg6UmVhY3Rpb24x", "user": bot_user(fake),
                    "content": content, "created_at": stamp()}
        mine.append(reaction)
        return json_response(reaction, 201)

    @fake.route("POST", REPO + r"/issues/(?P<number>\d+)/labels")
    @installation
    def add_labels(request, repo, number):
        issue = repo.issues.get(int(number))
        if issue is None:
            return error(404, "Not Found")
        for label in request.get_json().get("labels") or []:
            known = repo.labels.setdefault(label, {**rebase(fake, EXAMPLES["label"]), "id": state.new_id(),
                                                   "name": label, "default": False})
            if all(existing["name"] != label for existing in issue.setdefault("labels", [])):
                issue["labels"].append(known)
        return json_response(issue["labels"])

    @fake.route("DELETE", REPO + r"/issues/(?P<number>\d+)/labels/(?P<label>.+)")  # %2F arrives decoded
    @installation
    def remove_label(request, repo, number, label):
        issue = repo.issues.get(int(number))
        if issue is None or all(existing["name"] != label for existing in issue.get("labels", [])):
            return error(404, "Label does not exist")
        issue["labels"] = [existing for existing in issue["labels"] if existing["name"] != label]
        return json_response(issue["labels"])

    @fake.route("POST", REPO + r"/check-runs")
    @installation
    def create_check_run(request, repo):
        fields = request.get_json()
        if not fields.get("name") or not fields.get("head_sha"):
            return error(422, "Invalid request.\n\n\"name\" and \"head_sha\" are required.")
        run = {**rebase(fake, EXAMPLES["check-run"]), "id": state.new_id(), "status": "queued", "conclusion": None,
               "completed_at": None, "started_at": stamp(), "details_url": None, "external_id": ""}
        run["url"] = fake.url(f"/repos/{repo.full_name}/check-runs/{run['id']}")
        repo.check_runs[run["id"]] = run
        return update_run(repo, run, fields, 201)

    @fake.route("PATCH", REPO + r"/check-runs/(?P<rid>\d+)")
    @installation
    def update_check_run(request, repo, rid):
        run = repo.check_runs.get(int(rid))
        return error(404, "Not Found") if run is None else update_run(repo, run, request.get_json(), 200)

    @fake.route("GET", REPO + r"/check-runs/(?P<rid>\d+)")
    @installation
    def get_check_run(request, repo, rid):
        run = repo.check_runs.get(int(rid))
        return error(404, "Not Found") if run is None else get_json(request, run)

    # --- pull-request automation (issue 6 §1-5) ---------------------------------------------------------
    @fake.route("GET", r"/app/installations")
    @app_jwt
    def list_installations(request):
        return page(fake, request, [state.installations[i] for i in sorted(state.installations)],
                    "/app/installations")

    @fake.route("GET", REPO + r"/pulls/(?P<number>\d+)/commits")
    @installation
    def list_pull_commits(request, repo, number):
        return page(fake, request, repo.pull_commits.get(int(number), []),
                    f"/repos/{repo.full_name}/pulls/{number}/commits")

    @fake.route("GET", REPO + r"/issues/(?P<number>\d+)/labels")
    @installation
    def list_labels(request, repo, number):
        issue = repo.issues.get(int(number))
        if issue is None:
            return error(404, "Not Found")
        return page(fake, request, issue.get("labels") or [], f"/repos/{repo.full_name}/issues/{number}/labels")

    @fake.route("GET", REPO + r"/branches/(?P<branch>[^/]+)")
    @installation
    def get_branch(request, repo, branch):
        sha = repo.branches.get(branch)
        if sha is None:
            return error(404, "Branch not found")
        return get_json(request, {"name": branch, "protected": False, "commit": {
            **rebase(fake, EXAMPLES["commit"]), "sha": sha,
            "url": fake.url(f"/repos/{repo.full_name}/commits/{sha}")}})

    # --- governance commands (issue 6): permissions, pull requests, assignees, closing ----------------------
    @fake.route("GET", REPO + r"/collaborators/(?P<login>[^/]+)/permission")
    @installation
    def collaborator_permission(request, repo, login):
        level = repo.permissions.get(login.lower(), "none" if repo.private else "read")
        legacy = {"maintain": "write", "triage": "read"}.get(level, level)
        return get_json(request, {"permission": legacy, "role_name": level,
                                  "user": {**rebase(fake, EXAMPLES["simple-user"]), "login": login}})

    @fake.route("GET", REPO + r"/pulls/(?P<number>\d+)")
    @installation
    def get_pull(request, repo, number):
        pr = repo.pulls.get(int(number))
        if pr is None:
            return error(404, "Not Found")
        issue = repo.issues.get(int(number)) or {}
        return get_json(request, {**pr, "labels": issue.get("labels", pr.get("labels") or [])})

    @fake.route("POST", REPO + r"/issues/(?P<number>\d+)/assignees")
    @fake.route("DELETE", REPO + r"/issues/(?P<number>\d+)/assignees")
    @installation
    def assignees(request, repo, number):
        issue = repo.issues.get(int(number))
        if issue is None:
            return error(404, "Not Found")
        current = issue.setdefault("assignees", [])
        for login in request.get_json().get("assignees") or []:
            known = [a for a in current if a["login"].lower() == login.lower()]
            if request.method == "DELETE":
                current[:] = [a for a in current if a not in known]
            elif not known and repo.permissions.get(login.lower()) in ("triage", "write", "maintain", "admin"):
                current.append({**rebase(fake, EXAMPLES["simple-user"]), "login": login})  # others: silently not
        return json_response(issue, 201 if request.method == "POST" else 200)

    @fake.route("PATCH", REPO + r"/issues/(?P<number>\d+)")
    @installation
    def edit_issue(request, repo, number):
        issue = repo.issues.get(int(number))
        if issue is None:
            return error(404, "Not Found")
        fields = request.get_json()
        if "state_reason" in fields and int(number) in repo.pulls:  # pull requests have no state reason
            return error(422, "Validation Failed", errors=[{"resource": "Issue", "code": "invalid",
                                                            "field": "state_reason"}])
        issue.update({k: v for k, v in fields.items() if k in ("state", "state_reason", "title", "body")})
        if int(number) in repo.pulls and "state" in fields:
            repo.pulls[int(number)]["state"] = fields["state"]
        return json_response(issue)

    # --- periodic governance (issue 6 §6-8): the maintainers' monthly ladder issue -------------------------
    @fake.route("GET", r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)/members")
    def team_members(request, org, slug):
        kind, _, token = request.headers.get("Authorization", "").partition(" ")
        issued = state.tokens.get(token) if kind == "token" else None
        if issued is None or issued["expires_at"] <= datetime.now(UTC):
            return error(401, "Bad credentials")
        members = state.teams.get(f"{org}/{slug}".lower())
        if members is None:
            return error(404, "Not Found")
        users = [{**rebase(fake, EXAMPLES["simple-user"]), "login": login} for login in members]
        return page(fake, request, users, f"/orgs/{org}/teams/{slug}/members")

    @fake.route("DELETE", REPO + r"/issues/(?P<number>\d+)/labels/(?P<label>[^/]+/.+)")
    def remove_scoped_label(request, owner, name, number, label):  # lifecycle/stale: the server decodes %2F
        return remove_label(request, owner=owner, name=name, number=number, label=label)

    @fake.route("POST", REPO + r"/issues")
    @installation
    def create_issue(request, repo):
        fields = request.get_json()
        if not fields.get("title"):
            return error(422, "Validation Failed", errors=[{"resource": "Issue", "code": "missing_field",
                                                            "field": "title"}])
        issue = add_issue(fake, repo, max(list(repo.issues) + list(repo.pulls) + [0]) + 1)
        issue.update(title=fields["title"], body=fields.get("body"), user=bot_user(fake))
        for label in fields.get("labels") or []:
            issue["labels"].append(repo.labels.setdefault(label, {**rebase(fake, EXAMPLES["label"]),
                                                                  "id": state.new_id(), "name": label}))
        return json_response(issue, 201)

    def update_run(repo: FakeRepo, run: dict, fields: dict, status: int):
        output = fields.pop("output", None)
        if fields.get("status") not in (None, "queued", "in_progress", "completed"):
            return error(422, "Invalid request.\n\nstatus is not a valid value.")
        if output is not None:
            notes = output.get("annotations") or []
            if not output.get("title") or not output.get("summary") or len(notes) > 50:
                return error(422, "Invalid request.\n\noutput needs title and summary, and at most 50 annotations.")
            if any(len(output.get(k) or "") > 65535 for k in ("summary", "text")):
                return error(422, "Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied.")
            repo.annotations.setdefault(run["id"], []).extend(notes)
            run["output"] = {**run["output"], **{k: v for k, v in output.items() if k != "annotations"},
                             "annotations_count": len(repo.annotations[run["id"]])}
        run.update(fields)
        if fields.get("conclusion"):
            run.update(status="completed", completed_at=fields.get("completed_at") or stamp())
        return json_response(run, status)

    def find_comment(repo: FakeRepo, comment_id: int) -> dict | None:
        return next((c for comments in repo.issue_comments.values() for c in comments if c["id"] == comment_id), None)

    def too_long():
        return error(422, "Validation Failed", errors=[{
            "resource": "IssueComment", "code": "unprocessable", "field": "data",
            "message": "Body is too long (maximum is 65536 characters)"}])


# --- seeding state and injecting GitHub's answers (used by tests) -------------------------------------
def tarball(top: str, files: dict[str, bytes]) -> bytes:
    """A gzip tar holding ``files`` under ``top/``, like GitHub's archive of a commit."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        folder = tarfile.TarInfo(top)
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def add_commit(fake: FakeGitHub, repo: FakeRepo, number: int, sha: str, message: str, *, name: str = "Mona Lisa",
               email: str = "mona@example.com", user: dict | None = None, parents: int = 1) -> dict:
    """Append a commit to a pull request's commit list, shaped like ``GET /pulls/{n}/commits`` items."""
    commit = copy.deepcopy(rebase(fake, EXAMPLES["commit"]))
    commit.update(sha=sha, author=user, committer=user, parents=[{"sha": f"{k:040x}"} for k in range(parents)])
    commit["commit"].update(message=message, author={"name": name, "email": email, "date": stamp()},
                            committer={"name": name, "email": email, "date": stamp()})
    repo.pull_commits.setdefault(number, []).append(commit)
    return commit


def bot_user(fake: FakeGitHub) -> dict:
    login = f"{fake.state.app['slug']}[bot]"
    return {**rebase(fake, EXAMPLES["simple-user"]), "login": login, "id": 41898282, "type": "Bot",
            "url": fake.url(f"/users/{login}")}


def add_installation(fake: FakeGitHub, installation_id: int) -> dict:
    installation = {**rebase(fake, EXAMPLES["base-installation"]), "id": installation_id}
    fake.state.installations[installation_id] = installation
    return installation


def add_issue(fake: FakeGitHub, repo: FakeRepo, number: int) -> dict:
    issue = {**rebase(fake, EXAMPLES["issue"]), "id": fake.state.new_id(), "number": number, "labels": []}
    repo.issues[number] = issue
    return issue


def add_comment(fake: FakeGitHub, repo: FakeRepo, number: int, body: str, *, bot: bool = False) -> dict:
    comment_id = fake.state.new_id()
    comment = {**rebase(fake, EXAMPLES["issue-comment"]), "id": comment_id, "body": body,
               "url": fake.url(f"/repos/{repo.full_name}/issues/comments/{comment_id}"),
               "issue_url": fake.url(f"/repos/{repo.full_name}/issues/{number}"),
               "created_at": stamp(), "updated_at": stamp()}
    if bot:
        comment["user"] = bot_user(fake)
    repo.issue_comments.setdefault(number, []).append(comment)
    return comment


def add_reaction(fake: FakeGitHub, repo: FakeRepo, comment_id: int, user: dict, content: str, at: str) -> dict:
    """Someone (``user``, a REST user object) reacts to an issue comment at ``at`` (an ISO timestamp)."""
    reaction = {"id": fake.state.new_id(), "node_id": "MDg6UmVhY3Rpb24y", "user": user, "content": content,
                "created_at": at}
    repo.reactions.setdefault(comment_id, []).append(reaction)
    return reaction


def add_hook_delivery(fake: FakeGitHub, guid: str, status_code: int, *, delivered_at: datetime | None = None,
                      redelivery: bool = False) -> dict:
    item = copy.deepcopy(EXAMPLES["hook-delivery-items"][0])
    item.update(id=fake.state.new_id(), guid=guid, status_code=status_code, redelivery=redelivery,
                status="OK" if 200 <= status_code < 300 else f"Invalid HTTP Response: {status_code}",
                delivered_at=stamp(delivered_at))
    fake.state.hook_deliveries.append(item)
    return item


def secondary_limit(fake: FakeGitHub, method: str, pattern: str, *, status: int = 403,
                    retry_after: int | None = None, times: int = 1) -> None:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    body = {"message": SECONDARY, "documentation_url": DOCS + "/overview/rate-limits-for-the-rest-api"}
    fake.fail_next(method, pattern, status, headers=headers, body=body, times=times)


def primary_limit(fake: FakeGitHub, method: str, pattern: str, *, reset: int, status: int = 403) -> None:
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Used": "5000", "X-RateLimit-Reset": str(reset)}
    body = {"message": "API rate limit exceeded for installation ID 1.",
            "documentation_url": DOCS + "/overview/rate-limits-for-the-rest-api"}
    fake.fail_next(method, pattern, status, headers=headers, body=body)
