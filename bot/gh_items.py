"""Writing on issues and pull requests as an installation: the one marked comment per marker (edited in
place), check runs, labels, reactions, assignees, opening, editing and closing issues. A mixin of
``gh.InstallationAPI``; every write goes through ``Client._write`` (recorded in the outbound log, dry
without App credentials)."""

from __future__ import annotations

import urllib.parse
from typing import Any

from bot import gh_http, outbound
from bot.gh_http import GitHubError, repo_path


class ItemCalls:
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

    def comment_reactions(self, repo: str, comment_id: int) -> list[dict]:
        """The reactions on an issue comment now (none when dry, or when the comment is gone)."""
        if self.dry:
            return []
        try:
            return list(self.paginate(f"/repos/{repo_path(repo)}/issues/comments/{int(comment_id)}/reactions"))
        except GitHubError as exc:
            if exc.status != 404:
                raise
            return []

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

    def create_issue(self, repo: str, title: str, body: str, labels: list[str]) -> int | None:
        """Open an issue; its number (None when dry)."""
        payload = {"title": title, "body": body, "labels": list(labels)}
        return self._write("issue", repo, "issues", payload, lambda: self._json(
            "POST", f"/repos/{repo_path(repo)}/issues", payload)["number"])

    def edit_issue(self, repo: str, number: int, **fields: Any) -> None:
        """Change an issue's ``title``, ``body`` or ``state`` in place."""
        path = f"/repos/{repo_path(repo)}/issues/{int(number)}"
        self._write("issue", repo, f"issues/{number}", dict(fields), lambda: self._call("PATCH", path, dict(fields)))

    def issue_labels(self, repo: str, number: int) -> list[str]:
        """The names of the labels on an issue or pull request now."""
        return [label["name"] for label in self.paginate(f"/repos/{repo_path(repo)}/issues/{int(number)}/labels")
                if label.get("name")]


def _marked(comments: Any, tag: str) -> int | None:
    for comment in reversed(gh_http.items(comments)):
        if tag in (comment.get("body") or "") and (comment.get("user") or {}).get("type") == "Bot":
            return comment["id"]
    return None
