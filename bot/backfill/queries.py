"""The GraphQL documents of the history import (validated against GitHub's public schema in the tests).

One page query per resource brings up to ``PAGE`` items with their nested connections (comments,
reviews with their comments, changed files, discussion comments with their replies) at ``NESTED``
items each, so an ordinary repository needs one request per 100 issues or pull requests. An item whose
nested connection has more pages gets a ``FOLLOW_UP`` query (``node(id:)``) for that connection only.
Items are ordered by creation, oldest first, so a stored end cursor stays valid while new items appear.
"""

from __future__ import annotations

import re

PAGE = 100  # GitHub's maximum for ``first``
NESTED = {"comments": 50, "reviews": 30, "review_comments": 20, "files": 100, "replies": 20}



def _conn(field: str, first: int, nodes: str) -> str:
    return f"{field}(first: {first}) {{ totalCount pageInfo {{ ...Page }} nodes {{ {nodes} }} }}"


FRAGMENTS = {
    "Who": """fragment Who on Actor { __typename login url
  ... on User { databaseId } ... on Bot { databaseId } ... on Organization { databaseId }
  ... on Mannequin { databaseId } }""",
    "Page": "fragment Page on PageInfo { hasNextPage endCursor }",
    "IssueCommentFields": """fragment IssueCommentFields on IssueComment {
  id databaseId body url createdAt updatedAt authorAssociation author { ...Who } }""",
    "ReviewCommentFields": """fragment ReviewCommentFields on PullRequestReviewComment {
  id databaseId body url createdAt updatedAt authorAssociation author { ...Who } replyTo { databaseId } }""",
    "ReviewFields": f"""fragment ReviewFields on PullRequestReview {{
  id databaseId state submittedAt url authorAssociation author {{ ...Who }} commit {{ oid }}
  {_conn("comments", NESTED["review_comments"], "...ReviewCommentFields")} }}""",
    "DiscussionCommentFields": """fragment DiscussionCommentFields on DiscussionComment {
  id databaseId body url createdAt updatedAt authorAssociation isAnswer author { ...Who } }""",
    "DiscussionThread": f"""fragment DiscussionThread on DiscussionComment {{ ...DiscussionCommentFields
  {_conn("replies", NESTED["replies"], "...DiscussionCommentFields")} }}""",
}

_ITEM = "id databaseId number title state locked url createdAt updatedAt closedAt authorAssociation author { ...Who }"
_LABELS = "labels(first: 100) { nodes { name } } assignees(first: 10) { nodes { ...Who } }"
_COMMENTS = _conn("comments", NESTED["comments"], "...IssueCommentFields")
_ORDER = "orderBy: {field: CREATED_AT, direction: ASC}"

_PAGES = {
    "issues": f"""issues(first: {PAGE}, after: $after, {_ORDER}) {{ totalCount pageInfo {{ ...Page }}
  nodes {{ {_ITEM} stateReason milestone {{ title }} {_LABELS} {_COMMENTS} }} }}""",
    "pull_requests": f"""pullRequests(first: {PAGE}, after: $after, {_ORDER}) {{ totalCount pageInfo {{ ...Page }}
  nodes {{ {_ITEM} isDraft merged mergedAt mergedBy {{ ...Who }} headRefName headRefOid
    headRepository {{ databaseId }} baseRefName baseRefOid additions deletions changedFiles {_LABELS}
    {_conn("files", NESTED["files"], "path")}
    {_COMMENTS}
    {_conn("reviews", NESTED["reviews"], "...ReviewFields")} }} }}""",
    "discussions": f"""discussions(first: {PAGE}, after: $after, {_ORDER}) {{ totalCount pageInfo {{ ...Page }}
  nodes {{ id databaseId number title closed locked url createdAt updatedAt authorAssociation author {{ ...Who }}
    category {{ name }} labels(first: 100) {{ nodes {{ name }} }}
    answerChosenAt answerChosenBy {{ ...Who }} answer {{ ...DiscussionCommentFields }}
    {_conn("comments", NESTED["comments"], "...DiscussionThread")} }} }}""",
    "releases": f"""releases(first: {PAGE}, after: $after, {_ORDER}) {{ totalCount pageInfo {{ ...Page }}
  nodes {{ id databaseId tagName name isDraft isPrerelease url createdAt publishedAt author {{ ...Who }} }} }}""",
}

# (type condition, connection field, node selection) of each nested connection that can need more pages.
_FOLLOW = {
    "issue_comments": ("Issue", "comments", "...IssueCommentFields"),
    "pr_comments": ("PullRequest", "comments", "...IssueCommentFields"),
    "files": ("PullRequest", "files", "path"),
    "reviews": ("PullRequest", "reviews", "...ReviewFields"),
    "review_comments": ("PullRequestReview", "comments", "...ReviewCommentFields"),
    "discussion_comments": ("Discussion", "comments", "...DiscussionThread"),
    "replies": ("DiscussionComment", "replies", "...DiscussionCommentFields"),
}


def document(operation: str) -> str:
    """``operation`` plus exactly the fragments it uses (GraphQL rejects unused fragments)."""
    needed: list[str] = []
    pending = [operation]
    while pending:
        for name in re.findall(r"\.\.\.([A-Z]\w*)", pending.pop()):
            if name not in needed:
                needed.append(name)
                pending.append(FRAGMENTS[name])
    return "\n".join([operation, *(FRAGMENTS[name] for name in sorted(needed))])


REPOSITORY = document("""query Repository($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) { databaseId name nameWithOwner isPrivate isFork isArchived description
    url createdAt pushedAt updatedAt stargazerCount forkCount defaultBranchRef { name } owner { ...Who } } }""")

PAGE_QUERY = {
    resource: document(f"""query Backfill($owner: String!, $name: String!, $after: String) {{
  repository(owner: $owner, name: $name) {{ {selection} }} }}""")
    for resource, selection in _PAGES.items()
}

FOLLOW_UP = {
    key: document(f"""query More($id: ID!, $after: String) {{ node(id: $id) {{ ... on {type_name} {{
  {field}(first: {PAGE}, after: $after) {{ pageInfo {{ ...Page }} nodes {{ {nodes} }} }} }} }} }}""")
    for key, (type_name, field, nodes) in _FOLLOW.items()
}
FOLLOW_FIELD = {key: field for key, (_, field, _) in _FOLLOW.items()}
