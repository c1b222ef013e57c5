"""Discussions as an installation, through GraphQL: the one marked reply per marker, reactions, labels,
closing. A mixin of ``gh.InstallationAPI``; writes go through ``Client._write``."""

from __future__ import annotations

from sqlalchemy import select

from bot import outbound
from bot.db import now
from bot.gh_http import GitHubError, repo_path

GRAPHQL_REACTIONS = {"+1": "THUMBS_UP", "-1": "THUMBS_DOWN"}  # the others: the same word, upper case
REST_REACTIONS = {v: k for k, v in GRAPHQL_REACTIONS.items()}
_REACTIONS = ("query($id: ID!, $after: String) { node(id: $id) { ... on Reactable {"
              " reactions(first: 100, after: $after) { nodes { content createdAt user { login } }"
              " pageInfo { hasNextPage endCursor } } } } }")


class DiscussionCalls:
    def react_to_node(self, repo: str, subject_id: str, content: str) -> None:
        """A reaction on a GraphQL node (a discussion comment): content as REST names it (``+1``)."""
        name = GRAPHQL_REACTIONS.get(content, content.upper())
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
        edit = ("mutation($id: ID!, $b: String!) { updateDiscussionComment(input: {commentId: $id, body: $b})"
                " { comment { id } } }")
        add = ("mutation($d: ID!, $b: String!) { addDiscussionComment(input: {discussionId: $d, body: $b})"
               " { comment { id } } }")

        def send() -> None:
            node = self.discussion_reply_node(repo, number, marker)
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

    def node_reactions(self, node_id: str) -> list[dict]:
        """The reactions on a GraphQL node now, in REST's shape (``content`` ``+1``, ``user``, ``created_at``);
        none when dry or when the node is gone. A reaction by a bot has no ``user`` in GraphQL."""
        found: list[dict] = []
        after = None
        for _ in range(0 if self.dry else 100):  # bounded: 100 pages of 100
            page = ((self.graphql(_REACTIONS, {"id": node_id, "after": after}).get("node") or {})
                    .get("reactions") or {})
            found += [{"content": REST_REACTIONS.get(r["content"], r["content"].lower()), "created_at": r["createdAt"],
                       "user": {"login": r["user"]["login"], "type": "User"} if r.get("user") else {}}
                      for r in page.get("nodes") or []]
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                break
            after = info.get("endCursor")
        return found

    def discussion_reply_node(self, repo: str, number: int, marker: str) -> str | None:
        """The node id of Steward's own discussion comment carrying ``marker`` (None: not posted)."""
        from bot.models import DiscussionReply

        with self._runtime.factory() as uow:
            return uow.scalar(select(DiscussionReply.node_id).where(
                DiscussionReply.repository == repo, DiscussionReply.number == number,
                DiscussionReply.marker == marker))

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
