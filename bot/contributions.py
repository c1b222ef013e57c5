"""The contribution ledger's vocabulary and the one place that writes it.

Each kind is a human act. ``key`` identifies the act itself (not the delivery that reported it), so a
webhook, a redelivery and a later backfill of the same act all land on one row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from sqlalchemy.orm import Session

from bot.metrics import totals
from bot.models import Contribution
from bot.store import insert_new

KINDS = (
    "issue_opened", "pr_opened", "pr_merged", "review", "review_comment", "issue_comment",
    "discussion_opened", "discussion_comment", "discussion_answer", "docs_change", "triage",
    "release", "star", "fork",
)

# What counts as documentation, in one place: docs trees, Markdown/reST anywhere, model cards.
DOCS_DIRS = ("docs/", "doc/")
DOCS_SUFFIXES = (".md", ".mdx", ".rst")
MODEL_CARD_NAMES = ("model_card*", "model-card*", "modelcard*")


def is_docs_path(path: str) -> bool:
    path = path.lstrip("/")
    name = path.rsplit("/", 1)[-1].lower()
    return (
        path.startswith(DOCS_DIRS)
        or name.endswith(DOCS_SUFFIXES)
        or any(fnmatchcase(name, pattern) for pattern in MODEL_CARD_NAMES)
    )


def docs_paths(paths: Iterable[str]) -> list[str]:
    return sorted({p for p in paths if is_docs_path(p)})


def pr_docs_credit_time(pr: Mapping[str, Any], paths: Iterable[str]) -> str | None:
    """When a pull request touching docs counts as a ``docs_change`` by its author: at its merge; an
    open one at its creation; one closed unmerged never. None when no path is a docs path."""
    if not docs_paths(paths):
        return None
    if pr.get("merged"):
        return pr.get("merged_at")
    return pr.get("created_at") if pr.get("state") == "open" else None


def record(
    uow: Session,
    *,
    kind: str,
    key: str,
    person_id: int | None,
    repository_id: int | None,
    occurred_at: datetime | None,
    url: str | None = None,
    delivery_id: str | None = None,
) -> bool:
    """Write one contribution, idempotently; False when there is nobody or nowhere to credit."""
    if kind not in KINDS:
        raise ValueError(f"unknown contribution kind {kind!r}")
    if person_id is None or repository_id is None or occurred_at is None:
        return False
    inserted = insert_new(uow, Contribution, {
        "key": f"{kind}:{key}", "kind": kind, "person_id": person_id, "repository_id": repository_id,
        "occurred_at": occurred_at, "url": url, "delivery_id": delivery_id}, key=("key",))
    if inserted:  # a repeat of a known act changes nothing
        totals.added(uow, repository_id=repository_id, person_id=person_id, kind=kind, occurred_at=occurred_at,
                     url=url)
    return True
