"""Fetching: one page query per 100 items, plus follow-ups only for nested connections with more pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.backfill.queries import FOLLOW_FIELD, FOLLOW_UP, PAGE_QUERY, REPOSITORY
from bot.contributions import is_docs_path

CONNECTION = {"issues": "issues", "pull_requests": "pullRequests", "discussions": "discussions",
              "releases": "releases"}


class NotFound(LookupError):
    """GitHub does not show this repository (renamed, deleted, or not installed)."""


class Fetcher:
    def __init__(self, api: Any, full_name: str) -> None:
        self.api = api
        self.full_name = full_name
        self.owner, self.name = full_name.split("/", 1)

    def _repository(self, query: str, variables: dict) -> dict:
        data = self.api.graphql(query, {"owner": self.owner, "name": self.name, **variables})
        repo = (data or {}).get("repository")
        if repo is None:
            raise NotFound(f"GitHub shows no repository {self.full_name}")
        return repo

    def repository(self) -> dict:
        return self._repository(REPOSITORY, {})

    def page(self, resource: str, after: str | None) -> dict:
        """One page of ``resource`` whose every nested connection is complete (``nodes`` hold it all)."""
        conn = self._repository(PAGE_QUERY[resource], {"after": after})[CONNECTION[resource]]
        conn["nodes"] = [n for n in conn.get("nodes") or [] if n]
        for node in conn["nodes"]:
            getattr(self, f"_complete_{resource}")(node)
        return conn

    def rest(self, key: str, node: dict, field: str, until: Callable[[list], bool] | None = None) -> list[dict]:
        """All nodes of ``node[field]``: the nested first page, then follow-up pages while there are more."""
        conn = node.get(field) or {"nodes": [], "pageInfo": {"hasNextPage": False}}
        nodes = [n for n in conn.get("nodes") or [] if n]
        info = conn["pageInfo"]
        while info["hasNextPage"] and not (until and until(nodes)):
            data = self.api.graphql(FOLLOW_UP[key], {"id": node["id"], "after": info["endCursor"]})
            more = data["node"][FOLLOW_FIELD[key]]
            nodes += [n for n in more.get("nodes") or [] if n]
            info = more["pageInfo"]
        node[field] = {**conn, "nodes": nodes, "pageInfo": info}
        return nodes

    def _complete_issues(self, node: dict) -> None:
        self.rest("issue_comments", node, "comments")

    def _complete_pull_requests(self, node: dict) -> None:
        self.rest("pr_comments", node, "comments")
        for review in self.rest("reviews", node, "reviews"):
            self.rest("review_comments", review, "comments")
        if node["merged"] or node["state"] == "OPEN":  # only these can earn docs credit
            self.rest("files", node, "files", until=lambda files: any(is_docs_path(f["path"]) for f in files))

    def _complete_discussions(self, node: dict) -> None:
        for comment in self.rest("discussion_comments", node, "comments"):
            self.rest("replies", comment, "replies")

    def _complete_releases(self, node: dict) -> None:
        pass
