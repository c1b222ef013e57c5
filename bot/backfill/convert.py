"""GraphQL nodes → the REST-shaped dicts the webhook handlers' upsert helpers take (pure).

Ids are GraphQL ``databaseId`` (the REST and webhook ``id``). Enums become REST's lower case where REST
has lower case; a bot's login gets REST's ``[bot]`` suffix so one account keeps one login.
"""

from __future__ import annotations

from typing import Any

Node = dict[str, Any]


def user(actor: Node | None) -> dict | None:
    if not actor or actor.get("databaseId") is None:
        return None
    kind = actor.get("__typename") or "User"
    login = actor["login"] + ("[bot]" if kind == "Bot" and not actor["login"].endswith("[bot]") else "")
    return {"id": actor["databaseId"], "login": login, "type": kind, "html_url": actor.get("url")}


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _names(connection: Node | None) -> list[dict]:
    return [{"name": n["name"]} for n in (connection or {}).get("nodes") or [] if n]


def _users(connection: Node | None) -> list[dict]:
    return [u for u in (user(n) for n in (connection or {}).get("nodes") or []) if u]


def _item(node: Node) -> dict:
    return {
        "id": node["databaseId"], "node_id": node["id"], "number": node["number"], "title": node["title"],
        "locked": node["locked"], "html_url": node["url"], "created_at": node["createdAt"],
        "updated_at": node["updatedAt"], "author_association": node["authorAssociation"],
        "user": user(node.get("author")),
    }


def issue(node: Node) -> dict:
    return {
        **_item(node), "state": _lower(node["state"]), "state_reason": _lower(node.get("stateReason")),
        "closed_at": node.get("closedAt"), "milestone": node.get("milestone"),
        "labels": _names(node.get("labels")), "assignees": _users(node.get("assignees")),
        "comments": node["comments"]["totalCount"],
    }


def pull_request(node: Node) -> dict:
    head_repo = node.get("headRepository")
    return {
        **_item(node), "state": "open" if node["state"] == "OPEN" else "closed", "closed_at": node.get("closedAt"),
        "draft": node["isDraft"], "merged": node["merged"], "merged_at": node.get("mergedAt"),
        "merged_by": user(node.get("mergedBy")),
        "head": {"ref": node["headRefName"], "sha": node["headRefOid"],
                 "repo": {"id": head_repo["databaseId"]} if head_repo else None},
        "base": {"ref": node["baseRefName"], "sha": node["baseRefOid"]},
        "additions": node["additions"], "deletions": node["deletions"], "changed_files": node["changedFiles"],
        "labels": _names(node.get("labels")), "assignees": _users(node.get("assignees")),
    }


def comment(node: Node) -> dict:
    out = {"id": node["databaseId"], "node_id": node["id"], "body": node["body"], "html_url": node["url"],
           "created_at": node["createdAt"], "updated_at": node["updatedAt"],
           "author_association": node["authorAssociation"], "user": user(node.get("author"))}
    if node.get("replyTo"):  # review comments: REST names the comment this one answers
        out["in_reply_to_id"] = node["replyTo"]["databaseId"]
    return out


def review(node: Node) -> dict:
    return {"id": node["databaseId"], "node_id": node["id"], "state": node["state"],
            "submitted_at": node.get("submittedAt"), "html_url": node["url"],
            "author_association": node["authorAssociation"], "user": user(node.get("author")),
            "commit_id": (node.get("commit") or {}).get("oid")}


def discussion(node: Node) -> dict:
    return {
        **_item(node), "state": "closed" if node["closed"] else "open",
        "category": node.get("category"), "labels": _names(node.get("labels")),
        "answer_chosen_at": node.get("answerChosenAt"), "answer_chosen_by": user(node.get("answerChosenBy")),
    }


def release(node: Node) -> dict:
    return {"id": node["databaseId"], "node_id": node["id"], "tag_name": node["tagName"], "name": node.get("name"),
            "draft": node["isDraft"], "prerelease": node["isPrerelease"], "html_url": node["url"],
            "created_at": node["createdAt"], "published_at": node.get("publishedAt"),
            "author": user(node.get("author"))}


def repository(node: Node) -> dict:
    return {
        "id": node["databaseId"], "name": node["name"], "full_name": node["nameWithOwner"],
        "private": node["isPrivate"], "fork": node["isFork"], "archived": node["isArchived"],
        "description": node.get("description"), "html_url": node["url"], "created_at": node["createdAt"],
        "pushed_at": node.get("pushedAt"), "updated_at": node["updatedAt"],
        "stargazers_count": node["stargazerCount"], "forks_count": node["forkCount"],
        "default_branch": (node.get("defaultBranchRef") or {}).get("name"), "owner": user(node.get("owner")),
    }
