"""Commands in discussion comments: the same parser and ``command`` job, answered through GraphQL.

``DiscussionSurface`` wraps the installation API for a job whose args carry ``discussion_id`` (the
discussion's node id): the reply (``command-reply:<comment id>``, ``help``) is ONE discussion comment per
marker, created with ``addDiscussionComment`` and edited in place with ``updateDiscussionComment``; the
acknowledgement is ``addReaction`` on the commenting comment; ``/label`` and ``/remove-label`` use
``addLabelsToLabelable`` / ``removeLabelsFromLabelable`` with existing labels only. ``COMMANDS`` are the
commands that make sense on a discussion; the handler refuses the others with a reason.
"""

from __future__ import annotations

from typing import Any

from bot.command_jobs import Refused

COMMANDS = frozenset({"affiliation", "help", "label", "remove-label", "remove-lifecycle", "vote"})
NOT_HERE = "`/{name}` works on issues and pull requests, not in discussions (there: {allowed})."


def not_here(name: str) -> str:
    return NOT_HERE.format(name=name, allowed=", ".join(f"`/{n}`" for n in sorted(COMMANDS)))


class DiscussionSurface:
    def __init__(self, api, args: dict[str, Any]) -> None:
        self._api, self._args = api, args

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)

    def upsert_comment(self, repo: str, number: int, marker: str, body: str) -> None:
        self._api.upsert_discussion_comment(repo, number, self._args["discussion_id"], marker, body)

    def add_reaction(self, repo: str, comment_id: int, content: str) -> None:
        self._api.react_to_node(repo, self._args["comment_node_id"], content)

    def add_labels(self, repo: str, number: int, labels: list[str]) -> None:
        self._labels(repo, labels, add=True)

    def remove_label(self, repo: str, number: int, label: str) -> None:
        self._labels(repo, [label], add=False)

    def _labels(self, repo: str, labels: list[str], *, add: bool) -> None:
        missing = self._api.label_discussion(repo, self._args["discussion_id"], labels, add=add)
        if missing:
            raise Refused("discussions can only get labels that exist in the repository; no label "
                          + ", ".join(f"`{m}`" for m in missing) + ".")
