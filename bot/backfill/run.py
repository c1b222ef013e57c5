"""The import loop: one transaction per page holding the page's rows and its checkpoint.

``BackfillState`` keeps, per (repository, resource), the GraphQL end cursor of the last committed page.
A page's rows and the cursor that follows it commit together, so a crash loses at most the page in
flight and a restart continues after the last committed one (rows are idempotent upserts either way).
The checkpoint advances with a compare-and-set on the cursor: a second runner of the same repository
rolls its page back instead of double-counting it. When every resource is done, the next run starts a
fresh pass (a reinstall or an operator's re-run wants current history); ``restart`` forces one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from bot.backfill import convert
from bot.backfill.fetch import Fetcher, NotFound
from bot.backfill.write import WRITERS, backfill_event
from bot.db import now, transaction
from bot.handlers.context import upsert_repository
from bot.models import BackfillState, Installation, Repository
from bot.store import upsert

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
RESOURCES = ("issues", "pull_requests", "discussions", "releases")
Progress = Callable[[str, int, "int | None", bool], None]  # resource, items so far, total, done


class ConcurrentBackfill(RuntimeError):
    """Another runner advanced this checkpoint first; this runner's page was rolled back."""


def backfill_repository(runtime: Runtime, api: Any, repository_id: int | None, full_name: str, *,
                        installation_id: int | None = None, progress: Progress | None = None,
                        restart: bool = False, resources: tuple[str, ...] = RESOURCES) -> int:
    """Import ``full_name``'s history with ``api`` (``graphql(query, variables)``, ``requests``).

    Returns the repository id (resolved from GitHub when ``repository_id`` is None).
    """
    fetcher = Fetcher(api, full_name)
    fetched_at = now()
    start = api.requests
    repo = convert.repository(fetcher.repository())
    if repository_id is not None and repo["id"] != repository_id:
        raise NotFound(f"{full_name} is repository {repo['id']} on GitHub, not {repository_id}")
    repository_id = repo["id"]
    with transaction(runtime.factory) as uow:
        if installation_id is not None:
            upsert(uow, Installation, {"id": installation_id})
        upsert_repository(uow, repo, fetched_at, installation_id)
        states = _checkpoints(uow, repository_id, resources, restart)
    carry = api.requests - start  # the repository query is charged to the first page written
    event = backfill_event(repository_id, fetched_at)
    for resource in resources:
        cursor, items, done = states[resource]
        if progress:
            progress(resource, items, None, done)
        while not done:
            before = api.requests
            try:
                conn = fetcher.page(resource, cursor)
            except Exception as exc:
                _record_error(runtime, repository_id, resource, exc)
                raise
            nodes, info = conn["nodes"], conn["pageInfo"]
            used, carry = api.requests - before + carry, 0
            after, done = info.get("endCursor") or cursor, not info["hasNextPage"]
            with transaction(runtime.factory) as uow:
                WRITERS[resource](uow, event, nodes)
                stamp = now()
                moved = uow.execute(
                    update(BackfillState)
                    .where(BackfillState.repository_id == repository_id, BackfillState.resource == resource,
                           BackfillState.cursor.is_not_distinct_from(cursor), BackfillState.done.is_(False))
                    .values(cursor=after, items=BackfillState.items + len(nodes),
                            requests=BackfillState.requests + used, done=done, error=None, updated_at=stamp,
                            finished_at=stamp if done else None)).rowcount
                if moved != 1:
                    raise ConcurrentBackfill(f"{full_name} {resource}: checkpoint moved by another runner")
            cursor, items = after, items + len(nodes)
            if progress:
                progress(resource, items, conn.get("totalCount"), done)
        log.info("backfill %s %s: %d items", full_name, resource, items)
    return repository_id


def _checkpoints(uow, repository_id: int, resources: tuple[str, ...], restart: bool) -> dict:
    rows = {s.resource: s for s in uow.scalars(select(BackfillState).where(
        BackfillState.repository_id == repository_id, BackfillState.resource.in_(resources)).with_for_update())}
    fresh = restart or (len(rows) == len(resources) and all(s.done for s in rows.values()))
    stamp = now()
    for resource in resources:
        state = rows.get(resource)
        if state is None:
            state = rows[resource] = BackfillState(repository_id=repository_id, resource=resource, done=False,
                                                   items=0, requests=0)
            uow.add(state)
        if fresh or state.started_at is None:
            state.cursor, state.done, state.items, state.requests = None, False, 0, 0
            state.error, state.started_at, state.finished_at, state.updated_at = None, stamp, None, stamp
    uow.flush()
    return {r: (rows[r].cursor, rows[r].items, rows[r].done) for r in resources}


def _record_error(runtime: Runtime, repository_id: int, resource: str, exc: Exception) -> None:
    with transaction(runtime.factory) as uow:
        uow.execute(update(BackfillState).where(BackfillState.repository_id == repository_id,
                                                BackfillState.resource == resource)
                    .values(error=f"{type(exc).__name__}: {exc}"[:2000], updated_at=now()))


def status(runtime: Runtime, full_name: str | None = None) -> list[tuple[str, BackfillState]]:
    """Every checkpoint (optionally of one repository), as (full name, state)."""
    stmt = (select(Repository.full_name, BackfillState)
            .join(Repository, Repository.id == BackfillState.repository_id)
            .order_by(Repository.full_name, BackfillState.resource))
    if full_name:
        stmt = stmt.where(func.lower(Repository.full_name) == full_name.lower())
    with runtime.factory() as uow:
        return [(name, state) for name, state in uow.execute(stmt)]
