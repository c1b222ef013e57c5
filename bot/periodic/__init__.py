"""Periodic governance (issue 6 §6–8): lifecycle, contributor ladder and votes.

Each feature has one periodic job kind (``@jobs.kind(..., every=...)``) that the clock enqueues once per
period; the lifecycle and ladder kinds fan out into one job per repository (deduplicated on slot and
repository), so one repository's failure is retried alone. Every job reads its state from the database
and the repository's ``.github/steward.yml`` at the head of its default branch; only gh.py talks to GitHub.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import select

from bot import gh, jobs, repo_config
from bot.config_schema import describe
from bot.db import transaction
from bot.models import Repository
from bot.repo_config import ConfigError, RepoConfig

log = logging.getLogger(__name__)
_TEAM = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}")


def team_ref(value: str) -> str | None:
    """A config check: a team as ``org/team-slug`` (a leading ``@`` allowed)."""
    return None if _TEAM.fullmatch(value) else f"expected a team as org/team-slug, got {describe(value)}"


def team_members(api: Any, team: str | None) -> list[str]:
    return api.team_members(team.lstrip("@")) if team else []


def fan_out(runtime: Any, kind: str, slot: str) -> int:
    """Enqueue ``kind`` once per installed, live repository for ``slot``; how many."""
    with transaction(runtime.factory) as uow:
        ids = list(uow.scalars(select(Repository.id).where(
            Repository.installation_id.is_not(None), Repository.deleted_at.is_(None),
            Repository.archived.is_not(True)).order_by(Repository.id)))
        for repository_id in ids:
            jobs.enqueue(uow, kind, {"slot": slot, "repository_id": repository_id}, key=f"{slot}:{repository_id}")
    return len(ids)


def repository(runtime: Any, repository_id: int) -> Repository | None:
    with runtime.factory() as uow:
        return uow.get(Repository, repository_id)


def head_config(runtime: Any, repo: Repository) -> tuple[Any, RepoConfig | None]:
    """The installation's API and the config at the head of the default branch (None: no branch, or invalid —
    an invalid file is reported by the config check, and no feature acts on it)."""
    api = gh.installation_api(runtime, repo.installation_id, repository_id=repo.id)
    if api.dry:  # without App credentials no configuration can be read: nothing to act on
        return api, None
    sha = api.branch_sha(repo.full_name, repo.default_branch or "main")
    if sha is None:
        return api, None
    config = repo_config.fetch(runtime, repo.full_name, sha, installation_id=repo.installation_id,
                               repository_id=repo.id)
    if isinstance(config, ConfigError):
        log.warning("%s: .github/steward.yml at %s is invalid; periodic governance skipped", repo.full_name, sha)
        return api, None
    return api, config
