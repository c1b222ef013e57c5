"""GraphQL views of the fake's state, for graphql-core's default resolvers.

A view is a dict: scalar fields hold values, connection and argument-taking fields hold callables
``(info, **arguments)``, abstract types carry ``__typename``. REST-shaped state (issues, pulls, comments,
reviews, releases) is converted here; discussions and their comments are stored GraphQL-shaped already.
Node ids are ``base64("Type:repository id:key…")`` so ``node(id:)`` finds the object again.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError

MAX_PAGE = 100


class NotFound(Exception):
    pass


def node_id(*parts: Any) -> str:
    return base64.b64encode(":".join(str(p) for p in parts).encode()).decode()


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _index(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor).decode().removeprefix("cursor:v2:"))
    except ValueError as exc:
        raise GraphQLError(f"`{cursor}` does not appear to be a valid cursor.") from exc


def connection(items: list, view: Callable[[Any], dict], info, first: int | None = None, after: str | None = None,
               last: int | None = None, before: str | None = None, **_ignored: Any) -> dict:
    name = info.field_name
    if first is None and last is None:
        raise GraphQLError(f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.")
    for arg, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise GraphQLError(f"Requesting {value} records on the `{name}` connection exceeds the `{arg}` "
                               f"limit of {MAX_PAGE} records.")
    start = _index(after) + 1 if after else 0
    end = min(_index(before), len(items)) if before else len(items)
    window = list(range(start, end))
    chosen = window[:first] if first is not None else window[len(window) - last:] if last else []
    return {
        "totalCount": len(items),
        "nodes": lambda info: [view(items[i]) for i in chosen],
        "edges": lambda info: [{"cursor": _cursor(i), "node": view(items[i])} for i in chosen],
        "pageInfo": {"hasNextPage": bool(chosen) and chosen[-1] < end - 1,
                     "hasPreviousPage": bool(chosen) and chosen[0] > 0,
                     "startCursor": _cursor(chosen[0]) if chosen else None,
                     "endCursor": _cursor(chosen[-1]) if chosen else None},
    }


def conn(items: list, view: Callable[[Any], dict]) -> Callable:
    return lambda info, **args: connection(items, view, info, **args)


def _ordered(items: list, order_by: dict | None, created: str, updated: str) -> list:
    if not order_by:
        return items
    key = {"CREATED_AT": created, "UPDATED_AT": updated}.get(order_by.get("field"), created)
    return sorted(items, key=lambda o: (o.get(key) or "", o.get("number") or 0),
                  reverse=order_by.get("direction") == "DESC")


def actor(user: dict | None) -> dict | None:
    """A REST user → an Actor view (GitHub's GraphQL drops the ``[bot]`` suffix of bot logins)."""
    if not user:
        return None
    kind = user.get("type") if user.get("type") in ("Bot", "Organization", "Mannequin") else "User"
    login = user["login"].removesuffix("[bot]") if kind == "Bot" else user["login"]
    return {"__typename": kind, "login": login, "databaseId": user["id"], "id": node_id(kind, user["id"]),
            "url": user.get("html_url") or f"https://github.com/{login}", "avatarUrl": "https://example.invalid/a.png",
            "resourcePath": f"/{login}"}


def _label(label: dict) -> dict:
    return {"name": label["name"], "color": label.get("color", "ededed"), "id": node_id("Label", label["name"])}


def _issue_comment(repo, c: dict) -> dict:
    return {"__typename": "IssueComment", "id": node_id("IssueComment", repo.id, c["id"]), "databaseId": c["id"],
            "body": c.get("body") or "", "url": c["html_url"], "createdAt": c["created_at"],
            "updatedAt": c["updated_at"], "authorAssociation": c.get("author_association", "NONE"),
            "author": actor(c.get("user"))}


def _item(repo, typename: str, obj: dict) -> dict:
    number = obj["number"]
    return {
        "__typename": typename, "id": node_id(typename, repo.id, number), "databaseId": obj["id"], "number": number,
        "title": obj.get("title") or "", "body": obj.get("body") or "", "locked": bool(obj.get("locked")),
        "url": obj["html_url"], "createdAt": obj["created_at"], "updatedAt": obj["updated_at"],
        "closedAt": obj.get("closed_at"), "authorAssociation": obj.get("author_association", "NONE"),
        "author": actor(obj.get("user")), "labels": conn(obj.get("labels") or [], _label),
        "assignees": conn(obj.get("assignees") or [], actor),
        "comments": conn(repo.issue_comments.get(number, []), lambda c: _issue_comment(repo, c)),
    }


def issue(repo, i: dict) -> dict:
    milestone = i.get("milestone")
    return {**_item(repo, "Issue", i), "state": i["state"].upper(),
            "stateReason": (i.get("state_reason") or "").upper() or None,
            "milestone": {"title": milestone["title"]} if milestone else None}


def pull_request(repo, p: dict) -> dict:
    number = p["number"]
    head, base = p.get("head") or {}, p.get("base") or {}
    head_repo = head.get("repo")
    reviews = repo.reviews.get(number, [])
    return {
        **_item(repo, "PullRequest", p), "state": "MERGED" if p.get("merged") else p["state"].upper(),
        "isDraft": bool(p.get("draft")), "merged": bool(p.get("merged")), "mergedAt": p.get("merged_at"),
        "mergedBy": actor(p.get("merged_by")), "headRefName": head.get("ref", ""), "headRefOid": head.get("sha", ""),
        "headRepository": {"databaseId": head_repo["id"]} if head_repo else None,
        "baseRefName": base.get("ref", ""), "baseRefOid": base.get("sha", ""), "additions": p.get("additions", 0),
        "deletions": p.get("deletions", 0), "changedFiles": len(repo.pull_files.get(number, [])),
        "files": conn(repo.pull_files.get(number, []),
                      lambda path: {"path": path, "additions": 1, "deletions": 0, "changeType": "MODIFIED"}),
        "reviews": conn(reviews, lambda r: review(repo, number, r)),
    }


def review(repo, number: int, r: dict) -> dict:
    comments = [c for c in repo.review_comments.get(number, []) if c.get("pull_request_review_id") == r["id"]]
    return {
        "__typename": "PullRequestReview", "id": node_id("PullRequestReview", repo.id, number, r["id"]),
        "databaseId": r["id"], "state": r["state"].upper(), "submittedAt": r.get("submitted_at"),
        "url": r["html_url"], "authorAssociation": r.get("author_association", "NONE"),
        "author": actor(r.get("user")), "commit": {"oid": r["commit_id"]} if r.get("commit_id") else None,
        "body": r.get("body") or "", "comments": conn(comments, lambda c: review_comment(repo, c)),
    }


def review_comment(repo, c: dict) -> dict:
    reply_to = c.get("in_reply_to_id")
    return {**_issue_comment(repo, c), "__typename": "PullRequestReviewComment",
            "id": node_id("PullRequestReviewComment", repo.id, c["id"]),
            "replyTo": {"databaseId": reply_to} if reply_to else None}


def discussion(repo, d: dict) -> dict:
    comments = repo.discussion_comments.get(d["number"], [])
    top = [c for c in comments if not c.get("replyTo")]
    answer = next((c for c in comments if c.get("isAnswer")), None)
    return {**d, "__typename": "Discussion", "id": node_id("Discussion", repo.id, d["number"]),
            "labels": conn(d.get("labels") or [], _label),
            "answer": discussion_comment(repo, d["number"], answer) if answer else None,
            "comments": conn(top, lambda c: discussion_comment(repo, d["number"], c))}


def discussion_comment(repo, number: int, c: dict) -> dict:
    replies = [r for r in repo.discussion_comments.get(number, [])
               if (r.get("replyTo") or {}).get("databaseId") == c["databaseId"]]
    return {**c, "__typename": "DiscussionComment",
            "id": node_id("DiscussionComment", repo.id, number, c["databaseId"]),
            "isAnswer": bool(c.get("isAnswer")),
            "replies": conn(replies, lambda r: discussion_comment(repo, number, r)),
            "reactions": conn(repo.reactions.get(c["databaseId"], []), _reaction)}


def _reaction(r: dict) -> dict:
    """A reaction kept REST-style (``add_reaction``) or by the ``addReaction`` mutation → a Reaction view; a
    bot's reaction has no ``user`` (the field is a User)."""
    content, user = r["content"], r.get("user") or {}
    return {"content": {"+1": "THUMBS_UP", "-1": "THUMBS_DOWN"}.get(content, content.upper()),
            "createdAt": r.get("created_at") or "2026-01-01T00:00:00Z",
            "user": actor(user) if user.get("type") == "User" else None}


def release(repo, r: dict) -> dict:
    return {"__typename": "Release", "id": node_id("Release", repo.id, r["id"]), "databaseId": r["id"],
            "tagName": r["tag_name"], "name": r.get("name"), "isDraft": bool(r.get("draft")),
            "isPrerelease": bool(r.get("prerelease")), "url": r["html_url"], "createdAt": r["created_at"],
            "publishedAt": r.get("published_at"), "author": actor(r.get("author"))}


def _filtered(items: list, states: list | None, state: Callable[[dict], str]) -> list:
    return [o for o in items if not states or state(o) in states]


def repository(repo) -> dict:
    issues = [i for i in repo.issues.values() if "pull_request" not in i]
    pulls = list(repo.pulls.values())
    owner = {"login": repo.owner, "id": getattr(repo, "owner_id", None) or _owner_id(repo.owner), "type": "User"}
    return {
        "__typename": "Repository", "id": node_id("Repository", repo.id), "databaseId": repo.id, "name": repo.name,
        "nameWithOwner": repo.full_name, "isPrivate": repo.private, "isFork": False, "isArchived": False,
        "description": None, "url": f"https://github.com/{repo.full_name}", "createdAt": "2019-01-01T00:00:00Z",
        "pushedAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z", "stargazerCount": 0,
        "forkCount": 0, "defaultBranchRef": {"name": repo.default_branch}, "owner": actor(owner),
        "label": lambda info, name: _label(repo.labels[name]) if name in repo.labels else None,
        "issues": lambda info, orderBy=None, states=None, **args: connection(
            _ordered(_filtered(issues, states, lambda i: i["state"].upper()), orderBy, "created_at", "updated_at"),
            lambda i: issue(repo, i), info, **args),
        "pullRequests": lambda info, orderBy=None, states=None, **args: connection(
            _ordered(_filtered(pulls, states, lambda p: "MERGED" if p.get("merged") else p["state"].upper()),
                     orderBy, "created_at", "updated_at"), lambda p: pull_request(repo, p), info, **args),
        "discussion": lambda info, number: discussion(repo, repo.discussions[number]) if number in repo.discussions
        else None,  # issue 6 §6: the lifecycle finds a discussion's node id by number
        "discussions": lambda info, orderBy=None, **args: connection(
            _ordered(list(repo.discussions.values()), orderBy, "createdAt", "updatedAt"),
            lambda d: discussion(repo, d), info, **args),
        "releases": lambda info, orderBy=None, **args: connection(
            _ordered(list(repo.releases), orderBy, "created_at", "created_at"), lambda r: release(repo, r), info,
            **args),
    }


def _owner_id(login: str) -> int:
    import zlib

    return 50_000_000 + zlib.crc32(login.lower().encode()) % 10_000_000


def find_node(fake, id: str) -> dict | None:
    try:
        typename, repo_id, *keys = base64.b64decode(id).decode().split(":")
    except ValueError:
        return None
    repo = next((r for r in fake.state.repos.values() if str(r.id) == repo_id), None)
    if repo is None or not keys:
        return None
    number = int(keys[0])
    if typename == "Issue" and number in repo.issues:
        return issue(repo, repo.issues[number])
    if typename == "PullRequest" and number in repo.pulls:
        return pull_request(repo, repo.pulls[number])
    if typename == "Discussion" and number in repo.discussions:
        return discussion(repo, repo.discussions[number])
    if typename == "PullRequestReview":
        found = [r for r in repo.reviews.get(number, []) if str(r["id"]) == keys[1]]
        return review(repo, number, found[0]) if found else None
    if typename == "DiscussionComment":
        found = [c for c in repo.discussion_comments.get(number, []) if str(c["databaseId"]) == keys[1]]
        return discussion_comment(repo, number, found[0]) if found else None
    return None


def root(fake) -> dict:
    def repository_field(info, owner: str, name: str, **_):
        repo = fake.state.repo(owner, name)
        if repo is None:
            raise NotFound(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        return repository(repo)

    return {"repository": repository_field, "node": lambda info, id: find_node(fake, id),
            "addDiscussionComment": lambda info, input: add_discussion_comment(fake, input),
            "updateDiscussionComment": lambda info, input: update_discussion_comment(fake, input),
            **governance_mutations(fake)}


def _discussion_of(fake, node: str, typename: str):
    """(repo, number, keys…) of a Discussion or DiscussionComment node id, else NotFound."""
    try:
        kind, repo_id, number, *rest = base64.b64decode(node).decode().split(":")
        repo = next(r for r in fake.state.repos.values() if str(r.id) == repo_id)
        if kind != typename or int(number) not in repo.discussions:
            raise ValueError(node)
    except (ValueError, StopIteration) as exc:
        raise NotFound(f"Could not resolve to a node with the global id of '{node}'") from exc
    return repo, int(number), rest


def add_discussion_comment(fake, input: dict) -> dict:  # noqa: A002 - GraphQL's argument name
    """Mutation ``addDiscussionComment``: a comment by the App's bot on the discussion."""
    repo, number, _ = _discussion_of(fake, input["discussionId"], "Discussion")
    bot = {"login": f"{fake.state.app['slug']}[bot]", "id": 41898282, "type": "Bot"}
    cid = fake.state.new_id()
    comment = {"databaseId": cid, "body": input["body"], "url": f"https://github.com/{repo.full_name}/discussions/"
               f"{number}#discussioncomment-{cid}", "createdAt": "2026-01-01T00:00:00Z",
               "updatedAt": "2026-01-01T00:00:00Z", "authorAssociation": "NONE", "author": actor(bot),
               "replyTo": None,
               "isAnswer": False}
    repo.discussion_comments.setdefault(number, []).append(comment)
    return {"clientMutationId": input.get("clientMutationId"), "comment": discussion_comment(repo, number, comment)}


def update_discussion_comment(fake, input: dict) -> dict:  # noqa: A002 - GraphQL's argument name
    repo, number, rest = _discussion_of(fake, input["commentId"], "DiscussionComment")
    found = [c for c in repo.discussion_comments.get(number, []) if rest and str(c["databaseId"]) == rest[0]]
    if not found:
        raise NotFound(f"Could not resolve to a node with the global id of '{input['commentId']}'")
    found[0]["body"] = input["body"]
    return {"clientMutationId": input.get("clientMutationId"), "comment": discussion_comment(repo, number, found[0])}


def governance_mutations(fake) -> dict:
    """``addReaction`` on a discussion comment; ``addLabelsToLabelable`` / ``removeLabelsFromLabelable`` on a
    discussion (issue 6). Reactions land in ``repo.reactions[<comment database id>]``."""

    def add_reaction(info, input):  # noqa: A002 - GraphQL's argument name
        repo, number, rest = _discussion_of(fake, input["subjectId"], "DiscussionComment")
        mine = repo.reactions.setdefault(int(rest[0]), [])
        if input["content"] not in [r["content"] for r in mine]:
            mine.append({"content": input["content"], "user": {"login": f"{fake.state.app['slug']}[bot]"}})
        return {"reaction": {"content": input["content"]}}

    def labels(add: bool):
        def change(info, input):  # noqa: A002 - GraphQL's argument name
            repo, number, _ = _discussion_of(fake, input["labelableId"], "Discussion")
            names = [base64.b64decode(i).decode().removeprefix("Label:") for i in input["labelIds"]]
            kept = [label for label in repo.discussions[number].get("labels") or [] if label["name"] not in names]
            repo.discussions[number]["labels"] = kept + ([repo.labels[n] for n in names] if add else [])
            return {"clientMutationId": None}

        return change

    def close(info, input):  # noqa: A002 - GraphQL's argument name (issue 6 §6: the lifecycle closes)
        repo, number, _ = _discussion_of(fake, input["discussionId"], "Discussion")
        repo.discussions[number].update(closed=True, stateReason=input.get("reason", "RESOLVED"))
        return {"clientMutationId": None, "discussion": discussion(repo, repo.discussions[number])}

    return {"addReaction": add_reaction, "closeDiscussion": close, "addLabelsToLabelable": labels(True),
            "removeLabelsFromLabelable": labels(False)}
