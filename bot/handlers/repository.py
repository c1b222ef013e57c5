"""repository, star, watch, fork, member, label, create and delete → rows and contributions."""

from __future__ import annotations

from sqlalchemy import update

from bot import contributions
from bot.handlers.context import repo_id, seen_at, sender_id, upsert_repository
from bot.models import GitRef, Label, Membership, Repository
from bot.routing import Event, Router
from bot.store import parse_time, person, pick, upsert

router = Router()


@router.register("repository")
def track_repository(uow, event: Event) -> None:
    # The repository object itself was upserted by the context handler; these actions add to it.
    repo = repo_id(event)
    if event.action == "deleted":
        uow.execute(update(Repository).where(Repository.id == repo).values(deleted_at=event.received_at))
    elif event.action == "privatized":
        # Going private always applies, whatever the order: a public page must never show it again.
        uow.execute(update(Repository).where(Repository.id == repo).values(private=True))


@router.register("star")
def track_star(uow, event: Event) -> None:
    starred_at = parse_time(event.payload.get("starred_at"))
    if event.action == "created":
        contributions.record(
            uow, kind="star", key=f"{repo_id(event)}:{sender_id(event)}:{starred_at.isoformat()}",
            person_id=sender_id(event), repository_id=repo_id(event), occurred_at=starred_at,
            url=(event.payload["repository"] or {}).get("html_url"), delivery_id=event.delivery_id,
        )


@router.register("watch")
def track_watch(uow, event: Event) -> None:
    """GitHub sends ``watch.started`` for every star alongside ``star.created`` (which carries the
    time); the star is credited from ``star`` only, so it is never counted twice."""


@router.register("fork")
def track_fork(uow, event: Event) -> None:
    forkee = event.payload["forkee"]
    upsert_repository(uow, forkee, seen_at(event), parent_id=repo_id(event), fork=True)
    contributions.record(
        uow, kind="fork", key=str(forkee["id"]),
        person_id=sender_id(event), repository_id=repo_id(event),  # the person who forked, even into an org
        occurred_at=parse_time(forkee.get("created_at")), url=forkee.get("html_url"),
        delivery_id=event.delivery_id,
    )


@router.register("member")
def track_member(uow, event: Event) -> None:
    member = person(uow, event.payload.get("member"), seen_at(event))
    if member is None:
        return
    changes = event.payload.get("changes") or {}
    permission = ((changes.get("permission") or {}).get("to")
                  or (changes.get("role_name") or {}).get("to"))
    values = {"repository_id": repo_id(event), "person_id": member,
              "removed_at": event.received_at if event.action == "removed" else None}
    if permission:
        values["permission"] = permission
    upsert(uow, Membership, values, key=("repository_id", "person_id"))


@router.register("label")
def track_label(uow, event: Event) -> None:
    label = event.payload["label"]
    values = pick(label, {"id": "id", "name": "name", "color": "color", "description": "description"})
    values["repository_id"] = repo_id(event)
    upsert(uow, Label, values)
    # Label events carry no timestamp, but a deleted label id never comes back: a late "edited" or
    # "created" must not revive it, so deletion is only ever set.
    if event.action == "deleted":
        uow.execute(update(Label).where(Label.id == label["id"]).values(deleted_at=event.received_at))


@router.register("create")
@router.register("delete")
def track_ref(uow, event: Event) -> None:
    upsert_ref(uow, repo_id(event), event.payload["ref_type"], event.payload["ref"],
               sender_id(event), deleted=event.name == "delete")


def upsert_ref(uow, repository: int | None, ref_type: str, ref: str, actor: int | None, *, deleted: bool) -> None:
    values = {"repository_id": repository, "ref_type": ref_type, "ref": ref, "deleted": deleted}
    if not deleted:
        values["created_by_id"] = actor
    upsert(uow, GitRef, values, key=("repository_id", "ref_type", "ref"))
