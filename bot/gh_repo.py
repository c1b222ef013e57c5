"""Reading a repository as an installation: files at a commit, branches, a pull request, its files and
commits, collaborators' permissions, team members. A mixin of ``gh.InstallationAPI``: it uses only the
``gh_http.Client`` calls (``get``, ``paginate``), so it never touches PyGithub or a credential."""

from __future__ import annotations

import base64
import threading
import urllib.parse

from bot.gh_http import GitHubError, repo_path

_files_lock = threading.Lock()
_files: dict[tuple, tuple[str, ...]] = {}  # (API URL, repo, PR number, head sha) -> changed paths, oldest first


def forget() -> None:
    with _files_lock:
        _files.clear()


class RepoCalls:
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

    def branch_sha(self, repo: str, branch: str) -> str | None:
        """The commit SHA at the head of ``branch``, or None when there is no such branch."""
        try:
            data = self.get(f"/repos/{repo_path(repo)}/branches/{urllib.parse.quote(branch, safe='')}")
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise
        return ((data or {}).get("commit") or {}).get("sha") if isinstance(data, dict) else None

    def team_members(self, team: str) -> list[str]:
        """The logins of a team (``org/slug``; child teams' members included, as GitHub lists them)."""
        org, slug = (urllib.parse.quote(part, safe="") for part in team.split("/", 1))
        return [m["login"] for m in self.paginate(f"/orgs/{org}/teams/{slug}/members") if m.get("login")]

    def pull_commits(self, repo: str, number: int) -> list[dict]:
        """The pull request's commits, oldest first (GitHub lists at most 250)."""
        return list(self.paginate(f"/repos/{repo_path(repo)}/pulls/{int(number)}/commits"))
