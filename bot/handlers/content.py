"""push, gollum and release → Push, GitRef and Release rows; docs_change and release contributions."""

from __future__ import annotations

from sqlalchemy import update

from bot import contributions
from bot.handlers.context import repo_id, seen_at, sender_id
from bot.handlers.repository import upsert_ref
from bot.models import Push, Release
from bot.routing import Event, Router
from bot.store import parse_time, person, pick, upsert

router = Router()
ZERO_SHA = "0" * 40


@router.register("push")
def track_push(uow, event: Event) -> None:
    p = event.payload
    repo = p["repository"]
    ref = p["ref"]
    commits = p.get("commits") or []
    paths = [path for c in commits for key in ("added", "modified", "removed") for path in c.get(key) or []]
    docs = contributions.docs_paths(paths)
    head = p.get("head_commit") or {}
    pushed_at = parse_time(head.get("timestamp")) or parse_time(repo.get("pushed_at")) or event.received_at
    upsert(uow, Push, {
        "key": f"{repo['id']}:{ref}:{p.get('before')}:{p.get('after')}", "repository_id": repo["id"],
        "ref": ref, "before": p.get("before") or ZERO_SHA, "after": p.get("after") or ZERO_SHA,
        "pusher_id": sender_id(event), "forced": p.get("forced"), "commit_count": len(commits),
        "docs_paths": docs, "pushed_at": pushed_at,
    }, key=("key",))
    for prefix, ref_type in (("refs/heads/", "branch"), ("refs/tags/", "tag")):
        if ref.startswith(prefix):
            upsert_ref(uow, repo["id"], ref_type, ref.removeprefix(prefix), sender_id(event),
                       deleted=bool(p.get("deleted")))
    if docs and ref == f"refs/heads/{repo.get('default_branch') or repo.get('master_branch')}":
        contributions.record(
            uow, kind="docs_change", key=f"push:{repo['id']}:{p.get('after')}", person_id=sender_id(event),
            repository_id=repo["id"], occurred_at=pushed_at, url=p.get("compare"),
            delivery_id=event.delivery_id,
        )


@router.register("gollum")
def track_gollum(uow, event: Event) -> None:
    """Wiki edits. The payload carries no timestamp, so the receipt time is the best available."""
    for page in event.payload.get("pages") or []:
        contributions.record(
            uow, kind="docs_change", key=f"wiki:{repo_id(event)}:{page.get('page_name')}:{page.get('sha')}",
            person_id=sender_id(event), repository_id=repo_id(event), occurred_at=event.received_at,
            url=page.get("html_url"), delivery_id=event.delivery_id,
        )


@router.register("release")
def track_release(uow, event: Event) -> None:
    release = event.payload["release"]
    upsert_release(uow, event, release, credit=event.action != "deleted")
    if event.action == "deleted":
        uow.execute(update(Release).where(Release.id == release["id"]).values(deleted_at=event.received_at))


def upsert_release(uow, event: Event, release: dict, *, credit: bool = True) -> None:
    values = pick(release, {"id": "id", "tag_name": "tag_name", "name": "name", "draft": "draft",
                            "prerelease": "prerelease", "html_url": "html_url", "created_at": "created_at",
                            "published_at": "published_at"}, times=("created_at", "published_at"))
    values.update(repository_id=repo_id(event), author_id=person(uow, release.get("author"), seen_at(event)))
    upsert(uow, Release, values)
    if credit and not release.get("draft"):
        # A release is an act when it is published; an unpublished one (published_at null) credits nothing.
        contributions.record(
            uow, kind="release", key=str(release["id"]), person_id=values["author_id"],
            repository_id=values["repository_id"], occurred_at=values.get("published_at"),
            url=release.get("html_url"), delivery_id=event.delivery_id,
        )
