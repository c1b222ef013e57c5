"""Does the App have the permissions its features need? (issue 6 §1; python/bedevere#584: a bot that silently
mislabels because it cannot read what it needs.)

``FEATURES`` is the one table: feature → the repository (or organisation) permissions it needs. Steward checks
every feature it offers, since which ones a repository turns on lives in that repository's
``.github/steward.yml``. The check runs

* at start-up (``steward serve`` enqueues ``check_permissions``; the job lists ``GET /app/installations``),
* on ``installation`` ``created`` and ``new_permissions_accepted`` (the payload's ``permissions``),

and says so plainly: one log line per installation (a WARNING naming each missing permission and the features
that need it), the granted permissions stored on the ``installations`` row, and ``steward doctor`` printing the
same per installation.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot import gh, jobs
from bot.db import now, transaction
from bot.models import Installation
from bot.store import upsert

log = logging.getLogger(__name__)
LEVELS = {"none": 0, "read": 1, "write": 2, "admin": 3}
ORGANISATION_ONLY = frozenset({"members"})  # not grantable on an installation owned by a user account

#: feature → {permission: level it needs}. GitHub's permission names (``installation.permissions``).
FEATURES: dict[str, dict[str, str]] = {
    "webhook ledger and metrics": {"metadata": "read", "contents": "read", "issues": "read",
                                   "pull_requests": "read", "discussions": "read"},
    "config check": {"checks": "write", "contents": "read", "pull_requests": "read"},
    "commands": {"issues": "write", "pull_requests": "write"},
    "welcome": {"issues": "write", "pull_requests": "write", "discussions": "write", "contents": "read"},
    "labels": {"issues": "write", "pull_requests": "read", "contents": "read"},
    "dco": {"checks": "write", "pull_requests": "read", "contents": "read"},
    "evaluation": {"checks": "write", "contents": "read", "pull_requests": "write"},
    "maintainer rules": {"members": "read"},
}


@dataclass(frozen=True)
class Missing:
    permission: str
    needed: str
    granted: str
    features: tuple[str, ...]

    def __str__(self) -> str:
        return (f"{self.permission}: {self.needed} (granted: {self.granted}) — needed by "
                + ", ".join(self.features))


def missing(granted: Mapping[str, str] | None, features: Mapping[str, Mapping[str, str]] = FEATURES, *,
            organisation: bool = True) -> list[Missing]:
    """Every permission below what some feature needs, with the features that need it (pure). Organisation
    permissions are not asked of an installation on a user account (``organisation=False``)."""
    granted = granted or {}
    need: dict[str, tuple[str, list[str]]] = {}
    for feature, perms in features.items():
        for perm, level in perms.items():
            if perm in ORGANISATION_ONLY and not organisation:
                continue
            have = granted.get(perm, "none")
            if LEVELS.get(have, 0) < LEVELS[level]:
                top, names = need.get(perm, ("none", []))
                need[perm] = (level if LEVELS[level] > LEVELS[top] else top, [*names, feature])
    return [Missing(perm, level, granted.get(perm, "none"), tuple(names))
            for perm, (level, names) in sorted(need.items())]


def describe(installation_id: int, account: str | None, granted: Mapping[str, str] | None,
             target_type: str | None = None) -> tuple[bool, str]:
    """(all granted, one plain line) for an installation."""
    who = f"installation {installation_id}" + (f" ({account})" if account else "")
    gaps = missing(granted, organisation=target_type != "User")
    if not gaps:
        return True, f"{who}: the App has every permission Steward's features need"
    return False, (f"{who}: the App lacks {len(gaps)} permission{'s' if len(gaps) != 1 else ''} — "
                   + "; ".join(map(str, gaps))
                   + f". Grant {'it' if len(gaps) == 1 else 'them'} in the App's settings (Permissions & events),"
                   " then accept the change on the installation.")


def report(installation_id: int, account: str | None, granted: Mapping[str, str] | None,
           target_type: str | None = None) -> bool:
    ok, line = describe(installation_id, account, granted, target_type)
    (log.info if ok else log.warning)("%s", line)
    return ok


def schedule(runtime: Any) -> None:
    """At start-up: one ``check_permissions`` job listing every installation (run by the clock)."""
    with transaction(runtime.factory) as uow:
        jobs.enqueue(uow, "check_permissions", {"all": True}, key=f"start:{now().isoformat()}")


def enqueue_for(uow: Any, installation: Mapping[str, Any], delivery_id: str) -> None:
    """From the ``installation`` handler: check the payload's permissions (no GitHub call)."""
    jobs.enqueue(uow, "check_permissions", {
        "installation_id": installation["id"], "permissions": dict(installation.get("permissions") or {}),
        "account": (installation.get("account") or {}).get("login"),
        "target_type": installation.get("target_type")}, key=f"{installation['id']}:{delivery_id}")


def refresh(runtime: Any) -> list[dict]:
    """``GET /app/installations`` → each installation's granted permissions stored on its row; the items."""
    found = list(gh.app_api(runtime).installations())
    with transaction(runtime.factory) as uow:
        for item in found:
            upsert(uow, Installation, {"id": item["id"], "permissions": item.get("permissions") or {},
                                       "target_type": item.get("target_type")})
    return found


def stored(runtime: Any) -> list[tuple[int, str | None, dict | None, str | None]]:
    """(id, account login, permissions, target type) of every installation not deleted, from the database."""
    from bot.models import Person

    with runtime.factory() as uow:
        rows = uow.execute(select(Installation.id, Person.login, Installation.permissions, Installation.target_type)
                           .outerjoin(Person, Person.id == Installation.account_id)
                           .where(Installation.deleted_at.is_(None)).order_by(Installation.id)).all()
    return [(row[0], row[1], row[2], row[3]) for row in rows]


@jobs.kind("check_permissions")
def check_permissions(runtime: Any, args: dict[str, Any]) -> None:
    if not args.get("all"):
        report(args["installation_id"], args.get("account"), args.get("permissions"), args.get("target_type"))
        return
    if not runtime.settings.app_configured:
        log.info("no GitHub App is configured (dry run): the App's permissions were not checked")
        return
    for item in refresh(runtime):
        report(item["id"], (item.get("account") or {}).get("login"), item.get("permissions"), item.get("target_type"))


def doctor(runtime: Any) -> tuple[bool, list[str]]:
    """``steward doctor``: (all granted, lines) — refreshed from GitHub when an App is configured."""
    lines, ok = [], True
    if runtime.settings.app_configured:
        try:
            refresh(runtime)
            lines.append(f"GitHub App {runtime.settings.github_app_id}: installations read from GitHub")
        except gh.GitHubError as exc:
            ok = False
            lines.append(f"GitHub App {runtime.settings.github_app_id}: could not list installations ({exc}); "
                         "showing what the database last saw")
    else:
        lines.append("no GitHub App is configured (dry run): showing what installation webhooks last said")
    found = stored(runtime)
    for installation_id, account, granted, target_type in found:
        good, line = describe(installation_id, account, granted, target_type)
        ok = ok and good
        lines.append(line)
    if not found:
        lines.append("no installation is known yet")
    return ok, lines
